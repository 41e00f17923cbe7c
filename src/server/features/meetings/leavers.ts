// A member who leaves a branch (membership ended, or moved to another: issue 12) is no longer expected at
// its meetings still to be closed, so closing one records no absence and no deduction for them. Closed
// meetings keep them as they were, with their attendance, points and place in the rates.
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import { withoutMember } from '~/domain/meetings'
import type { ChangeWriter } from '~/server/sync/changes'
import { meetingFromRow } from './rows'

/** Takes the member off the branch's scheduled meetings, and sends each changed meeting to the branch's devices. */
export async function removeFromScheduledMeetings(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  memberId: string,
  branchId: string,
): Promise<void> {
  const rows = await trx
    .selectFrom('meetings')
    .selectAll()
    .where('branch_id', '=', branchId)
    .where('status', '=', 'scheduled')
    .orderBy('id')
    .execute()
  for (const row of rows) {
    const meeting = withoutMember(meetingFromRow(row), memberId)
    if (!meeting) continue
    await trx
      .updateTable('meetings')
      .set({ expected_ids_json: JSON.stringify(meeting.expectedIds), remote_member_ids_json: JSON.stringify(meeting.remoteMemberIds) })
      .where('id', '=', row.id)
      .execute()
    await writer.put(`branch:${branchId}`, 'meetings', row.id, meeting)
  }
}
