// Supervision's periods (issue 13): a month `2026-11`, a quarter `2026-Q4` or a year `2026`, as keys the
// warnings and the overview share. Days are Asia/Shanghai's (./calendar); a key says its own kind.
import {
  addDays,
  addMonths,
  addQuarters,
  dayInShanghai,
  daysBetween,
  monthEnd,
  monthOf,
  monthStart,
  quarterEnd,
  quarterOf,
  quarterStart,
  yearOf,
} from './calendar'
import type { SupervisionPeriod } from './supervision'

const QUARTER_NAMES = ['一', '二', '三', '四'] as const

/** The kind of a period key: `YYYY` a year, `YYYY-Qn` a quarter, `YYYY-MM` a month. */
export function periodKind(key: string): SupervisionPeriod {
  if (/^\d{4}$/.test(key)) return 'year'
  if (/^\d{4}-Q[1-4]$/.test(key)) return 'quarter'
  if (/^\d{4}-\d{2}$/.test(key)) return 'month'
  throw new Error(`not a period: ${key}`)
}

/** The period of a kind a day (YYYY-MM-DD, Shanghai) falls in. */
export function periodOf(kind: SupervisionPeriod, day: string): string {
  return kind === 'month' ? monthOf(day) : kind === 'quarter' ? quarterOf(day) : yearOf(day)
}

/** The period of a kind an instant falls in, in Asia/Shanghai. */
export const periodAt = (kind: SupervisionPeriod, at: Date | string | number): string => periodOf(kind, dayInShanghai(at))

/** The first and last days of a period, both included. */
export function periodRange(key: string): { from: string; to: string } {
  const kind = periodKind(key)
  if (kind === 'month') return { from: monthStart(key), to: monthEnd(key) }
  if (kind === 'quarter') return { from: quarterStart(key), to: quarterEnd(key) }
  return { from: `${key}-01-01`, to: `${key}-12-31` }
}

/** The period `n` after `key` (before it when negative), of the same kind. */
export function addPeriods(key: string, n: number): string {
  const kind = periodKind(key)
  if (kind === 'month') return addMonths(key, n)
  if (kind === 'quarter') return addQuarters(key, n)
  return String(Number(key) + n)
}

export const previousPeriod = (key: string): string => addPeriods(key, -1)

/** 2026年11月 / 2026年第四季度 / 2026年 */
export function periodLabel(key: string): string {
  const kind = periodKind(key)
  if (kind === 'month') return `${key.slice(0, 4)}年${Number(key.slice(5, 7))}月`
  if (kind === 'quarter') return `${key.slice(0, 4)}年第${QUARTER_NAMES[Number(key.slice(6)) - 1]}季度`
  return `${key}年`
}

/** 本月 / 本季度 / 本年度: how a warning about the current period speaks of it. */
export const CURRENT_PERIOD_WORDS: Record<SupervisionPeriod, string> = { month: '本月', quarter: '本季度', year: '本年度' }

/** Whole days in a period. */
export function periodDays(key: string): number {
  const { from, to } = periodRange(key)
  return daysBetween(from, to) + 1
}

/**
 * The first day on which half of the period has passed: `from + floor(days / 2)` (November: the 16th;
 * Q4: November 16; a year: July 2).
 */
export const periodHalfDay = (key: string): string => addDays(periodRange(key).from, Math.floor(periodDays(key) / 2))

export const halfPassed = (key: string, today: string): boolean => today >= periodHalfDay(key)

/** Whether a day falls inside a period. */
export function inPeriod(key: string, day: string): boolean {
  const { from, to } = periodRange(key)
  return day >= from && day <= to
}
