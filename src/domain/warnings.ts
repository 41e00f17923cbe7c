// The warning engine (issue 13): a branch's facts and the rules in force → the warnings that are new or
// changed. Pure; periods are Asia/Shanghai's (./periods). What it decides:
// - Rule versions: the one active on a period's last day judges it, today's the current period. A rule
//   disabled today raises nothing and clears all its open warnings (规则已停用). A meeting or topic
//   period is judged only if an enabled version was active on its first day and the branch existed then
//   (`facts.since`). A row opened red has `escalatedAt` = `openedAt`.
// - `meeting` / `topic`, per item (per current party group with `perGroup`): in the current period P,
//   once half of it has passed (from + floor(days / 2)) with held + scheduled < minCount → yellow, red
//   when P-1 had a warning too (连续两个周期预警); held or scheduled enough → it clears (and may reopen).
//   P-1 ended with held < minCount → red for P-1; a make-up held after P-1 clears it. A red once cleared
//   (or anything settled by a 整改提示单) never reopens; periods before P-1 are never touched.
// - `attendance` / `migrant_attendance` (last 90 days), `quorum` (this quarter's latest assembly) and
//   `overdue_comments` (now) are states keyed by the current quarter or month: below the bar → yellow,
//   red when the previous quarter/month had one; back above → the current and the previous clear. The
//   attendance rates and overdue comments are one state going on: once the new period's row is open, the
//   previous one still open is cleared as continued in it (延续至…继续督办), not left open beside it.
//   A quorum warning is about one assembly, so the previous quarter's stands on its own.
// Every change appends to `history`; rows keep their `ruleVersion` and `rectificationId`.
import { addDays, dayInShanghai } from './calendar'
import { attendanceRates, quorum, MEETING_TYPE_LABELS, type MeetingRow } from './meetings'
import type { BranchFacts } from './branchFacts'
import { CURRENT_PERIOD_WORDS, inPeriod, halfPassed, periodLabel, periodOf, periodRange, previousPeriod } from './periods'
import type { WarningRow, WarningRule } from './supervision'
import { Ledger, type Item, type Want } from './warningLedger'

export interface SuperviseInput {
  /** Every version of every rule: the one in force on a period's last day (or today) applies. */
  rules: readonly WarningRule[]
  facts: BranchFacts
  /** The branch's warnings so far, open and cleared (at least the current and the previous periods'). */
  warnings: readonly WarningRow[]
  /** The server's time, ISO; periods are Asia/Shanghai's. */
  now: string
}

export const RULE_DISABLED_WHY = '规则已停用'
export const CONSECUTIVE_WHY = '连续两个周期预警'
/** How the server's clearing on an accepted 整改提示单 begins: such a warning is settled for good. */
export const SETTLED_BY_NOTICE_PREFIX = '整改提示单'

/** The version of a rule in force on a day: the highest active one. */
export function ruleInForce(rules: readonly WarningRule[], code: string, day: string): WarningRule | undefined {
  let found: WarningRule | undefined
  for (const r of rules) {
    if (r.code !== code || r.activeFrom > day || (r.activeTo !== null && r.activeTo < day)) continue
    if (!found || r.version > found.version) found = r
  }
  return found
}

/** The party group a group meeting is for: the one most of its grouped expected members belong to. */
export function meetingGroupOf(meeting: Pick<MeetingRow, 'expectedIds'>, memberGroup: ReadonlyMap<string, string | null>): string | null {
  const counts = new Map<string, number>()
  let grouped = 0
  for (const id of meeting.expectedIds) {
    const group = memberGroup.get(id)
    if (!group) continue
    grouped++
    counts.set(group, (counts.get(group) ?? 0) + 1)
  }
  for (const [group, n] of counts) if (n * 2 > grouped) return group
  return null
}

const everRed = (w: WarningRow) => w.level === 'red' || w.history.some((h) => h.level === 'red')
const settledByNotice = (w: WarningRow) => w.clearReason?.startsWith(SETTLED_BY_NOTICE_PREFIX) ?? false
const monthDay = (day: string) => `${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`
const percent = (present: number, expected: number) => `${((present * 100) / expected).toFixed(1)}%`
const PREVIOUS_WORDS = { month: '上月', quarter: '上季度', year: '上年度' } as const

