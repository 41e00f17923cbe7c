// The Asia/Shanghai calendar every feature counts in, on the server and on the phone alike (issue 11):
// days `YYYY-MM-DD`, weeks from Monday, months `YYYY-MM`, quarters `YYYY-Qn`, years `YYYY`, and working
// days. A neutral module, so that no feature imports another just for dates.
// A fixed +08:00 offset rather than a date library or the device's time-zone data: Shanghai has kept
// UTC+8 with no daylight saving since 1991, so plain arithmetic is exact and the same on every device.

export const DAY_MS = 86_400_000
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000

/** Days since 1970-01-01 of a calendar day: arithmetic on whole days, with no time zone involved. */
const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS
const dayOfNumber = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10)
const pad2 = (n: number) => String(n).padStart(2, '0')

/** A real calendar day (not 2026-02-30 or 2026-13-45, which `new Date` rolls over or cannot read). */
export function isCalendarDay(day: string): boolean {
  const date = new Date(`${day}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day
}

// ------------------------------------------------------------------------------------------ instants

/** The calendar day in Asia/Shanghai of an instant: the day caps, the ledger and deadlines use. */
export function dayInShanghai(at: Date | string | number): string {
  const ms = typeof at === 'string' ? Date.parse(at) : typeof at === 'number' ? at : at.getTime()
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10)
}

/** The instant (ms) of a Shanghai wall-clock time on a day: `time` is `HH:MM`, `HH:MM:SS` or `HH:MM:SS.sss`. */
export function shanghaiTime(day: string, time: string): number {
  return Date.parse(`${day}T${time}Z`) - SHANGHAI_OFFSET_MS
}

/** The first millisecond of a day in Asia/Shanghai (its midnight, 16:00 UTC the day before). */
export const startOfShanghaiDay = (day: string): number => dayNumber(day) * DAY_MS - SHANGHAI_OFFSET_MS

/** The last millisecond of a day in Asia/Shanghai (23:59:59.999 +08:00). */
export const endOfShanghaiDay = (day: string): number => startOfShanghaiDay(addDays(day, 1)) - 1

// ---------------------------------------------------------------------------------------------- days

export const addDays = (day: string, days: number): string => dayOfNumber(dayNumber(day) + days)

/** Whole days from `from` to `to`: positive when `to` is later. */
export const daysBetween = (from: string, to: string): number => dayNumber(to) - dayNumber(from)

/** 1 for Monday … 7 for Sunday (ISO 8601). */
export const weekdayOf = (day: string): number => ((((dayNumber(day) + 3) % 7) + 7) % 7) + 1

// --------------------------------------------------------------------------------------------- weeks

/** The Monday of the week a day falls in. */
export const weekStartOf = (day: string): string => addDays(day, 1 - weekdayOf(day))

/** The Sunday that ends the week a day falls in. */
export const weekEndOf = (day: string): string => addDays(weekStartOf(day), 6)

// ------------------------------------------------------------------------------- months, quarters, years

/** The month (`YYYY-MM`) of a day. */
export const monthOf = (day: string): string => day.slice(0, 7)

/** The year (`YYYY`) of a day. */
export const yearOf = (day: string): string => day.slice(0, 4)

/** The month `months` after `month` (`YYYY-MM`); negative goes back. */
export function addMonths(month: string, months: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + months
  return `${Math.floor(index / 12)}-${pad2((((index % 12) + 12) % 12) + 1)}`
}

/** The month before `month` (`YYYY-MM`). */
export const previousMonth = (month: string): string => addMonths(month, -1)

export const monthStart = (month: string): string => `${month}-01`

export const monthEnd = (month: string): string => addDays(monthStart(addMonths(month, 1)), -1)

/** The quarter (`YYYY-Qn`) of a day: Q1 is January to March. */
export const quarterOf = (day: string): string => `${yearOf(day)}-Q${Math.ceil(Number(day.slice(5, 7)) / 3)}`

const quarterFirstMonth = (quarter: string) => `${quarter.slice(0, 4)}-${pad2(Number(quarter.slice(6)) * 3 - 2)}`

/** The quarter `quarters` after `quarter` (`YYYY-Qn`); negative goes back. */
export const addQuarters = (quarter: string, quarters: number): string =>
  quarterOf(monthStart(addMonths(quarterFirstMonth(quarter), quarters * 3)))

export const quarterStart = (quarter: string): string => monthStart(quarterFirstMonth(quarter))

export const quarterEnd = (quarter: string): string => monthEnd(addMonths(quarterFirstMonth(quarter), 2))

// -------------------------------------------------------------------------------------- working days

/**
 * The days that aren't what their weekday says (the admin's working calendar, issue 13): a public
 * holiday off (`holiday`), or a weekend day worked in its place (`workday`, 调休). Empty: Monday to Friday.
 */
export type WorkCalendar = ReadonlyMap<string, 'holiday' | 'workday'>
export const NO_HOLIDAYS: WorkCalendar = new Map()

export const workCalendarOf = (rows: readonly { id: string; kind: 'holiday' | 'workday' }[]): WorkCalendar =>
  new Map(rows.map((r) => [r.id, r.kind]))

/** Monday to Friday, unless the calendar makes it a holiday; a 调休 Saturday or Sunday is worked. */
export function isWorkingDay(day: string, calendar: WorkCalendar = NO_HOLIDAYS): boolean {
  const marked = calendar.get(day)
  return marked ? marked === 'workday' : weekdayOf(day) <= 5
}

/**
 * The day `n` working days after `day` (before it when `n` is negative): each step moves to the next
 * working day, so 1 working day after a Friday, a Saturday or a Sunday is the Monday (or the day after a
 * holiday). `n = 0` gives `day`.
 */
export function addWorkingDays(day: string, n: number, calendar: WorkCalendar = NO_HOLIDAYS): string {
  const step = n < 0 ? -1 : 1
  let at = day
  for (let left = Math.abs(n); left > 0;) {
    at = addDays(at, step)
    if (isWorkingDay(at, calendar)) left--
  }
  return at
}

/** The working days after `from` up to and including `to` (negative when `to` is earlier). */
export function workingDaysBetween(from: string, to: string, calendar: WorkCalendar = NO_HOLIDAYS): number {
  if (to < from) return -workingDaysBetween(to, from, calendar)
  if (calendar.size > 0) {
    let count = 0
    for (let at = from; at < to;) {
      at = addDays(at, 1)
      if (isWorkingDay(at, calendar)) count++
    }
    return count
  }
  const span = daysBetween(from, to)
  const weeks = Math.floor(span / 7)
  let count = weeks * 5
  for (let at = addDays(from, weeks * 7); at < to;) {
    at = addDays(at, 1)
    if (isWorkingDay(at)) count++
  }
  return count
}
