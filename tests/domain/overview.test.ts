import { describe, expect, it } from 'vitest'
import type { BranchFacts } from '~/domain/branchFacts'
import { attendanceRates } from '~/domain/meetings'
import {
  branchOverview,
  overviewRowSchema,
  STUDY_RED_BELOW,
  STUDY_YELLOW_BELOW,
  townOverview,
  type SupervisionState,
} from '~/domain/overview'
import type { RectificationRow, WarningRow } from '~/domain/supervision'

// 2026-11-20 12:00 in Shanghai: Q4, November.
const NOW = '2026-11-20T04:00:00.000Z'
const NONE: SupervisionState = { warnings: [], rectifications: [] }

type Member = BranchFacts['members'][number]
type Meeting = BranchFacts['meetings'][number]
type Attendance = BranchFacts['attendance'][number]
type Comment = BranchFacts['comments'][number]

const member = (id: string, name = id, more: Partial<Member> = {}): Member => ({
  id,
  name,
  away: false,
  partyGroupId: null,
  endedAt: null,
  ...more,
})

const HOUR = 3_600_000
const meeting = (id: string, startsAt: string, expectedIds: string[], status: Meeting['status'] = 'closed'): Meeting => ({
  id,
  branchId: 'b1',
  type: 'theme_day',
  title: id,
  status,
  startsAt,
  endsAt: new Date(Date.parse(startsAt) + 2 * HOUR).toISOString(),
  closedAt: status === 'closed' ? startsAt : null,
  minutes: status === 'closed' ? '记录' : null,
  expectedIds,
  audience: 'branch',
})

/** On time, on site by default; remote for the whole two hours. */
const came = (m: Meeting, memberId: string, mode: Attendance['mode'] = 'onsite'): Attendance => ({
  meetingId: m.id,
  memberId,
  mode,
  checkedInAt: m.startsAt,
  remoteSeconds: mode === 'remote' ? 7200 : 0,
})

const comment = (id: string, more: Partial<Comment>): Comment => ({
  id,
  category: 'suggestion',
  status: 'pending',
  deadline: null,
  createdAt: '2026-11-01T02:00:00.000Z',
  acceptedAt: null,
  closedAt: null,
  ...more,
})

const facts = (more: Partial<BranchFacts> = {}): BranchFacts => ({
  branchId: 'b1',
  branchName: '合兴村党支部',
  since: null,
  members: [],
  groups: [],
  meetings: [],
  attendance: [],
  leaves: [],
  topics: [],
  comments: [],
  studyDays: [],
  points: [],
  ...more,
})

const warning = (id: string, more: Partial<WarningRow>): WarningRow => ({
  id,
  branchId: 'b1',
  ruleCode: 'committee-monthly',
  ruleVersion: 1,
  kind: 'meeting',
  groupId: null,
  period: '2026-11',
  level: 'yellow',
  title: id,
  openedAt: '2026-11-16T01:00:00.000Z',
  escalatedAt: null,
  clearedAt: null,
  clearReason: null,
  history: [],
  rectificationId: null,
  ...more,
})

const notice = (id: string, more: Partial<RectificationRow>): RectificationRow => ({
  id,
  branchId: 'b1',
  warningId: null,
  number: `整改〔2026〕${id}号`,
  requirement: '按期召开会议',
  issuedById: 'admin',
  issuedAt: '2026-11-10T02:00:00.000Z',
  workingDays: 10,
  deadline: '2026-11-24',
  status: 'open',
  answers: [],
  decisions: [],
  followsId: null,
  escalatedAt: null,
  closedAt: null,
  updatedAt: '2026-11-10T02:00:00.000Z',
  ...more,
})