/** The warnings that are new or changed (opened, escalated, cleared, with history appended). */
export function superviseBranch(input: SuperviseInput): WarningRow[] {
  const { facts, rules, now } = input
  const today = dayInShanghai(now)
  const own = input.warnings.filter((w) => w.branchId === facts.branchId)
  const ledger = new Ledger(new Map(own.map((w) => [w.id, w])), facts.branchId, now)
  const run: Run = { facts, rules, now, today, ledger }
  for (const code of [...new Set(rules.map((r) => r.code))].sort()) {
    const rule = ruleInForce(rules, code, today)
    if (!rule) continue
    if (!rule.enabled) {
      for (const w of own) if (w.ruleCode === code) ledger.clear(w.id, RULE_DISABLED_WHY)
      continue
    }
    if (rule.kind === 'meeting' || rule.kind === 'topic') superviseCounted(run, rule)
    else if (rule.kind === 'quorum') superviseQuorum(run, rule)
    else if (rule.kind === 'overdue_comments') superviseOverdueComments(run, rule)
    else superviseAttendance(run, rule)
  }
  return ledger.result()
}

interface Run {
  facts: BranchFacts
  rules: readonly WarningRule[]
  now: string
  today: string
  ledger: Ledger
  /** The last 90 days' attendance rates, computed once for both attendance rules. */
  quarterRates?: ReturnType<typeof attendanceRates>
}

// ------------------------------------------------------------------------------ meetings and topics

/** Something that counts towards a periodic rule: a held or scheduled meeting, or a topic. */
interface Occurrence {
  day: string
  startsAt: string
  title: string | null
}

/** Whether a period is judged at all: an enabled version already active on its first day, the branch too. */
function judged(run: Run, code: string, key: string): boolean {
  const { from } = periodRange(key)
  const rule = ruleInForce(run.rules, code, from)
  return !!rule && rule.enabled && (run.facts.since === null || run.facts.since <= from)
}

function superviseCounted(run: Run, current: WarningRule): void {
  const kind = current.period
  if (!kind) return
  const { facts, ledger } = run
  const period = periodOf(kind, run.today)
  const prev = previousPeriod(period)
  const prevRule = ruleInForce(run.rules, current.code, periodRange(prev).to)
  const groups = current.perGroup ? facts.groups.filter((g) => g.archivedAt === null) : [{ id: null, name: '' }]
  const memberGroup = new Map(facts.members.map((m) => [m.id, m.partyGroupId]))
  // The rule's meetings with their days and groups, once for all its groups.
  const ofType = current.kind === 'topic' ? [] : facts.meetings.filter((m) => m.type === current.meetingType)
  const groupOf = new Map<string, string | null>()
  if (current.perGroup) for (const m of ofType) groupOf.set(m.id, meetingGroupOf(m, memberGroup))
  const dayOf = new Map(ofType.map((m) => [m.id, dayInShanghai(m.startsAt)]))
  for (const group of groups) {
    const held: Occurrence[] = []
    const scheduled: Occurrence[] = []
    if (current.kind === 'topic') {
      for (const t of facts.topics) held.push({ day: dayInShanghai(t.createdAt), startsAt: t.createdAt, title: null })
    } else {
      for (const m of ofType) {
        if (group.id !== null && groupOf.get(m.id) !== group.id) continue
        const o = { day: dayOf.get(m.id)!, startsAt: m.startsAt, title: m.title }
        if (m.status === 'closed' && m.minutes?.trim()) held.push(o)
        else if (m.status === 'scheduled') scheduled.push(o)
      }
    }
    const byStart = (a: Occurrence, b: Occurrence) => (a.startsAt < b.startsAt ? -1 : a.startsAt > b.startsAt ? 1 : 0)
    held.sort(byStart)
    scheduled.sort(byStart)
    const words = wordsFor(current, group.name)
    const within = (list: Occurrence[], key: string) => {
      const { from, to } = periodRange(key)
      return list.filter((o) => o.day >= from && o.day <= to)
    }
    const heldIn = (key: string) => within(held, key)

    // The previous period first: whether it had a warning decides the current one's level.
    if (prevRule?.enabled && prevRule.period === kind && judged(run, current.code, prev)) {
      const item: Item = { rule: prevRule, period: prev, groupId: group.id, title: words.title(prev, prevRule.minCount) }
      const done = heldIn(prev)
      const id = ledger.idOf(item)
      if (done.length >= prevRule.minCount) {
        ledger.clear(id, words.done(done[prevRule.minCount - 1]!))
      } else {
        ledger.raise(
          item,
          { level: 'red', why: words.missed(prev, done.length, prevRule.minCount) },
          (w) => !everRed(w) && !settledByNotice(w),
        )
        const makeUp = held.find((o) => o.day > periodRange(prev).to)
        if (makeUp) ledger.clear(id, words.madeUp(makeUp))
      }
    }

    if (!judged(run, current.code, period)) continue
    const item: Item = { rule: current, period, groupId: group.id, title: words.title(period, current.minCount) }
    const done = heldIn(period)
    const planned = within(scheduled, period)
    if (done.length >= current.minCount) {
      ledger.clear(ledger.idOf(item), words.done(done[current.minCount - 1]!))
    } else if (halfPassed(period, run.today) && done.length + planned.length < current.minCount) {
      const repeated = ledger.get(ledger.idOf({ ...item, period: prev })) !== undefined
      const why = words.behind(done.length, planned.length, current.minCount)
      const want: Want = repeated
        ? { level: 'red', why: `${why}；${PREVIOUS_WORDS[kind]}已预警，${CONSECUTIVE_WHY}` }
        : { level: 'yellow', why }
      ledger.raise(item, want, (w) => !settledByNotice(w))
    } else if (planned.length > 0) {
      ledger.clear(ledger.idOf(item), words.planned(planned[0]!))
    }
  }
}

