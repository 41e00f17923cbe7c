// A member's record (issue 12): added or edited by their branch's secretary or the admin, and membership
// ended (kept as history, never deleted). The branch changes only by `member.move` (move.ts).
import type { Kysely, Selectable } from 'kysely'
import type { Database, UserTable } from '~/server/db/schema'
import type { MutationHandler } from '~/server/sync/feature'
import type { ChangeWriter } from '~/server/sync/changes'
import { MutationRejected } from '~/server/sync/rejections'
import { recordAudit } from '~/server/services/audit'
import { endSessionsOf } from '~/server/services/auth'
import { embedsPhone } from '~/server/services/userIds'
import { dayInShanghai } from '~/domain/calendar'
import type { MemberSaveArgs } from '~/domain/roster'
import type { Viewer } from '~/domain/sync'
import { revokeMeetingKeys } from '../meetings/keys'
import { removeFromScheduledMeetings } from '../meetings/leavers'
import { loadBranch, loadMember, requireCurrentMember, requireManages, requireOpenBranch } from './access'
import { dropLeadership, requireGroupOf } from './groups'
import { replaceHouseholds } from './households'
import { changedFields, publishMember } from './rows'

/** The fields of the member form, as the audit log compares them. */
function recordOf(user: Selectable<UserTable>) {
  return {
    name: user.name,
    phone: user.phone,
    gender: user.gender,
    birthDate: user.birth_date,
    joinedPartyOn: user.joined_party_on,
    membership: user.membership,
    status: user.status,
    awayCity: user.away_city,
    centerHousehold: user.center_household === 1,
    partyGroupId: user.party_group_id,
    committeePost: user.committee_post,
  }
}

function columnsOf(args: MemberSaveArgs, existing: Selectable<UserTable> | undefined, now: string) {
  const away = args.status === 'away'
  return {
    name: args.name,
    phone: args.phone,
    gender: args.gender,
    birth_date: args.birthDate,
    // Older parts of the product (ages on the roster, the bench) read the year.
    birth_year: Number(args.birthDate.slice(0, 4)),
    joined_party_on: args.joinedPartyOn,
    membership: args.membership,
    status: args.status,
    away_city: away ? args.awayCity : null,
    return_date: away ? (existing?.return_date ?? null) : null,
    center_household: args.centerHousehold ? 1 : 0,
    party_group_id: args.partyGroupId,
    committee_post: args.committeePost,
    // A contact phone that was the login phone follows it; one the member set themself stays.
    contact_phone: !existing || existing.contact_phone === existing.phone ? args.phone : existing.contact_phone,
    updated_at: now,
  }
}

/** Who may save this record, and what it may say: refusals before anything is written. */
async function checkSave(trx: Kysely<Database>, viewer: Viewer, args: MemberSaveArgs) {
  const existing = await trx.selectFrom('users').selectAll().where('id', '=', args.memberId).executeTakeFirst()
  if (existing) {
    requireManages(viewer, existing.branch_id)
    requireCurrentMember(existing)
    if (existing.branch_id !== args.branchId) throw new MutationRejected('invalid_args', '更换支部请使用“组织关系转接”')
  } else {
    requireManages(viewer, args.branchId)
    // Ids say nothing about the person (issue 10).
    if (embedsPhone({ id: args.memberId, phone: args.phone })) throw new MutationRejected('invalid_args', '党员编号不能包含手机号码')
    requireOpenBranch(await loadBranch(trx, args.branchId))
  }
  const holder = await trx
    .selectFrom('users')
    .select('id')
    .where('phone', '=', args.phone)
    .where('id', '!=', args.memberId)
    .executeTakeFirst()
  if (holder) throw new MutationRejected('phone_taken', '该手机号已被其他账号使用')
  await requireGroupOf(trx, args.partyGroupId, args.branchId)
  return existing
}

export const saveMember: MutationHandler<'member.save'> = async ({ trx, viewer, writer, now }, args) => {
  const existing = await checkSave(trx, viewer, args)
  const columns = columnsOf(args, existing, now)
  if (existing) await trx.updateTable('users').set(columns).where('id', '=', existing.id).execute()
  else
    await trx
      .insertInto('users')
      .values({ id: args.memberId, role: 'member', branch_id: args.branchId, password_hash: '', created_at: now, ...columns })
      .execute()
  // Not a 党员中心户 (any more): no households. Households absent: an edit that leaves them as they are.
  const households = args.centerHousehold ? args.households : []
  const householdCounts = households === undefined ? null : await replaceHouseholds(trx, writer, args.memberId, households)
  const after = await publishMember(trx, writer, args.memberId, viewer.townId)
  if (existing && existing.party_group_id !== args.partyGroupId)
    await dropLeadership(trx, writer, existing.id, now, args.partyGroupId ?? undefined)

  const audit = { actorId: viewer.id, targetId: args.memberId, branchId: args.branchId }
  const { phone, ...changed } = changedFields(existing ? recordOf(existing) : {}, recordOf(after))
  const detail = { ...changed, ...(householdCounts ? { households: householdCounts } : {}) }
  if (!existing) {
    await recordAudit(trx, { ...audit, action: 'member.create', detail: { ...detail, phone } }, now)
    return
  }
  if (phone) {
    // The old number must no longer sign in (issue 12 item 6): the member signs in again with the new one.
    await endSessionsOf(trx, existing.id)
    await recordAudit(trx, { ...audit, action: 'member.phone', detail: { phone } }, now)
  }
  if (Object.keys(detail).length > 0) await recordAudit(trx, { ...audit, action: 'member.update', detail }, now)
}

export const endMember: MutationHandler<'member.end'> = async ({ trx, viewer, writer, now }, args) => {
  const user = await loadMember(trx, args.memberId)
  requireManages(viewer, user.branch_id)
  if (user.id === viewer.id) throw new MutationRejected('forbidden', '不能终止自己的党籍关系，请联系镇党委')
  requireCurrentMember(user)
  if (args.on > dayInShanghai(now)) throw new MutationRejected('invalid_args', '终止日期不能晚于今天')
  if (args.on < user.joined_party_on) throw new MutationRejected('invalid_args', '终止日期不能早于入党日期')

  await trx
    .updateTable('users')
    .set({
      ended_at: args.on,
      end_reason: args.reason,
      end_note: args.note,
      role: 'member',
      party_group_id: null,
      committee_post: null,
      updated_at: now,
    })
    .where('id', '=', user.id)
    .execute()
  // Deactivated: signed out everywhere, and no code left to sign in with.
  await endSessionsOf(trx, user.id)
  await trx.deleteFrom('activation_codes').where('user_id', '=', user.id).execute()
  await leaveBranchDuties(trx, writer, user, now)
  await removeFromScheduledMeetings(trx, writer, user.id, user.branch_id)
  await publishMember(trx, writer, user.id, viewer.townId)
  const detail = {
    reason: args.reason,
    on: args.on,
    note: args.note,
    ...changedFields(
      { role: user.role, partyGroupId: user.party_group_id, committeePost: user.committee_post },
      { role: 'member', partyGroupId: null, committeePost: null },
    ),
  }
  await recordAudit(trx, { actorId: viewer.id, action: 'member.end', targetId: user.id, branchId: user.branch_id, detail }, now)
}

/** What someone leaving their branch's service gives up: a secretary's meeting keys, a group they lead. */
export async function leaveBranchDuties(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  user: Selectable<UserTable> & { branch_id: string },
  now: string,
): Promise<void> {
  if (user.role === 'secretary') await revokeMeetingKeys(trx, writer, user.id, user.branch_id)
  await dropLeadership(trx, writer, user.id, now)
}
