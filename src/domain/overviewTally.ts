// The raw counts behind an overview row (issue 13): whole numbers per branch, so that the town's row can
// add its branches' counts up (never average their percentages). ./overview turns them into shares and lights.
// Fast on purpose: the server tallies every branch of a 2,300-member town on each refresh, so each array of
// the facts is walked once, with Maps by id, and the hot loops (attendance, study days) parse no dates.
import { COMMENT_CATEGORIES, type CommentCategory } from './board'
import type { BranchFacts } from './branchFacts'
import { addDays, addMonths, dayInShanghai, monthEnd, monthOf, quarterOf, startOfShanghaiDay } from './calendar'
import {
  isOpenWarning,
  rectificationOverdue,
  type RectificationRow,
  type WarningKind,
  type WarningLevel,
  type WarningRow,
} from './supervision'

/** Present, on site and remote out of expected, over closed meetings. */
export interface Attendance {
  expected: number
  present: number
  onsite: number
  remote: number
}

export interface MonthTally {
  month: string
  attendance: Attendance
  migrant: Attendance
  /** Members current at the month's end, and how many of them studied in the month. */
  studyMembers: number
  studied: number
  /** Comments whose deadline fell in the month and whose outcome is known (resolved, or overdue), and those resolved in time. */
  due: number
  onTime: number
}

export interface Tally {
  members: number
  migrantMembers: number
  studied7: number
  studied30: number
  /** This year's points of the current members. */
  points: number
  comments: { received: number; resolved: number; resolvedOnTime: number; overdue: number }
  byCategory: Record<CommentCategory, number>
  topics: number
  warnings: Record<WarningLevel, number>
  /** The worst open warning of each kind (a branch's; the town's lights are its branches' worst). */
  worst: Partial<Record<WarningKind, WarningLevel>>
  notices: { open: number; overdue: number }
  flagged: boolean
  yearWarnings: Record<WarningLevel, number>
  yearNotices: { issued: number; accepted: number; overdue: number; open: number }
  /** The last 12 months, oldest first. */
  months: MonthTally[]
  ranking: { memberId: string; name: string; points: number }[]
}

/** The Shanghai calendar at `now`: today, this month, quarter and year, and the 12 months of the trend. */
export interface Clock {
  now: string
  nowMs: number
  today: string
  month: string
  quarter: string
  year: string
  months: string[]
  /** The first instant of each trend month and of the next one (13 bounds), and of this year and the next. */
  monthStartsMs: number[]
  yearMs: [number, number]
}

export function clockAt(now: string): Clock {
  const today = dayInShanghai(now)
  const month = monthOf(today)
  const year = today.slice(0, 4)
  const months = Array.from({ length: 12 }, (_, i) => addMonths(month, i - 11))
  return {
    now,
    nowMs: Date.parse(now),
    today,
    month,
    quarter: quarterOf(today),
    year,
    months,
    monthStartsMs: [...months, addMonths(month, 1)].map((m) => startOfShanghaiDay(`${m}-01`)),
    yearMs: [startOfShanghaiDay(`${year}-01-01`), startOfShanghaiDay(`${Number(year) + 1}-01-01`)],
  }
}

/** The trend month (0–11) an instant falls in, or -1. */
function monthAt(clock: Clock, ms: number): number {
  const bounds = clock.monthStartsMs
  if (!(ms >= bounds[0]! && ms < bounds[12]!)) return -1
  let i = 11
  while (ms < bounds[i]!) i--
  return i
}

/** `YYYY-MM…` as a month count, read from the characters: 280,000 study days a refresh make slicing strings show. */
const monthNumber = (d: string) =>
  ((d.charCodeAt(0) - 48) * 1000 + (d.charCodeAt(1) - 48) * 100 + (d.charCodeAt(2) - 48) * 10 + d.charCodeAt(3) - 48) * 12 +
  (d.charCodeAt(5) - 48) * 10 +
  d.charCodeAt(6) -
  49

/** One expected member: absent (undefined), or present on site or remotely. */
function count(c: Attendance, remote: boolean | undefined) {
  c.expected++
  if (remote === undefined) return
  c.present++
  if (remote) c.remote++
  else c.onsite++
}

