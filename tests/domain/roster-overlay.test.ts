import { describe, expect, it } from 'vitest'
import type { MemberRow } from '~/domain/members'
import { committeePostAfterRole, type MemberSaveArgs, type PartyGroupRow } from '~/domain/roster'
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
  branchArchiveProblem,
  committeeOf,
  currentMembersOf,
  groupMembersOf,
  matchesSearch,
  phoneTakenBy,
} from '~/domain/rosterOverlay'

const AT = '2026-12-03T06:05:00.000Z'

function member(id: string, over: Partial<MemberRow> = {}): MemberRow {
  return {
    id,
    name: `党员${id}`,
    role: 'member',
    branchId: 'b-1',
    status: 'home',
    awayCity: null,
    returnDate: null,
    centerHousehold: false,
    contactPhone: null,
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  }
}

const save: MemberSaveArgs = {
  memberId: 'u-new',
  branchId: 'b-1',
  name: '李秀英',
  phone: '13912345678',
  gender: 'female',
  birthDate: '1968-05-02',
  joinedPartyOn: '1995-07-01',
  membership: 'full',
  status: 'away',
  awayCity: '杭州',
  centerHousehold: true,
  partyGroupId: 'g-1',
  committeePost: 'publicity',
}

describe('member.save on the device', () => {
  it('creates a member of the chosen branch with every field of the form', () => {
    expect(applyMemberSave(undefined, save, AT)).toEqual({
      id: 'u-new',
      role: 'member',
      branchId: 'b-1',
      contactPhone: '13912345678',
      returnDate: null,
      endedAt: null,
      endReason: null,
      name: '李秀英',
      loginPhone: '13912345678',
      gender: 'female',
      birthDate: '1968-05-02',
      joinedPartyOn: '1995-07-01',
      membership: 'full',
      status: 'away',
      awayCity: '杭州',
      centerHousehold: true,
      partyGroupId: 'g-1',
      committeePost: 'publicity',
      updatedAt: AT,
    })
  })

  it('edits in place: the role stays, a city goes when the member is home, the contact phone follows the login one', () => {
    const existing = member('u-new', {
      role: 'secretary',
      contactPhone: '13800000000',
      loginPhone: '13800000000',
      returnDate: '2027-01-20',
    })
    const edited = applyMemberSave(existing, { ...save, status: 'home', awayCity: '杭州' }, AT)
    expect(edited).toMatchObject({ branchId: 'b-1', role: 'secretary', contactPhone: '13912345678', awayCity: null, returnDate: null })
    // One the member set themself stays.
    const own = applyMemberSave({ ...existing, contactPhone: '13711112222' }, save, AT)
    expect(own?.contactPhone).toBe('13711112222')
  })

  it('never changes the branch: that is a move', () => {
    expect(applyMemberSave(member('u-new', { branchId: 'b-2' }), save, AT)).toBeNull()
  })

  it('leaves an ended membership as it is', () => {
    expect(applyMemberSave(member('u-new', { endedAt: '2026-11-30' }), save, AT)).toBeNull()
  })
})

describe('member.end, move and role', () => {
  it('ends a membership with its day and reason, once, giving up role, group and post', () => {
    const end = (row: MemberRow, on = '2026-11-30', actor = 'u-sec') =>
      applyMemberEnd(row, { memberId: row.id, reason: 'deceased', on, note: null }, AT, actor)
    const ended = end(member('u-1', { role: 'secretary', partyGroupId: 'g-1', committeePost: 'secretary', joinedPartyOn: '1990-07-01' }))
    expect(ended).toMatchObject({ endedAt: '2026-11-30', endReason: 'deceased', role: 'member', partyGroupId: null, committeePost: null })
    expect(end(ended!)).toBeNull()
    expect(end(member('u-a', { role: 'admin', branchId: null }))).toBeNull()
    // Not one's own, and not before the member joined.
    expect(end(member('u-sec'))).toBeNull()
    expect(end(member('u-1', { joinedPartyOn: '2026-12-01' }))).toBeNull()
  })

  it('moves a member to another branch without the old branch’s group, post or secretary role', () => {
    const secretary = member('u-1', { role: 'secretary', partyGroupId: 'g-1', committeePost: 'secretary' })
    expect(applyMemberMove(secretary, { memberId: 'u-1', toBranchId: 'b-2', note: null }, AT)).toMatchObject({
      branchId: 'b-2',
      role: 'member',
      partyGroupId: null,
      committeePost: null,
      updatedAt: AT,
    })
    expect(applyMemberMove(secretary, { memberId: 'u-1', toBranchId: 'b-1', note: null }, AT)).toBeNull()
  })

  it('appoints and removes a secretary, and never touches the admin', () => {
    const appointed = applyMemberRole(member('u-1'), { memberId: 'u-1', role: 'secretary' }, AT)
    expect(appointed?.role).toBe('secretary')
    expect(applyMemberRole(appointed!, { memberId: 'u-1', role: 'member' }, AT)?.role).toBe('member')
    expect(applyMemberRole(member('u-a', { role: 'admin' }), { memberId: 'u-a', role: 'member' }, AT)).toBeNull()
  })
})

