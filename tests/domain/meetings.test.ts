import { describe, expect, it } from 'vitest'
import {
  CHECKIN_OPENS_BEFORE_MS,
  ON_TIME_GRACE_MS,
  attendanceOutcome,
  attendanceRates,
  inCheckinWindow,
  isPresent,
  mayAttendRemotely,
  meetingDraftSchema,
  meetingSeconds,
  quorum,
  schedulingProblem,
  type AttendanceRow,
  type MeetingDraft,
  type MeetingRow,
  type RateInput,
} from '~/domain/meetings'
import { parseWith } from '~/domain/validation'

/** 2026-11-28 09:00–11:00 Beijing time. */
const STARTS = '2026-11-28T01:00:00.000Z'
const ENDS = '2026-11-28T03:00:00.000Z'
const START_MS = Date.parse(STARTS)
const END_MS = Date.parse(ENDS)
const MIN = 60_000

const draft: MeetingDraft = {
  id: 'm-2026-11-28-assembly',
  branchId: 'b-hexing',
  type: 'assembly',
  title: '十一月支部党员大会',
  agenda: '一、学习文件\n二、发展党员讨论',
  place: '合兴村村委会会议室',
  startsAt: STARTS,
  endsAt: ENDS,
  audience: 'branch',
  memberIds: [],
  remoteAllowed: true,
  remoteMemberIds: [],
  videoUrl: null,
  materialIds: [],
  backfillReason: null,
}

function problemOf(input: unknown): string {
  const parsed = parseWith(meetingDraftSchema, input)
  expect(parsed.ok).toBe(false)
  return parsed.ok ? '' : parsed.message
}

describe('meetingDraftSchema', () => {
  it('accepts a well-formed branch meeting, trimming the texts', () => {
    const parsed = parseWith(meetingDraftSchema, {
      ...draft,
      title: '  十一月支部党员大会 ',
      videoUrl: 'https://meeting.example.cn/j/123456',
    })
    expect(parsed).toEqual({ ok: true, value: { ...draft, videoUrl: 'https://meeting.example.cn/j/123456' } })
  })

  it('accepts times with a +08:00 offset', () => {
    expect(parseWith(meetingDraftSchema, { ...draft, startsAt: '2026-11-28T09:00:00+08:00', endsAt: '2026-11-28T11:00:00+08:00' }).ok).toBe(
      true,
    )
  })

  it('refuses an end before, or equal to, the start', () => {
    expect(problemOf({ ...draft, endsAt: '2026-11-28T00:30:00.000Z' })).toContain('结束时间须晚于开始时间')
    expect(problemOf({ ...draft, endsAt: STARTS })).toContain('结束时间须晚于开始时间')
  })

  it('refuses a meeting longer than 8 hours, and accepts exactly 8', () => {
    expect(parseWith(meetingDraftSchema, { ...draft, endsAt: '2026-11-28T09:00:00.000Z' }).ok).toBe(true)
    expect(problemOf({ ...draft, endsAt: '2026-11-28T09:00:01.000Z' })).toContain('一次会议不超过8小时')
  })

  it('refuses a committee or party-group meeting without members, but not a branch one', () => {
    expect(problemOf({ ...draft, type: 'committee', audience: 'committee', memberIds: [] })).toContain('请选择参会人员')
    expect(problemOf({ ...draft, type: 'group', audience: 'group', memberIds: [] })).toContain('请选择参会人员')
    expect(parseWith(meetingDraftSchema, { ...draft, type: 'committee', audience: 'committee', memberIds: ['u-d2h5f8be4qmj'] }).ok).toBe(
      true,
    )
    expect(parseWith(meetingDraftSchema, { ...draft, audience: 'branch', memberIds: [] }).ok).toBe(true)
  })

  it.each([
    ['plain http', 'http://meeting.example.cn/j/1'],
    ['no scheme', 'meeting.example.cn/j/1'],
    ['javascript:', 'javascript:alert(1)'],
    ['with a space', 'https://meeting.example.cn/j 1'],
    ['too short', 'https://a'],
  ])('refuses a video link that is %s', (_, videoUrl) => {
    expect(problemOf({ ...draft, videoUrl })).toContain('视频链接须以 https:// 开头')
  })

  it('refuses a backfill reason shorter than 4 characters after trimming', () => {
    expect(problemOf({ ...draft, backfillReason: '补录' })).toContain('补录原因至少4个字')
    expect(problemOf({ ...draft, backfillReason: '  漏录了  ' })).toContain('补录原因至少4个字')
    expect(parseWith(meetingDraftSchema, { ...draft, backfillReason: '系统停机漏录' }).ok).toBe(true)
  })

  it('refuses a bad id, a missing place, a one-character title and an unknown type', () => {
    expect(problemOf({ ...draft, id: 'm 1' })).toContain('会议编号')
    expect(problemOf({ ...draft, place: '   ' })).toContain('请填写会议地点')
    expect(problemOf({ ...draft, title: '会' })).toContain('请填写会议名称')
    expect(parseWith(meetingDraftSchema, { ...draft, type: 'party' }).ok).toBe(false)
    expect(problemOf({ ...draft, startsAt: '2026-11-28 09:00' })).toContain('时间格式不正确')
  })
})

