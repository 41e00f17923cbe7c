// The period an export covers: exactly one of `quarter=2026-Q4`, `month=2026-11` or `year=2026`, from 2000
// to next year (a period further ahead has nothing to export, and is a typo more likely than a plan).
import {
  addMonths,
  dayInShanghai,
  endOfShanghaiDay,
  monthEnd,
  monthStart,
  quarterEnd,
  quarterStart,
  startOfShanghaiDay,
  yearOf,
} from '~/domain/calendar'
import { ref, z } from '~/domain/validation'

export interface ExportPeriod {
  kind: 'month' | 'quarter' | 'year'
  /** `2026-11`, `2026-Q4` or `2026` */
  key: string
  /** First and last days (Asia/Shanghai), both included. */
  from: string
  to: string
  /** The same as instants (ISO, UTC), to compare with stored times: [fromAt, toAt]. */
  fromAt: string
  toAt: string
  /** Its months, `YYYY-MM`, in order. */
  months: string[]
  /** 2026年11月 / 2026年第四季度 / 2026年 */
  label: string
}

export const exportQuerySchema = z.object({
  branchId: z.optional(ref(64, '请选择支部')),
  quarter: z.optional(z.string().check(z.regex(/^\d{4}-Q[1-4]$/, '季度应写成 2026-Q4 这样'))),
  month: z.optional(z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份应写成 2026-11 这样'))),
  year: z.optional(z.string().check(z.regex(/^\d{4}$/, '年份应写成 2026 这样'))),
})
export type ExportQuery = z.infer<typeof exportQuerySchema>

const QUARTER_NAMES = ['一', '二', '三', '四']

/** The period a query names, or the Chinese reason it names none (or several, or one out of range). */
export function exportPeriod(query: ExportQuery, now: Date): ExportPeriod | string {
  const given = (['quarter', 'month', 'year'] as const).filter((k) => query[k] !== undefined)
  if (given.length === 0) return '请选择导出的时间段：季度（quarter=2026-Q4）、月份（month=2026-11）或年份（year=2026）'
  if (given.length > 1) return '只能选择一个时间段：季度、月份或年份之一'
  const kind = given[0]!
  const key = query[kind]!
  const year = Number(key.slice(0, 4))
  const lastYear = Number(yearOf(dayInShanghai(now))) + 1
  if (year < 2000 || year > lastYear) return `时间段超出范围：只能导出2000年至${lastYear}年的数据`
  const { from, to } = periodKeyRange(key)!
  const label =
    kind === 'month'
      ? `${year}年${Number(key.slice(5))}月`
      : kind === 'quarter'
        ? `${year}年第${QUARTER_NAMES[Number(key.slice(6)) - 1]}季度`
        : `${year}年`
  const months: string[] = []
  for (let m = from.slice(0, 7); m <= to.slice(0, 7); m = addMonths(m, 1)) months.push(m)
  return {
    kind,
    key,
    from,
    to,
    fromAt: new Date(startOfShanghaiDay(from)).toISOString(),
    toAt: new Date(endOfShanghaiDay(to)).toISOString(),
    months,
    label,
  }
}

/** The days a supervision period key covers (`2026-11`, `2026-Q4`, `2026`), or null for another key. */
export function periodKeyRange(key: string): { from: string; to: string } | null {
  if (/^\d{4}$/.test(key)) return { from: `${key}-01-01`, to: `${key}-12-31` }
  if (/^\d{4}-Q[1-4]$/.test(key)) return { from: quarterStart(key), to: quarterEnd(key) }
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(key)) return { from: monthStart(key), to: monthEnd(key) }
  return null
}

/** Whether something alive from `start` to `end` (ISO; null: still) overlaps the period. */
export const overlaps = (period: ExportPeriod, start: string, end: string | null): boolean =>
  start <= period.toAt && (end === null || end >= period.fromAt)