describe('an empty branch', () => {
  it('has nulls for shares, greens for lights, and twelve empty months', () => {
    const row = branchOverview(facts(), NONE, NOW)
    expect(overviewRowSchema.parse(row)).toEqual(row)
    expect(row).toMatchObject({ id: 'b1', branchId: 'b1', name: '合兴村党支部', computedAt: NOW, day: '2026-11-20', ranking: [] })
    expect(row.figures).toEqual({
      members: 0,
      migrantMembers: 0,
      quarter: '2026-Q4',
      attendance: { all: null, onsite: null, remote: null, migrant: null },
      study: { last7: null, last30: null },
      averagePoints: 0,
      comments: { received: 0, resolved: 0, resolvedOnTime: 0, overdue: 0 },
      warnings: { yellow: 0, red: 0 },
      notices: { open: 0, overdue: 0 },
      flagged: false,
    })
    expect(Object.values(row.lights)).toEqual(['green', 'green', 'green', 'green', 'green', 'green'])
    expect(row.trend.map((t) => t.month)).toEqual([
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
    ])
    expect(row.trend.every((t) => t.attendance === null && t.migrant === null && t.study === null && t.commentsOnTime === null)).toBe(true)
    expect(row.year).toEqual({
      year: '2026',
      warnings: { yellow: 0, red: 0 },
      notices: { issued: 0, accepted: 0, overdue: 0, open: 0 },
      attendanceStart: null,
      attendanceNow: null,
      migrantStart: null,
      migrantNow: null,
      topics: 0,
      commentsByCategory: { suggestion: 0, need: 0, other: 0 },
      commentsResolved: 0,
    })
  })
})

describe('members and attendance', () => {
  const members = [
    member('a'),
    member('b'),
    member('c', 'c', { away: true }),
    member('d', 'd', { away: true }),
    member('gone', 'gone', { away: true, endedAt: '2026-10-20T02:00:00.000Z' }),
  ]

  it('counts current members and current migrant members, not those who ended', () => {
    const row = branchOverview(facts({ members }), NONE, NOW)
    expect(row.figures.members).toBe(4)
    expect(row.figures.migrantMembers).toBe(2)
  })

  it("takes this quarter's closed meetings: all, on site and remote out of expected, and the migrant members apart", () => {
    // 2026-09-30T16:30Z is 2026-10-01 00:30 in Shanghai: Q4. 15:30Z is still 30 September: Q3.
    const q4 = meeting('q4', '2026-09-30T16:30:00.000Z', ['a', 'b', 'c', 'd', 'gone'])
    const q3 = meeting('q3', '2026-09-30T15:30:00.000Z', ['a', 'b', 'c', 'd', 'gone'])
    const planned = meeting('planned', '2026-11-25T01:00:00.000Z', ['a', 'b', 'c', 'd'], 'scheduled')
    const attendance = [
      came(q4, 'a'),
      came(q4, 'b', 'remote'),
      came(q4, 'c', 'remote'),
      came(q4, 'gone'), // ended since, but they were there: it counts
      ...['a', 'b', 'c', 'd', 'gone'].map((id) => came(q3, id)),
    ]
    const row = branchOverview(facts({ members, meetings: [q4, q3, planned], attendance }), NONE, NOW)
    // 4 of 5 present: a and gone on site, b and c remote; migrant members c, d, gone: 2 of 3.
    expect(row.figures.attendance).toEqual({ all: 80, onsite: 40, remote: 40, migrant: 66.7 })
    expect(row.trend.at(-3)).toMatchObject({ month: '2026-09', attendance: 100, migrant: 100 })
    expect(row.trend.at(-2)).toMatchObject({ month: '2026-10', attendance: 80, migrant: 66.7 })
    expect(row.trend.at(-1)).toMatchObject({ month: '2026-11', attendance: null, migrant: null })
  })

  it('puts a meeting just after midnight on 1 October into Q4 when it is 1 October in Shanghai', () => {
    const q4 = meeting('q4', '2026-09-30T16:30:00.000Z', ['a', 'b'])
    const row = branchOverview(facts({ members, meetings: [q4], attendance: [came(q4, 'a')] }), NONE, '2026-09-30T17:00:00.000Z')
    expect(row.day).toBe('2026-10-01')
    expect(row.figures.quarter).toBe('2026-Q4')
    expect(row.figures.attendance.all).toBe(50)
    // Half an hour earlier it was still Q3, and that meeting hadn't happened.
    expect(branchOverview(facts({ members, meetings: [q4] }), NONE, '2026-09-30T15:59:59.000Z').figures.quarter).toBe('2026-Q3')
  })

  it('gives the same shares as attendanceRates, whatever became of each check-in', () => {
    const ids = ['a', 'b', 'c', 'd', 'gone']
    const m1 = meeting('m1', '2026-10-12T01:00:00.000Z', ids)
    const m2 = meeting('m2', '2026-11-02T01:00:00.000Z', ['a', 'b', 'c', 'd'])
    const cancelled = meeting('cancelled', '2026-11-05T01:00:00.000Z', ids, 'cancelled')
    const planned = meeting('planned', '2026-11-30T01:00:00.000Z', ids, 'scheduled')
    const late = (m: Meeting, id: string): Attendance => ({
      ...came(m, id),
      checkedInAt: new Date(Date.parse(m.startsAt) + HOUR).toISOString(),
    })
    const attendance: Attendance[] = [
      late(m1, 'a'),
      { ...came(m1, 'b', 'remote'), remoteSeconds: 60 }, // partial: present
      { ...came(m1, 'c'), review: 'refused' }, // refused: absent, or excused with a leave
      { ...came(m1, 'd'), review: 'pending' }, // 待核实 counts as it came
      came(m1, 'gone', 'proxy'),
      came(m2, 'a', 'remote'),
      { ...came(m2, 'c', 'remote'), review: 'confirmed' },
      came(m2, 'stranger'), // not expected: not counted
      came(cancelled, 'a'),
      came(planned, 'b'),
    ]
    const leaves = [
      { meetingId: 'm1', memberId: 'c', status: 'approved' as const },
      { meetingId: 'm2', memberId: 'b', status: 'approved' as const },
      { meetingId: 'm2', memberId: 'd', status: 'pending' as const },
    ]
    const meetings = [m1, m2, cancelled, planned]
    const awayIds = new Set(members.filter((m) => m.away).map((m) => m.id))
    const rates = attendanceRates({ meetings, attendance, leaves, awayIds })
    const share = (n: number, of: number) => Math.round((n / of) * 1000) / 10
    const row = branchOverview(facts({ members, meetings, attendance, leaves }), NONE, NOW)
    expect(row.figures.attendance).toEqual({
      all: share(rates.overall.present, rates.overall.expected),
      onsite: share(rates.overall.onsite, rates.overall.expected),
      remote: share(rates.overall.remote, rates.overall.expected),
      migrant: share(rates.away.present, rates.away.expected),
    })
    expect(rates.overall).toMatchObject({ expected: 9, present: 6 })
  })
})

