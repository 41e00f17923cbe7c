// The town's branches (issue 12): the admin creates, renames and archives them. Every device sees the
// branch rows (town scope); an archived one stays, marked, for the history that names it.
import type { MutationHandler } from '~/server/sync/feature'
import { MutationRejected } from '~/server/sync/rejections'
import { recordAudit } from '~/server/services/audit'
import { loadBranch } from './access'
import { branchRowFromTable, changedFields } from './rows'

export const saveBranch: MutationHandler<'branch.save'> = async ({ trx, viewer, writer, now }, args) => {
  const existing = await trx.selectFrom('branches').selectAll().where('id', '=', args.branchId).executeTakeFirst()
  const sameName = await trx
    .selectFrom('branches')
    .select('id')
    .where('name', '=', args.name)
    .where('id', '!=', args.branchId)
    .executeTakeFirst()
  if (sameName) throw new MutationRejected('branch_name_taken', '已有同名的支部')
  const values = { name: args.name, place: args.place, kind: args.kind }
  if (existing) await trx.updateTable('branches').set(values).where('id', '=', args.branchId).execute()
  else
    await trx
      .insertInto('branches')
      .values({ id: args.branchId, town_id: viewer.townId, archived_at: null, ...values })
      .execute()
  const branch = await loadBranch(trx, args.branchId)
  await writer.put(`town:${viewer.townId}`, 'branches', branch.id, branchRowFromTable(branch))
  const before = existing ? { name: existing.name, place: existing.place, kind: existing.kind } : {}
  await recordAudit(
    trx,
    {
      actorId: viewer.id,
      action: existing ? 'branch.update' : 'branch.create',
      targetId: branch.id,
      branchId: branch.id,
      detail: changedFields(before, values),
    },
    now,
  )
}

export const archiveBranch: MutationHandler<'branch.archive'> = async ({ trx, viewer, writer, now }, args) => {
  const branch = await loadBranch(trx, args.branchId)
  if (args.archived) {
    if (branch.archived_at !== null) throw new MutationRejected('already_archived', '该支部已经归档')
    // Members are moved out (or their membership ended) first: nobody is left in a branch no one sees.
    const current = await trx
      .selectFrom('users')
      .select('id')
      .where('branch_id', '=', branch.id)
      .where('ended_at', 'is', null)
      .executeTakeFirst()
    if (current) throw new MutationRejected('branch_not_empty', '支部还有党员，请先转出')
  } else if (branch.archived_at === null) {
    throw new MutationRejected('not_archived', '该支部没有归档')
  }
  const archivedAt = args.archived ? now : null
  await trx.updateTable('branches').set({ archived_at: archivedAt }).where('id', '=', branch.id).execute()
  await writer.put(`town:${viewer.townId}`, 'branches', branch.id, branchRowFromTable({ ...branch, archived_at: archivedAt }))
  await recordAudit(
    trx,
    {
      actorId: viewer.id,
      action: args.archived ? 'branch.archive' : 'branch.restore',
      targetId: branch.id,
      branchId: branch.id,
      detail: { archivedAt: [branch.archived_at, archivedAt] },
    },
    now,
  )
}
