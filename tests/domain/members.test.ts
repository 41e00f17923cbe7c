import { describe, expect, it } from 'vitest'
import { applyProfileUpdate, mayUpdateProfile, profileUpdateArgsSchema, redactMember, type MemberRow } from '~/domain/members'
import { pendingMemberIds, withPendingMembers } from '~/domain/optimistic'
import { describeMutation } from '~/domain/mutations'
import { parseWith } from '~/domain/validation'
import type { Viewer } from '~/domain/sync'

const row: MemberRow = {
  id: 'u-1',
  name: '王建国',
  role: 'member',
  branchId: 'b-hexing',
  status: 'home',
  awayCity: null,
  returnDate: null,
  centerHousehold: false,
  contactPhone: '13800000001',
  updatedAt: '2026-11-01T00:00:00.000Z',
}
const viewer = (over: Partial<Viewer>): Viewer => ({ id: 'u-9', role: 'member', branchId: 'b-hexing', townId: 't', ...over })

describe('profile update', () => {
  it('requires a city when the member works away', () => {
    expect(parseWith(profileUpdateArgsSchema, { status: 'away' })).toMatchObject({
      ok: false,
      message: expect.stringContaining('务工城市'),
    })
    expect(parseWith(profileUpdateArgsSchema, { status: 'away', awayCity: '  ' }).ok).toBe(false)
    expect(parseWith(profileUpdateArgsSchema, { status: 'away', awayCity: '杭州' }).ok).toBe(true)
  })

  it('refuses an unknown status and a contact phone of the wrong shape', () => {
    expect(parseWith(profileUpdateArgsSchema, { status: 'travelling' }).ok).toBe(false)
    expect(parseWith(profileUpdateArgsSchema, { status: 'home', phone: '123' })).toMatchObject({
      ok: false,
      message: expect.stringContaining('手机号码'),
    })
  })

  it('sets away with city and return date, and clears both on coming home', () => {
    const away = applyProfileUpdate(row, { status: 'away', awayCity: '杭州', returnDate: '2027-02-01' }, '2026-11-25T00:00:00.000Z')
    expect(away).toMatchObject({ status: 'away', awayCity: '杭州', returnDate: '2027-02-01', updatedAt: '2026-11-25T00:00:00.000Z' })
    expect(applyProfileUpdate(away, { status: 'home', awayCity: '杭州' }, 'x')).toMatchObject({
      status: 'home',
      awayCity: null,
      returnDate: null,
    })
  })

  it('keeps the contact phone unless one is given, and clears it on null', () => {
    expect(applyProfileUpdate(row, { status: 'home' }, 'x').contactPhone).toBe('13800000001')
    expect(applyProfileUpdate(row, { status: 'home', phone: '13912345678' }, 'x').contactPhone).toBe('13912345678')
    expect(applyProfileUpdate(row, { status: 'home', phone: null }, 'x').contactPhone).toBeNull()
  })

  it('lets members change only themselves, secretaries their branch, the admin anyone', () => {
    const target = { id: 'u-1', branchId: 'b-hexing' }
    expect(mayUpdateProfile(viewer({ id: 'u-1' }), target)).toBe(true)
    expect(mayUpdateProfile(viewer({}), target)).toBe(false)
    expect(mayUpdateProfile(viewer({ role: 'secretary' }), target)).toBe(true)
    expect(mayUpdateProfile(viewer({ role: 'secretary', branchId: 'b-liudong' }), target)).toBe(false)
    expect(mayUpdateProfile(viewer({ role: 'admin', branchId: null }), target)).toBe(true)
  })
})

describe('what a viewer may read of a member', () => {
  it('hides the contact phone from other members, not from the member, the secretary or the admin', () => {
    expect(redactMember(row, viewer({})).contactPhone).toBeNull()
    expect(redactMember(row, viewer({ id: 'u-1' })).contactPhone).toBe('13800000001')
    expect(redactMember(row, viewer({ role: 'secretary' })).contactPhone).toBe('13800000001')
    expect(redactMember(row, viewer({ role: 'secretary', branchId: 'b-liudong' })).contactPhone).toBeNull()
    expect(redactMember(row, viewer({ role: 'admin', branchId: null })).contactPhone).toBe('13800000001')
  })
})

describe('pending changes shown before the server confirms them', () => {
  const pending = (args: unknown, userId = 'u-1', clientTime = '2026-11-25T01:00:00.000Z') => ({
    userId,
    name: 'profile.update',
    args,
    clientTime,
  })

  it('replays pending updates in order over the confirmed rows', () => {
    const shown = withPendingMembers([row], [pending({ status: 'away', awayCity: '杭州' }), pending({ status: 'away', awayCity: '苏州' })])
    expect(shown[0]).toMatchObject({ status: 'away', awayCity: '苏州' })
    expect(pendingMemberIds([pending({ status: 'home' })])).toEqual(new Set(['u-1']))
  })

  it('applies a secretary’s update to the member it names', () => {
    const shown = withPendingMembers([row], [pending({ status: 'away', awayCity: '上海', memberId: 'u-1' }, 'u-101')])
    expect(shown[0]?.status).toBe('away')
  })

  it('ignores pending changes that are invalid or name a row the device does not have', () => {
    expect(
      withPendingMembers([row], [pending({ status: 'away' }), pending({ status: 'away', awayCity: '杭州', memberId: 'u-404' })]),
    ).toEqual([row])
  })

  it('shows the confirmed row again once its mutation is gone (rejected or confirmed)', () => {
    expect(withPendingMembers([row], [])).toEqual([row])
  })

  it('describes a waiting change in Chinese for the list', () => {
    expect(describeMutation('profile.update', { status: 'away', awayCity: '杭州' })).toBe('状态改为外出务工（杭州）')
    expect(describeMutation('profile.update', { status: 'home' })).toBe('状态改为在家')
    expect(describeMutation('something.else', {})).toBe('something.else')
  })
})