describe('study', () => {
  it('counts current members with a study day in the last 7 and 30 days, today included', () => {
    const members = ['a', 'b', 'c', 'd', 'e'].map((id) => member(id)).concat(member('gone', 'gone', { endedAt: '2026-11-01T00:00:00Z' }))
    const studyDays = [
      { memberId: 'a', day: '2026-11-20' }, // today
      { memberId: 'b', day: '2026-11-14' }, // 6 days ago: the 7th day back
      { memberId: 'c', day: '2026-11-13' }, // 7 days ago: the last 30 only
      { memberId: 'd', day: '2026-10-22' }, // 29 days ago: the 30th day back
      { memberId: 'e', day: '2026-10-21' }, // 30 days ago: neither
      { memberId: 'gone', day: '2026-11-19' },
    ]
    const row = branchOverview(facts({ members, studyDays }), NONE, NOW)
    expect(row.figures.study).toEqual({ last7: 40, last30: 80 })
  })

  it('shares a month by the members current at its end, with an ended member in the months they belonged', () => {
    const members = [member('a'), member('b'), member('gone', 'gone', { endedAt: '2026-10-15T02:00:00Z' })]
    const studyDays = [
      { memberId: 'gone', day: '2026-09-03' },
      { memberId: 'a', day: '2026-09-10' },
      { memberId: 'a', day: '2026-09-11' },
      { memberId: 'gone', day: '2026-10-02' },
      { memberId: 'b', day: '2026-10-02' },
    ]
    const trend = branchOverview(facts({ members, studyDays }), NONE, NOW).trend
    expect(trend.find((t) => t.month === '2026-09')!.study).toBe(66.7) // a and gone of 3
    expect(trend.find((t) => t.month === '2026-10')!.study).toBe(50) // b of a, b: gone had ended by 31 October
    expect(trend.find((t) => t.month === '2026-11')!.study).toBe(0)
  })

  it("needs only each member's last study day of each month", () => {
    const members = ['a', 'b', 'c'].map((id) => member(id))
    const studyDays = [
      ...['2026-09-01', '2026-09-30', '2026-10-21', '2026-10-22', '2026-10-31'].map((day) => ({ memberId: 'a', day })),
      ...['2026-11-01', '2026-11-13', '2026-11-14', '2026-11-20'].map((day) => ({ memberId: 'b', day })),
      ...['2025-12-01', '2026-10-20', '2026-11-13'].map((day) => ({ memberId: 'c', day })),
    ]
    const last = new Map<string, { memberId: string; day: string }>()
    for (const s of studyDays) {
      const key = `${s.memberId} ${s.day.slice(0, 7)}`
      if ((last.get(key)?.day ?? '') < s.day) last.set(key, s)
    }
    const all = branchOverview(facts({ members, studyDays }), NONE, NOW)
    const fewer = branchOverview(facts({ members, studyDays: [...last.values()] }), NONE, NOW)
    expect(fewer.figures.study).toEqual(all.figures.study)
    expect(fewer.trend).toEqual(all.trend)
    expect(all.figures.study).toEqual({ last7: 33.3, last30: 100 })
  })
})