/** How a meeting or topic rule speaks, in Chinese, of its periods. */
function wordsFor(rule: WarningRule, groupName: string) {
  const topic = rule.kind === 'topic'
  const type = topic ? '朋友圈话题' : rule.meetingType ? MEETING_TYPE_LABELS[rule.meetingType] : ''
  const what = `${groupName}${type}`
  const [verb, unit] = topic ? ['发布', '个'] : ['召开', '次']
  const thisPeriod = CURRENT_PERIOD_WORDS[rule.period ?? 'month']
  const named = (o: Occurrence) => `${o.title === null ? type : `《${o.title}》`}（${monthDay(o.day)}）`
  return {
    title: (key: string, min: number) =>
      min === 1 ? `${periodLabel(key)}${groupName}未${verb}${type}` : `${periodLabel(key)}${what}不足${min}${unit}`,
    behind: (done: number, planned: number, min: number) =>
      min > 1
        ? `${thisPeriod}已过半，${what}已${verb}${done}${unit}${topic ? '' : `、已安排${planned}次`}，不足${min}${unit}`
        : topic
          ? `${thisPeriod}已过半，尚未发布朋友圈话题`
          : `${thisPeriod}已过半，${what}尚未召开也未安排`,
    missed: (key: string, done: number, min: number) =>
      done === 0
        ? `${periodLabel(key)}已结束，${what}未${verb}`
        : `${periodLabel(key)}已结束，${what}只${verb}${done}${unit}，不足${min}${unit}`,
    done: (o: Occurrence) => `已${verb}${named(o)}`,
    planned: (o: Occurrence) => `已安排${named(o)}`,
    madeUp: (o: Occurrence) => `${topic ? '已补发' : '已补开'}${named(o)}`,
  }
}

// -------------------------------------------------------------------------- states of the branch now

/** A state rule's item keyed by the current quarter or month, and the previous one's id. */
function stateItem(run: Run, rule: WarningRule, kind: 'quarter' | 'month', title: (key: string) => string) {
  const period = periodOf(kind, run.today)
  const item: Item = { rule, period, groupId: null, title: title(period) }
  const prevId = run.ledger.idOf({ ...item, period: previousPeriod(period) })
  return { item, prevId, repeated: run.ledger.get(prevId) !== undefined, word: PREVIOUS_WORDS[kind] }
}

/** Why the previous period's row of a continuing state clears: 延续至2027年1月继续督办. */
export const continuedWhy = (period: string) => `延续至${periodLabel(period)}继续督办`

/**
 * Raise the current item (red when the previous one had a warning), or clear both. `continues`: the
 * state is the same one going on, so the open current row takes over from the previous one.
 */
