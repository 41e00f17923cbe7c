// What supervision knows about one branch (issue 13): the facts the warning engine (./warnings) and the
// overview's figures (./overview) are computed from. The server reads them from its tables; both
// functions are pure, so the figures and warnings a device shows are the server's, at period boundaries too.
import type { AttendanceRow, LeaveRow, MeetingRow } from './meetings'
import type { CommentRow, TopicRow } from './board'

export interface BranchFacts {
  branchId: string
  branchName: string
  /** The first day the branch is supervised (the day it was created); null for a branch older than supervision. */
  since: string | null
  /** Current members, and those who ended in the window (their past attendance still counts). */
  members: readonly {
    id: string
    name: string
    /** 外出务工: a migrant member. */
    away: boolean
    partyGroupId: string | null
    endedAt: string | null
  }[]
  /** Its party groups, archived ones with the day they were archived. */
  groups: readonly { id: string; name: string; archivedAt: string | null }[]
  /** Its meetings from the window: scheduled, closed and cancelled. */
  meetings: readonly Pick<
    MeetingRow,
    'id' | 'branchId' | 'type' | 'title' | 'status' | 'startsAt' | 'endsAt' | 'closedAt' | 'minutes' | 'expectedIds' | 'audience'
  >[]
  attendance: readonly (Pick<AttendanceRow, 'meetingId' | 'memberId' | 'mode' | 'checkedInAt' | 'remoteSeconds'> &
    Partial<Pick<AttendanceRow, 'review'>>)[]
  leaves: readonly Pick<LeaveRow, 'meetingId' | 'memberId' | 'status'>[]
  /** Topics the branch posted (branchId = this branch) in the window. */
  topics: readonly Pick<TopicRow, 'id' | 'createdAt'>[]
  /** Comments the branch handles (posted by its members or on its topics) in the window, or still open. */
  comments: readonly Pick<CommentRow, 'id' | 'category' | 'status' | 'deadline' | 'createdAt' | 'acceptedAt' | 'closedAt'>[]
  /**
   * The days (Asia/Shanghai) each member studied, in the window. The overview needs only the last day of
   * each member's each month (up to today), so a loader may send just those: a few rows per member rather
   * than hundreds (tests/domain/overview.test.ts holds the figures equal).
   */
  studyDays: readonly { memberId: string; day: string }[]
  /** Points per member and month (`2026-11`), in the window, from the ledger. */
  points: readonly { memberId: string; month: string; points: number }[]
}

/** How far back facts reach: the 12 months of trends plus the year so far, and the period before the current one. */
export const FACTS_WINDOW_MONTHS = 13
