// Warnings (issue 13): the table row ⇄ the synced WarningRow, and their one way of being written, to the
// table and to the branch's `office:` scope (its secretaries and the admins, never members).
import type { Kysely, Selectable } from 'kysely'
import type { Database, WarningTable } from '~/server/db/schema'
import type { WarningHistoryEntry, WarningRow } from '~/domain/supervision'
import type { ChangeWriter } from '~/server/sync/changes'

export function warningFromRow(row: Selectable<WarningTable>): WarningRow {
  return {
    id: row.id,
    branchId: row.branch_id,
    ruleCode: row.rule_code,
    ruleVersion: row.rule_version,
    kind: row.kind as WarningRow['kind'],
    groupId: row.group_id,
    period: row.period,
    level: row.level,
    title: row.title,
    openedAt: row.opened_at,
    escalatedAt: row.escalated_at,
    clearedAt: row.cleared_at,
    clearReason: row.clear_reason,
    history: JSON.parse(row.history_json) as WarningHistoryEntry[],
    rectificationId: row.rectification_id,
  }
}

export function warningToRow(w: WarningRow): Selectable<WarningTable> {
  return {
    id: w.id,
    branch_id: w.branchId,
    rule_code: w.ruleCode,
    rule_version: w.ruleVersion,
    kind: w.kind,
    group_id: w.groupId,
    period: w.period,
    level: w.level,
    title: w.title,
    opened_at: w.openedAt,
    escalated_at: w.escalatedAt,
    cleared_at: w.clearedAt,
    clear_reason: w.clearReason,
    history_json: JSON.stringify(w.history),
    rectification_id: w.rectificationId,
  }
}

export async function loadWarning(trx: Kysely<Database>, id: string): Promise<WarningRow | null> {
  const row = await trx.selectFrom('warnings').selectAll().where('id', '=', id).executeTakeFirst()
  return row ? warningFromRow(row) : null
}

/**
 * Writes a warning (new or changed) and sends it to its branch's office. With `expectedHistory`, only if
 * the stored row still has that history (the refresh computed from it): a notice accepted meanwhile on
 * another connection cleared it, and that clearing wins. Says whether it wrote.
 */
export async function putWarning(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  w: WarningRow,
  expectedHistory?: string | null,
): Promise<boolean> {
  const row = warningToRow(w)
  if (expectedHistory === undefined || expectedHistory === null) {
    const inserted = await trx
      .insertInto('warnings')
      .values(row)
      .onConflict((oc) => (expectedHistory === null ? oc.column('id').doNothing() : oc.column('id').doUpdateSet(row)))
      .returning('id')
      .executeTakeFirst()
    if (!inserted) return false
  } else {
    const { id, ...changes } = row
    const updated = await trx
      .updateTable('warnings')
      .set(changes)
      .where('id', '=', id)
      .where('history_json', '=', expectedHistory)
      .returning('id')
      .executeTakeFirst()
    if (!updated) return false
  }
  await writer.put(`office:${w.branchId}`, 'warnings', w.id, w)
  return true
}

/**
 * Clears an open warning for good (a 整改提示单 accepted, helper D): history says why. A warning already
 * cleared, or one that doesn't exist, is left alone.
 */
export async function clearWarning(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  warningId: string,
  reason: string,
  now: string,
): Promise<void> {
  const w = await loadWarning(trx, warningId)
  if (!w || w.clearedAt !== null) return
  const cleared: WarningRow = {
    ...w,
    clearedAt: now,
    clearReason: reason,
    history: [...w.history, { at: now, event: 'cleared', level: w.level, why: reason }],
  }
  await putWarning(trx, writer, cleared)
}
