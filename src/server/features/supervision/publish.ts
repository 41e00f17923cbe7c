// What devices see of supervision on a database's first start (publishSupervision), and what an older
// database holds but never sent (publishMissingSupervision): the rules and the working calendar to the
// town, and any warnings and notices to their branch's office. Overviews are not stored: the refresh
// (service.ts) writes them at every start.
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import type { ChangeWriter } from '~/server/sync/changes'
import type { SyncWrite } from '~/server/sync/feature'
import type { SyncTable } from '~/domain/sync'
import { warningRuleRowId, type WorkdayRow } from '~/domain/supervision'
import { loadWarningRules, warningRuleRow } from './rules'
import { loadWorkdays } from './workdays'
import { warningFromRow } from './warningRows'
import { rectificationFromRow } from './rectificationRows'

interface Published {
  scope: `town:${string}` | `office:${string}`
  table: SyncTable
  id: string
  row: unknown
}

async function supervisionRows(trx: Kysely<Database>, townId: string): Promise<Published[]> {
  const town = `town:${townId}` as const
  const rules = (await loadWarningRules(trx)).map((rule) => ({
    scope: town,
    table: 'warning_rules' as const,
    id: warningRuleRowId(rule),
    row: warningRuleRow(rule),
  }))
  const workdays = (await loadWorkdays(trx)).map((day: WorkdayRow) => ({ scope: town, table: 'workdays' as const, id: day.id, row: day }))
  const warnings = (await trx.selectFrom('warnings').selectAll().orderBy('id').execute()).map((w) => ({
    scope: `office:${w.branch_id}` as const,
    table: 'warnings' as const,
    id: w.id,
    row: warningFromRow(w),
  }))
  const notices = (await trx.selectFrom('rectifications').selectAll().orderBy('id').execute()).map((r) => ({
    scope: `office:${r.branch_id}` as const,
    table: 'rectifications' as const,
    id: r.id,
    row: rectificationFromRow(r),
  }))
  return [...rules, ...workdays, ...warnings, ...notices]
}

export async function publishSupervision(trx: Kysely<Database>, writer: ChangeWriter, townId: string): Promise<void> {
  await writer.putMany(await supervisionRows(trx, townId))
}

/** Rows of these tables that were never sent to their scope (a database from before issue 13, or a town made later). */
export async function publishMissingSupervision(db: Kysely<Database>, write: SyncWrite): Promise<void> {
  const town = await db.selectFrom('towns').select('id').executeTakeFirst()
  if (!town) return
  const sent = await db
    .selectFrom('sync_rows')
    .select(['scope', 'table_name', 'row_id'])
    .where('table_name', 'in', ['warning_rules', 'workdays', 'warnings', 'rectifications'])
    .execute()
  const known = new Set(sent.map((s) => `${s.scope} ${s.table_name} ${s.row_id}`))
  const missing = (await supervisionRows(db, town.id)).filter((r) => !known.has(`${r.scope} ${r.table} ${r.id}`))
  if (missing.length > 0) await write((_trx, writer) => writer.putMany(missing))
}
