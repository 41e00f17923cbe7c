// 总览 (issue 13): the figures the town committee and a branch's secretary see. The server computes them
// from each branch's facts with `branchOverview` / `townOverview` and sends them as synced rows
// (`overviews`, in `office:` scopes), so a device shows exactly the server's numbers, offline, with the
// time they were computed.
import { z } from './validation'
import type { BranchFacts } from './branchFacts'
import { quarterOf } from './calendar'
import { addAttendance, clockAt, noAttendance, sumTallies, tallyBranch, type Attendance, type Clock, type Tally } from './overviewTally'
import type { RectificationRow, WarningLevel, WarningRow } from './supervision'

export const LIGHTS = ['green', 'yellow', 'red'] as const
export type Light = (typeof LIGHTS)[number]
export const LIGHT_LABELS: Record<Light, string> = { green: '正常', yellow: '预警', red: '严重' }

/** The items of the branch table, each with a traffic light. */
export const OVERVIEW_ITEMS = ['meetings', 'attendance', 'migrant', 'study', 'comments', 'notices'] as const
export type OverviewItem = (typeof OVERVIEW_ITEMS)[number]
export const OVERVIEW_ITEM_LABELS: Record<OverviewItem, string> = {
  meetings: '组织生活',
  attendance: '参会率',
  migrant: '流动党员',
  study: '学习',
  comments: '朋友圈',
  notices: '整改',
}

/** A share, 0–100 with one decimal, or null when there was nothing to count. */
const pct = z.nullable(z.number())

export const overviewFiguresSchema = z.object({
  members: z.int(),
  migrantMembers: z.int(),
  /** This quarter (`2026-Q4`) so far. */
  quarter: z.string(),
  attendance: z.object({ all: pct, onsite: pct, remote: pct, migrant: pct }),
  /** Share of current members who studied at least once in the last 7 / 30 days. */
  study: z.object({ last7: pct, last30: pct }),
  /** This year's points per current member. */
  averagePoints: z.number(),
  /**
   * 朋友圈: the comments posted this year, how many of those were resolved, and resolved by their deadline;
   * `overdue`: every comment accepted and past its deadline now, whatever year it was posted.
   */
  comments: z.object({ received: z.int(), resolved: z.int(), resolvedOnTime: z.int(), overdue: z.int() }),
  /** Open warnings by level. */
  warnings: z.object({ yellow: z.int(), red: z.int() }),
  /** Notices not yet accepted: within their deadline (`open`: 待整改, 待审核 or 已退回) or past it (`overdue`); they don't overlap. */
  notices: z.object({ open: z.int(), overdue: z.int() }),
  /** An overdue 整改提示单 was escalated and isn't closed yet. */
  flagged: z.boolean(),
})
export type OverviewFigures = z.infer<typeof overviewFiguresSchema>

/**
 * One month of the trend: attendance at the closed meetings that started in it (all, migrant members);
 * the share of the members current at its end who studied in it; and of the comments due in it (resolved,
 * or accepted and past the deadline), the share resolved by the deadline.
 */
export const trendPointSchema = z.object({
  month: z.string(),
  attendance: pct,
  migrant: pct,
  study: pct,
  commentsOnTime: pct,
})
export type TrendPoint = z.infer<typeof trendPointSchema>

/** The year's summary, like the Xinhang report. */
export const yearSummarySchema = z.object({
  year: z.string(),
  /** Warnings opened this year: red if they ever reached red, else yellow. */
  warnings: z.object({ yellow: z.int(), red: z.int() }),
  /** Notices issued this year and where they stand: accepted + overdue + open = issued. */
  notices: z.object({ issued: z.int(), accepted: z.int(), overdue: z.int(), open: z.int() }),
  /** The first quarter's rate with closed meetings this year, and this quarter's. */
  attendanceStart: pct,
  attendanceNow: pct,
  migrantStart: pct,
  migrantNow: pct,
  topics: z.int(),
  commentsByCategory: z.record(z.string(), z.int()),
  commentsResolved: z.int(),
})
export type YearSummary = z.infer<typeof yearSummarySchema>

