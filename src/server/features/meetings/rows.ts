// 三会一课 rows (issue 5): the meeting, attendance and leave rows devices see, made from the tables, and the
// checks every meeting change shares.
import type { Kysely, Selectable } from 'kysely'
import type { Database, AttendanceTable, LeaveTable, MeetingTable } from '~/server/db/schema'
import type { AttendanceRow, LeaveRow, MeetingRow } from '~/domain/meetings'
import type { PointsEvent } from '~/domain/points'
import { dayInShanghai } from '~/domain/calendar'
import type { ChangeWriter } from '~/server/sync/changes'
import { MutationRejected } from '~/server/sync/rejections'

export const attendanceId = (meetingId: string, memberId: string) => `${meetingId}:${memberId}`

export function meetingFromRow(row: Selectable<MeetingTable>): MeetingRow {
  return {
    id: row.id,
    branchId: row.branch_id,
    type: row.type as MeetingRow['type'],
    title: row.title,
    agenda: row.agenda,
    place: row.place,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    audience: row.audience as MeetingRow['audience'],
    expectedIds: JSON.parse(row.expected_ids_json) as string[],
    remoteAllowed: row.remote_allowed === 1,
    remoteMemberIds: JSON.parse(row.remote_member_ids_json) as string[],
    videoUrl: row.video_url,
    materialIds: JSON.parse(row.material_ids_json) as string[],
    status: row.status,
    minutes: row.minutes,
    backfillReason: row.backfill_reason,
    closedAt: row.closed_at,
  }
}

export function attendanceFromRow(row: Selectable<AttendanceTable>): AttendanceRow {
  return {
    id: row.id,
    meetingId: row.meeting_id,
    memberId: row.member_id,
    mode: row.mode,
    checkedInAt: row.checked_in_at,
    remoteSeconds: row.remote_seconds,
    proxyBy: row.proxy_by,
    note: row.note,
    review: row.review_status,
    reviewReason: row.review_reason,
    reviewedBy: row.reviewed_by,
    reviewedAt: row.reviewed_at,
    reviewNote: row.review_note,
  }
}

export function leaveFromRow(row: Selectable<LeaveTable>): LeaveRow {
  return {
    id: row.id,
    meetingId: row.meeting_id,
    memberId: row.member_id,
    reason: row.reason,
    status: row.status,
    requestedAt: row.requested_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    note: row.note,
  }
}

export async function loadMeeting(trx: Kysely<Database>, meetingId: string): Promise<MeetingRow> {
  const row = await trx.selectFrom('meetings').selectAll().where('id', '=', meetingId).executeTakeFirst()
  if (!row) throw new MutationRejected('not_found', '找不到这场会议')
  return meetingFromRow(row)
}

/**
 * A branch's current members, whom a branch-wide meeting expects: never the admin, nor anyone whose
 * membership ended or who moved to another branch (issue 12). Sorted, as meetings store them.
 */
export async function currentMemberIds(trx: Kysely<Database>, branchId: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('users')
    .select('id')
    .where('branch_id', '=', branchId)
    .where('role', '!=', 'admin')
    .where('ended_at', 'is', null)
    .orderBy('id')
    .execute()
  return rows.map((r) => r.id)
}

/** The devices that hold a branch's meeting keys: its secretaries' and every admin's. */
export async function keyHolders(trx: Kysely<Database>, branchId: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('users')
    .select('id')
    .where((eb) => eb.or([eb('role', '=', 'admin'), eb.and([eb('role', '=', 'secretary'), eb('branch_id', '=', branchId)])]))
    .execute()
  return rows.map((r) => r.id)
}

export function requireExpected(meeting: MeetingRow, memberId: string, message = '您不在这场会议的参会人员中') {
  if (!meeting.expectedIds.includes(memberId)) throw new MutationRejected('forbidden', message)
}

export function requireOpen(meeting: MeetingRow) {
  if (meeting.status !== 'scheduled') throw new MutationRejected('closed', meeting.status === 'closed' ? '会议已结束' : '会议已取消')
}

export const NOT_REVIEWED = { review_status: null, review_reason: null, reviewed_by: null, reviewed_at: null, review_note: null } as const

export async function writeAttendance(trx: Kysely<Database>, writer: ChangeWriter, meeting: MeetingRow, row: Selectable<AttendanceTable>) {
  await trx.insertInto('attendance').values(row).execute()
  await writer.put(`branch:${meeting.branchId}`, 'attendance', row.id, attendanceFromRow(row))
}

// The event id is the ledger entry's source: one per member and meeting (`rule:source` is the entry's id).
export const meetingPointsEvent = (meeting: MeetingRow, memberId: string, kind: 'meeting.attended' | 'meeting.absent'): PointsEvent => ({
  id: `meeting:${attendanceId(meeting.id, memberId)}`,
  memberId,
  kind,
  day: dayInShanghai(meeting.startsAt),
  quantity: 1,
})
