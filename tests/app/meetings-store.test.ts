import { demoUserId } from '../demo-users'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { watch } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import { useMeetingsStore } from '~/app/stores/meetings'
import { useSyncStore } from '~/app/stores/sync'
import { useSessionStore } from '~/app/stores/session'
import type { SyncTransport } from '~/app/sync/transport'
import type { AppDB } from '~/app/db'
import type { AttendanceRow, LeaveRow, MeetingRow } from '~/domain/meetings'
import type { MemberRow } from '~/domain/members'
import type { Me } from '~/domain/users'
import { checkinToken, newMeetingKey, SLOT_MS } from '~/domain/checkin'
import { demoMe, freshDB } from './helpers'

const MEMBER = 'u-66hr2jf7sv8n'
const SECRETARY = 'u-d2h5f8be4qmj'
const BRANCH = 'b-hexing'
const MIN = 60_000
/** A device that never reaches the server: everything stays in the outbox. */
const unreachable: SyncTransport = {
  push: () => Promise.reject(new TypeError('Failed to fetch')),
  pull: () => Promise.reject(new TypeError('Failed to fetch')),
}

const NOW = Date.parse('2026-03-10T09:00:00+08:00')
const at = (minutesFromNow: number) => new Date(NOW + minutesFromNow * MIN).toISOString()

const ROSTER: MemberRow[] = Array.from({ length: 11 }, (_, i) => ({
  id: i === 0 ? SECRETARY : demoUserId(`138000000${String(i).padStart(2, '0')}`),
  name: `党员${i}`,
  role: i === 0 ? 'secretary' : 'member',
  branchId: BRANCH,
  status: i === 2 ? 'away' : 'home',
  awayCity: i === 2 ? '杭州' : null,
  returnDate: null,
  centerHousehold: false,
  contactPhone: null,
  updatedAt: '2026-01-01T00:00:00.000Z',
}))
const EVERYONE = ROSTER.map((m) => m.id).sort()

function meeting(id: string, startsIn: number, extra: Partial<MeetingRow> = {}): MeetingRow {
  return {
    id,
    branchId: BRANCH,
    type: 'assembly',
    title: `会议 ${id}`,
    agenda: '',
    place: '村委会会议室',
    startsAt: at(startsIn),
    endsAt: at(startsIn + 90),
    audience: 'branch',
    expectedIds: EVERYONE,
    remoteAllowed: true,
    remoteMemberIds: [],
    videoUrl: null,
    materialIds: [],
    status: 'scheduled',
    minutes: null,
    backfillReason: null,
    closedAt: null,
    ...extra,
  }
}

function attendance(meetingId: string, memberId: string, extra: Partial<AttendanceRow> = {}): AttendanceRow {
  return {
    id: `${meetingId}:${memberId}`,
    meetingId,
    memberId,
    mode: 'onsite',
    checkedInAt: at(0),
    remoteSeconds: 0,
    proxyBy: null,
    note: null,
    ...extra,
  }
}

function leave(meetingId: string, memberId: string, status: LeaveRow['status']): LeaveRow {
  return {
    id: `${meetingId}:${memberId}`,
    meetingId,
    memberId,
    reason: '外出务工',
    status,
    requestedAt: at(-600),
    decidedBy: null,
    decidedAt: null,
    note: null,
  }
}

let db: AppDB
/** IndexedDB is slow on a busy machine: wait longer than the default second. */
const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 5_000 })

