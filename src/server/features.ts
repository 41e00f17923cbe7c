// The features the server runs, in order: publishing (first start) and the demo data go through them in
// this order, each after those it builds on. A new feature is one line here; the sync core (sync/) knows none.
import { syncFeatures } from './sync/feature'
import { membersFeature } from './features/members'
import { studyFeature } from './features/study'
import { quizFeature } from './features/quiz'
import { pointsFeature } from './features/points'
import { honorFeature } from './features/honor'
import { meetingsFeature } from './features/meetings'
import { boardFeature } from './features/board'
import { supervisionFeature } from './features/supervision'

/** Compiles only when every mutation and synced table is registered by exactly one feature. */
export const FEATURES = syncFeatures([
  membersFeature,
  studyFeature,
  quizFeature,
  pointsFeature,
  honorFeature,
  meetingsFeature,
  boardFeature,
  // Last: it reads what the others wrote (meetings, attendance, comments, the ledger).
  supervisionFeature,
])