function settle(run: Run, s: ReturnType<typeof stateItem>, bad: string | null, fine: string, continues = true): void {
  if (bad !== null) {
    const want: Want = s.repeated ? { level: 'red', why: `${bad}；${s.word}已预警，${CONSECUTIVE_WHY}` } : { level: 'yellow', why: bad }
    run.ledger.raise(s.item, want, (w) => !settledByNotice(w))
    if (continues && run.ledger.get(run.ledger.idOf(s.item))?.clearedAt === null) run.ledger.clear(s.prevId, continuedWhy(s.item.period))
  } else {
    run.ledger.clear(run.ledger.idOf(s.item), fine)
    run.ledger.clear(s.prevId, fine)
  }
}

function quarterRates(run: Run): ReturnType<typeof attendanceRates> {
  if (run.quarterRates) return run.quarterRates
  const { facts } = run
  const from = addDays(run.today, -89)
  const meetings = facts.meetings.filter((m) => {
    const day = dayInShanghai(m.startsAt)
    return m.status === 'closed' && day >= from && day <= run.today
  })
  // Only these meetings' rows: the facts hold thirteen months of them.
  const ids = new Set(meetings.map((m) => m.id))
  const attendance = facts.attendance.filter((a) => ids.has(a.meetingId))
  const leaves = facts.leaves.filter((l) => ids.has(l.meetingId))
  const awayIds = new Set(facts.members.filter((m) => m.away).map((m) => m.id))
  return (run.quarterRates = attendanceRates({ meetings, attendance, leaves, awayIds }))
}

function superviseAttendance(run: Run, rule: WarningRule): void {
  const rates = quarterRates(run)
  const migrant = rule.kind === 'migrant_attendance'
  const rate = migrant ? rates.away : rates.overall
  const threshold = rule.threshold ?? 0
  const who = migrant ? '流动党员' : ''
  const s = stateItem(run, rule, 'quarter', (key) => `${periodLabel(key)}${who}参会率低于${threshold}%`)
  if (rate.expected === 0) return settle(run, s, null, `近一季度没有${who}应参会的会议`)
  const shown = percent(rate.present, rate.expected)
  const low = rate.present * 100 < threshold * rate.expected
  settle(run, s, low ? `近一季度${who}参会率 ${shown}，低于 ${threshold}%` : null, `近一季度${who}参会率回升至 ${shown}`)
}

function superviseQuorum(run: Run, rule: WarningRule): void {
  const { facts } = run
  const quarter = periodOf('quarter', run.today)
  const assemblies = facts.meetings
    .filter((m) => m.type === 'assembly' && m.status === 'closed' && inPeriod(quarter, dayInShanghai(m.startsAt)))
    .sort((a, b) => (a.startsAt < b.startsAt ? -1 : a.startsAt > b.startsAt ? 1 : 0))
  const latest = assemblies.at(-1)
  const s = stateItem(run, rule, 'quarter', (key) => `${periodLabel(key)}《${latest?.title ?? ''}》未达到法定人数`)
  if (!latest) return
  const awayIds = new Set<string>()
  const ofLatest = <R extends { meetingId: string }>(rows: readonly R[]) => rows.filter((r) => r.meetingId === latest.id)
  const rate = attendanceRates({
    meetings: [latest],
    attendance: ofLatest(facts.attendance),
    leaves: ofLatest(facts.leaves),
    awayIds,
  }).overall
  const { needed, met } = quorum(rate.expected, rate.present)
  const named = `《${latest.title}》（${monthDay(dayInShanghai(latest.startsAt))}）`
  const bad = met ? null : `${named}应到${rate.expected}人、实到${rate.present}人，未达到法定人数（需${needed}人）`
  settle(run, s, bad, `${named}到会${rate.present}人，达到法定人数`, false)
}

function superviseOverdueComments(run: Run, rule: WarningRule): void {
  const at = Date.parse(run.now)
  const count = run.facts.comments.filter((c) => c.status === 'accepted' && c.deadline !== null && Date.parse(c.deadline) < at).length
  const threshold = rule.threshold ?? 0
  const s = stateItem(run, rule, 'month', (key) => `${periodLabel(key)}朋友圈留言超期未办结`)
  const bad = count > threshold ? `${count}条留言已过限时办结期限${threshold > 0 ? `（超过${threshold}条）` : ''}` : null
  settle(run, s, bad, count === 0 ? '超期留言已全部办结' : `超期留言已降至${count}条`)
}
