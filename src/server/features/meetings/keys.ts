// Meeting keys reach only their holders (docs/architecture.md): each is written to the own `user:` scope of
// the branch's secretaries and of the admins, when the meeting is scheduled, when someone becomes the
// branch's secretary (issue 12), and is taken back when they stop being one.
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import type { ChangeWriter } from '~/server/sync/changes'

export async function putMeetingKey(writer: ChangeWriter, holderId: string, meetingId: string, key: string): Promise<void> {
  await writer.put(`user:${holderId}`, 'meeting_keys', meetingId, { id: meetingId, key })
}

/** A new secretary gets the keys of their branch's meetings still to be held (later ones come when scheduled). */
export async function grantMeetingKeys(trx: Kysely<Database>, writer: ChangeWriter, holderId: string, branchId: string): Promise<void> {
  const keys = await trx
    .selectFrom('meetings')
    .innerJoin('meeting_keys', 'meeting_keys.meeting_id', 'meetings.id')
    .select(['meetings.id', 'meeting_keys.key'])
    .where('meetings.branch_id', '=', branchId)
    .where('meetings.status', '=', 'scheduled')
    .orderBy('meetings.id')
    .execute()
  for (const { id, key } of keys) await putMeetingKey(writer, holderId, id, key)
}

/** A secretary removed, moved or ended: every key of the branch their devices hold is deleted from them. */
export async function revokeMeetingKeys(trx: Kysely<Database>, writer: ChangeWriter, holderId: string, branchId: string): Promise<void> {
  const scope = `user:${holderId}` as const
  // What this batch wrote so far is in sync_rows too (a key granted by an earlier mutation of the batch).
  await writer.flush()
  const held = await trx
    .selectFrom('sync_rows')
    .innerJoin('meetings', 'meetings.id', 'sync_rows.row_id')
    .select('sync_rows.row_id')
    .where('sync_rows.scope', '=', scope)
    .where('sync_rows.table_name', '=', 'meeting_keys')
    .where('sync_rows.op', '=', 'put')
    .where('meetings.branch_id', '=', branchId)
    .orderBy('sync_rows.row_id')
    .execute()
  for (const { row_id } of held) await writer.delete(scope, 'meeting_keys', row_id)
}
