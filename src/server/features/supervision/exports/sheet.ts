// What every export's sheets share: the context they are built in, bold header cells, Shanghai times as
// text, percentages as numbers Excel shows as such, and the order people are listed in.
import type { Kysely } from 'kysely'
import type { Cell, Sheet } from 'write-excel-file/node'
import type { Database } from '~/server/db/schema'
import { SHANGHAI_OFFSET_MS } from '~/domain/calendar'
import type { ExportPeriod } from './period'

export type ExportSheet = Sheet<Buffer>

export interface ExportContext {
  db: Kysely<Database>
  /** The branch exported, or null for the whole town. */
  branch: { id: string; name: string } | null
  period: ExportPeriod
  /** The server's clock (ISO) and its Shanghai day: 已超期 is as of now. */
  now: string
  today: string
}

export const header = (text: string): Cell => ({
  value: text,
  fontWeight: 'bold',
  backgroundColor: '#FCE4E4',
  borderStyle: 'thin',
  wrap: true,
  alignVertical: 'center',
})

/** A sheet with one frozen header row. */
export const sheet = (name: string, headers: readonly string[], widths: readonly number[], rows: Cell[][]): ExportSheet => ({
  sheet: name,
  columns: widths.map((width) => ({ width })),
  stickyRowsCount: 1,
  data: [headers.map(header), ...rows],
})

/** `2026-11-05 19:30`, Asia/Shanghai: as text, so every spreadsheet program shows it the same. */
export function shanghaiMinute(at: string | null): string | null {
  if (!at) return null
  const t = new Date(Date.parse(at) + SHANGHAI_OFFSET_MS).toISOString()
  return `${t.slice(0, 10)} ${t.slice(11, 16)}`
}

/** A share (0–1) as a number shown `85.7%`; empty when there was nothing to count. */
export const percent = (share: number | null): Cell => (share === null ? null : { value: share, type: Number, format: '0.0%' })

/** Bold, for a 合计 row. */
export const bold = (value: string | number | null): Cell => (value === null ? null : { value, fontWeight: 'bold' })

export const byName = (a: { name: string; id: string }, b: { name: string; id: string }) =>
  a.name.localeCompare(b.name, 'zh-CN') || a.id.localeCompare(b.id)

/** Rows of an IN list per query: far under SQLite's and PostgreSQL's parameter limits. */
export const PAGE = 500

export function pages<T>(items: readonly T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += PAGE) out.push(items.slice(i, i + PAGE))
  return out
}
