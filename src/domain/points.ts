// The quantified points rules (党员量化积分): a pure function from published rules, new events and the
// member's existing ledger to new ledger entries (issue 4). The server is the only caller that writes.
import { addDays, monthOf, yearOf } from './calendar'
import { calendarDay, line, ref, text, z } from './validation'

export const POINT_CATEGORIES = ['study', 'quiz', 'org_life', 'volunteer', 'violation', 'board'] as const
export type PointCategory = (typeof POINT_CATEGORIES)[number]
export const CATEGORY_LABELS: Record<PointCategory, string> = {
  study: '日常学习',
  quiz: '答题考试',
  org_life: '组织生活',
  volunteer: '志愿服务',
  violation: '违规扣分',
  board: '建言献策',
}

export const EVENT_KINDS = [
  'study.article',
  'study.media',
  'quiz.daily',
  'quiz.weekly',
  'quiz.exam',
  'meeting.attended',
  'meeting.absent',
  'manual.volunteer',
  'manual.violation',
  'board.adopted',
] as const
export type EventKind = (typeof EVENT_KINDS)[number]

/**
 * How an event's quantity becomes points:
 * - `event`: `points` once when the quantity (active seconds) reaches `threshold`;
 * - `minutes`: `points` for every whole `threshold` minutes of the quantity (active seconds);
 * - `correct`: `points` per correct answer (the quantity);
 * - `score`: the quantity is a score out of 100, `points` is what a full score earns;
 * - `manual`: the admin gives the amount (the quantity); the rule's sign says add or deduct.
 */
export const RULE_UNITS = ['event', 'minutes', 'correct', 'score', 'manual'] as const
export type RuleUnit = (typeof RULE_UNITS)[number]

const day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD'))
const cap = z.nullable(z.int().check(z.minimum(1, '上限至少为 1')))
/** A cap the admin sets: bounded, as the column is a 32-bit integer on PostgreSQL. */
const capArg = z.nullable(z.int().check(z.minimum(1, '上限至少为 1'), z.maximum(100_000, '上限不超过 100000')))

export const pointsRuleSchema = z.object({
  /** Stable across versions: a change makes a new version of the same code. */
  code: z.string().check(z.regex(/^[a-z][a-z0-9-]{1,40}$/, '规则编号只能用小写字母、数字和连字符')),
  version: z.int().check(z.minimum(1)),
  name: z.string().check(z.minLength(1, '请填写规则名称'), z.maxLength(40)),
  category: z.enum(POINT_CATEGORIES),
  eventKind: z.enum(EVENT_KINDS),
  unit: z.enum(RULE_UNITS),
  points: z.int().check(z.refine((n) => n !== 0 && Math.abs(n) <= 100, '分值须在 -100 到 100 之间且不为 0')),
  threshold: z.nullable(z.int().check(z.minimum(1))),
  dailyCap: cap,
  yearlyCap: cap,
  activeFrom: day,
  activeTo: z.nullable(day),
})
export type PointsRule = z.infer<typeof pointsRuleSchema>

/** Something that happened and may earn points: a study session, a graded quiz, an attendance, an adjustment. */
export interface PointsEvent {
  /** Unique source id: the same event never scores twice under one rule. */
  id: string
  memberId: string
  kind: EventKind
  /** The day it counts on, in Asia/Shanghai, as the server decided it. */
  day: string
  quantity: number
  reason?: string | null
}

export interface LedgerEntry {
  id: string
  memberId: string
  ruleCode: string
  ruleVersion: number
  sourceId: string
  day: string
  points: number
  reason: string | null
}

export const entryId = (ruleCode: string, sourceId: string) => `${ruleCode}:${sourceId}`

export function ruleActiveOn(rule: PointsRule, on: string): boolean {
  return rule.activeFrom <= on && (rule.activeTo === null || on <= rule.activeTo)
}

/** What the rule gives for the event before any cap. */
export function rawPoints(rule: PointsRule, event: PointsEvent): number {
  const q = Math.max(0, event.quantity)
  switch (rule.unit) {
    case 'event':
      return q >= (rule.threshold ?? 0) ? rule.points : 0
    case 'minutes':
      return Math.floor(q / ((rule.threshold ?? 1) * 60)) * rule.points
    case 'correct':
      return Math.floor(q) * rule.points
    case 'score':
      return Math.round((Math.min(q, 100) * rule.points) / 100)
    case 'manual':
      return Math.sign(rule.points) * Math.round(q)
  }
}

/** Limits `points` so the running total stays within `cap` (caps bound the size of gains and of deductions alike). */
function withinCap(points: number, total: number, limit: number | null): number {
  if (limit === null) return points
  const room = Math.max(0, limit - Math.abs(total))
  return Math.sign(points) * Math.min(Math.abs(points), room)
}

/**
 * The new ledger entries for `events`, given the rules and the ledger so far. Each rule active on the
 * event's day that listens to its kind may give one entry, named `rule:source`, so an event replayed or
 * resent never scores twice; daily and yearly caps count what that rule already gave that day or year.
 */
