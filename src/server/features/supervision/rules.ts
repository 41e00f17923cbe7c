// The warning rules (issue 13), versioned like the points rules: a change ends the version in force the day
// before `from` and starts the next on it, so a warning already raised keeps the version it was raised
// under and the past is never judged by a rule made later.
import type { Kysely, Selectable } from 'kysely'
import type { Database, WarningRuleTable } from '~/server/db/schema'
import type { MutationContext } from '~/server/sync/feature'
import type { ChangeWriter } from '~/server/sync/changes'
import { MutationRejected } from '~/server/sync/rejections'
import { addDays, dayInShanghai } from '~/domain/calendar'
import { parseWith } from '~/domain/validation'
import {
  warningRuleProblem,
  warningRuleRowId,
  warningRuleSchema,
  type WarningRule,
  type WarningRuleReviseArgs,
  type WarningRuleRow,
} from '~/domain/supervision'

export function warningRuleFromRow(row: Selectable<WarningRuleTable>): WarningRule {
  return {
    code: row.code,
    version: row.version,
    name: row.name,
    kind: row.kind as WarningRule['kind'],
    meetingType: row.meeting_type as WarningRule['meetingType'],
    period: row.period as WarningRule['period'],
    minCount: row.min_count,
    perGroup: row.per_group === 1,
    threshold: row.threshold,
    autoNotice: row.auto_notice === 1,
    enabled: row.enabled === 1,
    activeFrom: row.active_from,
    activeTo: row.active_to,
  }
}

export function warningRuleToRow(rule: WarningRule): Selectable<WarningRuleTable> {
  return {
    code: rule.code,
    version: rule.version,
    name: rule.name,
    kind: rule.kind,
    meeting_type: rule.meetingType,
    period: rule.period,
    min_count: rule.minCount,
    per_group: rule.perGroup ? 1 : 0,
    threshold: rule.threshold,
    auto_notice: rule.autoNotice ? 1 : 0,
    enabled: rule.enabled ? 1 : 0,
    active_from: rule.activeFrom,
    active_to: rule.activeTo,
  }
}

/** Every version of every rule. */
export async function loadWarningRules(db: Kysely<Database>): Promise<WarningRule[]> {
  return (await db.selectFrom('warning_rules').selectAll().orderBy('code').orderBy('version').execute()).map(warningRuleFromRow)
}

export const warningRuleRow = (rule: WarningRule): WarningRuleRow => ({ ...rule, id: warningRuleRowId(rule) })

const putRule = (writer: ChangeWriter, townId: string, rule: WarningRule) =>
  writer.put(`town:${townId}`, 'warning_rules', warningRuleRowId(rule), warningRuleRow(rule))

type Change = WarningRuleReviseArgs['change']

/** A field this kind of rule doesn't look at: changing it would make a version that means nothing new. */
function unusedField(kind: WarningRule['kind'], change: Change): string | null {
  const periodic = kind === 'meeting' || kind === 'topic'
  if (!periodic && change.period !== undefined) return '该规则不按周期检查，不能设置周期'
  if (!periodic && change.minCount !== undefined) return '该规则不按次数检查，不能设置次数'
  const thresholded = kind === 'attendance' || kind === 'migrant_attendance' || kind === 'overdue_comments'
  if (!thresholded && change.threshold !== undefined) return '该规则没有门槛，不能设置门槛'
  return null
}

const SAME_FIELDS = ['name', 'period', 'minCount', 'threshold', 'autoNotice', 'enabled'] as const

export async function reviseWarningRule({ trx, viewer, writer, now }: MutationContext, args: WarningRuleReviseArgs): Promise<void> {
  const today = dayInShanghai(now)
  if (args.from < today) throw new MutationRejected('invalid_args', '规则修改只能从今天或以后生效，不能改变已有的预警')
  const versions = (
    await trx.selectFrom('warning_rules').selectAll().where('code', '=', args.code).orderBy('version', 'desc').execute()
  ).map(warningRuleFromRow)
  const current = versions[0]
  if (!current) throw new MutationRejected('not_found', `没有编号为 ${args.code} 的预警规则`)
  const unused = unusedField(current.kind, args.change)
  if (unused) throw new MutationRejected('invalid_args', unused)
  const merged: WarningRule = { ...current, ...args.change }
  const problem = warningRuleProblem(merged)
  if (problem) throw new MutationRejected('invalid_args', problem)
  const valid = parseWith(warningRuleSchema, merged)
  if (!valid.ok) throw new MutationRejected('invalid_args', valid.message)
  if (SAME_FIELDS.every((f) => merged[f] === current[f])) throw new MutationRejected('invalid_args', '修改后的规则与现行规则相同')

  // A version scheduled for this very day that is not in force yet raised nothing: it is corrected in place.
  if (current.activeFrom === args.from && args.from > today) {
    await trx
      .updateTable('warning_rules')
      .set(warningRuleToRow(merged))
      .where('code', '=', current.code)
      .where('version', '=', current.version)
      .execute()
    await putRule(writer, viewer.townId, merged)
    return
  }
  if (current.activeFrom >= args.from) throw new MutationRejected('invalid_args', `该规则已有从 ${current.activeFrom} 起生效的版本`)
  const endedBefore = current.activeTo !== null && current.activeTo < args.from
  const ended: WarningRule = { ...current, activeTo: endedBefore ? current.activeTo : addDays(args.from, -1) }
  const next: WarningRule = {
    ...merged,
    version: current.version + 1,
    activeFrom: args.from,
    activeTo: endedBefore ? null : current.activeTo,
  }
  await trx
    .updateTable('warning_rules')
    .set({ active_to: ended.activeTo })
    .where('code', '=', ended.code)
    .where('version', '=', ended.version)
    .execute()
  await trx.insertInto('warning_rules').values(warningRuleToRow(next)).execute()
  for (const rule of [ended, next]) await putRule(writer, viewer.townId, rule)
}
