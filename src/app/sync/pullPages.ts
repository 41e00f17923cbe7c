// A pull's pages on their way to the tables (engine.ts): each checked against the row schemas, grouped for
// storing, and the page let breathe between them.
import type { Change, SyncTable } from '~/domain/sync'
import { parseWith, type z } from '~/domain/validation'

/** The most pages, and rows, stored in one transaction: the groups' doubling stops there, keeping a group's rows in memory bounded. */
export const MAX_GROUP_PAGES = 16
export const MAX_GROUP_ROWS = 8000

/** Where a pull stands, after each page. */
export interface PullProgress {
  /** Rows received and checked by this pull so far. */
  rows: number
  /** A first sync (no cursor yet) or a reset one: the tables fill from empty. */
  first: boolean
  /** The last page is stored. */
  done: boolean
}

export type Run = { table: SyncTable; op: 'put' | 'delete'; keys: string[]; rows: unknown[] }
export type PageWrites = { reset: boolean; writes: Run[] }

/** Lets the page handle input and draw between pulled pages (scheduler.yield where there is one). */
export function yieldToPage(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler
  return scheduler?.yield ? scheduler.yield() : new Promise((resolve) => setTimeout(resolve, 0))
}

/**
 * Checks every row of a page against its schema before anything is written, and groups the page into
 * runs of the same table and operation (order matters only between a put and a delete of one row).
 */
export function checkPage(changes: readonly Change[], schemas: Record<SyncTable, z.ZodMiniType>): Run[] {
  const runs: Run[] = []
  for (const change of changes) {
    if (!(change.table in schemas)) continue // a table this version of the app does not know yet
    let run = runs.at(-1)
    if (!run || run.table !== change.table || run.op !== change.op)
      runs.push((run = { table: change.table, op: change.op, keys: [], rows: [] }))
    run.keys.push(change.id)
    if (change.op === 'delete') continue
    const row = parseWith(schemas[change.table], change.row)
    if (!row.ok) throw new Error(`同步数据格式有误（${change.table}/${change.id}）：${row.message}`)
    run.rows.push(row.value)
  }
  return runs
}
