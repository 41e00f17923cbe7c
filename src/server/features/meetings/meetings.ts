// 三会一课 on the server (issue 5): scheduling, leave, and closing with final outcomes and points (check-in:
// attendance.ts; the remote room: remote.ts). Every change is a sync row.
import type { Kysely, Selectable } from 'kysely'
import type { Database, LeaveTable } from '~/server/db/schema'
import type { Viewer } from '~/domain/sync'
import { attendanceOutcome, attendancePoints, mayManageBranch, schedulingProblem, type MeetingDraft } from '~/domain/meetings'
import { newMeetingKey } from '~/domain/checkin'
import type { PointsEvent } from '~/domain/points'
import type { ChangeWriter } from '~/server/sync/changes'
import { MutationRejected } from '~/server/sync/rejections'
import { lockMembers } from '~/server/sync/locks'
import { awardPoints } from '../points/ledger'
import { putMeetingKey } from './keys'
import {
  attendanceFromRow,
  attendanceId,
  currentMemberIds,
  keyHolders,
  leaveFromRow,
  loadMeeting,
  meetingFromRow,
  meetingPointsEvent,
  requireExpected,
  requireOpen,
} from './rows'

export async function scheduleMeeting(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  viewer: Viewer,
  draft: MeetingDraft,
  now: string,
): Promise<void> {
  if (!mayManageBranch(viewer, draft.branchId) || viewer.role === 'member') throw new MutationRejected('forbidden', '只能为本支部安排会议')
  const existing = await trx.selectFrom('meetings').selectAll().where('id', '=', draft.id).executeTakeFirst()
  if (existing && existing.branch_id !== draft.branchId) throw new MutationRejected('forbidden', '不能把会议改到另一个支部')
  if (existing && existing.status !== 'scheduled') throw new MutationRejected('closed', '会议已结束，不能再修改')
  // The rule against filling a gap after the fact applies to a new meeting, or to moving a meeting's start.
  if (!existing || existing.starts_at !== draft.startsAt) {
    const problem = schedulingProblem(draft, viewer.role, new Date(now))
    if (problem) throw new MutationRejected('invalid_time', problem)
  }
  // Only current members: one whose membership ended is neither expected nor offered remote attendance.
  const inBranch = new Set(await currentMemberIds(trx, draft.branchId))
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
      .values({
        id: draft.id,
        ...values,
        status: 'scheduled',
        minutes: null,
        created_by: viewer.id,
        created_at: now,
        closed_at: null,
        closed_by: null,
      })
      .execute()
    const key = newMeetingKey()
    await trx.insertInto('meeting_keys').values({ meeting_id: draft.id, key }).execute()
    for (const holder of await keyHolders(trx, draft.branchId)) await putMeetingKey(writer, holder, draft.id, key)
  }
  const row = await trx.selectFrom('meetings').selectAll().where('id', '=', draft.id).executeTakeFirstOrThrow()
  await writer.put(`branch:${draft.branchId}`, 'meetings', draft.id, meetingFromRow(row))
}

export async function requestLeave(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  viewer: Viewer,
  args: { meetingId: string; reason: string },
  now: string,
): Promise<void> {
  const meeting = await loadMeeting(trx, args.meetingId)
  requireExpected(meeting, viewer.id)
  requireOpen(meeting)
  if (Date.parse(now) >= Date.parse(meeting.startsAt)) throw new MutationRejected('too_late', '会议已经开始，不能再请假')
  const id = attendanceId(meeting.id, viewer.id)
  const existing = await trx.selectFrom('leaves').select('status').where('id', '=', id).executeTakeFirst()
  if (existing && existing.status !== 'pending') throw new MutationRejected('already_decided', '这次请假已经审批过')
  const row: Selectable<LeaveTable> = {
    id,
    meeting_id: meeting.id,
    member_id: viewer.id,
    reason: args.reason,
    status: 'pending',
    requested_at: now,
    decided_by: null,
    decided_at: null,
    note: null,
  }
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
  if (!mayManageBranch(viewer, meeting.branchId) || viewer.role === 'member')
    throw new MutationRejected('forbidden', '只有本支部书记可以审批请假')
  if (args.memberId === viewer.id) throw new MutationRejected('forbidden', '不能审批自己的请假')
  requireOpen(meeting)
  // Under the member's lock: a leave they are re-sending at this moment is decided as it ends up.
  await lockMembers(trx, [args.memberId])
  const id = attendanceId(meeting.id, args.memberId)
  const leave = await trx.selectFrom('leaves').selectAll().where('id', '=', id).executeTakeFirst()
  if (!leave) throw new MutationRejected('not_found', '找不到这条请假申请')
  const status = args.approve ? ('approved' as const) : ('refused' as const)
  await trx.updateTable('leaves').set({ status, decided_by: viewer.id, decided_at: now, note: args.note }).where('id', '=', id).execute()
  await writer.put(
    `branch:${meeting.branchId}`,
    'leaves',
    id,
    leaveFromRow({ ...leave, status, decided_by: viewer.id, decided_at: now, note: args.note }),
  )
}

/**
 * Closes a meeting with its minutes: absences become final, remote time is settled, and attendance feeds
 * the points rules (present +, unexcused absence −; partial, excused: neither; 待核实: on review).
 */
export async function closeMeeting(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  viewer: Viewer,
  args: { meetingId: string; minutes: string },
  now: string,
): Promise<void> {
  const meeting = await loadMeeting(trx, args.meetingId)
  if (!mayManageBranch(viewer, meeting.branchId) || viewer.role === 'member')
    throw new MutationRejected('forbidden', '只有本支部书记可以结束会议')
  requireOpen(meeting)
  if (Date.parse(now) < Date.parse(meeting.startsAt)) throw new MutationRejected('too_early', '会议还没有开始，不能结束')
  // Before reading attendance and leaves: a check-in or leave being pushed now is either counted or refused as closed.
  await lockMembers(trx, meeting.expectedIds)
  // Read under those locks: whoever left the branch since (membership ended, moved) is not expected, so
  // gets no absence; member.end and member.move took them off already, this holds whatever the order.
  const current = new Set(await currentMemberIds(trx, meeting.branchId))
  const expectedIds = meeting.expectedIds.filter((id) => current.has(id))
  const attendance = await trx.selectFrom('attendance').selectAll().where('meeting_id', '=', meeting.id).execute()
  const leaves = await trx.selectFrom('leaves').selectAll().where('meeting_id', '=', meeting.id).execute()
  for (const row of attendance.filter((a) => a.mode === 'remote'))
    await writer.put(`branch:${meeting.branchId}`, 'attendance', row.id, attendanceFromRow(row))
  // A pending leave nobody decided is not an excuse.
  const events: PointsEvent[] = []
  for (const memberId of expectedIds) {
    const a = attendance.find((x) => x.member_id === memberId)
    const outcome = attendanceOutcome(
      meeting,
      a && attendanceFromRow(a),
      leaves.find((l) => l.member_id === memberId),
    )
    const kind = attendancePoints(outcome, a?.review_status ?? null)
    if (kind) events.push(meetingPointsEvent(meeting, memberId, kind))
  }
  await trx
    .updateTable('meetings')
    .set({ status: 'closed', minutes: args.minutes, closed_at: now, closed_by: viewer.id, expected_ids_json: JSON.stringify(expectedIds) })
    .where('id', '=', meeting.id)
    .execute()
  await writer.put(`branch:${meeting.branchId}`, 'meetings', meeting.id, {
    ...meeting,
    expectedIds,
    status: 'closed',
    minutes: args.minutes,
    closedAt: now,
  })
  await awardPoints(trx, writer, events, now)
}