describe('党小组', () => {
  const args = { groupId: 'g-1', branchId: 'b-1', name: '第一党小组', leaderId: 'u-1', memberIds: ['u-1', 'u-2'] }

  it('puts the chosen members in the group and takes the others out, in its branch only', () => {
    expect(applyGroupSaveToMember(member('u-1'), args, AT)?.partyGroupId).toBe('g-1')
    expect(applyGroupSaveToMember(member('u-3', { partyGroupId: 'g-1' }), args, AT)?.partyGroupId).toBeNull()
    expect(applyGroupSaveToMember(member('u-4', { partyGroupId: 'g-2' }), args, AT)).toBeNull()
    expect(applyGroupSaveToMember(member('u-1', { branchId: 'b-2' }), args, AT)).toBeNull()
  })

  it('creates, renames and 撤销 a group; an archived one stays archived', () => {
    const group = applyGroupSave(undefined, args, AT)!
    expect(group).toEqual({ id: 'g-1', branchId: 'b-1', name: '第一党小组', leaderId: 'u-1', archivedAt: null, updatedAt: AT })
    const archived = applyGroupArchive(group, AT)!
    expect(archived.archivedAt).toBe(AT)
    expect(applyGroupArchive(archived, AT)).toBeNull()
    expect(applyGroupSave(archived, args, AT)).toBeNull()
    expect(applyGroupSave(group, { ...args, branchId: 'b-2' }, AT)).toBeNull()
    expect(applyGroupArchiveToMember(member('u-1', { partyGroupId: 'g-1' }), 'g-1', AT)?.partyGroupId).toBeNull()
    expect(applyGroupArchiveToMember(member('u-2'), 'g-1', AT)).toBeNull()
  })

  it('lists a group’s current members', () => {
    const group: PartyGroupRow = { id: 'g-1', branchId: 'b-1', name: '一组', leaderId: null, archivedAt: null, updatedAt: AT }
    const rows = [member('u-1', { partyGroupId: 'g-1' }), member('u-2', { partyGroupId: 'g-1', endedAt: '2026-11-30' }), member('u-3')]
    expect(groupMembersOf(rows, group).map((m) => m.id)).toEqual(['u-1'])
  })
})

describe('branches', () => {
  it('saves a branch and keeps its archiving', () => {
    const args = { branchId: 'b-9', name: '新村党支部', place: '新村', kind: 'village' as const }
    expect(applyBranchSave(undefined, args)).toEqual({ id: 'b-9', name: '新村党支部', place: '新村', kind: 'village', archivedAt: null })
    expect(applyBranchSave({ ...args, id: 'b-9', archivedAt: AT }, { ...args, name: '新村' })).toMatchObject({
      name: '新村',
      archivedAt: AT,
    })
  })

  it('archives only a branch without current members, and restores it', () => {
    const branch = { id: 'b-9', name: '新村党支部', place: '新村', kind: 'village' as const, archivedAt: null }
    expect(branchArchiveProblem(3)).toContain('还有3名党员')
    expect(applyBranchArchive(branch, { branchId: 'b-9', archived: true }, 3, AT)).toBeNull()
    const archived = applyBranchArchive(branch, { branchId: 'b-9', archived: true }, 0, AT)
    expect(archived?.archivedAt).toBe(AT)
    expect(applyBranchArchive(archived!, { branchId: 'b-9', archived: false }, 0, AT)?.archivedAt).toBeNull()
  })
})

describe('reading the roster', () => {
  it('lists the committee in the order of posts, without ended members or the admin', () => {
    const rows = [
      member('u-1', { name: '委员乙', committeePost: 'member' }),
      member('u-2', { name: '书记', committeePost: 'secretary' }),
      member('u-3', { name: '委员甲', committeePost: 'organization' }),
      member('u-4', { committeePost: 'deputy', endedAt: '2026-11-30' }),
      member('u-5'),
    ]
    expect(committeeOf(rows, 'b-1').map((m) => m.id)).toEqual(['u-2', 'u-3', 'u-1'])
    expect(currentMembersOf([...rows, member('u-a', { role: 'admin' })], 'b-1')).toHaveLength(4)
  })

  it('finds by part of a name or three or more digits of a phone, full-width too', () => {
    const m = member('u-1', { name: '王建国', loginPhone: '13800000001', contactPhone: '13911112222' })
    expect(matchesSearch(m, ' 建国 ')).toBe(true)
    expect(matchesSearch(m, '０００１')).toBe(true)
    expect(matchesSearch(m, '1111')).toBe(true)
    expect(matchesSearch(m, '13')).toBe(false)
    expect(matchesSearch(m, '李')).toBe(false)
    expect(matchesSearch(m, '')).toBe(true)
  })

  it('names who already signs in with a phone, other than the member edited', () => {
    const rows = [member('u-1', { loginPhone: '13800000001' }), member('u-2', { loginPhone: '13800000002' })]
    expect(phoneTakenBy(rows, '13800000001', 'u-2')?.id).toBe('u-1')
    expect(phoneTakenBy(rows, '13800000001', 'u-1')).toBeNull()
  })
})

describe('committeePostAfterRole', () => {
  it('makes a new secretary the 书记 unless they hold a post, and takes 书记 from one removed', () => {
    expect(committeePostAfterRole(null, 'secretary')).toBe('secretary')
    expect(committeePostAfterRole('organization', 'secretary')).toBe('organization')
    expect(committeePostAfterRole('secretary', 'member')).toBeNull()
    expect(committeePostAfterRole('publicity', 'member')).toBe('publicity')
  })
})