export const addAttendance = (a: Attendance, b: Attendance): Attendance => ({
  expected: a.expected + b.expected,
  present: a.present + b.present,
  onsite: a.onsite + b.onsite,
  remote: a.remote + b.remote,
})
export const noAttendance = (): Attendance => ({ expected: 0, present: 0, onsite: 0, remote: 0 })
const emptyMonth = (month: string): MonthTally => ({
  month,
  attendance: noAttendance(),
  migrant: noAttendance(),
  studyMembers: 0,
  studied: 0,
  due: 0,
  onTime: 0,
})
const levels = (): Record<WarningLevel, number> => ({ yellow: 0, red: 0 })
const categories = () => Object.fromEntries(COMMENT_CATEGORIES.map((c) => [c, 0])) as Record<CommentCategory, number>

let collator: Intl.Collator | undefined
const byName = (a: string, b: string) => (collator ??= new Intl.Collator('zh-CN')).compare(a, b)

export function tallyBranch(
  facts: BranchFacts,
  warnings: readonly WarningRow[],
  rectifications: readonly RectificationRow[],
  clock: Clock,
): Tally {
  const { today } = clock
  const inYear = (at: string) => {
    const ms = Date.parse(at)
    return ms >= clock.yearMs[0] && ms < clock.yearMs[1]
  }
  const months = clock.months.map(emptyMonth)

  // Members: an ended member's past meetings and study days still count in the months they belonged.
  const current = facts.members.filter((m) => m.endedAt === null)
  const awayIds = new Set(facts.members.filter((m) => m.away).map((m) => m.id))

  // Attendance, by the month each closed meeting started in (Shanghai). A share needs only who came and how:
  // every check-in not refused on review is present (on time, late or partial alike: `isPresent` of
  // `attendanceOutcome`), remote apart, so this counts that directly rather than through `attendanceRates`,
  // which parses two dates a row to tell late from on time. tests/domain/overview.test.ts holds the two equal.
  const closed = new Map<string, { month: number; came: Map<string, boolean> }>()
  for (const meeting of facts.meetings) {
    const month = meeting.status === 'closed' ? monthAt(clock, Date.parse(meeting.startsAt)) : -1
    if (month >= 0) closed.set(meeting.id, { month, came: new Map() })
  }
  for (const a of facts.attendance) {
    if (a.review !== 'refused') closed.get(a.meetingId)?.came.set(a.memberId, a.mode === 'remote')
  }
  for (const meeting of facts.meetings) {
    const held = closed.get(meeting.id)
    if (!held) continue
    const { attendance, migrant } = months[held.month]!
    for (const id of meeting.expectedIds) {
      const remote = held.came.get(id)
      count(attendance, remote)
      if (awayIds.has(id)) count(migrant, remote)
    }
  }

  // Study: who studied in each month (a member × month grid), and in the last 7 and 30 days (today included).
  const memberIndex = new Map(facts.members.map((m, i) => [m.id, i]))
  const width = facts.members.length
  const grid = new Uint8Array(width * 12)
  const firstMonth = monthNumber(clock.months[0]!)
  const from7 = addDays(today, -6)
  const from30 = addDays(today, -29)
  /** Per member: 2 studied in the last 7 days, 1 in the last 30 only. */
  const recent = new Uint8Array(width)
  let lastId: string | undefined
  let member: number | undefined
  for (const s of facts.studyDays) {
    if (s.day > today) continue
    const i = monthNumber(s.day) - firstMonth
    // Rows come a member at a time from the server's query: look the member up once per run of rows.
    if (s.memberId !== lastId) member = memberIndex.get((lastId = s.memberId))
    if (member === undefined) continue
    if (i >= 0) grid[i * width + member] = 1
    if (s.day >= from30 && recent[member]! < 2) recent[member] = s.day >= from7 ? 2 : 1
  }
  const endedOn = facts.members.map((m) => (m.endedAt === null ? null : dayInShanghai(m.endedAt)))
  months.forEach((m, i) => {
    const end = monthEnd(m.month)
    facts.members.forEach((_, member) => {
      if (endedOn[member]! !== null && endedOn[member]! <= end) return
      m.studyMembers++
      m.studied += grid[i * width + member]!
    })
  })

  // 朋友圈: this year's comments as a cohort (received, and what became of them), overdue ones whatever their year.
  const comments = { received: 0, resolved: 0, resolvedOnTime: 0, overdue: 0 }
  const byCategory = categories()
  for (const c of facts.comments) {
    const deadline = c.deadline === null ? null : Date.parse(c.deadline)
    const overdue = c.status === 'accepted' && deadline !== null && clock.nowMs > deadline // board's isOverdue
    const resolved = c.status === 'resolved' && c.closedAt !== null
    const onTime = resolved && deadline !== null && Date.parse(c.closedAt!) <= deadline
    if (overdue) comments.overdue++
    if (inYear(c.createdAt)) {
      comments.received++
      byCategory[c.category]++
      if (resolved) comments.resolved++
      if (onTime) comments.resolvedOnTime++
    }
    // Rejected or merged comments had nothing to resolve; one not yet due has no outcome yet.
    const month = deadline !== null && (resolved || overdue) ? monthAt(clock, deadline) : -1
    if (month >= 0) {
      months[month]!.due++
      if (onTime) months[month]!.onTime++
    }
  }

  // Points: this year's, per member.
  const points = new Map<string, number>()
  for (const p of facts.points) {
    if (p.month.startsWith(clock.year)) points.set(p.memberId, (points.get(p.memberId) ?? 0) + p.points)
  }

  // Warnings and notices: the open ones now, and those of this year with how they ended.
  const openWarnings = levels()
  const worst: Tally['worst'] = {}
  const yearWarnings = levels()
  for (const w of warnings) {
    if (isOpenWarning(w)) {
      openWarnings[w.level]++
      if (worst[w.kind] !== 'red') worst[w.kind] = w.level
    }
    if (inYear(w.openedAt)) yearWarnings[w.level === 'red' || w.history.some((h) => h.level === 'red') ? 'red' : 'yellow']++
  }
  const notices = { open: 0, overdue: 0 }
  const yearNotices = { issued: 0, accepted: 0, overdue: 0, open: 0 }
  let flagged = false
  for (const r of rectifications) {
    const state = r.status === 'accepted' ? 'accepted' : rectificationOverdue(r, today) ? 'overdue' : 'open'
    if (state !== 'accepted') notices[state]++
    if (state !== 'accepted' && r.escalatedAt !== null) flagged = true
    if (inYear(r.issuedAt)) {
      yearNotices.issued++
      yearNotices[state]++
    }
  }

  return {
    members: current.length,
    migrantMembers: current.filter((m) => m.away).length,
    studied7: current.filter((m) => recent[memberIndex.get(m.id)!] === 2).length,
    studied30: current.filter((m) => recent[memberIndex.get(m.id)!]! > 0).length,
    points: current.reduce((sum, m) => sum + (points.get(m.id) ?? 0), 0),
    comments,
    byCategory,
    topics: facts.topics.filter((t) => inYear(t.createdAt)).length,
    warnings: openWarnings,
    worst,
    notices,
    flagged,
    yearWarnings,
    yearNotices,
    months,
    ranking: current
      .map((m) => ({ memberId: m.id, name: m.name, points: points.get(m.id) ?? 0 }))
      .sort((a, b) => b.points - a.points || byName(a.name, b.name) || (a.memberId < b.memberId ? -1 : 1)),
  }
}

