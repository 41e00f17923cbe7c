// The warning engine at period boundaries in Asia/Shanghai: every run is checked to be idempotent
// (a second run on its own output changes nothing).
import { describe, expect, it } from 'vitest'
import { shanghaiTime } from '~/domain/calendar'
import type { BranchFacts } from '~/domain/branchFacts'
import type { MeetingRow } from '~/domain/meetings'
import { DEFAULT_WARNING_RULES, warningId, type WarningRow, type WarningRule } from '~/domain/supervision'
import { meetingGroupOf, ruleInForce, superviseBranch } from '~/domain/warnings'

const B = 'b1'
/** An ISO instant at a Shanghai wall-clock time. */
const at = (day: string, time = '10:00') => new Date(shanghaiTime(day, time)).toISOString()
const rule = (code: string, change: Partial<WarningRule> = {}): WarningRule => ({
  ...DEFAULT_WARNING_RULES.find((r) => r.code === code)!,
  ...change,
})
const ids = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`)

type Meeting = BranchFacts['meetings'][number]
function meeting(id: string, type: MeetingRow['type'], startsAt: string, change: Partial<Meeting> = {}): Meeting {
  return {
    id,
    branchId: B,
    type,
    title: `会议${id}`,
    status: 'closed',
    startsAt,
    endsAt: new Date(Date.parse(startsAt) + 3_600_000).toISOString(),
    closedAt: startsAt,
    minutes: '会议记录',
    expectedIds: ids(10),
    audience: 'branch',
    ...change,
  }
}

function facts(change: Partial<BranchFacts> = {}): BranchFacts {
  return {
    branchId: B,
    branchName: '一支部',
    since: null,
    members: ids(10).map((id) => ({ id, name: id, away: false, partyGroupId: null, endedAt: null })),
    groups: [],
    meetings: [],
    attendance: [],
    leaves: [],
    topics: [],
    comments: [],
    studyDays: [],
    points: [],
    ...change,
  }
}

/** A branch living through time: its warnings carried from run to run, each run checked to be idempotent. */
class Branch {
  readonly warnings = new Map<string, WarningRow>()
  constructor(
    public rules: WarningRule[],
    public facts: BranchFacts,
  ) {}

  run(now: string): WarningRow[] {
    const out = superviseBranch({ rules: this.rules, facts: this.facts, warnings: [...this.warnings.values()], now })
    for (const w of out) this.warnings.set(w.id, w)
    expect(superviseBranch({ rules: this.rules, facts: this.facts, warnings: [...this.warnings.values()], now })).toEqual([])
    return out
  }

  get(ruleCode: string, period: string, groupId: string | null = null): WarningRow | undefined {
    return this.warnings.get(warningId(B, ruleCode, period, groupId))
  }

  add(m: Meeting): void {
    this.facts = { ...this.facts, meetings: [...this.facts.meetings.filter((x) => x.id !== m.id), m] }
  }
}

const events = (w: WarningRow | undefined) => w?.history.map((h) => `${h.event}:${h.level}`)

describe('meeting rules at quarter boundaries', () => {
  const Q4 = 'assembly-quarterly'

  it('turns yellow on the quarter’s half day in Shanghai, not a millisecond before', () => {
    const b = new Branch([rule(Q4)], facts({ since: '2026-10-01' }))
    expect(b.run(at('2026-11-15', '23:59:59.999'))).toEqual([])
    const [w] = b.run(at('2026-11-16', '00:00'))
    expect(w).toMatchObject({
      id: 'w:b1:assembly-quarterly:2026-Q4',
      period: '2026-Q4',
      level: 'yellow',
      kind: 'meeting',
      ruleVersion: 1,
      title: '2026年第四季度未召开支部党员大会',
      clearedAt: null,
      escalatedAt: null,
      rectificationId: null,
    })
    expect(w!.history).toEqual([
      { at: at('2026-11-16', '00:00'), event: 'opened', level: 'yellow', why: '本季度已过半，支部党员大会尚未召开也未安排' },
    ])
  })

  it('turns the quarter red at 00:00 on January 1st, not at 23:59:59 on December 31st', () => {
    const b = new Branch([rule(Q4)], facts({ since: '2026-10-01' }))
    b.run(at('2026-11-20'))
    expect(b.run('2026-12-31T15:59:59.999Z')).toEqual([])
    const [red] = b.run('2026-12-31T16:00:00.000Z')
    expect(red).toMatchObject({ period: '2026-Q4', level: 'red', escalatedAt: '2026-12-31T16:00:00.000Z', clearedAt: null })
    expect(events(red)).toEqual(['opened:yellow', 'escalated:red'])
    expect(red!.history[1]!.why).toBe('2026年第四季度已结束，支部党员大会未召开')
  })

  it('counts a meeting by its Shanghai day: 00:30 on October 1st is Q4, closed without minutes is not held', () => {
    const lastMinute = meeting('a0', 'assembly', at('2026-09-30', '23:59'))
    expect(new Branch([rule(Q4)], facts({ meetings: [lastMinute] })).run(at('2026-10-01'))).toEqual([])
    const early = meeting('a1', 'assembly', at('2026-10-01', '00:30'))
    const b = new Branch([rule(Q4)], facts({ meetings: [early] }))
    // Q3 ended without one: the October 1st meeting is Q4's, a make-up for Q3.
    const [q3] = b.run(at('2026-10-02'))
    expect(q3).toMatchObject({ period: '2026-Q3', level: 'red', clearReason: '已补开《会议a1》（10月1日）' })
    expect(b.run(at('2026-11-20'))).toEqual([])

    const noMinutes = new Branch([rule(Q4)], facts({ meetings: [{ ...early, minutes: '  ' }] }))
    expect(noMinutes.run(at('2026-11-20')).map((w) => `${w.period}:${w.level}:${w.clearedAt}`)).toEqual([
      '2026-Q3:red:null',
      '2026-Q4:red:null',
    ])
  })

  it('raises red for the quarter that ended and clears it with a make-up meeting', () => {
    const b = new Branch([rule(Q4)], facts({ since: '2026-09-01' }))
    // Q3 is spared (the branch came in September); Q4 ends without an assembly.
    expect(b.run(at('2026-11-20'))[0]).toMatchObject({ period: '2026-Q4', level: 'yellow' })
    b.run(at('2027-01-01'))
    b.add(meeting('mk', 'assembly', at('2027-01-10'), { title: '补开党员大会' }))
    const [cleared] = b.run(at('2027-01-10', '12:00'))
    expect(cleared).toMatchObject({
      period: '2026-Q4',
      level: 'red',
      clearedAt: at('2027-01-10', '12:00'),
      clearReason: '已补开《补开党员大会》（1月10日）',
    })
    expect(events(cleared)).toEqual(['opened:yellow', 'escalated:red', 'cleared:red'])
    // The make-up meeting is Q1's too: nothing for Q1 at its half.
    expect(b.run(at('2027-02-15'))).toEqual([])
  })

  it('records a missed quarter found late as red, and cleared at once if the make-up was already held', () => {
    const b = new Branch([rule(Q4)], facts({ since: '2026-09-01', meetings: [meeting('mk', 'assembly', at('2027-01-05'))] }))
    const [w] = b.run(at('2027-01-08'))
    expect(w).toMatchObject({ period: '2026-Q4', level: 'red', clearReason: '已补开《会议mk》（1月5日）' })
    expect(events(w)).toEqual(['opened:red', 'cleared:red'])
  })

  it('never reopens a past red once cleared, by a make-up or by an accepted notice', () => {
    const b = new Branch([rule(Q4)], facts({ since: '2026-09-01' }))
    b.run(at('2027-01-02'))
    const red = b.get(Q4, '2026-Q4')!
    b.warnings.set(red.id, {
      ...red,
      rectificationId: 'r1',
      clearedAt: at('2027-01-05'),
      clearReason: '整改提示单已办结（整改〔2027〕1号）',
    })
    expect(b.run(at('2027-01-20'))).toEqual([])
    // Cleared by a make-up meeting that later falls out of the facts: still not reopened.
    const c = new Branch([rule(Q4)], facts({ since: '2026-09-01', meetings: [meeting('mk', 'assembly', at('2027-01-05'))] }))
    c.run(at('2027-01-06'))
    c.facts = { ...c.facts, meetings: [] }
    expect(c.run(at('2027-01-20'))).toEqual([])
  })

  it('leaves periods before the previous one alone', () => {
    const b = new Branch([rule(Q4)], facts({ since: '2026-09-01' }))
    b.run(at('2027-01-02'))
    b.add(meeting('late', 'assembly', at('2027-04-10')))
    const out = b.run(at('2027-04-11'))
    expect(out.map((w) => w.period)).toEqual(['2027-Q1']) // Q1's red, cleared by the April meeting
    expect(b.get(Q4, '2026-Q4')!.clearedAt).toBeNull()
  })

  it('makes the second yellow in a row red, and says why', () => {
    const b = new Branch([rule(Q4)], facts({ since: '2026-09-01' }))
    b.run(at('2026-11-16'))
    b.run(at('2027-01-01'))
    expect(b.run(at('2027-02-14', '23:59'))).toEqual([])
    const [q1] = b.run(at('2027-02-15', '00:00'))
    expect(q1).toMatchObject({ period: '2027-Q1', level: 'red', escalatedAt: at('2027-02-15', '00:00') })
    expect(q1!.history).toEqual([
      {
        at: at('2027-02-15', '00:00'),
        event: 'opened',
        level: 'red',
        why: '本季度已过半，支部党员大会尚未召开也未安排；上季度已预警，连续两个周期预警',
      },
    ])
  })

  it('counts a previous yellow that cleared: still twice in a row', () => {
    const b = new Branch([rule('committee-monthly')], facts({ since: '2026-10-01' }))
    b.run(at('2026-10-16'))
    b.add(meeting('c1', 'committee', at('2026-10-25')))
    expect(b.run(at('2026-10-25', '12:00'))[0]).toMatchObject({ period: '2026-10', clearReason: '已召开《会议c1》（10月25日）' })
    expect(b.run(at('2026-11-15'))).toEqual([])
    expect(b.run(at('2026-11-16'))[0]).toMatchObject({ period: '2026-11', level: 'red' })
  })

  it('clears a current warning when the meeting is scheduled and reopens it when cancelled', () => {
    const b = new Branch([rule(Q4)], facts({ since: '2026-09-01' }))
    b.run(at('2026-11-16'))
    b.add(meeting('s1', 'assembly', at('2026-12-10'), { status: 'scheduled', minutes: null, closedAt: null, title: '年终党员大会' }))
    expect(b.run(at('2026-11-17'))[0]).toMatchObject({ clearReason: '已安排《年终党员大会》（12月10日）' })
    b.add({ ...b.facts.meetings[0]!, status: 'cancelled' })
    const [reopened] = b.run(at('2026-11-18'))
    expect(reopened).toMatchObject({ level: 'yellow', clearedAt: null, clearReason: null, openedAt: at('2026-11-16') })
    expect(events(reopened)).toEqual(['opened:yellow', 'cleared:yellow', 'opened:yellow'])
  })

  it('doesn’t reopen a current warning its accepted notice settled', () => {
    const b = new Branch([rule(Q4)], facts({ since: '2026-10-01' }))
    b.run(at('2026-11-16'))
    const w = b.get(Q4, '2026-Q4')!
    b.warnings.set(w.id, { ...w, rectificationId: 'r1', clearedAt: at('2026-11-20'), clearReason: '整改提示单已办结（整改〔2026〕3号）' })
    expect(b.run(at('2026-11-21'))).toEqual([])
  })

  it('keeps a notice’s link and the version a warning was raised with', () => {
    const b = new Branch([rule(Q4)], facts({ since: '2026-09-01' }))
    b.run(at('2026-11-16'))
    const w = b.get(Q4, '2026-Q4')!
    b.warnings.set(w.id, { ...w, rectificationId: 'r9' })
    const [red] = b.run(at('2027-01-01'))
    expect(red).toMatchObject({ rectificationId: 'r9', ruleVersion: 1, level: 'red' })
  })
})

describe('meeting rules at month and year boundaries', () => {
  it('watches a monthly rule from the 16th, and a missed December from January 1st', () => {
    const b = new Branch([rule('committee-monthly')], facts({ since: '2026-11-01' }))
    expect(b.run(at('2026-11-15', '23:59:59.999'))).toEqual([])
    expect(b.run(at('2026-11-16', '00:00'))[0]).toMatchObject({ period: '2026-11', title: '2026年11月未召开支委会' })
    expect(b.get('committee-monthly', '2026-11')!.history[0]!.why).toBe('本月已过半，支委会尚未召开也未安排')
    expect(b.run(at('2026-12-01'))[0]).toMatchObject({ period: '2026-11', level: 'red' })
    expect(b.run(at('2026-12-16'))[0]).toMatchObject({ period: '2026-12', level: 'red' })
    expect(b.run('2026-12-31T15:59:59.999Z')).toEqual([])
    // Already red: the end of December adds nothing, and January is judged only from its 16th.
    expect(b.run('2026-12-31T16:00:00.000Z')).toEqual([])
    expect(b.run(at('2027-01-15', '23:59:59.999'))).toEqual([])
    expect(b.run(at('2027-01-16', '00:00'))[0]).toMatchObject({ period: '2027-01', level: 'red' })
  })

  it('watches a yearly rule from July 2nd and the missed year from January 1st', () => {
    const b = new Branch([rule('org-life-yearly')], facts())
    expect(b.run(at('2026-07-01', '23:59:59.999'))).toEqual([])
    const [y] = b.run(at('2026-07-02', '00:00'))
    expect(y).toMatchObject({ period: '2026', title: '2026年未召开组织生活会', level: 'yellow' })
    expect(y!.history[0]!.why).toBe('本年度已过半，组织生活会尚未召开也未安排')
    expect(b.run('2026-12-31T15:59:59.999Z')).toEqual([])
    const [red] = b.run('2026-12-31T16:00:00.000Z')
    expect(red).toMatchObject({ period: '2026', level: 'red' })
    expect(red!.history.at(-1)!.why).toBe('2026年已结束，组织生活会未召开')
  })

  it('judges a period by the version in force on its last day, the current one by today’s', () => {
    const v1 = rule('lecture-quarterly', { activeTo: '2026-10-31' })
    const v2 = rule('lecture-quarterly', { version: 2, minCount: 2, activeFrom: '2026-11-01' })
    expect(ruleInForce([v1, v2], 'lecture-quarterly', '2026-10-31')).toBe(v1)
    expect(ruleInForce([v1, v2], 'lecture-quarterly', '2026-11-01')).toBe(v2)
    const lectures = [meeting('l3', 'lecture', at('2026-08-01')), meeting('l4', 'lecture', at('2026-10-10'))]
    const b = new Branch([v1, v2], facts({ meetings: lectures }))
    expect(b.run(at('2026-11-15'))).toEqual([]) // Q3 had its one lecture under v1
    const [w] = b.run(at('2026-11-16'))
    expect(w).toMatchObject({ period: '2026-Q4', ruleVersion: 2, title: '2026年第四季度党课不足2次' })
    expect(w!.history[0]!.why).toBe('本季度已过半，党课已召开1次、已安排0次，不足2次')
    b.add(meeting('l5', 'lecture', at('2026-12-01'), { status: 'scheduled', minutes: null }))
    expect(b.run(at('2026-11-20'))[0]!.clearReason).toBe('已安排《会议l5》（12月1日）')
  })

  it('doesn’t judge a period a rule didn’t cover from its start', () => {
    const late = rule('assembly-quarterly', { activeFrom: '2026-11-10' })
    const b = new Branch([late], facts())
    expect(b.run(at('2026-11-20'))).toEqual([])
    expect(b.run(at('2027-01-01'))).toEqual([])
    expect(b.run(at('2027-02-15'))[0]).toMatchObject({ period: '2027-Q1', level: 'yellow' })
  })

  it('clears every open warning of a rule disabled today, and raises nothing', () => {
    const v1 = rule('assembly-quarterly', { activeTo: '2026-11-19' })
    const off = rule('assembly-quarterly', { version: 2, enabled: false, activeFrom: '2026-11-20' })
    const b = new Branch([v1, off], facts())
    expect(b.run(at('2026-11-19')).map((w) => `${w.period}:${w.level}`)).toEqual(['2026-Q3:red', '2026-Q4:red'])
    const out = b.run(at('2026-11-20'))
    expect(out.map((w) => `${w.period}:${w.clearReason}`)).toEqual(['2026-Q3:规则已停用', '2026-Q4:规则已停用'])
    expect(b.run(at('2027-03-01'))).toEqual([])
  })

  it('spares a new branch the periods before it existed', () => {
    const b = new Branch([rule('assembly-quarterly'), rule('committee-monthly')], facts({ since: '2026-11-05' }))
    expect(b.run(at('2026-11-20'))).toEqual([])
    expect(b.run(at('2026-12-01'))).toEqual([])
    expect(b.run(at('2027-01-01')).map((w) => `${w.period}:${w.level}`)).toEqual(['2026-12:red']) // December was its own
    expect(b.get('assembly-quarterly', '2026-Q4')).toBeUndefined()
    expect(b.run(at('2027-02-15')).map((w) => `${w.ruleCode}:${w.period}:${w.level}`)).toEqual([
      'assembly-quarterly:2027-Q1:yellow',
      'committee-monthly:2027-01:red',
      'committee-monthly:2027-02:red',
    ])
  })
})

describe('party groups', () => {
  const members = [
    ...['a1', 'a2', 'a3'].map((id) => ({ id, name: id, away: false, partyGroupId: 'g1', endedAt: null })),
    ...['b1', 'b2', 'b3'].map((id) => ({ id, name: id, away: false, partyGroupId: 'g2', endedAt: null })),
    { id: 'x', name: 'x', away: false, partyGroupId: null, endedAt: null },
  ]
  const groups = [
    { id: 'g1', name: '第一党小组', archivedAt: null },
    { id: 'g2', name: '第二党小组', archivedAt: null },
    { id: 'g3', name: '第三党小组', archivedAt: '2026-06-01' },
  ]
  const memberGroup = new Map(members.map((m) => [m.id, m.partyGroupId]))

  it('finds a meeting’s group by the majority of its grouped expected members', () => {
    expect(meetingGroupOf({ expectedIds: ['a1', 'a2', 'b1', 'x'] }, memberGroup)).toBe('g1')
    expect(meetingGroupOf({ expectedIds: ['a1', 'b1'] }, memberGroup)).toBeNull()
    expect(meetingGroupOf({ expectedIds: ['x'] }, memberGroup)).toBeNull()
    expect(meetingGroupOf({ expectedIds: ['a1', 'x', 'nobody'] }, memberGroup)).toBe('g1')
  })

  it('raises one warning per current group that didn’t meet, named after it', () => {
    const held = meeting('g', 'group', at('2026-11-03'), { expectedIds: ['a1', 'a2', 'a3', 'b1'], audience: 'group' })
    const b = new Branch([rule('group-monthly')], facts({ since: '2026-11-01', members, groups, meetings: [held] }))
    const out = b.run(at('2026-11-16'))
    expect(out.map((w) => w.id)).toEqual(['w:b1:group-monthly:2026-11:g2'])
    expect(out[0]).toMatchObject({ groupId: 'g2', title: '2026年11月第二党小组未召开党小组会' })
    expect(out[0]!.history[0]!.why).toBe('本月已过半，第二党小组党小组会尚未召开也未安排')
    expect(b.run(at('2026-12-01')).map((w) => `${w.groupId}:${w.level}`)).toEqual(['g2:red'])
  })
})

describe('topics', () => {
  it('wants a topic each month, counted by its Shanghai day, and a late one makes up', () => {
    const b = new Branch([rule('topic-monthly')], facts({ since: '2026-11-01' }))
    expect(b.run(at('2026-11-15'))).toEqual([])
    const [y] = b.run(at('2026-11-16'))
    expect(y).toMatchObject({ title: '2026年11月未发布朋友圈话题', level: 'yellow' })
    expect(y!.history[0]!.why).toBe('本月已过半，尚未发布朋友圈话题')
    b.facts = { ...b.facts, topics: [{ id: 't1', createdAt: '2026-11-30T16:30:00.000Z' }] } // December 1st, 00:30
    const [nov] = b.run(at('2026-12-01', '08:00'))
    expect(nov).toMatchObject({ period: '2026-11', level: 'red', clearReason: '已补发朋友圈话题（12月1日）' })
    expect(b.run(at('2026-12-16'))).toEqual([])
  })
})

type Attendance = BranchFacts['attendance'][number]
const present = (meetingId: string, memberIds: string[], startsAt: string): Attendance[] =>
  memberIds.map((memberId) => ({ meetingId, memberId, mode: 'onsite', checkedInAt: startsAt, remoteSeconds: 0 }))

describe('attendance rates over the last 90 days', () => {
  const migrants = ids(10).map((id, i) => ({ id, name: id, away: i >= 8, partyGroupId: null, endedAt: null }))

  it('warns below the threshold, with leaves excused but not present, over today − 89 … today', () => {
    const m1 = meeting('m1', 'theme_day', at('2026-11-05'))
    const old = meeting('old', 'theme_day', at('2026-08-11'))
    const f = facts({
      members: migrants,
      meetings: [m1, old],
      attendance: [...present('m1', ids(7), m1.startsAt), ...present('old', ids(10), old.startsAt)],
      leaves: [{ meetingId: 'm1', memberId: 'm8', status: 'approved' }],
    })
    // On November 8th, August 11th is today − 89: 17 of 20 present (85%), and both migrants were there once.
    expect(new Branch([rule('attendance-rate')], f).run(at('2026-11-08', '23:59:59.999'))).toEqual([])
    const b = new Branch([rule('attendance-rate'), rule('migrant-attendance-rate')], f)
    const out = b.run(at('2026-11-09', '00:00'))
    expect(out.map((w) => `${w.ruleCode}:${w.period}:${w.level}`)).toEqual([
      'attendance-rate:2026-Q4:yellow',
      'migrant-attendance-rate:2026-Q4:yellow',
    ])
    expect(out[0]!.title).toBe('2026年第四季度参会率低于80%')
    expect(out[0]!.history[0]!.why).toBe('近一季度参会率 70.0%，低于 80%')
    expect(out[1]!.title).toBe('2026年第四季度流动党员参会率低于60%')
    expect(out[1]!.history[0]!.why).toBe('近一季度流动党员参会率 0.0%，低于 60%')
  })

  it('clears when the rate is back, and is red when the previous quarter had one', () => {
    const m1 = meeting('m1', 'theme_day', at('2026-12-01'))
    const b = new Branch([rule('attendance-rate')], facts({ meetings: [m1], attendance: present('m1', ids(7), m1.startsAt) }))
    b.run(at('2026-12-02'))
    const [q4, q1] = b.run(at('2027-01-02'))
    expect(q1).toMatchObject({ period: '2027-Q1', level: 'red' })
    expect(q1!.history[0]!.why).toBe('近一季度参会率 70.0%，低于 80%；上季度已预警，连续两个周期预警')
    expect(q4).toMatchObject({ period: '2026-Q4', clearReason: '延续至2027年第一季度继续督办' })
    const m2 = meeting('m2', 'theme_day', at('2027-01-05'))
    b.add(m2)
    // 16 of 20: exactly the threshold is enough.
    b.facts = { ...b.facts, attendance: [...b.facts.attendance, ...present('m2', ids(9), m2.startsAt)] }
    const cleared = b.run(at('2027-01-05', '12:00'))
    expect(cleared.map((w) => `${w.period}:${w.clearReason}`)).toEqual(['2027-Q1:近一季度参会率回升至 80.0%'])
  })

  it('carries an open quarter into the next at Shanghai midnight, the old row cleared as continued', () => {
    const m1 = meeting('m1', 'theme_day', at('2026-12-01'))
    const f = facts({ members: migrants, meetings: [m1], attendance: present('m1', ids(7), m1.startsAt) })
    const b = new Branch([rule('attendance-rate'), rule('migrant-attendance-rate')], f)
    expect(b.run(at('2026-12-02')).map((w) => `${w.ruleCode}:${w.period}:${w.level}`)).toEqual([
      'attendance-rate:2026-Q4:yellow',
      'migrant-attendance-rate:2026-Q4:yellow',
    ])
    expect(b.run('2026-12-31T15:59:59.999Z')).toEqual([])
    const out = b.run('2026-12-31T16:00:00.000Z')
    expect(out.map((w) => `${w.ruleCode}:${w.period}:${w.level}:${w.clearReason}`)).toEqual([
      'attendance-rate:2026-Q4:yellow:延续至2027年第一季度继续督办',
      'attendance-rate:2027-Q1:red:null',
      'migrant-attendance-rate:2026-Q4:yellow:延续至2027年第一季度继续督办',
      'migrant-attendance-rate:2027-Q1:red:null',
    ])
    expect(events(b.get('attendance-rate', '2026-Q4'))).toEqual(['opened:yellow', 'cleared:yellow'])
    // Only one row per rule stays open from here on.
    b.run(at('2027-01-20'))
    expect([...b.warnings.values()].filter((w) => w.clearedAt === null).map((w) => w.period)).toEqual(['2027-Q1', '2027-Q1'])
  })

  it('leaves a previous quarter settled by a notice as it was', () => {
    const m1 = meeting('m1', 'theme_day', at('2026-12-01'))
    const b = new Branch([rule('attendance-rate')], facts({ meetings: [m1], attendance: present('m1', ids(7), m1.startsAt) }))
    const [q4] = b.run(at('2026-12-02'))
    const why = '整改提示单已办结（2026-001）'
    b.warnings.set(q4!.id, { ...q4!, clearedAt: at('2026-12-10'), clearReason: why })
    expect(b.run(at('2027-01-02')).map((w) => `${w.period}:${w.level}:${w.clearReason}`)).toEqual(['2027-Q1:red:null'])
    expect(b.get('attendance-rate', '2026-Q4')!.clearReason).toBe(why)
  })

  it('leaves the migrant rate alone when no migrant member was expected', () => {
    const m1 = meeting('m1', 'theme_day', at('2026-12-01'))
    const b = new Branch([rule('migrant-attendance-rate')], facts({ meetings: [m1] }))
    expect(b.run(at('2026-12-02'))).toEqual([])
  })
})

describe('quorum', () => {
  it('warns when this quarter’s assembly lacked a quorum and clears when a later one had it', () => {
    const a1 = meeting('a1', 'assembly', at('2026-11-05'), { title: '十一月党员大会' })
    const b = new Branch([rule('assembly-quorum')], facts({ meetings: [a1], attendance: present('a1', ids(5), a1.startsAt) }))
    const [w] = b.run(at('2026-11-06'))
    expect(w).toMatchObject({ period: '2026-Q4', level: 'yellow', title: '2026年第四季度《十一月党员大会》未达到法定人数' })
    expect(w!.history[0]!.why).toBe('《十一月党员大会》（11月5日）应到10人、实到5人，未达到法定人数（需6人）')
    const a2 = meeting('a2', 'assembly', at('2026-12-03'), { title: '十二月党员大会' })
    b.add(a2)
    b.facts = { ...b.facts, attendance: [...b.facts.attendance, ...present('a2', ids(6), a2.startsAt)] }
    expect(b.run(at('2026-12-04'))[0]!.clearReason).toBe('《十二月党员大会》（12月3日）到会6人，达到法定人数')
  })

  it('is red when the previous quarter had one too', () => {
    const a1 = meeting('a1', 'assembly', at('2026-12-20'))
    const a2 = meeting('a2', 'assembly', at('2027-01-20'))
    const b = new Branch([rule('assembly-quorum')], facts({ meetings: [a1, a2] }))
    b.run(at('2026-12-21'))
    const [q1] = b.run(at('2027-01-21'))
    expect(q1).toMatchObject({ period: '2027-Q1', level: 'red' })
    expect(b.get('assembly-quorum', '2026-Q4')!.clearedAt).toBeNull()
  })
})

describe('overdue comments', () => {
  type Comment = BranchFacts['comments'][number]
  const comment = (id: string, deadline: string, status: Comment['status'] = 'accepted'): Comment => ({
    id,
    category: 'suggestion',
    status,
    deadline,
    createdAt: at('2026-10-01'),
    acceptedAt: at('2026-10-02'),
    closedAt: null,
  })

  it('warns by month when more than the threshold are past their deadline', () => {
    const deadline = new Date(shanghaiTime('2026-11-20', '23:59:59.999')).toISOString()
    const b = new Branch([rule('overdue-comments')], facts({ comments: [comment('c1', deadline)] }))
    expect(b.run(at('2026-11-20', '23:59:59.999'))).toEqual([])
    const [w] = b.run(at('2026-11-21', '00:00'))
    expect(w).toMatchObject({ period: '2026-11', level: 'yellow', title: '2026年11月朋友圈留言超期未办结' })
    expect(w!.history[0]!.why).toBe('1条留言已过限时办结期限')
    expect(b.run(at('2026-12-01', '00:00')).map((x) => `${x.period}:${x.level}:${x.clearReason}`)).toEqual([
      '2026-11:yellow:延续至2026年12月继续督办',
      '2026-12:red:null',
    ])
    b.facts = { ...b.facts, comments: [comment('c1', deadline, 'resolved')] }
    expect(b.run(at('2026-12-02')).map((x) => `${x.period}:${x.clearReason}`)).toEqual(['2026-12:超期留言已全部办结'])
  })

  it('opens January red at Shanghai midnight on New Year and clears December as continued in it', () => {
    const b = new Branch([rule('overdue-comments')], facts({ comments: [comment('c1', at('2026-12-10'))] }))
    expect(b.run(at('2026-12-15'))[0]).toMatchObject({ period: '2026-12', level: 'yellow' })
    expect(b.run('2026-12-31T15:59:59.999Z')).toEqual([])
    const [dec, jan] = b.run('2026-12-31T16:00:00.000Z')
    expect(jan).toMatchObject({ period: '2027-01', level: 'red', clearedAt: null, title: '2027年1月朋友圈留言超期未办结' })
    expect(dec).toMatchObject({ period: '2026-12', clearedAt: '2026-12-31T16:00:00.000Z', clearReason: '延续至2027年1月继续督办' })
    expect(dec!.history.at(-1)).toEqual({
      at: '2026-12-31T16:00:00.000Z',
      event: 'cleared',
      level: 'yellow',
      why: '延续至2027年1月继续督办',
    })
    // February goes on from January the same way; December, already cleared, is left alone.
    const feb = b.run(at('2027-02-01', '00:00'))
    expect(feb.map((x) => `${x.period}:${x.level}:${x.clearReason}`)).toEqual(['2027-01:red:延续至2027年2月继续督办', '2027-02:red:null'])
  })

  it('tolerates up to the threshold', () => {
    const past = at('2026-11-01')
    const two = [comment('c1', past), comment('c2', past)]
    const b = new Branch([rule('overdue-comments', { threshold: 2 })], facts({ comments: two }))
    expect(b.run(at('2026-11-10'))).toEqual([])
    b.facts = { ...b.facts, comments: [...two, comment('c3', past)] }
    expect(b.run(at('2026-11-10'))[0]!.history[0]!.why).toBe('3条留言已过限时办结期限（超过2条）')
  })
})

describe('the engine as a whole', () => {
  it('changes nothing on its own output, day after day, with every default rule', () => {
    const a = meeting('a1', 'assembly', at('2026-10-20'), { expectedIds: ids(10) })
    const b = new Branch([...DEFAULT_WARNING_RULES], facts({ meetings: [a], attendance: present('a1', ids(4), a.startsAt) }))
    for (let day = Date.parse('2026-09-25T00:00:00Z'); day < Date.parse('2027-02-20T00:00:00Z'); day += 86_400_000 * 3) {
      const out = b.run(new Date(day).toISOString())
      expect(out.map((w) => w.id)).toEqual([...out.map((w) => w.id)].sort())
    }
    const open = [...b.warnings.values()].filter((w) => w.clearedAt === null)
    expect(open.length).toBeGreaterThan(5)
    for (const w of b.warnings.values()) expect(w.history.length).toBeGreaterThan(0)
  })
})
