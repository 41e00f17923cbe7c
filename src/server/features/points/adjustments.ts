// The admin's hand on the ledger: adjustments (志愿服务加分, 违规扣分) and corrections, both audited with the
// admin and the reason; and revisions of the rule table, which end one version and start the next.
import type { MutationHandler } from '~/server/sync/feature'
import { MutationRejected } from '~/server/sync/rejections'
import { counterEntry, pointsRuleSchema, reviseRule, ruleRowId, type PointsRule } from '~/domain/points'
import { dayInShanghai } from '~/domain/calendar'
import { parseWith } from '~/domain/validation'
import { awardPoints, insertEntries, loadRules, ruleToRow } from './ledger'

export const adjustPoints: MutationHandler<'points.adjust'> = async ({ trx, viewer, writer, now }, args) => {
  const member = await trx.selectFrom('users').select(['id', 'role', 'ended_at']).where('id', '=', args.memberId).executeTakeFirst()
  if (!member || member.role === 'admin') throw new MutationRejected('not_found', '找不到这名党员')
  // An ended membership earns and loses nothing new; its entries stay, and can still be corrected.
  if (member.ended_at !== null) throw new MutationRejected('already_ended', '该党员的党籍关系已经终止，不能再调整积分')
  const event = {
    id: `adjust:${args.adjustmentId}`,
    memberId: member.id,
    kind: `manual.${args.kind}` as const,
    day: dayInShanghai(now),
    quantity: args.amount,
    reason: args.reason,
  }
  // Audited: the entry names the admin who made it and why, and the mutation record keeps the request.
  const created = await awardPoints(trx, writer, [event], now, viewer.id)
  if (created.length === 0) throw new MutationRejected('cap_reached', '该党员本项积分已达上限，或此调整已记录过')
}

export const correctPoints: MutationHandler<'points.correct'> = async ({ trx, viewer, writer, now }, args) => {
  const entry = await trx.selectFrom('points_ledger').selectAll().where('id', '=', args.entryId).executeTakeFirst()
  if (!entry) throw new MutationRejected('not_found', '找不到这条积分记录')
  if (entry.source_id.startsWith('counter:')) throw new MutationRejected('invalid_args', '更正记录不能再更正，如有需要请重新调整')
  const counter = counterEntry(
    {
      id: entry.id,
      memberId: entry.member_id,
      ruleCode: entry.rule_code,
      ruleVersion: entry.rule_version,
      sourceId: entry.source_id,
      day: entry.day,
      points: entry.points,
      reason: entry.reason,
    },
    args.reason,
    dayInShanghai(now),
  )
  if (await trx.selectFrom('points_ledger').select('id').where('id', '=', counter.id).executeTakeFirst()) {
    throw new MutationRejected('already_corrected', '这条积分记录已经更正过')
  }
  await insertEntries(trx, writer, [counter], now, viewer.id)
}

export const reviseRules: MutationHandler<'rules.revise'> = async ({ trx, viewer, writer, now }, args) => {
  const rules = await loadRules(trx)
  let revised: PointsRule[]
  try {
    revised = reviseRule(rules, args.code, args.change, args.from, dayInShanghai(now))
  } catch (error) {
    throw new MutationRejected('invalid_args', (error as Error).message)
  }
  const versions = revised.filter((r) => r.code === args.code).sort((a, b) => b.version - a.version)
  const [next, ended] = [versions[0]!, versions[1]!]
  const valid = parseWith(pointsRuleSchema, next)
  if (!valid.ok) throw new MutationRejected('invalid_args', valid.message)
  if (Math.sign(next.points) !== Math.sign(ended.points)) throw new MutationRejected('invalid_args', '不能把加分规则改成扣分规则，或反过来')
  await trx
    .updateTable('points_rules')
    .set({ active_to: ended.activeTo })
    .where('code', '=', ended.code)
    .where('version', '=', ended.version)
    .execute()
  await trx.insertInto('points_rules').values(ruleToRow(next)).execute()
  for (const rule of [ended, next])
    await writer.put(`town:${viewer.townId}`, 'points_rules', ruleRowId(rule), { ...rule, id: ruleRowId(rule) })
}
