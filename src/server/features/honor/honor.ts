import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import {
  honorLists,
  honorPreview,
  honorPublishProblem,
  type HonorMember,
  type HonorPreview,
  type HonorPublishArgs,
  type HonorWithdrawArgs,
} from '~/domain/honor'
import type { ChangeWriter } from '~/server/sync/changes'
import { loadRules } from '../points/ledger'
import { MutationRejected } from '~/server/sync/rejections'

/**
 * The month's members as the 红黄榜 rules see them, from the ledger: the month's totals, net violation
 * deductions (a corrected violation nets to zero) and net deductions for unexcused absence. Every current
 * member of a branch, secretaries included (they are the branch's party members too); never the admin, nor
 * anyone whose membership ended (issue 12: lists published before keep them). A member who moved counts
 * in their new branch, with the points they brought.
 */
async function honorMembers(db: Kysely<Database>, month: string): Promise<{ members: HonorMember[]; anyPoints: boolean }> {
  const rules = await loadRules(db)
  const violationCodes = [...new Set(rules.filter((r) => r.category === 'violation').map((r) => r.code))]
  const absenceCodes = [...new Set(rules.filter((r) => r.eventKind === 'meeting.absent').map((r) => r.code))]
  const netByMember = async (codes: string[]) => {
    if (codes.length === 0) return new Map<string, number>()
    const rows = await db
      .selectFrom('points_ledger')
      .select(['member_id', (eb) => eb.fn.sum<number | string>('points').as('net')])
      .where('rule_code', 'in', codes)
      .where('day', '>=', `${month}-01`)
      .where('day', '<=', `${month}-31`)
      .groupBy('member_id')
      .execute()
    return new Map(rows.map((r) => [r.member_id, Number(r.net)]))
  }
  const violations = await netByMember(violationCodes)
  const absences = await netByMember(absenceCodes)
  const totals = new Map(
    (await db.selectFrom('points_totals').select(['member_id', 'points']).where('period', '=', month).execute()).map((r) => [
      r.member_id,
      r.points,
    ]),
  )
  const anyPoints = Boolean(
    await db
      .selectFrom('points_ledger')
      .select('id')
      .where('day', '>=', `${month}-01`)
      .where('day', '<=', `${month}-31`)
      .limit(1)
      .executeTakeFirst(),
  )
  const branches = new Map((await db.selectFrom('branches').select(['id', 'name']).execute()).map((b) => [b.id, b.name]))
  const users = await db
    .selectFrom('users')
    .select(['id', 'name', 'branch_id'])
    .where('role', '!=', 'admin')
    .where('branch_id', 'is not', null)
    .where('ended_at', 'is', null)
    .orderBy('id')
    .execute()
  const members = users.map((u) => ({
    id: u.id,
    name: u.name,
    branchId: u.branch_id!,
    branchName: branches.get(u.branch_id!) ?? '',
    points: Number(totals.get(u.id) ?? 0),
    violationPoints: Math.min(0, violations.get(u.id) ?? 0),
    unexcusedAbsences: (absences.get(u.id) ?? 0) < 0 ? 1 : 0,
  }))
  return { members, anyPoints }
}

/** What publishing would show (for the admin, before confirming): everyone on either list, with the reasons. */
export async function previewHonorLists(db: Kysely<Database>, args: HonorPublishArgs, now: string): Promise<HonorPreview> {
  const { members, anyPoints } = await honorMembers(db, args.month)
  return honorPreview(members, args, honorPublishProblem(args.month, new Date(now), anyPoints))
}

/** Computes and publishes a month's 红黄榜 (a month that has ended). Publishing again replaces it, a withdrawn one too. */
export async function publishHonorLists(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  townId: string,
  args: HonorPublishArgs,
  by: string,
  now: string,
): Promise<void> {
  const { members, anyPoints } = await honorMembers(trx, args.month)
  const problem = honorPublishProblem(args.month, new Date(now), anyPoints)
  if (problem) throw new MutationRejected('invalid_args', problem)
  const { list, marks } = honorLists(members, args, now)
  const row = {
    threshold: args.threshold,
    red_per_branch: args.redPerBranch,
    list_json: JSON.stringify(list),
    published_by: by,
    published_at: now,
    withdrawn_by: null,
    withdrawn_at: null,
    withdraw_reason: null,
  }
  await trx
    .insertInto('honor_lists')
    .values({ month: args.month, ...row })
    .onConflict((oc) => oc.column('month').doUpdateSet(row))
    .execute()
  await writer.put(`town:${townId}`, 'honor_lists', list.id, list)
  for (const [index, mark] of marks.entries()) await writer.put(`user:${members[index]!.id}`, 'honor_marks', mark.id, mark)
}

/**
 * 撤回: the month's lists leave every device (a tombstone in the town's scope), and so does each member's
 * own mark; the record stays on the server with who withdrew it, when and why.
 */
export async function withdrawHonorLists(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  townId: string,
  args: HonorWithdrawArgs,
  by: string,
  now: string,
): Promise<void> {
  const stored = await trx.selectFrom('honor_lists').select(['month', 'withdrawn_at']).where('month', '=', args.month).executeTakeFirst()
  if (!stored) throw new MutationRejected('not_found', '这个月的红黄榜还没有发布')
  if (stored.withdrawn_at) throw new MutationRejected('already_withdrawn', '这个月的红黄榜已经撤回')
  await trx
    .updateTable('honor_lists')
    .set({ withdrawn_by: by, withdrawn_at: now, withdraw_reason: args.reason })
    .where('month', '=', args.month)
    .execute()
  await writer.delete(`town:${townId}`, 'honor_lists', args.month)
  // Every member who was sent a mark for the month, as it was sent (members may have moved since), this
  // batch's own marks included.
  await writer.flush()
  const marked = await trx
    .selectFrom('sync_rows')
    .select('scope')
    .where('table_name', '=', 'honor_marks')
    .where('row_id', '=', args.month)
    .where('op', '=', 'put')
    .execute()
  for (const { scope } of marked) await writer.delete(scope as `user:${string}`, 'honor_marks', args.month)
}
