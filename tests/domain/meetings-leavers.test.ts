// Members who left a branch (membership ended, or moved: issue 12) in the meeting rules both sides run:
// who a branch meeting expects, who a scheduled meeting still expects, and the rates before and after.
import { describe, expect, it } from 'vitest'
import { attendanceRates, branchAudience, withoutLeavers, withoutMember, type MeetingRow } from '~/domain/meetings'

const member = (id: string, over: { branchId?: string | null; role?: 'member' | 'secretary' | 'admin'; endedAt?: string | null } = {}) => ({
  id,
  branchId: 'b-1',
  role: 'member' as const,
  endedAt: null,
  ...over,
})

function meeting(id: string, over: Partial<MeetingRow> = {}): MeetingRow {
  return {
    id,
    branchId: 'b-1',
    type: 'assembly',
    title: '支部党员大会',
    agenda: '',
    place: '村委会',
    startsAt: '2026-03-10T01:00:00.000Z',
    endsAt: '2026-03-10T02:00:00.000Z',
    audience: 'branch',
    expectedIds: ['u-a', 'u-b', 'u-c'],
    remoteAllowed: true,
    remoteMemberIds: ['u-b'],
    videoUrl: null,
    materialIds: [],
    status: 'scheduled',
    minutes: null,
    backfillReason: null,
    closedAt: null,
    ...over,
  }
}

describe('who a branch meeting expects', () => {
  it('is the branch’s current members, sorted: not the admin, nor an ended membership, nor another branch', () => {
    const members = [
      member('u-c'),
      member('u-a', { role: 'secretary' }),
      member('u-ended', { endedAt: '2026-03-01' }),
      member('u-other', { branchId: 'b-2' }),
      member('u-admin', { branchId: null, role: 'admin' }),
      // A row published before issue 12 has no endedAt at all: current.
      { id: 'u-b', branchId: 'b-1', role: 'member' as const },
    ]
    expect(branchAudience(members, 'b-1')).toEqual(['u-a', 'u-b', 'u-c'])
  })
})

describe('a member leaving the meetings still to be held', () => {
  it('takes them off the expected and the remote lists, and says when they were on neither', () => {
    expect(withoutMember(meeting('m'), 'u-b')).toMatchObject({ expectedIds: ['u-a', 'u-c'], remoteMemberIds: [] })
    expect(withoutMember(meeting('m'), 'u-z')).toBeNull()
  })

  it('on the device: drops the leavers it knows of from scheduled meetings only, and keeps members it has no row for', () => {
    const members = new Map([
      ['u-a', { branchId: 'b-1', endedAt: null }],
      ['u-b', { branchId: 'b-2', endedAt: null }],
      ['u-c', { branchId: 'b-1', endedAt: '2026-03-01' }],
    ])
    expect(withoutLeavers(meeting('m', { expectedIds: ['u-a', 'u-b', 'u-c', 'u-unsynced'] }), members)).toMatchObject({
      expectedIds: ['u-a', 'u-unsynced'],
      remoteMemberIds: [],
    })
    const closed = meeting('m', { status: 'closed' })
    expect(withoutLeavers(closed, members)).toBe(closed)
    const untouched = meeting('m', { expectedIds: ['u-a'], remoteMemberIds: [] })
    expect(withoutLeavers(untouched, members)).toBe(untouched)
  })
})

describe('attendance rates around a member who left', () => {
  it('count them at the meeting held before they left, not at the one closed after', () => {
    const before = meeting('before', { status: 'closed' })
    // Closed after u-c left: the server took them off before closing.
    const after = meeting('after', {
      status: 'closed',
      expectedIds: ['u-a', 'u-b'],
      startsAt: '2026-04-10T01:00:00.000Z',
      endsAt: '2026-04-10T02:00:00.000Z',
    })
    const attendance = ['before', 'after'].map((meetingId) => ({
      meetingId,
      memberId: 'u-a',
      mode: 'onsite' as const,
      checkedInAt: meetingId === 'before' ? before.startsAt : after.startsAt,
      remoteSeconds: 0,
    }))
    const rates = attendanceRates({ meetings: [before, after], attendance, leaves: [], awayIds: new Set() })
    expect(rates.byMember.get('u-c')).toMatchObject({ expected: 1, absent: 1 })
    expect(rates.byMeeting.get('after')).toMatchObject({ expected: 2, present: 1, rate: 0.5 })
    expect(rates.overall).toMatchObject({ expected: 5, present: 2 })
  })
})