type Counts = { [key: string]: unknown }
/** Adds every number of `from` into `into`, which has the same shape (nested objects and arrays walked). */
function addCounts(into: Counts, from: Counts): void {
  for (const [key, value] of Object.entries(from)) {
    if (typeof value === 'number') into[key] = (into[key] as number) + value
    else if (value !== null && typeof value === 'object') addCounts(into[key] as Counts, value as Counts)
  }
}

/** The town's counts: its branches' added up (the months align: every tally has the same clock). */
export function sumTallies(tallies: readonly Tally[], clock: Clock): Tally {
  const sum: Tally = {
    members: 0,
    migrantMembers: 0,
    studied7: 0,
    studied30: 0,
    points: 0,
    comments: { received: 0, resolved: 0, resolvedOnTime: 0, overdue: 0 },
    byCategory: categories(),
    topics: 0,
    warnings: levels(),
    worst: {},
    notices: { open: 0, overdue: 0 },
    flagged: false,
    yearWarnings: levels(),
    yearNotices: { issued: 0, accepted: 0, overdue: 0, open: 0 },
    months: clock.months.map(emptyMonth),
    ranking: [],
  }
  for (const t of tallies) {
    // Lights are the branches' worst (./overview) and the ranking a branch's own: neither adds up.
    addCounts(sum as unknown as Counts, { ...t, worst: {}, ranking: [] })
    sum.flagged ||= t.flagged
  }
  return sum
}
