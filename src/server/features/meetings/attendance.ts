// Attendance at a meeting (issue 5): on-site check-in by a scanned code, 代签 by the secretary, and the
// secretary's review (核实) of a check-in held back.
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import type { Viewer } from '~/domain/sync'
import { attendanceOutcome, attendancePoints, inCheckinWindow, proxyProblem, reviewProblem } from '~/domain/meetings'
import { checkinReviewReason, TOKEN_PROBLEM_MESSAGES, verifyCheckinToken } from '~/domain/checkin'
import type { ChangeWriter } from '~/server/sync/changes'
import { MutationRejected } from '~/server/sync/rejections'
import { awardPoints } from '../points/ledger'
import {
  attendanceFromRow,
  attendanceId,
  loadMeeting,
  meetingPointsEvent,
  NOT_REVIEWED,
  requireExpected,
  requireOpen,
  writeAttendance,
} from './rows'

async function requireNotCheckedIn(trx: Kysely<Database>, meetingId: string, memberId: string, message: string) {
  if (await trx.selectFrom('attendance').select('id').where('id', '=', attendanceId(meetingId, memberId)).executeTakeFirst()) {
    throw new MutationRejected('already_checked_in', message)
  }
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
  if (!inCheckinWindow(meeting, verdict.slotStartedAt))
    throw new MutationRejected('outside_window', '不在会议签到时间内（开始前30分钟至会议结束）')
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
  if (!inCheckinWindow(meeting, Date.parse(now)))
    throw new MutationRejected('outside_window', '不在会议签到时间内（开始前30分钟至会议结束）')
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
  const review = {
    review_status: args.confirm ? ('confirmed' as const) : ('refused' as const),
    reviewed_by: viewer.id,
    reviewed_at: now,
    review_note: args.note || null,
  }
  await trx.updateTable('attendance').set(review).where('id', '=', id).execute()
  const next = attendanceFromRow({ ...row!, ...review })
  await writer.put(`branch:${meeting.branchId}`, 'attendance', id, next)
  if (meeting.status === 'closed') {
    const leave = await trx.selectFrom('leaves').select('status').where('id', '=', id).executeTakeFirst()
    const kind = attendancePoints(attendanceOutcome(meeting, next, leave), next.review)
    if (kind) await awardPoints(trx, writer, [meetingPointsEvent(meeting, args.memberId, kind)], now)
  }
}
