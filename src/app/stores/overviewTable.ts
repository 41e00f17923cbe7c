// The 总览 branch table as a view model: one line per branch overview row, each item with its light, the
// number beside it and a sort order. Pure, so the store's sorting is tested without a page.
import { LIGHTS, OVERVIEW_ITEMS, type Light, type OverviewItem, type OverviewRow } from '~/domain/overview'

/** 0 green, 1 yellow, 2 red: higher is worse. */
export const severity = (light: Light): number => LIGHTS.indexOf(light)
export const worstOf = (lights: readonly Light[]): Light => LIGHTS[Math.max(0, ...lights.map(severity))] ?? 'green'

export interface ItemCell {
  light: Light
  /** The number the cell shows beside its light; null when there was nothing to count. */
  value: number | null
  text: string
}

export interface BranchLine {
  id: string
  name: string
  row: OverviewRow
  worst: Light
  reds: number
  yellows: number
  flagged: boolean
  cells: Record<OverviewItem, ItemCell>
}

export const SORT_KEYS = ['worst', 'name', 'members', ...OVERVIEW_ITEMS] as const
export type SortKey = (typeof SORT_KEYS)[number]
export type SortDirection = 'worst' | 'best'
export interface SortOrder {
  key: SortKey
  /** `worst`: the worst branches (or, by name, 甲 before 乙) first; `best` turns it round. */
  direction: SortDirection
}
export const DEFAULT_SORT: SortOrder = { key: 'worst', direction: 'worst' }

const pct = (value: number | null) => (value === null ? '—' : `${value}%`)
/** Counts where more is worse; rates where less is worse (so the sort key is negated). */
const WORSE_WHEN_HIGHER: Record<OverviewItem, boolean> = {
  meetings: true,
  attendance: false,
  migrant: false,
  study: false,
  comments: true,
  notices: true,
}

/**
 * The cells of a row. `meetingWarnings`: the branch's open meeting, topic and quorum warnings (from the synced
 * warnings table, which the row itself doesn't count by kind).
 */
export function cellsOf(row: OverviewRow, meetingWarnings: number): Record<OverviewItem, ItemCell> {
  const f = row.figures
  const light = (item: OverviewItem): Light => row.lights[item] ?? 'green'
  return {
    meetings: { light: light('meetings'), value: meetingWarnings, text: meetingWarnings ? `${meetingWarnings} 项预警` : '按期' },
    attendance: { light: light('attendance'), value: f.attendance.all, text: pct(f.attendance.all) },
    migrant: { light: light('migrant'), value: f.attendance.migrant, text: pct(f.attendance.migrant) },
    study: { light: light('study'), value: f.study.last30, text: pct(f.study.last30) },
    comments: { light: light('comments'), value: f.comments.overdue, text: f.comments.overdue ? `超期 ${f.comments.overdue}` : '无超期' },
    notices: {
      light: light('notices'),
      value: f.notices.open,
      text: f.notices.overdue ? `${f.notices.open} 张，超期 ${f.notices.overdue}` : f.notices.open ? `${f.notices.open} 张` : '无',
    },
  }
}

export function lineOf(row: OverviewRow, meetingWarnings: number): BranchLine {
  const cells = cellsOf(row, meetingWarnings)
  const lights = OVERVIEW_ITEMS.map((item) => cells[item].light)
  return {
    id: row.branchId ?? row.id,
    name: row.name,
    row,
    // 被督办 counts as red whatever the items say: an escalated notice is the most serious state.
    worst: row.figures.flagged ? 'red' : worstOf(lights),
    reds: lights.filter((l) => l === 'red').length,
    yellows: lights.filter((l) => l === 'yellow').length,
    flagged: row.figures.flagged,
    cells,
  }
}

const byName = (a: BranchLine, b: BranchLine) => a.name.localeCompare(b.name, 'zh-CN')

/** Positive when `a` is worse than `b` under the key (ties: 0). */
function worseness(a: BranchLine, b: BranchLine, key: SortKey): number {
  if (key === 'name') return -byName(a, b)
  if (key === 'members') return a.row.figures.members - b.row.figures.members
  if (key === 'worst') {
    return severity(a.worst) - severity(b.worst) || Number(a.flagged) - Number(b.flagged) || a.reds - b.reds || a.yellows - b.yellows
  }
  const [ca, cb] = [a.cells[key], b.cells[key]]
  const bySeverity = severity(ca.light) - severity(cb.light)
  if (bySeverity) return bySeverity
  // Nothing to count sorts after any number, whichever way.
  if (ca.value === null || cb.value === null) return 0
  return WORSE_WHEN_HIGHER[key] ? ca.value - cb.value : cb.value - ca.value
}

const nullLast = (a: BranchLine, b: BranchLine, key: SortKey) => {
  if (key === 'name' || key === 'worst' || key === 'members') return 0
  return Number(a.cells[key].value === null) - Number(b.cells[key].value === null)
}

/** The lines in the order asked for; ties by name, so the order never shuffles between syncs. */
export function sortLines(lines: readonly BranchLine[], order: SortOrder): BranchLine[] {
  const sign = order.direction === 'worst' ? -1 : 1
  return [...lines].sort((a, b) => nullLast(a, b, order.key) || sign * worseness(a, b, order.key) || byName(a, b))
}

/** Tapping a header: a new column starts worst first; the same column turns round. */
export function nextSort(current: SortOrder, key: SortKey): SortOrder {
  if (current.key !== key) return { key, direction: 'worst' }
  return { key, direction: current.direction === 'worst' ? 'best' : 'worst' }
}
