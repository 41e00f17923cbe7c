// What each administrative mutation (issue 12) does to the rows devices hold: members, branches and
// 党小组. The app replays waiting mutations with these (the optimistic overlay), so a member added, moved
// or ended with no signal shows at once, and a refused one disappears when it is dropped. Each function
// returns null where the server would refuse, so the device never shows what will not happen.
import type { MemberRow } from './members'
import type { BranchRow } from './users'
import {
  COMMITTEE_POSTS,
  committeePostAfterRole,
  type BranchArchiveArgs,
  type BranchSaveArgs,
  type GroupSaveArgs,
  type MemberEndArgs,
  type MemberMoveArgs,
  type MemberRoleArgs,
  type MemberSaveArgs,
  type PartyGroupRow,
} from './roster'

/** A member still in the party: an ended membership keeps its row (names in history) and leaves every list. */
export const isCurrent = (m: Pick<MemberRow, 'endedAt'>) => !m.endedAt

/** A branch's current members (the admin belongs to none). */
export function currentMembersOf<M extends MemberRow>(members: readonly M[], branchId: string): M[] {
  return members.filter((m) => m.branchId === branchId && isCurrent(m) && m.role !== 'admin')
}

// ------------------------------------------------------------------------------------------ members

/** `member.save`: a new member (role 党员, in the chosen branch), or the record edited (in its branch: moves are `member.move`). */
export function applyMemberSave(existing: MemberRow | undefined, args: MemberSaveArgs, at: string): MemberRow | null {
  if (existing && (!isCurrent(existing) || existing.branchId !== args.branchId)) return null
  const away = args.status === 'away'
  // A contact phone that was the login phone follows it; one the member set themself stays.
  const followsLogin = !existing || !existing.contactPhone || existing.contactPhone === existing.loginPhone
  return {
    id: args.memberId,
    role: existing?.role ?? 'member',
    branchId: args.branchId,
    contactPhone: followsLogin ? args.phone : existing.contactPhone,
    returnDate: away ? (existing?.returnDate ?? null) : null,
    endedAt: null,
    endReason: null,
    name: args.name,
    loginPhone: args.phone,
    gender: args.gender,
    birthDate: args.birthDate,
    joinedPartyOn: args.joinedPartyOn,
    membership: args.membership,
    status: args.status,
    awayCity: away ? args.awayCity : null,
    centerHousehold: args.centerHousehold,
    partyGroupId: args.partyGroupId,
    committeePost: args.committeePost,
    updatedAt: at,
  }
}

/**
 * `member.end`: the row stays with the day and the reason; the member leaves every current list, and the
 * role, 党小组 and 支委 post they held. Never one's own, nor before joining.
 */
export function applyMemberEnd(row: MemberRow, args: MemberEndArgs, at: string, actorId: string): MemberRow | null {
  if (!isCurrent(row) || row.role === 'admin' || row.id === actorId) return null
  if (row.joinedPartyOn && args.on < row.joinedPartyOn) return null
  return { ...row, endedAt: args.on, endReason: args.reason, role: 'member', partyGroupId: null, committeePost: null, updatedAt: at }
}

/**
 * `member.move` (组织关系转接): the member joins the other branch, leaving their 党小组 and 支委 post, which
 * belong to the old one; a secretary there is a member in the new branch until appointed again.
 */
export function applyMemberMove(row: MemberRow, args: MemberMoveArgs, at: string): MemberRow | null {
  if (!isCurrent(row) || row.role === 'admin' || row.branchId === args.toBranchId) return null
  return {
    ...row,
    branchId: args.toBranchId,
    role: 'member',
    partyGroupId: null,
    committeePost: null,
    updatedAt: at,
  }
}

/** `member.role`: 任命 or 免去 a branch secretary. */
export function applyMemberRole(row: MemberRow, args: MemberRoleArgs, at: string): MemberRow | null {
  if (!isCurrent(row) || row.role === 'admin' || row.role === args.role) return null
  return { ...row, role: args.role, committeePost: committeePostAfterRole(row.committeePost ?? null, args.role), updatedAt: at }
}

