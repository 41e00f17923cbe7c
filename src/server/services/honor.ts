import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { honorLists, type HonorMember, type HonorPublishArgs } from '../../domain/honor'
import type { ChangeWriter } from './changes'
import { loadRules } from './points'

/**
 * Computes and publishes a month's 红黄榜 from the ledger: the month's totals, net violation deductions
 * (a corrected violation nets to zero) and net deductions for unexcused absence. Publishing again replaces it.
 */
export async function publishHonorLists(trx: Kysely<Database>, writer: ChangeWriter, townId: string, args: HonorPublishArgs, by: string, now: string): Promise<void> {
  const rules = await loadRules(trx)
  const violationCodes = [...new Set(rules.filter((r) => r.category === 'violation').map((r) => r.code))]
  const absenceCodes = [...new Set(rules.filter((r) => r.eventKind === 'meeting.absent').map((r) => r.code))]
  const netByMember = async (codes: string[]) => {
    if (codes.length === 0) return new Map<string, number>()
    const rows = await trx
      .selectFrom('points_ledger')
      .select(['member_id', (eb) => eb.fn.sum<number | string>('points').as('net')])
      .where('rule_code', 'in', codes)
      .where('day', '>=', `${args.month}-01`)
      .where('day', '<=', `${args.month}-31`)
      .groupBy('member_id')
      .execute()
    return new Map(rows.map((r) => [r.member_id, Number(r.net)]))
  }
  const violations = await netByMember(violationCodes)
  const absences = await netByMember(absenceCodes)
  const totals = new Map(
    (await trx.selectFrom('points_totals').select(['member_id', 'points']).where('period', '=', args.month).execute()).map((r) => [r.member_id, r.points]),
  )
  const branches = new Map((await trx.selectFrom('branches').select(['id', 'name']).execute()).map((b) => [b.id, b.name]))
  const users = await trx.selectFrom('users').select(['id', 'name', 'branch_id']).where('role', '!=', 'admin').where('branch_id', 'is not', null).execute()
  const members: HonorMember[] = users.map((u) => ({
    id: u.id,
    name: u.name,
    branchId: u.branch_id!,
    branchName: branches.get(u.branch_id!) ?? '',
    points: totals.get(u.id) ?? 0,
    violationPoints: Math.min(0, violations.get(u.id) ?? 0),
    unexcusedAbsences: (absences.get(u.id) ?? 0) < 0 ? 1 : 0,
  }))
  const { list, marks } = honorLists(members, args, now)
  const row = { threshold: args.threshold, red_per_branch: args.redPerBranch, list_json: JSON.stringify(list), published_by: by, published_at: now }
  await trx
    .insertInto('honor_lists')
    .values({ month: args.month, ...row })
    .onConflict((oc) => oc.column('month').doUpdateSet(row))
    .execute()
  await writer.put(`town:${townId}`, 'honor_lists', list.id, list)
  for (const [index, mark] of marks.entries()) await writer.put(`user:${members[index]!.id}`, 'honor_marks', mark.id, mark)
}
