// The meetings store and members who left the branch (membership ended, or moved: issue 12): a meeting
// still to be held no longer expects them on the device either, even before the server confirms; a closed
// meeting keeps them, with their names.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useMeetingsStore } from '~/app/stores/meetings'
import { useSyncStore } from '~/app/stores/sync'
import { useSessionStore } from '~/app/stores/session'
import type { SyncTransport } from '~/app/sync/transport'
import type { AppDB } from '~/app/db'
import type { LeaveRow, MeetingRow } from '~/domain/meetings'
import type { MemberRow } from '~/domain/members'
import type { Me } from '~/domain/users'
import { demoMe, freshDB } from './helpers'

const SECRETARY = 'u-d2h5f8be4qmj'
const [STAYS, ENDED, MOVED, LEAVING] = ['u-stays000001', 'u-ended000001', 'u-moved000001', 'u-leave000001']
const BRANCH = 'b-hexing'
const HOUR = 3600_000
const NOW = Date.parse('2026-03-10T09:00:00+08:00')
const at = (hours: number) => new Date(NOW + hours * HOUR).toISOString()
const unreachable: SyncTransport = {
  push: () => Promise.reject(new TypeError('Failed to fetch')),
  pull: () => Promise.reject(new TypeError('Failed to fetch')),
}

const row = (id: string, name: string, over: Partial<MemberRow> = {}): MemberRow => ({
  id,
  name,
  role: 'member',
  branchId: BRANCH,
  status: 'home',
  awayCity: null,
  returnDate: null,
  centerHousehold: false,
  contactPhone: null,
  updatedAt: '2026-01-01T00:00:00.000Z',
  joinedPartyOn: '2000-07-01',
  endedAt: null,
  ...over,
})
// As the secretary's device holds them: an ended membership stays (names in history); on the admin's device
// a moved member's row names the new branch.
const MEMBERS = [
  row(SECRETARY, '张志强', { role: 'secretary' }),
  row(STAYS, '王建国'),
  row(LEAVING, '赵德明'),
  row(ENDED, '孙长林', { endedAt: '2026-03-05', endReason: 'deceased' }),
  row(MOVED, '郑永福', { branchId: 'b-jinjiwo' }),
]
const EVERYONE = [SECRETARY, STAYS, LEAVING, ENDED, MOVED].sort()

const meeting = (id: string, startsIn: number, over: Partial<MeetingRow> = {}): MeetingRow => ({
  id,
  branchId: BRANCH,
  type: 'assembly',
  title: `会议 ${id}`,
  agenda: '',
  place: '村委会会议室',
  startsAt: at(startsIn),
  endsAt: at(startsIn + 1),
  audience: 'branch',
  expectedIds: EVERYONE,
  remoteAllowed: true,
  remoteMemberIds: [ENDED],
  videoUrl: null,
  materialIds: [],
  status: 'scheduled',
  minutes: null,
  backfillReason: null,
  closedAt: null,
  ...over,
})

const leave = (meetingId: string, memberId: string): LeaveRow => ({
  id: `${meetingId}:${memberId}`,
  meetingId,
  memberId,
  reason: '家中有事',
  status: 'pending',
  requestedAt: at(-100),
  decidedBy: null,
  decidedAt: null,
  note: null,
})

const secretaryMe: Me = { ...demoMe, user: { ...demoMe.user, id: SECRETARY, phone: '13800000101', name: '张志强', role: 'secretary' } }
let db: AppDB
const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 5_000 })

beforeEach(() => {
  db = freshDB()
  setActivePinia(createPinia())
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date(NOW))
})

afterEach(async () => {
  useMeetingsStore().$dispose()
  useSyncStore().stop()
  vi.useRealTimers()
  await db.delete()
})

describe('meetings and members who left', () => {
  it('drops them from meetings still to be held, keeps them at closed ones, and names them there', async () => {
    useSessionStore().me = secretaryMe
    const sync = useSyncStore()
    await sync.start(SECRETARY, { schedule: false, transport: unreachable })
    await db.members.bulkPut(MEMBERS)
    await db.meetings.bulkPut([
      meeting('ahead', 24),
      meeting('held', -48, { status: 'closed', minutes: '会议记录：传达学习上级文件精神。', closedAt: at(-46) }),
    ])
    await db.leaves.bulkPut([leave('ahead', MOVED), leave('ahead', STAYS), leave('held', ENDED)])
    const meetings = useMeetingsStore()
    await waitFor(() => expect(meetings.all).toHaveLength(2))
    await waitFor(() => expect(meetings.nameOf(ENDED)).toBe('孙长林'))
    // Someone moved away is no longer on this branch's devices: said so, rather than 未同步.
    expect(meetings.nameOf('u-gone00000001')).toBe('（已转到其他支部）')
    // A leave asked by someone who has left asks nothing any more; a closed meeting's stay on record.
    await waitFor(() => expect(meetings.leavesOf('ahead').map((l) => l.memberId)).toEqual([STAYS]))
    expect(meetings.leavesOf('held').map((l) => l.memberId)).toEqual([ENDED])

    expect(meetings.byId('ahead')).toMatchObject({ expectedIds: [SECRETARY, STAYS, LEAVING].sort(), remoteMemberIds: [] })
    expect(meetings.byId('held')?.expectedIds).toEqual(EVERYONE)
    expect(meetings.rates(BRANCH).byMember.get(ENDED)).toMatchObject({ expected: 1 })

    // Ended here with no signal: off the meeting ahead at once.
    await sync.enqueue('member.end', { memberId: LEAVING, reason: 'transfer_out', on: '2026-03-10', note: null })
    await waitFor(() => expect(meetings.byId('ahead')?.expectedIds).toEqual([SECRETARY, STAYS].sort()))
    expect(meetings.byId('held')?.expectedIds).toEqual(EVERYONE)

    // A branch meeting scheduled offline expects the current members only.
    await meetings.schedule({
      id: 'mt-new',
      branchId: BRANCH,
      type: 'theme_day',
      title: '三月主题党日',
      agenda: '',
      place: '村文化礼堂',
      startsAt: at(48),
      endsAt: at(49),
      audience: 'branch',
      memberIds: [],
      remoteAllowed: false,
      remoteMemberIds: [],
      videoUrl: null,
      materialIds: [],
      backfillReason: null,
    })
    await waitFor(() => expect(meetings.byId('mt-new')).toMatchObject({ pending: true, expectedIds: [SECRETARY, STAYS].sort() }))
  })
})
