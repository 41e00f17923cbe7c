// What the engine checks rows and changes against: most of the domain's schemas. The engine loads this
// module on first use, so the app shell starts without it (first-load budget, bench/size.ts).
import type { SyncTable } from '~/domain/sync'
import { rectificationRowSchema, warningRowSchema, warningRuleRowSchema, workdayRowSchema } from '~/domain/supervision'
import { overviewRowSchema } from '~/domain/overview'
import { branchRowSchema } from '~/domain/users'
import { courseSchema, materialSchema, studyProgressRowSchema } from '~/domain/study'
import { ledgerRowSchema, ruleRowSchema } from '~/domain/points'
import { examRowSchema, quizQuestionRowSchema, quizResultRowSchema } from '~/domain/quiz'
import { honorListRowSchema, honorMarkRowSchema } from '~/domain/honor'
import { attendanceRowSchema, leaveRowSchema, meetingKeyRowSchema, meetingMessageRowSchema, meetingRowSchema } from '~/domain/meetings'
import { memberRowSchema } from '~/domain/members'
import { commentRowSchema, householdRowSchema, noticeRowSchema, topicRowSchema } from '~/domain/board'
import { partyGroupRowSchema } from '~/domain/roster'
import type { z } from '~/domain/validation'

export { mutationDefinition } from '~/domain/mutations'

export const ROW_SCHEMAS: Record<SyncTable, z.ZodMiniType> = {
  members: memberRowSchema,
  branches: branchRowSchema,
  courses: courseSchema,
  materials: materialSchema,
  points_rules: ruleRowSchema,
  points: ledgerRowSchema,
  quiz_questions: quizQuestionRowSchema,
  quiz_results: quizResultRowSchema,
  exams: examRowSchema,
  study_progress: studyProgressRowSchema,
  honor_lists: honorListRowSchema,
  honor_marks: honorMarkRowSchema,
  meetings: meetingRowSchema,
  attendance: attendanceRowSchema,
  leaves: leaveRowSchema,
  meeting_keys: meetingKeyRowSchema,
  meeting_messages: meetingMessageRowSchema,
  topics: topicRowSchema,
  comments: commentRowSchema,
  households: householdRowSchema,
  notices: noticeRowSchema,
  party_groups: partyGroupRowSchema,
  warning_rules: warningRuleRowSchema,
  workdays: workdayRowSchema,
  warnings: warningRowSchema,
  rectifications: rectificationRowSchema,
  overviews: overviewRowSchema,
}