describe('points and the ranking', () => {
  const members = [
    member('m1', '张三'),
    member('m2', '李四'),
    member('m3', '王五'),
    member('m4', '赵六'),
    member('gone', '钱七', { endedAt: '2026-06-01T00:00:00Z' }),
  ]
  const points = [
    { memberId: 'm1', month: '2026-01', points: 10 },
    { memberId: 'm1', month: '2026-11', points: 5 },
    { memberId: 'm2', month: '2026-03', points: 15 },
    { memberId: 'm3', month: '2025-12', points: 40 }, // last year's
    { memberId: 'm3', month: '2026-02', points: 15 },
    { memberId: 'gone', month: '2026-02', points: 100 },
  ]

  it("averages this year's points over the current members", () => {
    expect(branchOverview(facts({ members, points }), NONE, NOW).figures.averagePoints).toBe(11.3) // 45 / 4
  })

  it('ranks current members by points, ties by name in pinyin order', () => {
    expect(branchOverview(facts({ members, points }), NONE, NOW).ranking).toEqual([
      { memberId: 'm2', name: '李四', points: 15 },
      { memberId: 'm3', name: '王五', points: 15 },
      { memberId: 'm1', name: '张三', points: 15 },
      { memberId: 'm4', name: '赵六', points: 0 },
    ])
  })
})