/** Signs a device in as `me`, and fills the tables a pull would have filled. */
async function device(
  me: Me,
  tables: { meetings?: MeetingRow[]; attendance?: AttendanceRow[]; leaves?: LeaveRow[]; keys?: { id: string; key: string }[] } = {},
  transport: SyncTransport = unreachable,
) {
  useSessionStore().me = me
  const sync = useSyncStore()
  await sync.start(me.user.id, { schedule: false, transport })
  await db.members.bulkPut(ROSTER)
  await db.meetings.bulkPut(tables.meetings ?? [])
  await db.attendance.bulkPut(tables.attendance ?? [])
  await db.leaves.bulkPut(tables.leaves ?? [])
  await db.meeting_keys.bulkPut(tables.keys ?? [])
  const meetings = useMeetingsStore()
  await waitFor(() => {
    expect(meetings.loaded).toBe(true)
    expect(meetings.all).toHaveLength(tables.meetings?.length ?? 0)
    expect(meetings.nameOf(SECRETARY)).toBe('党员0')
    for (const a of tables.attendance ?? []) expect(meetings.attendanceFor(a.meetingId, a.memberId)).toBeDefined()
    for (const l of tables.leaves ?? []) expect(meetings.leaveFor(l.meetingId, l.memberId)).toBeDefined()
    for (const k of tables.keys ?? []) expect(meetings.keys.get(k.id)).toBe(k.key)
  })
  return { meetings, sync }
}

const secretaryMe: Me = { ...demoMe, user: { ...demoMe.user, id: SECRETARY, phone: '13800000101', name: '党员0', role: 'secretary' } }

/** Sets the device's clock (only `Date`: IndexedDB's timers keep running). */
function clockAt(ms: number) {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date(ms))
}

beforeEach(() => {
  db = freshDB()
  setActivePinia(createPinia())
  clockAt(NOW)
})

afterEach(async () => {
  useMeetingsStore().$dispose()
  useSyncStore().stop()
  vi.useRealTimers()
  await db.delete()
})

