// 三会一课: meetings, attendance (on site, 代签, remote), leave, the secretaries' check-in keys and the room's chat.
import { asStored, defineFeature } from '~/server/sync/feature'
import type { LeaveRow } from '~/domain/meetings'
import { checkIn, reviewAttendance, signByProxy } from './attendance'
import { closeMeeting, decideLeave, requestLeave, scheduleMeeting } from './meetings'
import { publishMeetings, seedMeetings } from './seed'

export const meetingsFeature = defineFeature({
  name: 'meetings',
  mutations: {
    async 'meeting.schedule'({ trx, viewer, writer, now }, args) {
      await scheduleMeeting(trx, writer, viewer, args.meeting, now)
    },
    async 'meeting.checkin'({ trx, viewer, writer, now, clockSkewMs }, args) {
      await checkIn(trx, writer, viewer, args, now, clockSkewMs ?? null)
    },
    async 'meeting.proxy'({ trx, viewer, writer, now }, args) {
      await signByProxy(trx, writer, viewer, args, now)
    },
    async 'leave.request'({ trx, viewer, writer, now }, args) {
      await requestLeave(trx, writer, viewer, args, now)
    },
    async 'leave.decide'({ trx, viewer, writer, now }, args) {
      await decideLeave(trx, writer, viewer, args, now)
    },
    async 'attendance.review'({ trx, viewer, writer, now }, args) {
      await reviewAttendance(trx, writer, viewer, args, now)
    },
    async 'meeting.close'({ trx, viewer, writer, now }, args) {
      await closeMeeting(trx, writer, viewer, args, now)
    },
  },
  tables: {
    meetings: asStored,
    attendance: asStored,
    // A leave's reason is personal: the member, the secretaries and the admin see it; other members see the status.
    leaves: (row, viewer) =>
      viewer.role === 'member' && (row as LeaveRow).memberId !== viewer.id ? { ...(row as LeaveRow), reason: '' } : row,
    // Only ever written to secretaries' and admins' own scopes.
    meeting_keys: asStored,
    meeting_messages: asStored,
  },
  uniqueRejections: {
    'meeting.checkin': { code: 'already_checked_in', message: '您已经签到过了' },
    'meeting.proxy': { code: 'already_checked_in', message: '这名党员已经签到' },
  },
  publish: (trx, writer) => publishMeetings(trx, writer),
  seed: seedMeetings,
})