describe('schedulingProblem', () => {
  const now = new Date('2026-11-27T08:00:00.000Z')
  const past = { startsAt: '2026-11-27T07:59:59.000Z', backfillReason: null }

  it('lets a secretary or the admin schedule a meeting in the future', () => {
    expect(schedulingProblem({ startsAt: STARTS, backfillReason: null }, 'secretary', now)).toBeNull()
    expect(schedulingProblem({ startsAt: STARTS, backfillReason: null }, 'admin', now)).toBeNull()
  })

  it('refuses a secretary a meeting in the past or starting right now, even with a reason', () => {
    expect(schedulingProblem(past, 'secretary', now)).toBe('会议开始时间须晚于现在；不能事后补建会议')
    expect(schedulingProblem({ ...past, backfillReason: '系统停机漏录' }, 'secretary', now)).toBe(
      '会议开始时间须晚于现在；不能事后补建会议',
    )
    expect(schedulingProblem({ startsAt: now.toISOString(), backfillReason: null }, 'secretary', now)).not.toBeNull()
  })

  it('lets the admin record a past meeting only with the reason', () => {
    expect(schedulingProblem(past, 'admin', now)).toBe('补录已开过的会议须写明原因')
    expect(schedulingProblem({ ...past, backfillReason: '' }, 'admin', now)).toBe('补录已开过的会议须写明原因')
    expect(schedulingProblem({ ...past, backfillReason: '系统停机漏录' }, 'admin', now)).toBeNull()
  })
})

describe('inCheckinWindow', () => {
  const meeting = { startsAt: STARTS, endsAt: ENDS }

  it('opens 30 minutes before the start', () => {
    expect(CHECKIN_OPENS_BEFORE_MS).toBe(30 * MIN)
    expect(inCheckinWindow(meeting, START_MS - 30 * MIN - 1)).toBe(false)
    expect(inCheckinWindow(meeting, START_MS - 30 * MIN)).toBe(true)
    expect(inCheckinWindow(meeting, START_MS)).toBe(true)
  })

  it('closes at the end', () => {
    expect(inCheckinWindow(meeting, END_MS - 1)).toBe(true)
    expect(inCheckinWindow(meeting, END_MS)).toBe(true)
    expect(inCheckinWindow(meeting, END_MS + 1)).toBe(false)
    expect(inCheckinWindow(meeting, END_MS + 24 * 60 * MIN)).toBe(false)
  })
})

describe('mayAttendRemotely', () => {
  const meeting = { remoteAllowed: true, remoteMemberIds: ['u-allowed'], expectedIds: ['u-away', 'u-home', 'u-allowed'] }

  it('lets a member working away attend remotely', () => {
    expect(mayAttendRemotely(meeting, { id: 'u-away', status: 'away' })).toBe(true)
  })

  it('lets a member at home attend remotely only when the secretary listed them', () => {
    expect(mayAttendRemotely(meeting, { id: 'u-home', status: 'home' })).toBe(false)
    expect(mayAttendRemotely(meeting, { id: 'u-allowed', status: 'home' })).toBe(true)
  })

  it('lets nobody attend remotely when the meeting doesn’t allow it', () => {
    const closed = { ...meeting, remoteAllowed: false }
    expect(mayAttendRemotely(closed, { id: 'u-away', status: 'away' })).toBe(false)
    expect(mayAttendRemotely(closed, { id: 'u-allowed', status: 'home' })).toBe(false)
  })

  it('lets nobody attend remotely who isn’t expected at the meeting', () => {
    expect(mayAttendRemotely(meeting, { id: 'u-other', status: 'away' })).toBe(false)
    expect(mayAttendRemotely({ ...meeting, remoteMemberIds: ['u-other'] }, { id: 'u-other', status: 'home' })).toBe(false)
  })
})

