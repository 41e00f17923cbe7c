// 我的: members (在家 / 外出务工, contact phone) and the town's branches; the roster's administration
// (issue 12): members' records, moves, roles, branches and 党小组 (roster.ts, move.ts, branches.ts, groups.ts).
import type { MutationHandler } from '~/server/sync/feature'
import { asStored, defineFeature } from '~/server/sync/feature'
import { MutationRejected } from '~/server/sync/rejections'
import { REJECTIONS } from '~/domain/sync'
import { applyProfileUpdate, mayUpdateProfile, redactMember, type MemberRow } from '~/domain/members'
import { archiveBranch, saveBranch } from './branches'
import { archiveGroup, saveGroup } from './groups'
import { moveMember, setRole } from './move'
import { endMember, saveMember } from './roster'
import { branchRowFromTable, groupRowFromTable, memberRowFromUser, memberScope } from './rows'

const updateProfile: MutationHandler<'profile.update'> = async ({ trx, viewer, writer, now }, args) => {
  const targetId = args.memberId ?? viewer.id
  const user = await trx.selectFrom('users').selectAll().where('id', '=', targetId).executeTakeFirst()
  if (!user) throw new MutationRejected('not_found', REJECTIONS.not_found)
  if (!mayUpdateProfile(viewer, { id: user.id, branchId: user.branch_id })) {
    throw new MutationRejected('forbidden', '不能修改其他党员的信息')
  }
  const next = applyProfileUpdate(memberRowFromUser(user), args, now)
  await trx
    .updateTable('users')
    .set({
      status: next.status,
      away_city: next.awayCity,
      return_date: next.returnDate,
      contact_phone: next.contactPhone,
      updated_at: now,
    })
    .where('id', '=', user.id)
    .execute()
  await writer.put(memberScope(user, viewer.townId), 'members', user.id, next)
}

export const membersFeature = defineFeature({
  name: 'members',
  mutations: {
    'profile.update': updateProfile,
    'member.save': saveMember,
    'member.end': endMember,
    'member.move': moveMember,
    'member.role': setRole,
    'branch.save': saveBranch,
    'branch.archive': archiveBranch,
    'group.save': saveGroup,
    'group.archive': archiveGroup,
  },
  tables: {
    members: (row, viewer) => redactMember(row as MemberRow, viewer),
    branches: asStored,
    // A branch's groups go to that branch (and the admin): names only, nothing private.
    party_groups: asStored,
  },
  async publish(trx, writer, townId) {
    for (const branch of await trx.selectFrom('branches').selectAll().orderBy('id').execute()) {
      await writer.put(`town:${townId}`, 'branches', branch.id, branchRowFromTable(branch))
    }
    for (const user of await trx.selectFrom('users').selectAll().orderBy('id').execute()) {
      await writer.put(memberScope(user, townId), 'members', user.id, memberRowFromUser(user))
    }
    for (const group of await trx.selectFrom('party_groups').selectAll().orderBy('id').execute()) {
      await writer.put(`branch:${group.branch_id}`, 'party_groups', group.id, groupRowFromTable(group))
    }
  },
})