describe('meetings store', () => {
  it('tells the member where they stand at each meeting, from what was synced', async () => {
    const { meetings } = await device(demoMe, {
      meetings: [
        meeting('upcoming', 60),
        meeting('on-time', -100),
        meeting('late', -110),
        meeting('proxy', -120),
        meeting('leave-ok', 61),
        meeting('leave-asked', 62),
        meeting('leave-refused', 63),
        meeting('missed', -200),
        meeting('partial', -300, { status: 'closed', minutes: '会议记录十个字以上内容', closedAt: at(-200) }),
        meeting('committee', 60, { type: 'committee', audience: 'committee', expectedIds: [SECRETARY] }),
      ],
      attendance: [
        attendance('on-time', MEMBER, { checkedInAt: at(-100 + 5) }),
        attendance('late', MEMBER, { checkedInAt: at(-110 + 6) }),
        attendance('proxy', MEMBER, { mode: 'proxy', proxyBy: SECRETARY, note: '没有手机' }),
        attendance('partial', MEMBER, { mode: 'remote', checkedInAt: at(-300), remoteSeconds: 40 * 60 }),
      ],
      leaves: [leave('leave-ok', MEMBER, 'approved'), leave('leave-asked', MEMBER, 'pending'), leave('leave-refused', MEMBER, 'refused')],
    })
    const label = (id: string) => meetings.statusOf(id)?.label ?? null
    expect(label('upcoming')).toBe('未签到')
    expect(label('on-time')).toBe('已签到')
    expect(label('late')).toBe('迟到')
    expect(label('proxy')).toBe('代签')
    expect(label('leave-ok')).toBe('已请假')
    expect(label('leave-asked')).toBe('请假待审批')
    expect(label('leave-refused')).toBe('请假未批准')
    expect(label('missed')).toBe('缺席')
    expect(label('partial')).toBe('部分参会')
    // Not expected at the committee meeting: no status, and not in the member's list.
    expect(label('committee')).toBeNull()
    expect(meetings.visible.map((m) => m.id)).not.toContain('committee')
    expect(meetings.upcoming.map((m) => m.id)).toEqual(['upcoming', 'leave-ok', 'leave-asked', 'leave-refused'])
    expect(meetings.past.map((m) => m.id)).toEqual(['on-time', 'late', 'proxy', 'missed', 'partial'])

    // A leave asked for offline shows at once, marked as waiting.
    await meetings.requestLeave('upcoming', '家中有事，无法参加')
    await waitFor(() => expect(meetings.statusOf('upcoming')).toMatchObject({ label: '请假待审批', pending: true }))
  })

  it('lists today’s meetings still to be held by the day in Shanghai, for the reminder on 首页', async () => {
    const { meetings } = await device(demoMe, {
      meetings: [
        meeting('tonight', 0, { startsAt: '2026-03-10T19:30:00+08:00', endsAt: '2026-03-10T21:00:00+08:00' }),
        // 00:30 in Shanghai on the 10th is still the 9th in UTC.
        meeting('early', 0, { startsAt: '2026-03-09T16:30:00.000Z', endsAt: '2026-03-09T17:30:00.000Z' }),
        meeting('yesterday', 0, { startsAt: '2026-03-09T15:30:00.000Z', endsAt: '2026-03-09T16:30:00.000Z' }),
        meeting('tomorrow', 0, { startsAt: '2026-03-11T08:00:00+08:00', endsAt: '2026-03-11T09:00:00+08:00' }),
        meeting('cancelled', 0, { startsAt: '2026-03-10T14:00:00+08:00', endsAt: '2026-03-10T15:00:00+08:00', status: 'cancelled' }),
        // Held this morning and closed already: nothing left to remind anyone of.
        meeting('closed', 0, {
          startsAt: '2026-03-10T07:00:00+08:00',
          endsAt: '2026-03-10T08:30:00+08:00',
          status: 'closed',
          closedAt: '2026-03-10T08:40:00+08:00',
        }),
        meeting('not-mine', 0, { startsAt: '2026-03-10T14:00:00+08:00', endsAt: '2026-03-10T15:00:00+08:00', expectedIds: [SECRETARY] }),
      ],
    })
    expect(meetings.todaysMeetings.map((m) => m.id)).toEqual(['early', 'tonight'])

    // The next morning, once the app looks at the clock again.
    vi.setSystemTime(new Date('2026-03-11T07:00:00+08:00'))
    meetings.tick()
    expect(meetings.todaysMeetings.map((m) => m.id)).toEqual(['tomorrow'])
  })

  it('counts the quorum of a 支部党员大会: more than half of those expected, proxies waiting to sync included', async () => {
    const present = EVERYONE.slice(0, 5)
    const { meetings } = await device(secretaryMe, {
      meetings: [meeting('assembly', -10), meeting('lecture', -10, { type: 'lecture' })],
      attendance: present.map((id) => attendance('assembly', id)),
    })
    expect(meetings.quorumOf('assembly')).toEqual({ expected: 11, present: 5, needed: 6, met: false })
    expect(meetings.quorumOf('lecture')).toBeNull()

    await meetings.signByProxy('assembly', EVERYONE[7]!, '老党员没有手机')
    await waitFor(() => expect(meetings.quorumOf('assembly')).toEqual({ expected: 11, present: 6, needed: 6, met: true }))
    expect(meetings.attendanceFor('assembly', EVERYONE[7]!)).toMatchObject({ mode: 'proxy', pending: true, note: '老党员没有手机' })
  })

  it('shows a meeting the secretary scheduled offline at once, expecting the whole branch', async () => {
    const { meetings } = await device(secretaryMe)
    await meetings.schedule({
      id: 'mt-new',
      branchId: BRANCH,
      type: 'theme_day',
      title: '三月主题党日',
      agenda: '',
      place: '村文化礼堂',
      startsAt: at(120),
      endsAt: at(180),
      audience: 'branch',
      memberIds: [],
      remoteAllowed: false,
      remoteMemberIds: [],
      videoUrl: null,
      materialIds: [],
      backfillReason: null,
    })
    await waitFor(() => expect(meetings.upcoming.map((m) => m.id)).toEqual(['mt-new']))
    expect(meetings.byId('mt-new')).toMatchObject({ pending: true, status: 'scheduled', expectedIds: EVERYONE })
    expect(meetings.statusOf('mt-new', SECRETARY)?.label).toBe('未签到')
  })

  it('keeps a closing the server accepted on screen until the pull brings it, and drops one it refused', async () => {
    // The sync engine keeps an acknowledged mutation in the overlay until its pull is stored: between the
    // push and the pull the meeting must never show as open again, not even for one render.
    let release = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    let pulling = false
    const closedRow = {
      ...meeting('closing', -100),
      status: 'closed' as const,
      minutes: '会议记录：传达学习上级文件精神。',
      closedAt: at(0),
    }
    const transport: SyncTransport = {
      push: async (body) => ({
        results: body.mutations.map((m) =>
          (m.args as { meetingId: string }).meetingId === 'refused'
            ? { id: m.id, status: 'rejected' as const, code: 'too_early', message: '会议还没有开始，不能结束' }
            : { id: m.id, status: 'applied' as const },
        ),
      }),
      pull: async () => {
        pulling = true
        await held
        return { cursor: 'c-1', hasMore: false, changes: [{ table: 'meetings', id: 'closing', op: 'put', row: closedRow }] }
      },
    }
    const { meetings, sync } = await device(secretaryMe, { meetings: [meeting('closing', -100), meeting('refused', -100)] }, transport)
    await meetings.close('closing', '会议记录：传达学习上级文件精神。')
    await meetings.close('refused', '会议记录：讨论村道修缮方案。')
    await waitFor(() =>
      expect(meetings.byId('closing')).toMatchObject({ status: 'closed', pending: true, minutes: '会议记录：传达学习上级文件精神。' }),
    )
    const seen: (string | undefined)[] = []
    const stop = watch(
      () => meetings.byId('closing')?.status,
      (status) => seen.push(status),
      { flush: 'sync' },
    )

    // The push: the server applied one and refused the other; the pull has not come back yet.
    const syncing = sync.syncNow()
    await waitFor(() => expect(pulling).toBe(true))
    await waitFor(() => expect(meetings.byId('refused')).toMatchObject({ status: 'scheduled', pending: false }))
    expect(meetings.byId('closing')).toMatchObject({ status: 'closed', pending: true })
    // Sent and applied: no longer 待同步, though still shown until its result is stored.
    await waitFor(() => expect(sync.pendingCount).toBe(0))
    expect(sync.pending.map((row) => row.name)).toEqual(['meeting.close'])

    expect(seen.filter((status) => status !== 'closed')).toEqual([])
    stop()

    // The pull lands.
    release()
    await syncing
    await waitFor(() => expect(meetings.byId('closing')).toMatchObject({ status: 'closed', pending: false }))
    expect(await db.outbox.count()).toBe(0)
  })

  describe('check-in from a scanned text', () => {
    const key = newMeetingKey()
    const otherKey = newMeetingKey()

    async function scanningDevice() {
      return device(demoMe, {
        meetings: [
          meeting('today', 10),
          meeting('other', 10),
          meeting('committee', 10, { expectedIds: [SECRETARY] }),
          meeting('closed', -200, { status: 'closed' }),
        ],
      })
    }

    it('refuses junk and codes that cannot be this member’s check-in, queuing nothing', async () => {
      const { meetings } = await scanningDevice()
      const refusal = async (text: string, options?: { meetingId?: string }) => {
        const outcome = await meetings.checkInFromScan(text, options)
        expect(outcome.ok).toBe(false)
        return outcome.ok ? '' : outcome.message
      }
      expect(await refusal('https://example.com/not-ours')).toBe('这不是本系统的签到码')
      expect(await refusal('')).toBe('这不是本系统的签到码')
      expect(await refusal(await checkinToken(otherKey, 'other', NOW), { meetingId: 'today' })).toBe('这是另一场会议的签到码')
      expect(await refusal(await checkinToken(key, 'elsewhere', NOW))).toBe('这不是本支部会议的签到码；如果是新安排的会议，请先联网同步')
      expect(await refusal(await checkinToken(key, 'committee', NOW))).toBe('您不在这场会议的参会人员中')
      expect(await refusal(await checkinToken(key, 'closed', NOW))).toBe('会议已结束，不能再签到')
      // A screenshot of a code from minutes ago.
      expect(await refusal(await checkinToken(key, 'today', NOW - 4 * MIN))).toBe('签到码已过期（请扫描现场实时显示的签到码）')
      expect(await refusal(await checkinToken(key, 'today', NOW + 5 * MIN))).toBe('签到时间与手机时间不符，请检查手机时间')
      expect(await db.outbox.count()).toBe(0)
    })

    it('refuses a code shown before check-in opens (30 minutes before the start)', async () => {
      clockAt(NOW - 60 * MIN)
      const { meetings } = await scanningDevice()
      const outcome = await meetings.checkInFromScan(await checkinToken(key, 'today', Date.now()))
      expect(outcome).toEqual({ ok: false, message: '不在会议签到时间内（开始前30分钟至会议结束）' })
      expect(await db.outbox.count()).toBe(0)
    })

    it('queues a check-in with the scan time, shows it as 已签到（待同步）, and refuses a second scan', async () => {
      const { meetings, sync } = await scanningDevice()
      const token = await checkinToken(key, 'today', NOW)
      const scannedAt = new Date().toISOString()
      const outcome = await meetings.checkInFromScan(`  ${token}\n`, { meetingId: 'today' })
      expect(outcome).toMatchObject({ ok: true, meetingId: 'today' })
      const rows = await db.outbox.toArray()
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ userId: MEMBER, name: 'meeting.checkin', args: { meetingId: 'today', token, scannedAt } })
      await waitFor(() => expect(meetings.statusOf('today')).toMatchObject({ label: '已签到（待同步）', pending: true }))
      // Counted at the start of the code's slot, as the server will.
      expect(meetings.attendanceFor('today', MEMBER)?.checkedInAt).toBe(new Date(Math.floor(NOW / SLOT_MS) * SLOT_MS).toISOString())
      const mutationId = outcome.ok ? outcome.mutationId : ''
      expect(meetings.checkinState(mutationId, 'today')).toEqual({ state: 'waiting' })

      // The next code a few seconds later: already checked in.
      const again = await meetings.checkInFromScan(await checkinToken(key, 'today', NOW + SLOT_MS))
      expect(again).toEqual({ ok: false, message: '您已经签到过了' })
      // Two frames decoded at once make one check-in.
      const [a, b] = await Promise.all([
        meetings.checkInFromScan(await checkinToken(key, 'other', NOW)),
        meetings.checkInFromScan(await checkinToken(key, 'other', NOW)),
      ])
      expect([a.ok, b.ok].sort()).toEqual([false, true])
      expect(await db.outbox.count()).toBe(2)

      // What a sync does: the server answered (the outbox row goes) and the attendance row was pulled.
      await db.outbox.where('id').equals(mutationId).delete()
      await db.attendance.put(attendance('today', MEMBER, { checkedInAt: new Date(Math.floor(NOW / SLOT_MS) * SLOT_MS).toISOString() }))
      await waitFor(() => expect(meetings.checkinState(mutationId, 'today')).toEqual({ state: 'done', late: false }))
      expect(meetings.statusOf('today')).toMatchObject({ label: '已签到', pending: false })
      expect(sync.pending).toHaveLength(1)
    })

    it('passes on the server’s reason when it refuses a check-in', async () => {
      const { meetings } = await scanningDevice()
      const outcome = await meetings.checkInFromScan(await checkinToken(otherKey, 'today', NOW))
      expect(outcome.ok).toBe(true)
      const mutationId = outcome.ok ? outcome.mutationId : ''
      const [row] = await db.outbox.toArray()
      await db.outbox.clear()
      await db.rejected.put({ ...row!, code: 'token_forged', message: '签到码无效', rejectedAt: new Date(NOW).toISOString() })
      await waitFor(() => expect(meetings.checkinState(mutationId, 'today')).toEqual({ state: 'rejected', message: '签到码无效' }))
      await waitFor(() => expect(meetings.statusOf('today')?.label).toBe('未签到'))
      // Refused: the member may scan the right code now.
      const retry = await meetings.checkInFromScan(await checkinToken(key, 'today', NOW))
      expect(retry.ok).toBe(true)
    })
  })
})
