// The remote room (issue 5): members working away join after their passkey (WebAuthn) signed the
// meeting's challenge, heartbeats count their time, and the room's chat is a sync row of the branch.
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import { mayAttendRemotely, type MeetingMessageRow, type MeetingRow } from '~/domain/meetings'
import type { Role } from '~/domain/users'
import type { ChangeWriter } from '~/server/sync/changes'
import { MutationRejected } from '~/server/sync/rejections'
import { attendanceId, loadMeeting, NOT_REVIEWED, writeAttendance } from './rows'

/** Joins the remote room after a verified WebAuthn assertion; present from now, heartbeats add time. */
export async function joinRemotely(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  meeting: MeetingRow,
  memberId: string,
  now: string,
): Promise<void> {
  const id = attendanceId(meeting.id, memberId)
  const existing = await trx.selectFrom('attendance').select('mode').where('id', '=', id).executeTakeFirst()
  if (existing?.mode === 'remote') {
    // Rejoining after a dropped connection: the heartbeat clock restarts from now.
    await trx.updateTable('attendance').set({ last_heartbeat_at: now }).where('id', '=', id).execute()
    return
  }
  if (existing) throw new MutationRejected('already_checked_in', '您已经在现场签到了')
  await writeAttendance(trx, writer, meeting, {
    id,
    meeting_id: meeting.id,
    member_id: memberId,
    mode: 'remote',
    checked_in_at: now,
    remote_seconds: 0,
    last_heartbeat_at: now,
    proxy_by: null,
    note: null,
    received_at: now,
    ...NOT_REVIEWED,
  })
}

/** Heartbeats come every 30 s; a gap over 90 s means the member was away, and only the beat itself counts. */
export const HEARTBEAT_MAX_GAP_S = 90

export async function heartbeat(db: Kysely<Database>, meeting: MeetingRow, memberId: string, now: string): Promise<number | null> {
  const id = attendanceId(meeting.id, memberId)
  const row = await db
    .selectFrom('attendance')
    .select(['mode', 'remote_seconds', 'last_heartbeat_at'])
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row || row.mode !== 'remote') return null
  const end = Math.min(Date.parse(now), Date.parse(meeting.endsAt))
  const from = Math.max(Date.parse(row.last_heartbeat_at ?? now), Date.parse(meeting.startsAt))
  const gap = Math.max(0, Math.round((end - from) / 1000))
  const seconds = row.remote_seconds + (gap <= HEARTBEAT_MAX_GAP_S ? gap : 0)
  await db.updateTable('attendance').set({ remote_seconds: seconds, last_heartbeat_at: now }).where('id', '=', id).execute()
  return seconds
}

/** The meeting, if this user may be in its remote room now. */
export async function remoteMeetingFor(
  db: Kysely<Database>,
  user: { id: string; branchId: string | null },
  meetingId: string,
): Promise<MeetingRow> {
  const meeting = await loadMeeting(db, meetingId)
  if (meeting.branchId !== user.branchId) throw new MutationRejected('forbidden', '不能参加其他支部的会议')
  const member = await db.selectFrom('users').select(['id', 'status']).where('id', '=', user.id).executeTakeFirstOrThrow()
  if (!mayAttendRemotely(meeting, member))
    throw new MutationRejected('forbidden', '这场会议不允许您远程参会（外出务工党员或经书记同意者可以）')
  if (meeting.status !== 'scheduled') throw new MutationRejected('closed', '会议已结束')
  const now = Date.now()
  if (now < Date.parse(meeting.startsAt) - 30 * 60_000 || now > Date.parse(meeting.endsAt))
    throw new MutationRejected('outside_window', '不在会议时间内（开始前30分钟可进入）')
  return meeting
}

/** A heartbeat from the room: the member's remote seconds so far. */
export async function beat(db: Kysely<Database>, memberId: string, meetingId: string, now: string): Promise<number> {
  const meeting = await loadMeeting(db, meetingId)
  // Closing settled the remote time for good: later beats must not change it.
  if (meeting.status !== 'scheduled') throw new MutationRejected('closed', '会议已结束')
  const seconds = await heartbeat(db, meeting, memberId, now)
  if (seconds === null) throw new MutationRejected('not_joined', '请先通过指纹或面容验证进入远程会场')
  return seconds
}

/** 即时沟通: a message is a sync row of the branch, so it reaches every device in the room and stays with the record. */
export async function postMessage(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  user: { id: string; role: Role; branchId: string | null },
  meetingId: string,
  text: string,
  now: string,
): Promise<MeetingMessageRow> {
  const meeting = await loadMeeting(trx, meetingId)
  const mayTalk =
    user.role === 'admin' || (meeting.branchId === user.branchId && (meeting.expectedIds.includes(user.id) || user.role === 'secretary'))
  if (!mayTalk) throw new MutationRejected('forbidden', '您不在这场会议中')
  if (meeting.status !== 'scheduled') throw new MutationRejected('closed', '会议已结束，不能再发言')
  const author = await trx.selectFrom('users').select('name').where('id', '=', user.id).executeTakeFirstOrThrow()
  const message: MeetingMessageRow = { id: crypto.randomUUID(), meetingId, memberId: user.id, name: author.name, text, sentAt: now }
  await trx
    .insertInto('meeting_messages')
    .values({ id: message.id, meeting_id: meetingId, member_id: user.id, text, sent_at: now })
    .execute()
  await writer.put(`branch:${meeting.branchId}`, 'meeting_messages', message.id, message)
  return message
}
