// 总览 rows (issue 13): computed by the refresh (service.ts) and kept nowhere but in the sync projection,
// a branch's row in `office:<branchId>` (its secretaries and the admins), the town's in `office:<townId>`
// (the admins). A row is written only when its content changed (its `computedAt` aside), so an unchanged
// town costs devices nothing.
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import type { OverviewRow } from '~/domain/overview'
import type { Scope } from '~/domain/sync'
import type { ChangeWriter } from '~/server/sync/changes'

export const TOWN_OVERVIEW_ID = 'town'

export const overviewScope = (row: Pick<OverviewRow, 'branchId'>, townId: string): Scope => `office:${row.branchId ?? townId}`

/** The overview rows devices hold now, by scope and id (`office:b-1 b-1`). */
export async function storedOverviews(trx: Kysely<Database>): Promise<Map<string, OverviewRow>> {
  const rows = await trx
    .selectFrom('sync_rows')
    .select(['scope', 'row_id', 'row_json'])
    .where('table_name', '=', 'overviews')
    .where('op', '=', 'put')
    .execute()
  return new Map(rows.map((r) => [`${r.scope} ${r.row_id}`, JSON.parse(r.row_json ?? 'null') as OverviewRow]))
}

const content = (row: OverviewRow) => JSON.stringify({ ...row, computedAt: '' })

/**
 * Writes the rows whose content differs from what devices hold, and removes the rows of branches that
 * are no longer `current` (archived). Returns how many it wrote.
 */
export async function writeOverviews(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  townId: string,
  rows: readonly OverviewRow[],
  current: ReadonlySet<string>,
): Promise<number> {
  const stored = await storedOverviews(trx)
  let written = 0
  for (const row of rows) {
    const scope = overviewScope(row, townId)
    const before = stored.get(`${scope} ${row.id}`)
    if (before && content(before) === content(row)) continue
    await writer.put(scope, 'overviews', row.id, row)
    written++
  }
  for (const [key, row] of stored) {
    if (row.branchId === null || current.has(row.branchId)) continue
    await writer.delete(key.slice(0, key.indexOf(' ')) as Scope, 'overviews', row.id)
  }
  return written
}
