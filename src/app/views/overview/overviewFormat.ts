// How the 总览 pages say their numbers: shares with one decimal as the server sent them, Beijing times.
import { COMMENT_CATEGORY_LABELS, type CommentCategory } from '~/domain/board'
import type { Light } from '~/domain/overview'
import { periodLabel } from '~/domain/periods'

export const pct = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : `${value}%`)

/** A count with one decimal at most (人均积分 12.5). */
export const decimal = (value: number): string => String(Math.round(value * 10) / 10)

const at = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  month: 'long',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})
/** 2026-Q4 → 第四季度 */
export function quarterName(quarter: string): string {
  try {
    return periodLabel(quarter).replace(/^\d{4}年/, '')
  } catch {
    return '本季度'
  }
}

/** 12月3日 16:05 */
export const formatAt = (iso: string): string => at.format(new Date(iso))

/** 2026-11 → 11月 (the charts' axis; the caption says the years). */
export const monthLabel = (month: string): string => `${Number(month.slice(5, 7))}月`

/** 2025-12 … 2026-11 → 2025年12月—2026年11月 */
export const monthSpan = (first: string, last: string): string =>
  `${first.slice(0, 4)}年${monthLabel(first)}—${last.slice(0, 4)}年${monthLabel(last)}`

/** A branch's name without 党支部 where the column already says 支部 (合兴村党支部 → 合兴村). */
export const shortBranchName = (name: string): string => name.replace(/党(总)?支部$/, '') || name

/** 2026-12-08 → 12月8日 */
export const dayLabel = (day: string): string => `${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`

export const categoryLabel = (key: string): string => COMMENT_CATEGORY_LABELS[key as CommentCategory] ?? key

/** The light's icon and colours: the state is also said in words (LIGHT_LABELS) and by the icon's shape. */
export const LIGHT_STYLE: Record<Light, { icon: string; className: string }> = {
  green: { icon: 'passed', className: 'light-green' },
  yellow: { icon: 'warning-o', className: 'light-yellow' },
  red: { icon: 'close', className: 'light-red' },
}

/** One line or set of bars of a chart; `null` is a month with nothing to count (a gap, — in the table). */
export interface ChartSeries {
  label: string
  data: (number | null)[]
  color: string
}

/** Colours for the charts' series, each at least 4.5:1 on white, told apart by dashes and point shapes too. */
export const SERIES_COLORS = ['#c8102e', '#1f5fbf', '#17692e', '#8a4b00'] as const