export function scoreEvents(rules: readonly PointsRule[], events: readonly PointsEvent[], ledger: readonly LedgerEntry[]): LedgerEntry[] {
  const seen = new Set(ledger.map((entry) => entry.id))
  const totals = new Map<string, number>()
  const add = (key: string, points: number) => totals.set(key, (totals.get(key) ?? 0) + points)
  const dayKey = (member: string, code: string, on: string) => `${member}|${code}|${on}`
  const yearKey = (member: string, code: string, on: string) => `${member}|${code}|${yearOf(on)}`
  for (const entry of ledger) {
    add(dayKey(entry.memberId, entry.ruleCode, entry.day), entry.points)
    add(yearKey(entry.memberId, entry.ruleCode, entry.day), entry.points)
  }

  const created: LedgerEntry[] = []
  for (const event of events) {
    for (const rule of rules) {
      if (rule.eventKind !== event.kind || !ruleActiveOn(rule, event.day)) continue
      const id = entryId(rule.code, event.id)
      if (seen.has(id)) continue
      const daily = dayKey(event.memberId, rule.code, event.day)
      const yearly = yearKey(event.memberId, rule.code, event.day)
      let points = rawPoints(rule, event)
      points = withinCap(points, totals.get(daily) ?? 0, rule.dailyCap)
      points = withinCap(points, totals.get(yearly) ?? 0, rule.yearlyCap)
      if (points === 0) continue
      seen.add(id)
      add(daily, points)
      add(yearly, points)
      created.push({
        id,
        memberId: event.memberId,
        ruleCode: rule.code,
        ruleVersion: rule.version,
        sourceId: event.id,
        day: event.day,
        points,
        reason: event.reason ?? null,
      })
    }
  }
  return created
}

/** Corrects an entry without touching it: a new entry of the opposite sign, which can exist only once. */
export function counterEntry(entry: LedgerEntry, reason: string, on: string): LedgerEntry {
  return {
    id: entryId(entry.ruleCode, `counter:${entry.id}`),
    memberId: entry.memberId,
    ruleCode: entry.ruleCode,
    ruleVersion: entry.ruleVersion,
    sourceId: `counter:${entry.id}`,
    day: on,
    points: -entry.points,
    reason,
  }
}

/**
 * A rule change from `from` onwards: the current version ends the day before, the new one starts on
 * `from`. History is never rewritten, so `from` can't be before `today`.
 */
export function reviseRule(
  rules: readonly PointsRule[],
  code: string,
  change: Partial<Pick<PointsRule, 'name' | 'points' | 'threshold' | 'dailyCap' | 'yearlyCap' | 'activeTo'>>,
  from: string,
  today: string,
): PointsRule[] {
  if (from < today) throw new Error('规则修改只能从今天或以后生效，不能改变历史积分')
  const current = rules.filter((r) => r.code === code).sort((a, b) => b.version - a.version)[0]
  if (!current) throw new Error(`没有编号为 ${code} 的规则`)
  if (current.activeFrom >= from) throw new Error('该规则已有从此日期起生效的版本')
  const ended = { ...current, activeTo: addDays(from, -1) }
  const next: PointsRule = {
    ...current,
    ...change,
    version: current.version + 1,
    activeFrom: from,
    activeTo: change.activeTo ?? current.activeTo,
  }
  return [...rules.filter((r) => r !== current), ended, next]
}

export interface PointTotals {
  today: number
  month: number
  year: number
  all: number
}

export function totalsOf(entries: readonly Pick<LedgerEntry, 'day' | 'points'>[], today: string): PointTotals {
  const totals: PointTotals = { today: 0, month: 0, year: 0, all: 0 }
  for (const { day: on, points } of entries) {
    totals.all += points
    if (yearOf(on) !== yearOf(today)) continue
    totals.year += points
    if (monthOf(on) !== monthOf(today)) continue
    totals.month += points
    if (on === today) totals.today += points
  }
  return totals
}

export interface Ranked<T> {
  item: T
  points: number
  /** Standard competition ranking: equal points share a place, the next place skips (1, 2, 2, 4). */
  place: number
}

export function rank<T>(items: readonly T[], pointsOf: (item: T) => number, tieBreak: (a: T, b: T) => number): Ranked<T>[] {
  const sorted = [...items]
    .map((item) => ({ item, points: pointsOf(item) }))
    .sort((a, b) => b.points - a.points || tieBreak(a.item, b.item))
  let place = 0
  return sorted.map((row, index) => {
    if (index === 0 || row.points !== sorted[index - 1]!.points) place = index + 1
    return { ...row, place }
  })
}

/** A rule as devices receive it (the synced `points_rules` table): every synced row is keyed by `id`. */
export const ruleRowSchema = z.extend(pointsRuleSchema, { id: z.string() })
export type RuleRow = z.infer<typeof ruleRowSchema>
export const ruleRowId = (rule: Pick<PointsRule, 'code' | 'version'>) => `${rule.code}@${rule.version}`

/** A ledger entry as the member's device receives it (the synced `points` table, private to the member). */
export const ledgerRowSchema = z.object({
  id: z.string(),
  ruleCode: z.string(),
  ruleVersion: z.int(),
  sourceId: z.string(),
  day: day,
  points: z.int(),
  reason: z.nullable(z.string()),
  createdAt: z.string(),
})
export type LedgerRow = z.infer<typeof ledgerRowSchema>