describe('attendanceOutcome', () => {
  const meeting = { startsAt: STARTS, endsAt: ENDS } // 2 hours
  const at = (ms: number) => new Date(ms).toISOString()
  const onsite = (ms: number) => ({ mode: 'onsite' as const, checkedInAt: at(ms), remoteSeconds: 0 })
  const remote = (ms: number, remoteSeconds: number) => ({ mode: 'remote' as const, checkedInAt: at(ms), remoteSeconds })

  it('counts a check-in up to 5 minutes after the start as on time, later as late', () => {
    expect(ON_TIME_GRACE_MS).toBe(5 * MIN)
    expect(attendanceOutcome(meeting, onsite(START_MS - 20 * MIN), undefined)).toBe('on_time')
    expect(attendanceOutcome(meeting, onsite(START_MS + 5 * MIN), undefined)).toBe('on_time')
    expect(attendanceOutcome(meeting, onsite(START_MS + 5 * MIN + 1), undefined)).toBe('late')
    expect(attendanceOutcome(meeting, onsite(START_MS + 90 * MIN), undefined)).toBe('late')
  })

  it('counts remote attendance for less than half the meeting as partial, whenever the check-in was', () => {
    expect(meetingSeconds(meeting)).toBe(7200)
    expect(attendanceOutcome(meeting, remote(START_MS, 3599), undefined)).toBe('partial')
    expect(attendanceOutcome(meeting, remote(START_MS + 60 * MIN, 0), undefined)).toBe('partial')
  })

  it('counts remote attendance for at least half the meeting as on time or late by the check-in', () => {
    expect(attendanceOutcome(meeting, remote(START_MS + 5 * MIN, 3600), undefined)).toBe('on_time')
    expect(attendanceOutcome(meeting, remote(START_MS + 5 * MIN + 1, 3600), undefined)).toBe('late')
    expect(attendanceOutcome(meeting, remote(START_MS, 7200), undefined)).toBe('on_time')
  })

  it('does not apply the partial rule to on-site check-ins (no heartbeat there)', () => {
    expect(attendanceOutcome(meeting, onsite(START_MS), undefined)).toBe('on_time')
  })

  it('counts attendance by proxy as on time, whenever the secretary signed', () => {
    expect(attendanceOutcome(meeting, { mode: 'proxy', checkedInAt: at(END_MS), remoteSeconds: 0 }, undefined)).toBe('on_time')
  })

  it('counts no attendance with an approved leave as excused', () => {
    expect(attendanceOutcome(meeting, undefined, { status: 'approved' })).toBe('excused')
  })

  it('counts no attendance with a pending, refused or no leave as absent', () => {
    expect(attendanceOutcome(meeting, undefined, { status: 'pending' })).toBe('absent')
    expect(attendanceOutcome(meeting, undefined, { status: 'refused' })).toBe('absent')
    expect(attendanceOutcome(meeting, undefined, undefined)).toBe('absent')
  })

  it('counts a member who came after all as present, leave or not', () => {
    expect(attendanceOutcome(meeting, onsite(START_MS), { status: 'approved' })).toBe('on_time')
  })

  it('counts on time, late and partial as present; excused and absent not', () => {
    expect(['on_time', 'late', 'partial', 'excused', 'absent'].map((o) => isPresent(o as never))).toEqual([true, true, true, false, false])
  })
})

describe('quorum', () => {
  it('needs more than half of the expected members', () => {
    expect(quorum(9, 5)).toEqual({ needed: 5, met: true })
    expect(quorum(9, 4)).toEqual({ needed: 5, met: false })
    expect(quorum(10, 6)).toEqual({ needed: 6, met: true })
    expect(quorum(10, 5)).toEqual({ needed: 6, met: false })
    expect(quorum(1, 1)).toEqual({ needed: 1, met: true })
    expect(quorum(2, 1).met).toBe(false)
  })
})

