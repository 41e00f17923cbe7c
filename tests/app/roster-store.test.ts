import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useRosterStore } from '~/app/stores/roster'
import { useMembersStore } from '~/app/stores/members'
import { useSyncStore } from '~/app/stores/sync'
import { useSessionStore } from '~/app/stores/session'
import type { SyncTransport } from '~/app/sync/transport'
import type { AppDB } from '~/app/db'
import type { MemberRow } from '~/domain/members'
import type { MemberSaveArgs, PartyGroupRow } from '~/domain/roster'
import type { BranchRow, Me } from '~/domain/users'
import { demoMe, freshDB } from './helpers'

const ADMIN = 'u-admin0000001'
/** A device that never reaches the server: everything stays in the outbox. */
const unreachable: SyncTransport = {
  push: () => Promise.reject(new TypeError('Failed to fetch')),
  pull: () => Promise.reject(new TypeError('Failed to fetch')),
}

const BRANCHES: BranchRow[] = [
  { id: 'b-hexing', name: '合兴村党支部', place: '合兴村', kind: 'village' },
  { id: 'b-liudong', name: '流洞社区党支部', place: '流洞社区', kind: 'community', archivedAt: null },
]
const member = (id: string, name: string, over: Partial<MemberRow> = {}): MemberRow => ({
  id,
  name,
  role: 'member',
  branchId: 'b-hexing',
  status: 'home',
  awayCity: null,
  returnDate: null,
  centerHousehold: false,
  contactPhone: null,
  updatedAt: '2026-01-01T00:00:00.000Z',
  loginPhone: `138000000${id.slice(-2)}`,
  ...over,
})
const MEMBERS: MemberRow[] = [
  member('u-admin0000001', '周卫东', { role: 'admin', branchId: null }),
  member('u-sec000000001', '张志强', { role: 'secretary', committeePost: 'secretary' }),
  member('u-mem000000002', '王建国', { partyGroupId: 'g-one' }),
  member('u-mem000000003', '李秀英'),
  member('u-mem000000004', '陈海涛', { role: 'secretary', branchId: 'b-liudong' }),
]
const GROUPS: PartyGroupRow[] = [
  {
    id: 'g-one',
    branchId: 'b-hexing',
    name: '第一党小组',
    leaderId: 'u-mem000000002',
    archivedAt: null,
    updatedAt: '2026-01-01T00:00:00.000Z',
  },
]

const adminMe: Me = {
  ...demoMe,
  user: { ...demoMe.user, id: ADMIN, phone: '13800000901', name: '周卫东', role: 'admin' },
  branch: null,
}

let db: AppDB
const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 5_000 })

async function adminDevice() {
  useSessionStore().me = adminMe
  const sync = useSyncStore()
  await sync.start(ADMIN, { schedule: false, transport: unreachable })
  await db.branches.bulkPut(BRANCHES)
  await db.members.bulkPut(MEMBERS)
  await db.party_groups.bulkPut(GROUPS)
  const roster = useRosterStore()
  const members = useMembersStore()
  await waitFor(() => {
    expect(roster.loaded).toBe(true)
    expect(roster.branches).toHaveLength(2)
    expect(members.roster).toHaveLength(5)
    expect(roster.groups).toHaveLength(1)
  })
  return { roster, members, sync }
}

const names = (rows: readonly { name: string }[]) => rows.map((m) => m.name)

beforeEach(() => {
  db = freshDB()
  setActivePinia(createPinia())
})

afterEach(async () => {
  useRosterStore().$dispose()
  useMembersStore().$dispose()
  useSyncStore().stop()
  await db.delete()
})

