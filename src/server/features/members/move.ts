// 组织关系转接 within the town, and appointing or removing a branch secretary (issue 12): the admin's.
// Rights follow the role column at once, since every request reads it (AuthService.sessionUser).
import type { MutationHandler } from '~/server/sync/feature'
import { MutationRejected } from '~/server/sync/rejections'
import { recordAudit } from '~/server/services/audit'
import { committeePostAfterRole, type CommitteePost } from '~/domain/roster'
import { grantMeetingKeys, revokeMeetingKeys } from '../meetings/keys'
import { removeFromScheduledMeetings } from '../meetings/leavers'
import { loadBranch, loadMember, requireCurrentMember, requireOpenBranch } from './access'
import { leaveBranchDuties } from './roster'
import { changedFields, publishMember } from './rows'

export const moveMember: MutationHandler<'member.move'> = async ({ trx, viewer, writer, now }, args) => {
  const user = await loadMember(trx, args.memberId)
  requireCurrentMember(user)
  if (user.branch_id === args.toBranchId) throw new MutationRejected('same_branch', '该党员已在这个支部，请选择转入的其他支部')
  requireOpenBranch(await loadBranch(trx, args.toBranchId, '找不到转入的支部'), '转入的支部已归档')

  const from = user.branch_id
  await leaveBranchDuties(trx, writer, user, now)
  // A secretary moved arrives as a member; the new branch's groups and committee are its own.
  await trx
    .updateTable('users')
    .set({ branch_id: args.toBranchId, role: 'member', party_group_id: null, committee_post: null, updated_at: now })
    .where('id', '=', user.id)
    .execute()
  await removeFromScheduledMeetings(trx, writer, user.id, from)
  // The row goes to the new branch and leaves the old one. A device seeing both (the admin's) may pull
  // the tombstone first: pull holds it back while the row lives in the other scope (sync/pull.ts).
  await publishMember(trx, writer, user.id, viewer.townId)
  await writer.delete(`branch:${from}`, 'members', user.id)
  // Private rows (user: scope), points and attendance stay: they name the member, not the branch.
  const detail = {
    branchId: [from, args.toBranchId],
    note: args.note,
    ...changedFields(
      { role: user.role, partyGroupId: user.party_group_id, committeePost: user.committee_post },
      { role: 'member', partyGroupId: null, committeePost: null },
    ),
  }
  await recordAudit(trx, { actorId: viewer.id, action: 'member.move', targetId: user.id, branchId: from, detail }, now)
}

export const setRole: MutationHandler<'member.role'> = async ({ trx, viewer, writer, now }, args) => {
  const user = await loadMember(trx, args.memberId)
  requireCurrentMember(user)
  if (user.role === args.role)
    throw new MutationRejected('unchanged', args.role === 'secretary' ? '该党员已是支部书记' : '该党员不是支部书记')
  const post = committeePostAfterRole(user.committee_post as CommitteePost | null, args.role)
  await trx.updateTable('users').set({ role: args.role, committee_post: post, updated_at: now }).where('id', '=', user.id).execute()
  // Meeting keys reach a new secretary's devices now, not only when the next meeting is scheduled.
  if (args.role === 'secretary') await grantMeetingKeys(trx, writer, user.id, user.branch_id)
  else await revokeMeetingKeys(trx, writer, user.id, user.branch_id)
  await publishMember(trx, writer, user.id, viewer.townId)
  await recordAudit(
    trx,
    {
      actorId: viewer.id,
      action: 'member.role',
      targetId: user.id,
      branchId: user.branch_id,
      detail: { role: [user.role, args.role], ...(post !== user.committee_post ? { committeePost: [user.committee_post, post] } : {}) },
    },
    now,
  )
}
