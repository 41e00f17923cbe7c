// 三会一课 on the server (issue 5): scheduling, on-site check-in by token, proxy, leave, closing with
// final outcomes and points, and the remote room's attendance and chat. Every change is a sync row.
import type { Kysely, Selectable } from 'kysely'
import type { Database, AttendanceTable, LeaveTable, MeetingTable } from '../db/schema'
import type { Viewer } from '../../domain/sync'
import {
  attendanceOutcome,
  attendancePoints,
  inCheckinWindow,
  mayManageBranch,
  proxyProblem,
  reviewProblem,
  schedulingProblem,
  type AttendanceRow,
  type LeaveRow,
  type MeetingDraft,
  type MeetingRow,
} from '../../domain/meetings'
import { checkinReviewReason, newMeetingKey, TOKEN_PROBLEM_MESSAGES, verifyCheckinToken } from '../../domain/checkin'
import { dayInShanghai, type PointsEvent } from '../../domain/points'
import type { ChangeWriter } from './changes'
import { MutationRejected } from './rejections'
import { awardPoints } from './points'
import { lockMembers } from './locks'

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

export { mayManageBranch }

export async function loadMeeting(trx: Kysely<Database>, meetingId: string): Promise<MeetingRow> {
  const row = await trx.selectFrom('meetings').selectAll().where('id', '=', meetingId).executeTakeFirst()
  if (!row) throw new MutationRejected('not_found', '找不到这场会议')
  return meetingFromRow(row)
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

export async function scheduleMeeting(trx: Kysely<Database>, writer: ChangeWriter, viewer: Viewer, draft: MeetingDraft, now: string): Promise<void> {
  if (!mayManageBranch(viewer, draft.branchId) || viewer.role === 'member') throw new MutationRejected('forbidden', '只能为本支部安排会议')
  const existing = await trx.selectFrom('meetings').selectAll().where('id', '=', draft.id).executeTakeFirst()
  if (existing && existing.branch_id !== draft.branchId) throw new MutationRejected('forbidden', '不能把会议改到另一个支部')
  if (existing && existing.status !== 'scheduled') throw new MutationRejected('closed', '会议已结束，不能再修改')
  // The rule against filling a gap after the fact applies to a new meeting, or to moving a meeting's start.
  if (!existing || existing.starts_at !== draft.startsAt) {
    const problem = schedulingProblem(draft, viewer.role, new Date(now))
    if (problem) throw new MutationRejected('invalid_time', problem)
  }
  const branchMembers = await trx.selectFrom('users').select('id').where('branch_id', '=', draft.branchId).where('role', '!=', 'admin').orderBy('id').execute()
  const inBranch = new Set(branchMembers.map((m) => m.id))
  if (draft.memberIds.some((id) => !inBranch.has(id)) || draft.remoteMemberIds.some((id) => !inBranch.has(id))) {
    throw new MutationRejected('forbidden', '参会人员须是本支部党员')
  }
  const expectedIds = draft.audience === 'branch' ? [...inBranch] : [...new Set(draft.memberIds)].sort()
  const values = {
    branch_id: draft.branchId,
    type: draft.type,
    title: draft.title,
    agenda: draft.agenda,
    place: draft.place,
    starts_at: draft.startsAt,
    ends_at: draft.endsAt,
    audience: draft.audience,
    expected_ids_json: JSON.stringify(expectedIds),
    remote_allowed: draft.remoteAllowed ? 1 : 0,
    remote_member_ids_json: JSON.stringify([...new Set(draft.remoteMemberIds)].sort()),
    video_url: draft.videoUrl,
    material_ids_json: JSON.stringify(draft.materialIds),
    backfill_reason: draft.backfillReason,
  }
  if (existing) {
    await trx.updateTable('meetings').set(values).where('id', '=', draft.id).execute()
  } else {
    await trx
      .insertInto('meetings')
      .values({ id: draft.id, ...values, status: 'scheduled', minutes: null, created_by: viewer.id, created_at: now, closed_at: null, closed_by: null })
      .execute()
    const key = newMeetingKey()
    await trx.insertInto('meeting_keys').values({ meeting_id: draft.id, key }).execute()
    for (const holder of await keyHolders(trx, draft.branchId)) await writer.put(`user:${holder}`, 'meeting_keys', draft.id, { id: draft.id, key })
  }
  const row = await trx.selectFrom('meetings').selectAll().where('id', '=', draft.id).executeTakeFirstOrThrow()
  await writer.put(`branch:${draft.branchId}`, 'meetings', draft.id, meetingFromRow(row))
}

function requireExpected(meeting: MeetingRow, memberId: string, message = '您不在这场会议的参会人员中') {
  if (!meeting.expectedIds.includes(memberId)) throw new MutationRejected('forbidden', message)
}

function requireOpen(meeting: MeetingRow) {
  if (meeting.status !== 'scheduled') throw new MutationRejected('closed', meeting.status === 'closed' ? '会议已结束' : '会议已取消')
}

async function requireNotCheckedIn(trx: Kysely<Database>, meetingId: string, memberId: string, message: string) {
  if (await trx.selectFrom('attendance').select('id').where('id', '=', attendanceId(meetingId, memberId)).executeTakeFirst()) {
    throw new MutationRejected('already_checked_in', message)
  }
}

const NOT_REVIEWED = { review_status: null, review_reason: null, reviewed_by: null, reviewed_at: null, review_note: null } as const

async function writeAttendance(trx: Kysely<Database>, writer: ChangeWriter, meeting: MeetingRow, row: Selectable<AttendanceTable>) {
  await trx.insertInto('attendance').values(row).execute()
  await writer.put(`branch:${meeting.branchId}`, 'attendance', row.id, attendanceFromRow(row))
}

/**
 * On-site check-in with a scanned code: verified against the meeting's key, slot and window. One that
 * arrives long after its code, or from a phone whose clock is far off (`clockSkewMs`), is kept but held
 * for the secretary's review (待核实).
 */
export async function checkIn(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  viewer: Viewer,
  args: { meetingId: string; token: string; scannedAt: string },
  now: string,
  clockSkewMs: number | null = null,
): Promise<void> {
  const meeting = await loadMeeting(trx, args.meetingId)
  if (meeting.branchId !== viewer.branchId) throw new MutationRejected('forbidden', '不能签到其他支部的会议')
  requireExpected(meeting, viewer.id)
  requireOpen(meeting)
  await requireNotCheckedIn(trx, meeting.id, viewer.id, '您已经签到过了')
  const key = await trx.selectFrom('meeting_keys').select('key').where('meeting_id', '=', meeting.id).executeTakeFirstOrThrow()
  const verdict = await verifyCheckinToken(args.token, meeting.id, key.key, Date.parse(args.scannedAt), Date.parse(now))
  if (!verdict.ok) throw new MutationRejected(`token_${verdict.problem}`, TOKEN_PROBLEM_MESSAGES[verdict.problem])
  if (!inCheckinWindow(meeting, verdict.slotStartedAt)) throw new MutationRejected('outside_window', '不在会议签到时间内（开始前30分钟至会议结束）')
  // On time or late goes by the code's own time slot, which the secretary's phone showed.
  const checkedInAt = new Date(verdict.slotStartedAt).toISOString()
  const reviewReason = checkinReviewReason(verdict.slotStartedAt, Date.parse(now), clockSkewMs)
  await writeAttendance(trx, writer, meeting, {
    id: attendanceId(meeting.id, viewer.id),
    meeting_id: meeting.id,
    member_id: viewer.id,
    mode: 'onsite',
    checked_in_at: checkedInAt,
    remote_seconds: 0,
    last_heartbeat_at: null,
    proxy_by: null,
    note: null,
    received_at: now,
    ...NOT_REVIEWED,
    ...(reviewReason ? { review_status: 'pending', review_reason: reviewReason } : {}),
  })
}

/** 代签: the secretary marks a member without a phone as present; audited with who and why. */
export async function signByProxy(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  viewer: Viewer,
  args: { meetingId: string; memberId: string; note: string },
  now: string,
): Promise<void> {
  const meeting = await loadMeeting(trx, args.meetingId)
  const problem = proxyProblem(viewer, meeting, args.memberId)
  if (problem) throw new MutationRejected('forbidden', problem)
  requireExpected(meeting, args.memberId, '这名党员不在本次会议的参会人员中')
  requireOpen(meeting)
  if (!inCheckinWindow(meeting, Date.parse(now))) throw new MutationRejected('outside_window', '不在会议签到时间内（开始前30分钟至会议结束）')
  await requireNotCheckedIn(trx, meeting.id, args.memberId, '这名党员已经签到')
  await writeAttendance(trx, writer, meeting, {
    id: attendanceId(meeting.id, args.memberId),
    meeting_id: meeting.id,
    member_id: args.memberId,
    mode: 'proxy',
    checked_in_at: now,
    remote_seconds: 0,
    last_heartbeat_at: null,
    proxy_by: viewer.id,
    note: args.note,
    received_at: now,
    ...NOT_REVIEWED,
  })
}

export async function requestLeave(trx: Kysely<Database>, writer: ChangeWriter, viewer: Viewer, args: { meetingId: string; reason: string }, now: string): Promise<void> {
  const meeting = await loadMeeting(trx, args.meetingId)
  requireExpected(meeting, viewer.id)
  requireOpen(meeting)
  if (Date.parse(now) >= Date.parse(meeting.startsAt)) throw new MutationRejected('too_late', '会议已经开始，不能再请假')
  const id = attendanceId(meeting.id, viewer.id)
  const existing = await trx.selectFrom('leaves').select('status').where('id', '=', id).executeTakeFirst()
  if (existing && existing.status !== 'pending') throw new MutationRejected('already_decided', '这次请假已经审批过')
  const row: Selectable<LeaveTable> = { id, meeting_id: meeting.id, member_id: viewer.id, reason: args.reason, status: 'pending', requested_at: now, decided_by: null, decided_at: null, note: null }
  if (existing) await trx.updateTable('leaves').set({ reason: args.reason, requested_at: now }).where('id', '=', id).execute()
  else await trx.insertInto('leaves').values(row).execute()
  await writer.put(`branch:${meeting.branchId}`, 'leaves', id, leaveFromRow(row))
}

export async function decideLeave(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  viewer: Viewer,
  args: { meetingId: string; memberId: string; approve: boolean; note: string | null },
  now: string,
): Promise<void> {
  const meeting = await loadMeeting(trx, args.meetingId)
  if (!mayManageBranch(viewer, meeting.branchId) || viewer.role === 'member') throw new MutationRejected('forbidden', '只有本支部书记可以审批请假')
  if (args.memberId === viewer.id) throw new MutationRejected('forbidden', '不能审批自己的请假')
  requireOpen(meeting)
  // Under the member's lock: a leave they are re-sending at this moment is decided as it ends up.
  await lockMembers(trx, [args.memberId])
  const id = attendanceId(meeting.id, args.memberId)
  const leave = await trx.selectFrom('leaves').selectAll().where('id', '=', id).executeTakeFirst()
  if (!leave) throw new MutationRejected('not_found', '找不到这条请假申请')
  const status = args.approve ? ('approved' as const) : ('refused' as const)
  await trx.updateTable('leaves').set({ status, decided_by: viewer.id, decided_at: now, note: args.note }).where('id', '=', id).execute()
  await writer.put(`branch:${meeting.branchId}`, 'leaves', id, leaveFromRow({ ...leave, status, decided_by: viewer.id, decided_at: now, note: args.note }))
}

/**
 * Closes a meeting with its minutes: absences become final, remote time is settled, and attendance feeds
 * the points rules (present +, unexcused absence −; partial, excused: neither; 待核实: on review).
 */
export async function closeMeeting(trx: Kysely<Database>, writer: ChangeWriter, viewer: Viewer, args: { meetingId: string; minutes: string }, now: string): Promise<void> {
  const meeting = await loadMeeting(trx, args.meetingId)
  if (!mayManageBranch(viewer, meeting.branchId) || viewer.role === 'member') throw new MutationRejected('forbidden', '只有本支部书记可以结束会议')
  requireOpen(meeting)
  if (Date.parse(now) < Date.parse(meeting.startsAt)) throw new MutationRejected('too_early', '会议还没有开始，不能结束')
  // Before reading attendance and leaves: a check-in or leave being pushed now is either counted or refused as closed.
  await lockMembers(trx, meeting.expectedIds)
  const attendance = await trx.selectFrom('attendance').selectAll().where('meeting_id', '=', meeting.id).execute()
  const leaves = await trx.selectFrom('leaves').selectAll().where('meeting_id', '=', meeting.id).execute()
  for (const row of attendance.filter((a) => a.mode === 'remote')) await writer.put(`branch:${meeting.branchId}`, 'attendance', row.id, attendanceFromRow(row))
  // A pending leave nobody decided is not an excuse.
  const events: PointsEvent[] = []
  for (const memberId of meeting.expectedIds) {
    const a = attendance.find((x) => x.member_id === memberId)
    const outcome = attendanceOutcome(meeting, a && attendanceFromRow(a), leaves.find((l) => l.member_id === memberId))
    const kind = attendancePoints(outcome, a?.review_status ?? null)
    if (kind) events.push(meetingPointsEvent(meeting, memberId, kind))
  }
  await trx.updateTable('meetings').set({ status: 'closed', minutes: args.minutes, closed_at: now, closed_by: viewer.id }).where('id', '=', meeting.id).execute()
  await writer.put(`branch:${meeting.branchId}`, 'meetings', meeting.id, { ...meeting, status: 'closed', minutes: args.minutes, closedAt: now })
  await awardPoints(trx, writer, events, now)
}

// The event id is the ledger entry's source: one per member and meeting (`rule:source` is the entry's id).
const meetingPointsEvent = (meeting: MeetingRow, memberId: string, kind: 'meeting.attended' | 'meeting.absent'): PointsEvent => ({
  id: `meeting:${attendanceId(meeting.id, memberId)}`,
  memberId,
  kind,
  day: dayInShanghai(meeting.startsAt),
  quantity: 1,
})

/**
 * 核实: the secretary confirms a check-in held for review (present as it came) or refuses it (absent). On
 * a meeting already closed, the points held back at closing follow the review.
 */
export async function reviewAttendance(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  viewer: Viewer,
  args: { meetingId: string; memberId: string; confirm: boolean; note: string | null },
  now: string,
): Promise<void> {
  const meeting = await loadMeeting(trx, args.meetingId)
  const id = attendanceId(meeting.id, args.memberId)
  const row = await trx.selectFrom('attendance').selectAll().where('id', '=', id).executeTakeFirst()
  const problem = reviewProblem(viewer, meeting, row && attendanceFromRow(row))
  if (problem) throw new MutationRejected(problem.code, problem.message)
  if (meeting.status === 'cancelled') throw new MutationRejected('closed', '会议已取消')
  const review = { review_status: args.confirm ? ('confirmed' as const) : ('refused' as const), reviewed_by: viewer.id, reviewed_at: now, review_note: args.note || null }
  await trx.updateTable('attendance').set(review).where('id', '=', id).execute()
  const next = attendanceFromRow({ ...row!, ...review })
  await writer.put(`branch:${meeting.branchId}`, 'attendance', id, next)
  if (meeting.status === 'closed') {
    const leave = await trx.selectFrom('leaves').select('status').where('id', '=', id).executeTakeFirst()
    const kind = attendancePoints(attendanceOutcome(meeting, next, leave), next.review)
    if (kind) await awardPoints(trx, writer, [meetingPointsEvent(meeting, args.memberId, kind)], now)
  }
}

/** Joins the remote room after a verified WebAuthn assertion; present from now, heartbeats add time. */
export async function joinRemotely(trx: Kysely<Database>, writer: ChangeWriter, meeting: MeetingRow, memberId: string, now: string): Promise<void> {
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
  const row = await db.selectFrom('attendance').select(['mode', 'remote_seconds', 'last_heartbeat_at']).where('id', '=', id).executeTakeFirst()
  if (!row || row.mode !== 'remote') return null
  const end = Math.min(Date.parse(now), Date.parse(meeting.endsAt))
  const from = Math.max(Date.parse(row.last_heartbeat_at ?? now), Date.parse(meeting.startsAt))
  const gap = Math.max(0, Math.round((end - from) / 1000))
  const seconds = row.remote_seconds + (gap <= HEARTBEAT_MAX_GAP_S ? gap : 0)
  await db.updateTable('attendance').set({ remote_seconds: seconds, last_heartbeat_at: now }).where('id', '=', id).execute()
  return seconds
}