/** One overview: the town's (`id: 'town'`) or a branch's (`id` = the branch id). */
export const overviewRowSchema = z.object({
  id: z.string(),
  branchId: z.nullable(z.string()),
  name: z.string(),
  /** When the server computed it, and the Shanghai day it is about. */
  computedAt: z.string(),
  day: z.string(),
  figures: overviewFiguresSchema,
  lights: z.record(z.enum(OVERVIEW_ITEMS), z.enum(LIGHTS)),
  /** The last 12 months, oldest first. */
  trend: z.array(trendPointSchema),
  year: yearSummarySchema,
  /** A branch's members by this year's points, highest first (a branch row only; empty for the town). */
  ranking: z.array(z.object({ memberId: z.string(), name: z.string(), points: z.number() })),
})
export type OverviewRow = z.infer<typeof overviewRowSchema>

// ------------------------------------------------------------------------------------- the computation

/**
 * The study light: red when fewer than 30% of the current members studied in the last 30 days, yellow
 * below 60%. The town's own choice of bar, not a national norm: it asks for most members to study monthly.
 */
export const STUDY_RED_BELOW = 30
export const STUDY_YELLOW_BELOW = 60

/** What supervision has raised so far: the warnings and notices (of any branch; each row keeps its own). */
export interface SupervisionState {
  warnings: readonly WarningRow[]
  rectifications: readonly RectificationRow[]
}

/** A share in percent with one decimal, or null when there was nothing to count. */
const share = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : null)

const LIGHT_RANK: Record<Light, number> = { green: 0, yellow: 1, red: 2 }
const worse = (a: Light, b: Light): Light => (LIGHT_RANK[b] > LIGHT_RANK[a] ? b : a)
const lightOf = (...levels: (WarningLevel | undefined)[]): Light => levels.reduce<Light>((l, level) => worse(l, level ?? 'green'), 'green')

function lightsOf(t: Tally): Record<OverviewItem, Light> {
  const study = share(t.studied30, t.members)
  return {
    meetings: lightOf(t.worst.meeting, t.worst.topic, t.worst.quorum),
    attendance: lightOf(t.worst.attendance),
    migrant: lightOf(t.worst.migrant_attendance),
    study: study === null ? 'green' : study < STUDY_RED_BELOW ? 'red' : study < STUDY_YELLOW_BELOW ? 'yellow' : 'green',
    comments: lightOf(t.worst.overdue_comments),
    notices: t.notices.overdue > 0 || t.flagged ? 'red' : t.notices.open > 0 ? 'yellow' : 'green',
  }
}

/** A quarter's attendance: its months' among the trend's. */
const quarterAttendance = (t: Tally, quarter: string, which: 'attendance' | 'migrant'): Attendance =>
  t.months.filter((m) => quarterOf(`${m.month}-01`) === quarter).reduce((sum, m) => addAttendance(sum, m[which]), noAttendance())

function yearSummary(t: Tally, clock: Clock): YearSummary {
  const quarters = [1, 2, 3, 4].map((q) => `${clock.year}-Q${q}`).filter((q) => q <= clock.quarter)
  // The year's first quarter with anyone expected at a closed meeting, against this quarter.
  const start = (which: 'attendance' | 'migrant') => {
    const first = quarters.map((q) => quarterAttendance(t, q, which)).find((a) => a.expected > 0)
    return first ? share(first.present, first.expected) : null
  }
  const now = (which: 'attendance' | 'migrant') => {
    const a = quarterAttendance(t, clock.quarter, which)
    return share(a.present, a.expected)
  }
  return {
    year: clock.year,
    warnings: { ...t.yearWarnings },
    notices: { ...t.yearNotices },
    attendanceStart: start('attendance'),
    attendanceNow: now('attendance'),
    migrantStart: start('migrant'),
    migrantNow: now('migrant'),
    topics: t.topics,
    commentsByCategory: { ...t.byCategory },
    commentsResolved: t.comments.resolved,
  }
}