describe('attendanceRates', () => {
  type MeetingInput = RateInput['meetings'][number]
  type AttendanceInput = RateInput['attendance'][number]
  const meeting = (id: string, expectedIds: string[], status: MeetingRow['status'] = 'closed', branchId = 'b-hexing'): MeetingInput => ({
    id,
    branchId,
    startsAt: STARTS,
    endsAt: ENDS,
    expectedIds,
    status,
  })
  const attended = (
    meetingId: string,
    memberId: string,
    mode: AttendanceRow['mode'],
    minutesAfterStart = 0,
    remoteSeconds = 0,
  ): AttendanceInput => ({
    meetingId,
    memberId,
    mode,
    checkedInAt: new Date(START_MS + minutesAfterStart * MIN).toISOString(),
    remoteSeconds,
  })

  // Two closed meetings with five members (u-away1 and u-away2 work away), one scheduled and one cancelled.
  const input: RateInput = {
    meetings: [
      meeting('m1', ['u-1', 'u-2', 'u-3', 'u-away1', 'u-away2']),
      meeting('m2', ['u-1', 'u-2', 'u-away1', 'u-away2']),
      meeting('m-open', ['u-1', 'u-2', 'u-3', 'u-away1', 'u-away2', 'u-new'], 'scheduled'),
      meeting('m-off', ['u-1', 'u-2', 'u-3', 'u-away1', 'u-away2'], 'cancelled'),
    ],
    attendance: [
      attended('m1', 'u-1', 'onsite'),
      attended('m1', 'u-2', 'onsite', 30), // late
      attended('m1', 'u-away1', 'remote', 0, 7200),
      // u-3: approved leave; u-away2: refused leave → absent
      attended('m2', 'u-1', 'proxy'),
      attended('m2', 'u-away1', 'remote', 10, 600), // partial
      attended('m2', 'u-away2', 'remote', 0, 5000),
      // u-2: pending leave → absent
      // Attendance at meetings that aren't closed must not count.
      attended('m-open', 'u-1', 'onsite'),
      attended('m-off', 'u-3', 'onsite'),
      // Nor attendance by someone who wasn't expected.
      attended('m2', 'u-3', 'onsite'),
    ],
    leaves: [
      { meetingId: 'm1', memberId: 'u-3', status: 'approved' },
      { meetingId: 'm1', memberId: 'u-away2', status: 'refused' },
      { meetingId: 'm2', memberId: 'u-2', status: 'pending' },
      { meetingId: 'm-open', memberId: 'u-away2', status: 'approved' },
    ],
    awayIds: new Set(['u-away1', 'u-away2']),
  }
  const rates = attendanceRates(input)

  it('counts only closed meetings', () => {
    expect([...rates.byMeeting.keys()].sort()).toEqual(['m1', 'm2'])
    expect(rates.byMember.has('u-new')).toBe(false)
    expect(rates.overall.expected).toBe(9)
  })

  it('splits the present into on site (proxy included) and remote, and counts excused and absent', () => {
    // Present: m1 u-1, u-2, u-away1 (remote); m2 u-1 (proxy), u-away1 (remote, partial), u-away2 (remote).
    expect(rates.overall).toEqual({ expected: 9, present: 6, onsite: 3, remote: 3, excused: 1, absent: 2, rate: 6 / 9 })
  })

  it('gives each meeting its own rate', () => {
    expect(rates.byMeeting.get('m1')).toEqual({ expected: 5, present: 3, onsite: 2, remote: 1, excused: 1, absent: 1, rate: 0.6 })
    expect(rates.byMeeting.get('m2')).toEqual({ expected: 4, present: 3, onsite: 1, remote: 2, excused: 0, absent: 1, rate: 0.75 })
  })

  it('gives each member their own rate', () => {
    expect(rates.byMember.get('u-1')).toEqual({ expected: 2, present: 2, onsite: 2, remote: 0, excused: 0, absent: 0, rate: 1 })
    expect(rates.byMember.get('u-2')).toEqual({ expected: 2, present: 1, onsite: 1, remote: 0, excused: 0, absent: 1, rate: 0.5 })
    expect(rates.byMember.get('u-3')).toEqual({ expected: 1, present: 0, onsite: 0, remote: 0, excused: 1, absent: 0, rate: 0 })
    expect(rates.byMember.get('u-away1')).toEqual({ expected: 2, present: 2, onsite: 0, remote: 2, excused: 0, absent: 0, rate: 1 })
    expect(rates.byMember.get('u-away2')).toEqual({ expected: 2, present: 1, onsite: 0, remote: 1, excused: 0, absent: 1, rate: 0.5 })
    expect(rates.byMember.size).toBe(5)
  })

  it('shows the migrant members’ rate on its own', () => {
    expect(rates.away).toEqual({ expected: 4, present: 3, onsite: 0, remote: 3, excused: 0, absent: 1, rate: 0.75 })
  })

  it('gives a null rate where nobody was expected', () => {
    const none = attendanceRates({
      meetings: [meeting('m-empty', []), meeting('m-open', ['u-1'], 'scheduled')],
      attendance: [],
      leaves: [],
      awayIds: new Set(),
    })
    expect(none.overall).toEqual({ expected: 0, present: 0, onsite: 0, remote: 0, excused: 0, absent: 0, rate: null })
    expect(none.away.rate).toBeNull()
    expect(none.byMeeting.get('m-empty')!.rate).toBeNull()
    expect(none.byMember.size).toBe(0)
    // Nobody working away: their rate is null, not 0, while the others' is known.
    const homeOnly = attendanceRates({ ...input, awayIds: new Set() })
    expect(homeOnly.away).toEqual({ expected: 0, present: 0, onsite: 0, remote: 0, excused: 0, absent: 0, rate: null })
    expect(homeOnly.overall.rate).toBe(6 / 9)
  })
})