describe('朋友圈 comments', () => {
  const comments = [
    // Posted on 1 January in Shanghai (31 December in UTC): this year.
    comment('new-year', { createdAt: '2025-12-31T16:30:00.000Z', category: 'need' }),
    comment('old-year', { createdAt: '2025-12-31T15:30:00.000Z' }),
    // Resolved exactly at its deadline: on time. Deadlines are the end of a Shanghai day.
    comment('on-time', { status: 'resolved', deadline: '2026-10-08T15:59:59.999Z', closedAt: '2026-10-08T15:59:59.999Z' }),
    comment('late', { status: 'resolved', deadline: '2026-10-08T15:59:59.999Z', closedAt: '2026-10-09T01:00:00.000Z', category: 'other' }),
    comment('rejected', { status: 'rejected', deadline: '2026-10-08T15:59:59.999Z', closedAt: '2026-10-02T01:00:00.000Z' }),
    comment('overdue', { status: 'accepted', deadline: '2026-11-19T15:59:59.999Z' }),
    comment('overdue-old', { createdAt: '2025-12-01T02:00:00.000Z', status: 'accepted', deadline: '2025-12-08T15:59:59.999Z' }),
    comment('not-yet-due', { status: 'accepted', deadline: '2026-11-25T15:59:59.999Z' }),
  ]

  it("counts this year's as a cohort and every overdue one now", () => {
    const row = branchOverview(facts({ comments }), NONE, NOW)
    expect(row.figures.comments).toEqual({ received: 6, resolved: 2, resolvedOnTime: 1, overdue: 2 })
    expect(row.year.commentsByCategory).toEqual({ suggestion: 4, need: 1, other: 1 })
    expect(row.year.commentsResolved).toBe(2)
  })

  it('trends the share resolved on time among those due in the month whose outcome is known', () => {
    const trend = branchOverview(facts({ comments }), NONE, NOW).trend
    expect(trend.find((t) => t.month === '2025-12')!.commentsOnTime).toBe(0) // overdue-old
    expect(trend.find((t) => t.month === '2026-10')!.commentsOnTime).toBe(50) // on-time of on-time, late; rejected left out
    expect(trend.find((t) => t.month === '2026-11')!.commentsOnTime).toBe(0) // overdue; not-yet-due left out
  })
})

describe('warnings, notices and lights', () => {
  it("counts the branch's open warnings and waiting notices, and flags an escalated one", () => {
    const state: SupervisionState = {
      warnings: [
        warning('w1', { level: 'yellow' }),
        warning('w2', { level: 'red', kind: 'topic' }),
        warning('w3', { level: 'red', clearedAt: '2026-11-18T00:00:00Z' }),
        warning('w4', { level: 'red', branchId: 'b2' }),
      ],
      rectifications: [
        notice('n1', { status: 'open' }),
        notice('n2', { status: 'answered', deadline: '2026-11-19' }), // waiting on the admin: not overdue
        notice('n3', { status: 'returned', deadline: '2026-11-19' }), // overdue
        notice('n4', { status: 'accepted', escalatedAt: '2026-11-01T00:00:00Z' }),
        notice('n5', { status: 'open', branchId: 'b2', escalatedAt: '2026-11-01T00:00:00Z' }),
      ],
    }
    const row = branchOverview(facts(), state, NOW)
    expect(row.figures.warnings).toEqual({ yellow: 1, red: 1 })
    expect(row.figures.notices).toEqual({ open: 2, overdue: 1 })
    expect(row.figures.flagged).toBe(false)
    expect(row.lights).toMatchObject({ meetings: 'red', notices: 'red', attendance: 'green', comments: 'green' })

    const escalated = { ...state, rectifications: [notice('n6', { escalatedAt: '2026-11-18T00:00:00Z', deadline: '2026-12-01' })] }
    const flagged = branchOverview(facts(), escalated, NOW)
    expect(flagged.figures.flagged).toBe(true)
    expect(flagged.lights.notices).toBe('red')
  })

  it('lights each item by the worst open warning of its kinds', () => {
    const state: SupervisionState = {
      warnings: [
        warning('quorum', { kind: 'quorum', level: 'yellow' }),
        warning('att', { kind: 'attendance', level: 'yellow' }),
        warning('mig', { kind: 'migrant_attendance', level: 'red' }),
        warning('cmt', { kind: 'overdue_comments', level: 'yellow' }),
        warning('cmt2', { kind: 'overdue_comments', level: 'red', clearedAt: '2026-11-19T00:00:00Z' }),
      ],
      rectifications: [notice('answered', { status: 'answered' })],
    }
    expect(branchOverview(facts(), state, NOW).lights).toEqual({
      meetings: 'yellow',
      attendance: 'yellow',
      migrant: 'red',
      study: 'green',
      comments: 'yellow',
      notices: 'yellow',
    })
  })

  it(`lights study red below ${STUDY_RED_BELOW}% in the last 30 days and yellow below ${STUDY_YELLOW_BELOW}%`, () => {
    const members = Array.from({ length: 10 }, (_, i) => member(`m${i}`))
    const lightWith = (studied: number) =>
      branchOverview(
        facts({ members, studyDays: members.slice(0, studied).map((m) => ({ memberId: m.id, day: '2026-11-01' })) }),
        NONE,
        NOW,
      ).lights.study
    expect([0, 2, 3, 5, 6, 10].map(lightWith)).toEqual(['red', 'red', 'yellow', 'yellow', 'green', 'green'])
  })
})

