import { defineStore } from 'pinia'
import { computed } from 'vue'
import { appDB } from '../db/instance'
import { useLiveQuery } from '../composables/useLiveQuery'
import { outboxOf, readWithOutbox } from '../sync/pending'
import { api } from '../api/client'
import { useSyncStore } from './sync'
import { useSessionStore } from './session'
import { useMembersStore } from './members'
import { overlayBranches, overlayGroups, type BranchView, type GroupView } from './rosterOverlay'
import { committeeOf, currentMembersOf, groupMembersOf } from '~/domain/rosterOverlay'
import type {
  AuditEntry,
  BranchSaveArgs,
  GroupSaveArgs,
  MemberEndArgs,
  MemberMoveArgs,
  MemberSaveArgs,
  PartyGroupRow,
} from '~/domain/roster'
import type { MemberRow } from '~/domain/members'

export type { BranchView, GroupView } from './rosterOverlay'

/** One page of the audit log (`GET /api/admin/audit`), newest first; `next` asks for the page after it. */
export interface AuditPage {
  entries: AuditEntry[]
  next: string | null
}

// Ids made on the device, so a branch, group or member created offline can be named by the mutations after it.
const ID_ALPHABET = '23456789abcdefghijkmnpqrstuvwxyz'
function randomId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12))
  return `${prefix}-${[...bytes].map((b) => ID_ALPHABET[b & 31]).join('')}`
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, 'zh-CN')

/**
 * 管理 (issue 12): the town's branches, their 党小组 and members as synced, with this user's waiting
 * administrative changes laid over them (待同步), and the eight mutations that change them, all offline.
 */
export const useRosterStore = defineStore('roster', () => {
  const db = appDB()
  const sync = useSyncStore()
  const session = useSessionStore()
  const members = useMembersStore()

  const synced = useLiveQuery(
    () =>
      readWithOutbox(db, [db.branches, db.party_groups], async () => ({
        branches: await db.branches.toArray(),
        groups: await db.party_groups.toArray(),
      })),
    null,
  )
  const pending = computed(() => outboxOf(synced.value, sync.userId))
  const loaded = computed(() => synced.value !== null && members.loaded)

  const role = computed(() => session.me?.user.role ?? 'member')
  const isAdmin = computed(() => role.value === 'admin')
  const myBranchId = computed(() => session.me?.branch?.id ?? null)
  const myId = computed(() => session.me?.user.id ?? null)
  /** The admin manages every branch; a secretary their own. */
  const mayManage = (branchId: string | null) =>
    isAdmin.value || (role.value === 'secretary' && branchId !== null && branchId === myBranchId.value)

  const branches = computed<BranchView[]>(() => overlayBranches(synced.value?.rows.branches ?? [], pending.value, members.all).sort(byName))
  const currentBranches = computed(() => branches.value.filter((b) => !b.archivedAt))
  const archivedBranches = computed(() => branches.value.filter((b) => b.archivedAt))
  const groups = computed<GroupView[]>(() => overlayGroups(synced.value?.rows.groups ?? [], pending.value).sort(byName))

  const branchById = (id: string) => branches.value.find((b) => b.id === id)
  const groupById = (id: string) => groups.value.find((g) => g.id === id)
  /** A branch's 党小组 that are not 撤销. */
  const groupsOf = (branchId: string) => groups.value.filter((g) => g.branchId === branchId && !g.archivedAt)
  const membersOf = (branchId: string) => currentMembersOf(members.roster, branchId)
  const committee = (branchId: string) => committeeOf(members.roster, branchId)
  const groupMembers = (group: Pick<PartyGroupRow, 'id' | 'branchId'>) => groupMembersOf(members.roster, group)
  const isPending = (id: string) => members.unconfirmedIds.has(id) || branches.value.some((b) => b.id === id && b.pending)

  async function fetchAudit(query: { before?: string | null; targetId?: string; limit?: number } = {}): Promise<AuditPage> {
    const params = new URLSearchParams()
    if (query.before) params.set('before', query.before)
    if (query.targetId) params.set('targetId', query.targetId)
    params.set('limit', String(query.limit ?? 30))
    return api<AuditPage>(`/api/admin/audit?${params}`)
  }

  return {
    loaded,
    role,
    isAdmin,
    myBranchId,
    myId,
    mayManage,
    branches,
    currentBranches,
    archivedBranches,
    groups,
    branchById,
    groupById,
    groupsOf,
    membersOf,
    committee,
    groupMembers,
    memberById: (id: string): MemberRow | undefined => members.byId(id),
    isPending,
    fetchAudit,
    newMemberId: () => randomId('u'),
    newBranchId: () => randomId('b'),
    newGroupId: () => randomId('g'),
    saveMember: (args: MemberSaveArgs) => sync.enqueue('member.save', args),
    endMember: (args: MemberEndArgs) => sync.enqueue('member.end', args),
    moveMember: (args: MemberMoveArgs) => sync.enqueue('member.move', args),
    setRole: (memberId: string, role: 'member' | 'secretary') => sync.enqueue('member.role', { memberId, role }),
    saveBranch: (args: BranchSaveArgs) => sync.enqueue('branch.save', args),
    archiveBranch: (branchId: string, archived: boolean) => sync.enqueue('branch.archive', { branchId, archived }),
    saveGroup: (args: GroupSaveArgs) => sync.enqueue('group.save', args),
    archiveGroup: (groupId: string) => sync.enqueue('group.archive', { groupId }),
  }
})
