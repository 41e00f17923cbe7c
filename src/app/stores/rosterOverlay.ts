// What the roster screens show before the server confirms (issue 12): synced members, branches and 党小组
// with this user's waiting mutations replayed on top, in outbox order, by the rules in
// src/domain/rosterOverlay.ts. The tables hold only what the server sent, so a member added or moved with
// no signal must be laid over them here, and a refused mutation, once dropped, leaves nothing behind.
// The members store uses `overlayMembers` too: every list of members (meetings, 朋友圈) sees the change.
import { applyProfileUpdate, type MemberRow } from '~/domain/members'
import type { PartyGroupRow } from '~/domain/roster'
import type { BranchRow } from '~/domain/users'
import {
  applyBranchArchive,
  applyBranchSave,
  applyGroupArchive,
  applyGroupArchiveToMember,
  applyGroupSave,
  applyGroupSaveToMember,
  applyMemberEnd,
  applyMemberMove,
  applyMemberRole,
  applyMemberSave,
  currentMembersOf,
} from '~/domain/rosterOverlay'
import { pendingOf, type OutboxEntry } from '../sync/pending'

export type BranchView = BranchRow & { pending: boolean }
export type GroupView = PartyGroupRow & { pending: boolean }

export interface MembersOverlay {
  rows: MemberRow[]
  /** Members whose row differs from the server's because a mutation is still waiting (待同步). */
  pendingIds: Set<string>
}

/** Every member row with this user's waiting changes to members replayed over it. */
export function overlayMembers(confirmed: readonly MemberRow[], outbox: readonly OutboxEntry[]): MembersOverlay {
  const rows = new Map(confirmed.map((row) => [row.id, row]))
  const pendingIds = new Set<string>()
  const put = (row: MemberRow | null) => {
    if (!row) return
    rows.set(row.id, row)
    pendingIds.add(row.id)
  }
  const names = ['profile.update', 'member.save', 'member.end', 'member.move', 'member.role', 'group.save', 'group.archive'] as const
  for (const m of pendingOf(outbox, ...names)) {
    const at = m.clientTime
    if (m.name === 'profile.update') {
      const target = rows.get(m.args.memberId ?? m.userId)
      if (target) put(applyProfileUpdate(target, m.args, at))
    } else if (m.name === 'member.save') {
      put(applyMemberSave(rows.get(m.args.memberId), m.args, at))
    } else if (m.name === 'group.save' || m.name === 'group.archive') {
      for (const row of [...rows.values()]) {
        put(m.name === 'group.save' ? applyGroupSaveToMember(row, m.args, at) : applyGroupArchiveToMember(row, m.args.groupId, at))
      }
    } else {
      const row = rows.get(m.args.memberId)
      if (!row) continue
      if (m.name === 'member.end') put(applyMemberEnd(row, m.args, at, m.userId))
      else if (m.name === 'member.move') put(applyMemberMove(row, m.args, at))
      else put(applyMemberRole(row, m.args, at))
    }
  }
  return { rows: [...rows.values()], pendingIds }
}

/** The branches with waiting saves and archivings; an archiving the server would refuse (members left) is not shown. */
export function overlayBranches(
  confirmed: readonly BranchRow[],
  outbox: readonly OutboxEntry[],
  members: readonly MemberRow[],
): BranchView[] {
  const rows = new Map<string, BranchView>(confirmed.map((b) => [b.id, { ...b, pending: false }]))
  for (const m of pendingOf(outbox, 'branch.save', 'branch.archive')) {
    if (m.name === 'branch.save') {
      rows.set(m.args.branchId, { ...applyBranchSave(rows.get(m.args.branchId), m.args), pending: true })
      continue
    }
    const branch = rows.get(m.args.branchId)
    const next = branch && applyBranchArchive(branch, m.args, currentMembersOf(members, branch.id).length, m.clientTime)
    if (next) rows.set(next.id, { ...next, pending: true })
  }
  return [...rows.values()]
}

/** The 党小组 with waiting saves and 撤销. */
export function overlayGroups(confirmed: readonly PartyGroupRow[], outbox: readonly OutboxEntry[]): GroupView[] {
  const rows = new Map<string, GroupView>(confirmed.map((g) => [g.id, { ...g, pending: false }]))
  for (const m of pendingOf(outbox, 'group.save', 'group.archive')) {
    const group = rows.get(m.args.groupId)
    const next = m.name === 'group.save' ? applyGroupSave(group, m.args, m.clientTime) : group && applyGroupArchive(group, m.clientTime)
    if (next) rows.set(next.id, { ...next, pending: true })
  }
  return [...rows.values()]
}