describe('the year summary', () => {
  it('counts warnings opened this year by the worst level they reached, and notices by where they stand', () => {
    const state: SupervisionState = {
      warnings: [
        warning('last-year', { openedAt: '2025-12-31T15:00:00.000Z', level: 'red' }),
        warning('new-year', { openedAt: '2025-12-31T16:00:00.000Z' }), // 1 January 00:00 in Shanghai
        warning('escalated', { level: 'red', escalatedAt: '2026-07-01T00:00:00Z' }),
        warning('cleared-red', {
          level: 'yellow',
          clearedAt: '2026-05-01T00:00:00Z',
          history: [
            { at: '2026-04-01T00:00:00Z', event: 'opened', level: 'red', why: '本季度未召开' },
            { at: '2026-05-01T00:00:00Z', event: 'cleared', level: 'yellow', why: '已召开' },
          ],
        }),
      ],
      rectifications: [
        notice('accepted', { status: 'accepted', closedAt: '2026-11-12T00:00:00Z' }),
        notice('overdue', { deadline: '2026-11-19' }),
        notice('open', {}),
        notice('answered', { status: 'answered', deadline: '2026-11-01' }),
        notice('last-year', { issuedAt: '2025-12-20T00:00:00Z', deadline: '2026-01-05' }),
      ],
    }
    const year = branchOverview(facts(), state, NOW).year
    expect(year.warnings).toEqual({ yellow: 1, red: 2 })
    expect(year.notices).toEqual({ issued: 4, accepted: 1, overdue: 1, open: 2 })
  })

  it("compares the year's first quarter with closed meetings against this quarter, migrant members apart", () => {
    const members = [member('a'), member('b'), member('c', 'c', { away: true }), member('d', 'd', { away: true })]
    const all = ['a', 'b', 'c', 'd']
    const q2 = meeting('q2', '2026-05-10T01:00:00.000Z', all)
    const q3 = meeting('q3', '2026-08-10T01:00:00.000Z', all)
    const q4 = meeting('q4', '2026-11-10T01:00:00.000Z', all)
    const attendance = [came(q2, 'a'), came(q3, 'a'), came(q3, 'c'), ...all.map((id) => came(q4, id))]
    const topics = [
      { id: 't1', createdAt: '2026-03-01T00:00:00Z' },
      { id: 't0', createdAt: '2025-11-01T00:00:00Z' },
    ]
    const year = branchOverview(facts({ members, meetings: [q2, q3, q4], attendance, topics }), NONE, NOW).year
    expect(year).toMatchObject({ attendanceStart: 25, attendanceNow: 100, migrantStart: 0, migrantNow: 100, topics: 1 })
  })

  it('starts a new year at midnight in Shanghai', () => {
    const members = [member('a')]
    const points = [{ memberId: 'a', month: '2026-12', points: 9 }]
    const comments = [comment('c', { createdAt: '2026-12-20T00:00:00Z' })]
    const row = branchOverview(facts({ members, points, comments }), NONE, '2026-12-31T16:30:00.000Z')
    expect(row).toMatchObject({ day: '2027-01-01', year: { year: '2027', commentsResolved: 0 } })
    expect(row.figures).toMatchObject({ quarter: '2027-Q1', averagePoints: 0, comments: { received: 0 } })
    expect(row.trend[0]!.month).toBe('2026-02')
    expect(row.trend[11]!.month).toBe('2027-01')
  })
})

