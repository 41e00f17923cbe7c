import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Kysely, Selectable } from 'kysely'
import type { Database, PointsLedgerTable, PointsRuleTable } from '~/server/db/schema'
import { pointsRuleSchema, scoreEvents, type LedgerEntry, type LedgerRow, type PointsEvent, type PointsRule } from '~/domain/points'
import { parseWith, z } from '~/domain/validation'
import type { ChangeWriter } from '~/server/sync/changes'
import { lockMembers } from '~/server/sync/locks'

export function ruleFromRow(row: Selectable<PointsRuleTable>): PointsRule {
  return {
    code: row.code,
    version: row.version,
    name: row.name,
    category: row.category as PointsRule['category'],
    eventKind: row.event_kind as PointsRule['eventKind'],
    unit: row.unit as PointsRule['unit'],
    points: row.points,
    threshold: row.threshold,
    dailyCap: row.daily_cap,
    yearlyCap: row.yearly_cap,
    activeFrom: row.active_from,
    activeTo: row.active_to,
  }
}

export function ruleToRow(rule: PointsRule): Selectable<PointsRuleTable> {
  return {
    code: rule.code,
    version: rule.version,
    name: rule.name,
    category: rule.category,
    event_kind: rule.eventKind,
    unit: rule.unit,
    points: rule.points,
    threshold: rule.threshold,
    daily_cap: rule.dailyCap,
    yearly_cap: rule.yearlyCap,
    active_from: rule.activeFrom,
    active_to: rule.activeTo,
  }
}

export function ledgerRow(entry: Selectable<PointsLedgerTable>): LedgerRow {
  return {
    id: entry.id,
    ruleCode: entry.rule_code,
    ruleVersion: entry.rule_version,
    sourceId: entry.source_id,
    day: entry.day,
    points: entry.points,
    reason: entry.reason,
    createdAt: entry.created_at,
  }
}

/** The default rule table is not demo data: a town starts with it and the admin edits it. */
export async function seedRulesIfEmpty(db: Kysely<Database>, seedDir: string): Promise<void> {
  if (await db.selectFrom('points_rules').select('code').limit(1).executeTakeFirst()) return
  const parsed = parseWith(z.array(pointsRuleSchema), JSON.parse(readFileSync(join(seedDir, 'points-rules.json'), 'utf8')))
  if (!parsed.ok) throw new Error(`seeds/points-rules.json 不符合格式: ${parsed.message}`)
  await db.insertInto('points_rules').values(parsed.value.map(ruleToRow)).execute()
}

export async function loadRules(db: Kysely<Database>): Promise<PointsRule[]> {
  return (await db.selectFrom('points_rules').selectAll().execute()).map(ruleFromRow)
}

/**
 * Turns events into ledger entries by the rules, inside the caller's transaction, and sends each new
 * entry to its member's devices. Caps count the member's entries of the same rules in the same years,
 * read under the recipients' locks: whoever awards them (their own push, a secretary closing a meeting,
 * the admin), no two transactions both see room under a cap.
 */
export async function awardPoints(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  events: readonly PointsEvent[],
  now: string,
  createdBy: string | null = null,
): Promise<LedgerEntry[]> {
  if (events.length === 0) return []
  const rules = await loadRules(trx)
  const kinds = new Set(events.map((e) => e.kind))
  const codes = rules.filter((r) => kinds.has(r.eventKind)).map((r) => r.code)
  if (codes.length === 0) return []
  const years = [...new Set(events.map((e) => e.day.slice(0, 4)))]
  const members = [...new Set(events.map((e) => e.memberId))]
  await lockMembers(trx, members)
  const existing = await trx
    .selectFrom('points_ledger')
    .selectAll()
    .where('member_id', 'in', members)
    .where('rule_code', 'in', codes)
    .where((eb) => eb.or(years.map((y) => eb.and([eb('day', '>=', `${y}-01-01`), eb('day', '<=', `${y}-12-31`)]))))
    .execute()
  const ledger: LedgerEntry[] = existing.map((e) => ({
    id: e.id,
    memberId: e.member_id,
    ruleCode: e.rule_code,
    ruleVersion: e.rule_version,
    sourceId: e.source_id,
    day: e.day,
    points: e.points,
    reason: e.reason,
  }))
  const created = scoreEvents(rules, events, ledger)
  await insertEntries(trx, writer, created, now, createdBy)
  return created
}

/** Appends entries to the ledger, keeps the period totals, and sends each entry to its member's devices. */
export async function insertEntries(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  entries: readonly LedgerEntry[],
  now: string,
  createdBy: string | null,
) {
  for (const entry of entries) {
    const row = {
      id: entry.id,
      member_id: entry.memberId,
      rule_code: entry.ruleCode,
      rule_version: entry.ruleVersion,
      source_id: entry.sourceId,
      day: entry.day,
      points: entry.points,
      reason: entry.reason,
      created_by: createdBy,
      created_at: now,
    }
    await trx.insertInto('points_ledger').values(row).execute()
    await writer.put(`user:${entry.memberId}`, 'points', entry.id, ledgerRow(row))
    for (const period of [entry.day.slice(0, 4), entry.day.slice(0, 7)]) {
      await trx
        .insertInto('points_totals')
        .values({ member_id: entry.memberId, period, points: entry.points })
        .onConflict((oc) =>
          oc.columns(['member_id', 'period']).doUpdateSet((eb) => ({ points: eb('points_totals.points', '+', eb.ref('excluded.points')) })),
        )
        .execute()
    }
  }
}