// IndexedDB is slow on a busy machine: each test writes and reads it several times.
describe('roster store, offline', { timeout: 20_000 }, () => {
  it('shows a new branch and a new member in it at once, marked 待同步', async () => {
    const { roster, members, sync } = await adminDevice()
    const branchId = roster.newBranchId()
    await roster.saveBranch({ branchId, name: '新风村党支部', place: '新风村', kind: 'village' })
    const memberId = roster.newMemberId()
    expect(memberId).toMatch(/^u-[2-9a-z]{12}$/)
    const args: MemberSaveArgs = {
      memberId,
      branchId,
      name: '赵新民',
      phone: '13912345678',
      gender: 'male',
      birthDate: '1970-03-04',
      joinedPartyOn: '1998-07-01',
      membership: 'probationary',
      status: 'away',
      awayCity: '宁波',
      centerHousehold: false,
      partyGroupId: null,
      committeePost: null,
    }
    await roster.saveMember(args)
    await waitFor(() => {
      expect(roster.branchById(branchId)).toMatchObject({ name: '新风村党支部', pending: true })
      expect(names(roster.membersOf(branchId))).toEqual(['赵新民'])
    })
    expect(roster.isPending(memberId)).toBe(true)
    expect(roster.isPending(branchId)).toBe(true)
    expect(members.byId(memberId)).toMatchObject({ membership: 'probationary', awayCity: '宁波', loginPhone: '13912345678' })
    expect(sync.waiting.map((m) => m.name)).toEqual(['branch.save', 'member.save'])

    // An edit made after it replays over it.
    await roster.saveMember({ ...args, status: 'home', awayCity: null })
    await waitFor(() => expect(members.byId(memberId)).toMatchObject({ branchId, status: 'home', awayCity: null }))
  })

  it('takes an ended member out of the roster, keeping their name for history', async () => {
    const { roster, members } = await adminDevice()
    await roster.endMember({ memberId: 'u-mem000000003', reason: 'transfer_out', on: '2026-12-01', note: '转往外省' })
    await waitFor(() => expect(names(roster.membersOf('b-hexing'))).not.toContain('李秀英'))
    expect(names(members.roster)).not.toContain('李秀英')
    expect(members.byId('u-mem000000003')).toMatchObject({ name: '李秀英', endedAt: '2026-12-01', endReason: 'transfer_out' })
    expect(names(members.all)).toContain('李秀英')
  })

  it('shows a moved member in the new branch at once, out of the old one and its 党小组', async () => {
    const { roster } = await adminDevice()
    expect(names(roster.groupMembers(GROUPS[0]!))).toEqual(['王建国'])
    await roster.moveMember({ memberId: 'u-mem000000002', toBranchId: 'b-liudong', note: null })
    await waitFor(() => expect(names(roster.membersOf('b-liudong'))).toContain('王建国'))
    expect(names(roster.membersOf('b-hexing'))).not.toContain('王建国')
    expect(roster.groupMembers(GROUPS[0]!)).toEqual([])
    expect(roster.isPending('u-mem000000002')).toBe(true)
  })

  it('appoints and removes a secretary', async () => {
    const { roster, members } = await adminDevice()
    await roster.setRole('u-mem000000003', 'secretary')
    await roster.setRole('u-sec000000001', 'member')
    await waitFor(() => {
      expect(members.byId('u-mem000000003')?.role).toBe('secretary')
      expect(members.byId('u-sec000000001')?.role).toBe('member')
    })
  })

  it('sets up a 党小组 with its members, and 撤销 it', async () => {
    const { roster } = await adminDevice()
    const groupId = roster.newGroupId()
    await roster.saveGroup({
      groupId,
      branchId: 'b-hexing',
      name: '第二党小组',
      leaderId: 'u-mem000000003',
      memberIds: ['u-mem000000003', 'u-mem000000002'],
    })
    await waitFor(() => expect(roster.groupsOf('b-hexing').map((g) => g.name)).toEqual(['第二党小组', '第一党小组']))
    const second = roster.groupById(groupId)!
    expect(second.pending).toBe(true)
    expect(names(roster.groupMembers(second))).toEqual(['李秀英', '王建国'].sort((a, b) => a.localeCompare(b, 'zh-CN')))
    // 王建国 left the first group by joining the second.
    expect(roster.groupMembers(GROUPS[0]!)).toEqual([])

    await roster.archiveGroup(groupId)
    await waitFor(() => expect(roster.groupsOf('b-hexing').map((g) => g.name)).toEqual(['第一党小组']))
    expect(roster.groupMembers(second)).toEqual([])
  })

  it('lists the committee by post, and archives only an empty branch', async () => {
    const { roster } = await adminDevice()
    const sync = useSyncStore()
    expect(names(roster.committee('b-hexing'))).toEqual(['张志强'])
    // Refused by the server (a member is left): the device does not show it archived.
    await roster.archiveBranch('b-liudong', true)
    await waitFor(() => expect(sync.waiting).toHaveLength(1))
    expect(roster.archivedBranches).toEqual([])
    await roster.moveMember({ memberId: 'u-mem000000004', toBranchId: 'b-hexing', note: null })
    await waitFor(() => expect(roster.archivedBranches.map((b) => b.id)).toEqual(['b-liudong']))
    expect(roster.currentBranches.map((b) => b.id)).toEqual(['b-hexing'])
  })

  it('drops a refused change: the synced row shows again', async () => {
    const { roster, members, sync } = await adminDevice()
    await roster.moveMember({ memberId: 'u-mem000000002', toBranchId: 'b-liudong', note: null })
    await waitFor(() => expect(members.byId('u-mem000000002')?.branchId).toBe('b-liudong'))
    await waitFor(() => expect(sync.waiting).toHaveLength(1))
    // What the engine does with a refusal: the mutation leaves the outbox (and is kept in `rejected`).
    await db.outbox.where('id').equals(sync.waiting[0]!.id).delete()
    await waitFor(() => expect(members.byId('u-mem000000002')?.branchId).toBe('b-hexing'))
    expect(roster.isPending('u-mem000000002')).toBe(false)
  })
})