describe('the town', () => {
  const one = facts({
    branchId: 'b1',
    branchName: '一村',
    members: [member('a1'), member('a2')],
    studyDays: [
      { memberId: 'a1', day: '2026-11-19' },
      { memberId: 'a2', day: '2026-11-19' },
    ],
    points: [{ memberId: 'a1', month: '2026-05', points: 10 }],
  })
  const m1 = meeting('m1', '2026-10-10T01:00:00.000Z', ['a1'])
  const m2 = meeting('m2', '2026-10-11T01:00:00.000Z', ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'])
  const withMeeting = { ...one, meetings: [m1], attendance: [came(m1, 'a1')] }
  const two = facts({
    branchId: 'b2',
    branchName: '二村',
    members: ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'].map((id) => member(id, id, { away: id === 'b1' })),
    meetings: [m2],
    attendance: [came(m2, 'b1', 'remote')],
    points: [{ memberId: 'b2', month: '2026-06', points: 25 }],
    comments: [comment('c', { status: 'accepted', deadline: '2026-11-10T15:59:59.999Z' })],
  })
  const state: SupervisionState = {
    warnings: [warning('w', { branchId: 'b2', kind: 'attendance', level: 'red' })],
    rectifications: [notice('n', { branchId: 'b1' })],
  }

  it("adds its branches' counts up rather than averaging their shares", () => {
    const town = townOverview('城关镇', [withMeeting, two], state, NOW)
    expect(overviewRowSchema.parse(town)).toEqual(town)
    expect(town).toMatchObject({ id: 'town', branchId: null, name: '城关镇', ranking: [] })
    // Branches: 1 of 1 (100%) and 1 of 6 (16.7%); the town: 2 of 7, not the 58.3% average.
    expect(town.figures.attendance).toEqual({ all: 28.6, onsite: 14.3, remote: 14.3, migrant: 100 })
    // 2 of 8 studied (branches: 100% and 0%).
    expect(town.figures.study).toEqual({ last7: 25, last30: 25 })
    expect(town.figures).toMatchObject({ members: 8, migrantMembers: 1, averagePoints: 4.4 }) // 35 / 8
    expect(town.figures.warnings).toEqual({ yellow: 0, red: 1 })
    expect(town.figures.notices).toEqual({ open: 1, overdue: 0 })
    expect(town.figures.comments.overdue).toBe(1)
    expect(town.trend.find((t) => t.month === '2026-10')!.attendance).toBe(28.6)
  })

  it("takes each light as the worst of its branches'", () => {
    const town = townOverview('城关镇', [withMeeting, two], state, NOW)
    expect(town.lights).toEqual({
      meetings: 'green',
      attendance: 'red',
      migrant: 'green',
      study: 'red',
      comments: 'green',
      notices: 'yellow',
    })
    expect(townOverview('城关镇', [], NONE, NOW).lights.study).toBe('green')
    // Nine of ten studied across the town (90%), but one small branch has nobody: the town's study light is red.
    const keen = facts({
      branchId: 'b3',
      members: Array.from({ length: 9 }, (_, i) => member(`k${i}`)),
      studyDays: Array.from({ length: 9 }, (_, i) => ({ memberId: `k${i}`, day: '2026-11-18' })),
    })
    const idle = facts({ branchId: 'b4', members: [member('idle')] })
    const mixed = townOverview('城关镇', [keen, idle], NONE, NOW)
    expect(mixed.figures.study.last30).toBe(90)
    expect(mixed.lights.study).toBe('red')
  })

  it('gives the same rows whether the branches were computed first or not, and the same on every call', () => {
    const fresh = (f: BranchFacts) => ({ ...f })
    const first = [withMeeting, two].map((f) => branchOverview(f, state, NOW))
    const town = townOverview('城关镇', [withMeeting, two], state, NOW)
    expect(townOverview('城关镇', [withMeeting, two].map(fresh), { ...state }, NOW)).toEqual(town)
    expect([withMeeting, two].map((f) => branchOverview(fresh(f), { ...state }, NOW))).toEqual(first)
    // Another moment is computed afresh, not served from the first one's counts.
    expect(branchOverview(withMeeting, state, '2026-11-21T04:00:00.000Z').day).toBe('2026-11-21')
  })
})