/** `group.save` as a member sees it: in the group when chosen, out of it when they were in and are not chosen now. */
export function applyGroupSaveToMember(row: MemberRow, args: GroupSaveArgs, at: string): MemberRow | null {
  if (row.branchId !== args.branchId || !isCurrent(row)) return null
  const chosen = args.memberIds.includes(row.id)
  const next = chosen ? args.groupId : row.partyGroupId === args.groupId ? null : (row.partyGroupId ?? null)
  return next === (row.partyGroupId ?? null) ? null : { ...row, partyGroupId: next, updatedAt: at }
}

/** `group.archive` as a member sees it: no longer in the group. */
export function applyGroupArchiveToMember(row: MemberRow, groupId: string, at: string): MemberRow | null {
  return row.partyGroupId === groupId ? { ...row, partyGroupId: null, updatedAt: at } : null
}

// ------------------------------------------------------------------------------------------ branches

/** `branch.save`: a new branch, or its name, place and kind changed (archiving is `branch.archive`). */
export function applyBranchSave(existing: BranchRow | undefined, args: BranchSaveArgs): BranchRow {
  return { id: args.branchId, name: args.name, place: args.place, kind: args.kind, archivedAt: existing?.archivedAt ?? null }
}

/** Why a branch can't be archived now, or null: its members must be moved or ended first. */
export function branchArchiveProblem(currentMemberCount: number): string | null {
  return currentMemberCount > 0 ? `支部还有${currentMemberCount}名党员，请先转接到其他支部或终止党籍，再归档` : null
}

/** `branch.archive`: archived (kept, out of the current lists) or restored. */
export function applyBranchArchive(branch: BranchRow, args: BranchArchiveArgs, currentMemberCount: number, at: string): BranchRow | null {
  if (args.archived && branchArchiveProblem(currentMemberCount)) return null
  if (Boolean(branch.archivedAt) === args.archived) return null
  return { ...branch, archivedAt: args.archived ? at : null }
}

// ------------------------------------------------------------------------------------------ 党小组

/** `group.save`: a new 党小组, or its name and leader changed; it stays in the branch it was made in. */
export function applyGroupSave(existing: PartyGroupRow | undefined, args: GroupSaveArgs, at: string): PartyGroupRow | null {
  if (existing?.archivedAt || (existing && existing.branchId !== args.branchId)) return null
  return { id: args.groupId, branchId: args.branchId, name: args.name, leaderId: args.leaderId, archivedAt: null, updatedAt: at }
}

/** `group.archive` (撤销): kept for history, out of the lists. */
export function applyGroupArchive(group: PartyGroupRow, at: string): PartyGroupRow | null {
  return group.archivedAt ? null : { ...group, archivedAt: at, updatedAt: at }
}

// ------------------------------------------------------------------------------------------ reading

/** The branch committee (支委): current members with a post, in the order posts are listed. */
export function committeeOf<M extends MemberRow>(members: readonly M[], branchId: string): M[] {
  const rank = (m: MemberRow) => COMMITTEE_POSTS.indexOf(m.committeePost!)
  return currentMembersOf(members, branchId)
    .filter((m) => m.committeePost)
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, 'zh-CN'))
}

/** A 党小组's current members. */
export function groupMembersOf<M extends MemberRow>(members: readonly M[], group: Pick<PartyGroupRow, 'id' | 'branchId'>): M[] {
  return currentMembersOf(members, group.branchId).filter((m) => m.partyGroupId === group.id)
}

/** Whether a member matches what was typed in a search box: part of the name, or digits of a phone. */
export function matchesSearch(m: Pick<MemberRow, 'name' | 'loginPhone' | 'contactPhone'>, query: string): boolean {
  const q = query.normalize('NFKC').trim()
  if (!q) return true
  if (m.name.includes(q)) return true
  const digits = q.replace(/\D/g, '')
  return digits.length >= 3 && [m.loginPhone, m.contactPhone].some((phone) => phone?.includes(digits))
}

/** Who else signs in with this phone (the server refuses a phone already in use), or null. */
export function phoneTakenBy<M extends MemberRow>(members: readonly M[], phone: string, memberId: string): M | null {
  return members.find((m) => m.id !== memberId && m.loginPhone === phone) ?? null
}
