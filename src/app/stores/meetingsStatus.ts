// Where a member stands at a meeting, and whether a scanned code can be their check-in (issue 5): pure
// rules over the overlaid rows (meetingsOverlay.ts), so the list, the detail and the scanner agree.
import { attendanceOutcome, inCheckinWindow, ON_TIME_GRACE_MS, type AttendanceRow, type LeaveRow, type MeetingRow } from '~/domain/meetings'
import { CLOCK_TOLERANCE_MS, parseCheckinToken, SLOT_MS, slotStart, TOKEN_GRACE_MS, TOKEN_PROBLEM_MESSAGES } from '~/domain/checkin'
import type { MeetingView } from './meetingsOverlay'

export type MyStatusKey =
  | 'pending_sync'
  | 'checked_in'
  | 'review_pending'
  | 'late'
  | 'remote'
  | 'partial'
  | 'proxy'
  | 'on_leave'
  | 'leave_pending'
  | 'leave_refused'
  | 'absent'
  | 'not_checked_in'
  | 'cancelled'

export type StatusTone = 'success' | 'warning' | 'danger' | 'primary' | 'default'

export interface MyStatus {
  key: MyStatusKey
  label: string
  tone: StatusTone
  /** Rests on a change that has not reached the server yet. */
  pending: boolean
}

const status = (key: MyStatusKey, label: string, tone: StatusTone, pending = false): MyStatus => ({ key, label, tone, pending })

/** A member's standing at a meeting, in the words the list and the detail show; null when they are not expected. */
export function myStatus(
  meeting: Pick<MeetingRow, 'expectedIds' | 'status' | 'startsAt' | 'endsAt'>,
  memberId: string,
  attendance:
    | (Pick<AttendanceRow, 'mode' | 'checkedInAt' | 'remoteSeconds'> & Partial<Pick<AttendanceRow, 'review'>> & { pending?: boolean })
    | undefined,
  leave: (Pick<LeaveRow, 'status'> & { pending?: boolean }) | undefined,
  now: number,
): MyStatus | null {
  if (!meeting.expectedIds.includes(memberId)) return null
  // A check-in the secretary refused on review counts as none.
  if (attendance?.review === 'refused' && !attendance.pending) attendance = undefined
  if (attendance) {
    if (attendance.pending)
      return status('pending_sync', attendance.mode === 'proxy' ? '代签（待同步）' : '已签到（待同步）', 'primary', true)
    if (attendance.review === 'pending') return status('review_pending', '已签到（待核实）', 'warning')
    if (attendance.mode === 'proxy') return status('proxy', '代签', 'success')
    if (meeting.status === 'closed' && attendanceOutcome(meeting, attendance, undefined) === 'partial')
      return status('partial', '部分参会', 'warning')
    if (attendance.mode === 'remote') return status('remote', '远程参会', 'success')
    return Date.parse(attendance.checkedInAt) <= Date.parse(meeting.startsAt) + ON_TIME_GRACE_MS
      ? status('checked_in', '已签到', 'success')
      : status('late', '迟到', 'warning')
  }
  if (meeting.status === 'cancelled') return status('cancelled', '会议已取消', 'default')
  if (leave?.status === 'approved') return status('on_leave', '已请假', 'default', leave.pending)
  if (leave?.status === 'pending') return status('leave_pending', '请假待审批', 'warning', leave.pending)
  if (meeting.status === 'closed' || Date.parse(meeting.endsAt) < now) return status('absent', '缺席', 'danger')
  if (leave?.status === 'refused') return status('leave_refused', '请假未批准', 'danger', leave.pending)
  return status('not_checked_in', '未签到', 'default')
}

export interface ScanContext {
  meetings: readonly MeetingView[]
  attendanceFor: (meetingId: string, memberId: string) => unknown
  memberId: string
  /** The meeting the scanner was opened for, if any. */
  expectedMeetingId?: string
  now: number
}

/**
 * Whether a scanned text can become this member's check-in, checked on the device with no signal: the
 * server checks the code's signature later; what can be told here (junk, another meeting, twice, a stale
 * screenshot) the member is told at once, and nothing is queued.
 */
export function checkScan(
  text: string,
  ctx: ScanContext,
): { ok: true; meeting: MeetingView; token: string } | { ok: false; message: string } {
  const token = parseCheckinToken(text)
  if (!token) return { ok: false, message: TOKEN_PROBLEM_MESSAGES.malformed }
  if (ctx.expectedMeetingId && token.meetingId !== ctx.expectedMeetingId)
    return { ok: false, message: TOKEN_PROBLEM_MESSAGES.other_meeting }
  const meeting = ctx.meetings.find((m) => m.id === token.meetingId)
  if (!meeting) return { ok: false, message: '这不是本支部会议的签到码；如果是新安排的会议，请先联网同步' }
  if (meeting.status === 'closed') return { ok: false, message: '会议已结束，不能再签到' }
  if (meeting.status === 'cancelled') return { ok: false, message: '会议已取消' }
  if (!meeting.expectedIds.includes(ctx.memberId)) return { ok: false, message: '您不在这场会议的参会人员中' }
  if (ctx.attendanceFor(meeting.id, ctx.memberId)) return { ok: false, message: '您已经签到过了' }
  const start = slotStart(token.slot)
  if (ctx.now < start - CLOCK_TOLERANCE_MS) return { ok: false, message: TOKEN_PROBLEM_MESSAGES.clock }
  if (ctx.now > start + SLOT_MS + TOKEN_GRACE_MS + CLOCK_TOLERANCE_MS) return { ok: false, message: TOKEN_PROBLEM_MESSAGES.expired }
  if (!inCheckinWindow(meeting, start)) return { ok: false, message: '不在会议签到时间内（开始前30分钟至会议结束）' }
  return { ok: true, meeting, token: text.trim() }
}
