// What the meeting screens show before the server confirms (issue 5): synced rows with this user's
// waiting mutations laid over them. It re-runs, on the device, what the server will do with each waiting
// mutation (who is expected, the slot a check-in counts at, what a decision changes) because the tables
// hold only what the server sent: a check-in made with no signal must show at once, and dropping a refused
// mutation must undo it. Pure: the store feeds it the outbox rows (sync/pending.ts types them).
import { branchAudience, withoutLeavers, type AttendanceRow, type LeaveRow, type MeetingRow } from '~/domain/meetings'
import { parseCheckinToken, slotStart } from '~/domain/checkin'
import type { MemberRow } from '~/domain/members'
import { pendingOf, type OutboxEntry } from '../sync/pending'

export type MeetingView = MeetingRow & { pending: boolean }
export type AttendanceView = AttendanceRow & { pending: boolean }
export type LeaveView = LeaveRow & { pending: boolean }

/** The server's id for a member's attendance or leave at a meeting. */
export const meetingMemberKey = (meetingId: string, memberId: string) => `${meetingId}:${memberId}`

/** Who a draft expects, as the server will work it out: the branch's current members, or the members chosen. */
export function expectedOf(
  draft: Pick<MeetingRow, 'branchId'> & { audience: MeetingRow['audience']; memberIds: string[] },
  members: readonly MemberRow[],
): string[] {
  if (draft.audience !== 'branch') return [...new Set(draft.memberIds)].sort()
  return branchAudience(members, draft.branchId)
}

/**
 * `members` are every row the device holds (with the roster's own waiting changes laid over), ended ones
 * too: a member ended or moved, even from this device with no signal, leaves the meetings still to be held.
 */
export function overlayMeetings(
  confirmed: readonly MeetingRow[],
  outbox: readonly OutboxEntry[],
  members: readonly MemberRow[],
): MeetingView[] {
  const byId = new Map(members.map((m) => [m.id, m]))
  const rows = new Map<string, MeetingView>(confirmed.map((m) => [m.id, { ...withoutLeavers(m, byId), pending: false }]))
  for (const m of pendingOf(outbox, 'meeting.schedule', 'meeting.close')) {
    if (m.name === 'meeting.schedule') {
      const { memberIds, ...draft } = m.args.meeting
      const existing = rows.get(draft.id)
      rows.set(draft.id, {
        status: 'scheduled',
        minutes: null,
        closedAt: null,
        ...existing,
        ...draft,
        expectedIds: expectedOf({ ...draft, memberIds }, members),
        pending: true,
      })
      continue
    }
    const closing = rows.get(m.args.meetingId)
    if (closing) rows.set(closing.id, { ...closing, status: 'closed', minutes: m.args.minutes, closedAt: m.clientTime, pending: true })
  }
  return [...rows.values()]
}

export function overlayAttendance(confirmed: readonly AttendanceRow[], outbox: readonly OutboxEntry[]): AttendanceView[] {
  const rows = new Map<string, AttendanceView>(confirmed.map((a) => [meetingMemberKey(a.meetingId, a.memberId), { ...a, pending: false }]))
  const add = (row: Omit<AttendanceView, 'id' | 'remoteSeconds' | 'pending'>) => {
    const id = meetingMemberKey(row.meetingId, row.memberId)
    if (!rows.has(id)) rows.set(id, { id, remoteSeconds: 0, pending: true, ...row })
  }
  for (const m of pendingOf(outbox, 'meeting.checkin', 'meeting.proxy', 'attendance.review')) {
    if (m.name === 'meeting.checkin') {
      const token = parseCheckinToken(m.args.token)
      // The server counts the check-in at the start of the code's time slot; so does the estimate.
      if (token)
        add({
          meetingId: m.args.meetingId,
          memberId: m.userId,
          mode: 'onsite',
          checkedInAt: new Date(slotStart(token.slot)).toISOString(),
          proxyBy: null,
          note: null,
        })
    } else if (m.name === 'meeting.proxy') {
      add({
        meetingId: m.args.meetingId,
        memberId: m.args.memberId,
        mode: 'proxy',
        checkedInAt: m.clientTime,
        proxyBy: m.userId,
        note: m.args.note,
      })
    } else {
      const { meetingId, memberId, confirm, note } = m.args
      const held = rows.get(meetingMemberKey(meetingId, memberId))
      if (held?.review === 'pending') {
        rows.set(held.id, {
          ...held,
          review: confirm ? 'confirmed' : 'refused',
          reviewedBy: m.userId,
          reviewedAt: m.clientTime,
          reviewNote: note,
          pending: true,
        })
      }
    }
  }
  return [...rows.values()]
}

export function overlayLeaves(confirmed: readonly LeaveRow[], outbox: readonly OutboxEntry[]): LeaveView[] {
  const rows = new Map<string, LeaveView>(confirmed.map((l) => [meetingMemberKey(l.meetingId, l.memberId), { ...l, pending: false }]))
  for (const m of pendingOf(outbox, 'leave.request', 'leave.decide')) {
    if (m.name === 'leave.request') {
      const id = meetingMemberKey(m.args.meetingId, m.userId)
      const existing = rows.get(id)
      if (!existing || existing.status === 'pending') {
        rows.set(id, {
          id,
          meetingId: m.args.meetingId,
          memberId: m.userId,
          reason: m.args.reason,
          status: 'pending',
          requestedAt: m.clientTime,
          decidedBy: null,
          decidedAt: null,
          note: null,
          pending: true,
        })
      }
      continue
    }
    const leave = rows.get(meetingMemberKey(m.args.meetingId, m.args.memberId))
    if (leave)
      rows.set(leave.id, {
        ...leave,
        status: m.args.approve ? 'approved' : 'refused',
        decidedBy: m.userId,
        decidedAt: m.clientTime,
        note: m.args.note,
        pending: true,
      })
  }
  return [...rows.values()]
}
