// 党小组 (issue 12): a branch's party groups. A group's members are the users naming it in party_group_id,
// so a member is in one group at most; the group row goes to its branch, with the member rows it changed.
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import type { MutationHandler } from '~/server/sync/feature'
import type { ChangeWriter } from '~/server/sync/changes'
import { MutationRejected } from '~/server/sync/rejections'
import { recordAudit } from '~/server/services/audit'
import { loadBranch, requireManages, requireOpenBranch } from './access'
import { changedFields, groupRowFromTable, publishMember } from './rows'

async function publishGroup(trx: Kysely<Database>, writer: ChangeWriter, id: string): Promise<void> {
  const group = await trx.selectFrom('party_groups').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  await writer.put(`branch:${group.branch_id}`, 'party_groups', group.id, groupRowFromTable(group))
}

/** A member leaving a group (or the branch, or the party) no longer leads the groups they led but `keep`. */
export async function dropLeadership(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  memberId: string,
  now: string,
  keep?: string,
): Promise<void> {
  let led = trx.selectFrom('party_groups').select('id').where('leader_id', '=', memberId)
  if (keep) led = led.where('id', '!=', keep)
  for (const { id } of await led.execute()) {
    await trx.updateTable('party_groups').set({ leader_id: null, updated_at: now }).where('id', '=', id).execute()
    await publishGroup(trx, writer, id)
  }
}

/** Checks a member's group on the member form: a group of their branch still in use. */
export async function requireGroupOf(trx: Kysely<Database>, groupId: string | null, branchId: string): Promise<void> {
  if (groupId === null) return
  const group = await trx.selectFrom('party_groups').select(['branch_id', 'archived_at']).where('id', '=', groupId).executeTakeFirst()
  if (!group || group.branch_id !== branchId || group.archived_at !== null)
    throw new MutationRejected('invalid_args', '所选党小组不存在、已撤销或不属于本支部')
}

/** Sets a member's group (clearing it with null) and sends their row. */
async function setGroupOf(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  ids: readonly string[],
  groupId: string | null,
  townId: string,
  now: string,
) {
  for (const id of ids) {
    await trx.updateTable('users').set({ party_group_id: groupId, updated_at: now }).where('id', '=', id).execute()
    await publishMember(trx, writer, id, townId)
  }
}

const membersOf = async (trx: Kysely<Database>, groupId: string) =>
  (await trx.selectFrom('users').select('id').where('party_group_id', '=', groupId).orderBy('id').execute()).map((u) => u.id)

export const saveGroup: MutationHandler<'group.save'> = async ({ trx, viewer, writer, now }, args) => {
  const existing = await trx.selectFrom('party_groups').selectAll().where('id', '=', args.groupId).executeTakeFirst()
  for (const branchId of [existing?.branch_id ?? args.branchId, args.branchId]) requireManages(viewer, branchId, '只能管理本支部的党小组')
  if (existing && existing.branch_id !== args.branchId) throw new MutationRejected('invalid_args', '党小组不能换到其他支部')
  if (existing?.archived_at) throw new MutationRejected('group_archived', '该党小组已撤销')
  requireOpenBranch(await loadBranch(trx, args.branchId), '该支部已归档')

  const memberIds = [...new Set(args.memberIds)].sort()
  if (args.leaderId !== null && !memberIds.includes(args.leaderId)) throw new MutationRejected('invalid_args', '组长须是本小组的成员')
  if (memberIds.length > 0) {
    const current = await trx
      .selectFrom('users')
      .select('id')
      .where('id', 'in', memberIds)
      .where('branch_id', '=', args.branchId)
      .where('ended_at', 'is', null)
      .execute()
    if (current.length !== memberIds.length) throw new MutationRejected('invalid_args', '党小组成员须是本支部的在册党员')
  }
  const sameName = await trx
    .selectFrom('party_groups')
    .select('id')
    .where('branch_id', '=', args.branchId)
    .where('name', '=', args.name)
    .where('archived_at', 'is', null)
    .where('id', '!=', args.groupId)
    .executeTakeFirst()
  if (sameName) throw new MutationRejected('group_name_taken', '本支部已有同名的党小组')

  const values = { name: args.name, leader_id: args.leaderId, updated_at: now }
  if (existing) await trx.updateTable('party_groups').set(values).where('id', '=', args.groupId).execute()
  else
    await trx
      .insertInto('party_groups')
      .values({ id: args.groupId, branch_id: args.branchId, archived_at: null, created_at: now, ...values })
      .execute()

  const before = existing ? await membersOf(trx, args.groupId) : []
  const removed = before.filter((id) => !memberIds.includes(id))
  const added = memberIds.filter((id) => !before.includes(id))
  await setGroupOf(trx, writer, removed, null, viewer.townId, now)
  // Joining this group is leaving another one of the branch, and leading it.
  await setGroupOf(trx, writer, added, args.groupId, viewer.townId, now)
  for (const id of added) await dropLeadership(trx, writer, id, now, args.groupId)
  await publishGroup(trx, writer, args.groupId)

  const detail = {
    ...changedFields(existing ? { name: existing.name, leaderId: existing.leader_id } : {}, { name: args.name, leaderId: args.leaderId }),
    ...(added.length > 0 ? { added } : {}),
    ...(removed.length > 0 ? { removed } : {}),
  }
  await recordAudit(trx, { actorId: viewer.id, action: 'group.save', targetId: args.groupId, branchId: args.branchId, detail }, now)
}

export const archiveGroup: MutationHandler<'group.archive'> = async ({ trx, viewer, writer, now }, args) => {
  const group = await trx.selectFrom('party_groups').selectAll().where('id', '=', args.groupId).executeTakeFirst()
  if (!group) throw new MutationRejected('not_found', '找不到这个党小组')
  requireManages(viewer, group.branch_id, '只能管理本支部的党小组')
  if (group.archived_at !== null) throw new MutationRejected('already_archived', '该党小组已经撤销')
  await trx.updateTable('party_groups').set({ archived_at: now, updated_at: now }).where('id', '=', group.id).execute()
  const members = await membersOf(trx, group.id)
  await setGroupOf(trx, writer, members, null, viewer.townId, now)
  await publishGroup(trx, writer, group.id)
  await recordAudit(
    trx,
    {
      actorId: viewer.id,
      action: 'group.archive',
      targetId: group.id,
      branchId: group.branch_id,
      detail: { name: group.name, members: members.length },
    },
    now,
  )
}