function rowOf(
  id: string,
  branchId: string | null,
  name: string,
  t: Tally,
  lights: Record<OverviewItem, Light>,
  clock: Clock,
): OverviewRow {
  const all = quarterAttendance(t, clock.quarter, 'attendance')
  const migrant = quarterAttendance(t, clock.quarter, 'migrant')
  return {
    id,
    branchId,
    name,
    computedAt: clock.now,
    day: clock.today,
    figures: {
      members: t.members,
      migrantMembers: t.migrantMembers,
      quarter: clock.quarter,
      attendance: {
        all: share(all.present, all.expected),
        onsite: share(all.onsite, all.expected),
        remote: share(all.remote, all.expected),
        migrant: share(migrant.present, migrant.expected),
      },
      study: { last7: share(t.studied7, t.members), last30: share(t.studied30, t.members) },
      averagePoints: t.members > 0 ? Math.round((t.points / t.members) * 10) / 10 : 0,
      comments: { ...t.comments },
      warnings: { ...t.warnings },
      notices: { ...t.notices },
      flagged: t.flagged,
    },
    lights,
    trend: t.months.map((m) => ({
      month: m.month,
      attendance: share(m.attendance.present, m.attendance.expected),
      migrant: share(m.migrant.present, m.migrant.expected),
      study: share(m.studied, m.studyMembers),
      commentsOnTime: share(m.onTime, m.due),
    })),
    year: yearSummary(t, clock),
    ranking: t.ranking.map((r) => ({ ...r })),
  }
}

// The server computes every branch's row and then the town's from the same facts in one refresh: the town
// reuses the branches' tallies rather than counting everything twice.
const tallies = /* @__PURE__ */ new WeakMap<BranchFacts, { state: SupervisionState; now: string; tally: Tally }>()
const byBranch = /* @__PURE__ */ new WeakMap<
  SupervisionState,
  Map<string, { warnings: WarningRow[]; rectifications: RectificationRow[] }>
>()

function stateOf(state: SupervisionState, branchId: string) {
  let map = byBranch.get(state)
  if (!map) {
    map = new Map()
    const of = (id: string) => map!.get(id) ?? map!.set(id, { warnings: [], rectifications: [] }).get(id)!
    for (const w of state.warnings) of(w.branchId).warnings.push(w)
    for (const r of state.rectifications) of(r.branchId).rectifications.push(r)
    byBranch.set(state, map)
  }
  return map.get(branchId) ?? { warnings: [], rectifications: [] }
}

function tallyOf(facts: BranchFacts, state: SupervisionState, clock: Clock): Tally {
  const cached = tallies.get(facts)
  if (cached && cached.state === state && cached.now === clock.now) return cached.tally
  const own = stateOf(state, facts.branchId)
  const tally = tallyBranch(facts, own.warnings, own.rectifications, clock)
  tallies.set(facts, { state, now: clock.now, tally })
  return tally
}

/** A branch's overview row (`id` = its branch id) as of `now` (ISO), from its facts and its warnings and notices in `state`. */
export function branchOverview(facts: BranchFacts, state: SupervisionState, now: string): OverviewRow {
  const clock = clockAt(now)
  const tally = tallyOf(facts, state, clock)
  return rowOf(facts.branchId, facts.branchId, facts.branchName, tally, lightsOf(tally), clock)
}

/** The town's row (`id: 'town'`): its branches' raw counts added up (never their percentages averaged), each light the worst of theirs. */
export function townOverview(townName: string, branches: readonly BranchFacts[], state: SupervisionState, now: string): OverviewRow {
  const clock = clockAt(now)
  const each = branches.map((facts) => tallyOf(facts, state, clock))
  const lights = Object.fromEntries(OVERVIEW_ITEMS.map((item) => [item, 'green'])) as Record<OverviewItem, Light>
  for (const t of each) {
    const own = lightsOf(t)
    for (const item of OVERVIEW_ITEMS) lights[item] = worse(lights[item], own[item])
  }
  return { ...rowOf('town', null, townName, sumTallies(each, clock), lights, clock), ranking: [] }
}