export const rankingQuerySchema = z.object({
  scope: z.enum(['branch', 'town']),
  period: z.enum(['month', 'year']),
})
export type RankingQuery = z.infer<typeof rankingQuerySchema>

/** A ranking as the app shows it: names and branches only, never phone numbers (issue 4, privacy). */
export interface RankingReply {
  scope: 'branch' | 'town'
  period: string
  /** No ids: the demo data's ids contain phone numbers, and a ranking needs none. */
  rows: { name: string; branchName: string; points: number; place: number; isMe: boolean }[]
  me: { place: number; points: number } | null
}

export function periodKey(period: 'month' | 'year', today: string): string {
  return period === 'month' ? monthOf(today) : yearOf(today)
}

const reason = text({ trim: true, min: 2, max: 200, tooShort: '请写明原因（至少2个字）', tooLong: '原因不超过200字' })

/** The admin adds points for volunteer service or deducts them for a violation, always with a reason. */
export const pointsAdjustArgsSchema = z.object({
  adjustmentId: z.string().check(z.regex(/^[0-9a-f-]{36}$/i, 'adjustmentId 应为 UUID')),
  memberId: ref(),
  kind: z.enum(['volunteer', 'violation']),
  amount: z.int().check(z.minimum(1, '分值至少为 1'), z.maximum(50, '单次调整不超过 50 分')),
  reason,
})
export type PointsAdjustArgs = z.infer<typeof pointsAdjustArgsSchema>

/** A wrong entry is corrected by a counter-entry, never deleted. */
export const pointsCorrectArgsSchema = z.object({ entryId: ref(200), reason })
export type PointsCorrectArgs = z.infer<typeof pointsCorrectArgsSchema>

/** The admin changes a rule from a day forward (today or later); history keeps the old version. */
export const rulesReviseArgsSchema = z.object({
  code: ref(64),
  from: calendarDay(),
  change: z.object({
    name: z.optional(line({ trim: true, min: 1, max: 40, tooShort: '请填写规则名称', tooLong: '规则名称不超过40字' })),
    points: z.optional(pointsRuleSchema.shape.points),
    threshold: z.optional(z.nullable(z.int().check(z.minimum(1, '门槛至少为 1'), z.maximum(86_400, '门槛不超过 86400')))),
    dailyCap: z.optional(capArg),
    yearlyCap: z.optional(capArg),
  }),
})
export type RulesReviseArgs = z.infer<typeof rulesReviseArgsSchema>

/** `GET /api/points/ledger`: one member's ledger for the admin, newest first, a page at a time. */
export const memberLedgerQuerySchema = z.object({
  memberId: ref(128, '请指定党员'),
  /** The `nextBefore` of the previous page. */
  before: z.optional(ref(400)),
})
export type MemberLedgerQuery = z.infer<typeof memberLedgerQuerySchema>

export const MEMBER_LEDGER_PAGE = 50

/** Where an entry came from, by the prefix of its source id. */
export const LEDGER_SOURCES = ['study', 'quiz', 'meeting', 'adjust', 'counter', 'other'] as const
export type LedgerSource = (typeof LEDGER_SOURCES)[number]
export const LEDGER_SOURCE_LABELS: Record<LedgerSource, string> = {
  study: '学习记录',
  quiz: '答题考试',
  meeting: '组织生活',
  adjust: '管理员调整',
  counter: '更正',
  other: '其他',
}
export function ledgerSourceOf(sourceId: string): LedgerSource {
  const prefix = sourceId.slice(0, sourceId.indexOf(':'))
  return (LEDGER_SOURCES as readonly string[]).includes(prefix) ? (prefix as LedgerSource) : 'other'
}

/** The id the counter-entry of an entry gets (`counterEntry`), so "already corrected" is one lookup. */
export const counterEntryId = (entry: Pick<LedgerEntry, 'id' | 'ruleCode'>) => entryId(entry.ruleCode, `counter:${entry.id}`)

export interface MemberLedgerEntry {
  id: string
  ruleCode: string
  /** The rule's name in the version that scored the entry (the code if that version is gone). */
  ruleName: string
  day: string
  points: number
  reason: string | null
  sourceId: string
  source: LedgerSource
  createdAt: string
  /** The name of the admin who made it (adjustments, corrections); null for entries the rules gave. */
  createdBy: string | null
  /** A counter-entry (`counter:<id>`): it corrects `corrects` and can't be corrected itself. */
  correction: boolean
  corrects: string | null
  /** The counter-entry made for this entry, if any: an entry is corrected at most once. */
  correctedBy: { id: string; day: string; reason: string | null; createdBy: string | null } | null
}

export interface MemberLedgerReply {
  member: { id: string; name: string; branchName: string | null }
  /** The member's net points this month and this year (Asia/Shanghai), as the rankings count them. */
  totals: { month: number; year: number }
  entries: MemberLedgerEntry[]
  /** Pass as `before` for the next page; null when this is the last. */
  nextBefore: string | null
}
