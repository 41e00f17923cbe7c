import { defineStore } from 'pinia'
import { computed, onScopeDispose, ref, watch } from 'vue'
import { appDB } from '../db/instance'
import { useLiveQuery } from '../composables/useLiveQuery'
import { useSyncStore } from './sync'
import { useSessionStore } from './session'
import { useMembersStore } from './members'
import { dayInShanghai } from '~/domain/calendar'
import { isCurrent } from '~/domain/rosterOverlay'
import { attendanceRates, quorum, type AttendanceRow, type LeaveRow, type MeetingDraft, type MeetingRow } from '~/domain/meetings'
import { overlayAttendance, overlayLeaves, overlayMeetings, meetingMemberKey } from './meetingsOverlay'
import { checkScan, myStatus, type MyStatus } from './meetingsStatus'
import { outboxOf, readWithOutbox } from '../sync/pending'

export * from './meetingsOverlay'
export * from './meetingsStatus'

export type ScanOutcome = { ok: true; meetingId: string; mutationId: string } | { ok: false; message: string }

/** Where a scanned check-in stands: on the device, confirmed by the server, or refused with its reason. */
export type CheckinState = { state: 'waiting' } | { state: 'done'; late: boolean } | { state: 'rejected'; message: string }

/**
 * 三会一课 on this device (issue 5): the branch's meetings, attendance and leaves as synced, with this
 * user's changes still waiting in the outbox laid over them, so a check-in made with no signal shows at once.
 */
export const useMeetingsStore = defineStore('meetings', () => {
  const db = appDB()
  const sync = useSyncStore()
  const session = useSessionStore()
  const members = useMembersStore()

  // What the overlays change, read with the outbox as one moment (sync/pending.ts): a pull landing never
  // shows a closed meeting open again, nor a check-in missing.
  const synced = useLiveQuery(
    () =>
      readWithOutbox(db, [db.meetings, db.attendance, db.leaves], async () => ({
        meetings: await db.meetings.toArray(),
        attendance: await db.attendance.toArray(),
        leaves: await db.leaves.toArray(),
      })),
    null,
  )
  const meetingRows = computed<MeetingRow[]>(() => synced.value?.rows.meetings ?? [])
  const attendanceRows = computed<AttendanceRow[]>(() => synced.value?.rows.attendance ?? [])
  const leaveRows = computed<LeaveRow[]>(() => synced.value?.rows.leaves ?? [])
  const pending = computed(() => outboxOf(synced.value, sync.userId))
  const keyRows = useLiveQuery<{ id: string; key: string }[] | null>(() => db.meeting_keys.toArray(), null)

  // The clock the lists go by: moves on by itself, and at once when the app comes back to the front.
  const now = ref(Date.now())
  const tick = () => (now.value = Date.now())
  const timer = setInterval(tick, 20_000)
  const onVisible = () => document.visibilityState === 'visible' && tick()
  document.addEventListener('visibilitychange', onVisible)
  onScopeDispose(() => {
    clearInterval(timer)
    document.removeEventListener('visibilitychange', onVisible)
  })

  const loaded = computed(() => synced.value !== null)
  const me = computed(() => session.me?.user ?? null)
  const role = computed(() => me.value?.role ?? 'member')
  const myId = computed(() => sync.userId ?? me.value?.id ?? '')
  const myBranchId = computed(() => session.me?.branch?.id ?? null)

  // The outbox keeps a change the server accepted until the pull with its result is stored (sync/engine.ts):
  // a closed meeting never flashes back open between the two.
  const all = computed(() => overlayMeetings(meetingRows.value, pending.value, members.rows))
  const attendance = computed(() => overlayAttendance(attendanceRows.value, pending.value))
  const leaves = computed(() => overlayLeaves(leaveRows.value, pending.value))
  const attendanceByKey = computed(() => new Map(attendance.value.map((a) => [meetingMemberKey(a.meetingId, a.memberId), a])))
  const leaveByKey = computed(() => new Map(leaves.value.map((l) => [meetingMemberKey(l.meetingId, l.memberId), l])))
  const keys = computed(() => new Map((keyRows.value ?? []).map((k) => [k.id, k.key])))

  /** The meetings this user deals with: the admin every branch's, a secretary their branch's, a member those they are expected at. */
  const visible = computed(() =>
    all.value
      .filter((m) =>
        role.value === 'admin' ? true : role.value === 'secretary' ? m.branchId === myBranchId.value : m.expectedIds.includes(myId.value),
      )
      .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt)),
  )
  const isPast = (m: MeetingRow) => m.status !== 'scheduled' || Date.parse(m.endsAt) < now.value
  const upcoming = computed(() => visible.value.filter((m) => !isPast(m)))
  const past = computed(() => visible.value.filter(isPast).reverse())
  /** Today's meetings (in Shanghai) still to be held, for the reminder on 首页: not cancelled, not closed already. */
  const todaysMeetings = computed(() => {
    const today = dayInShanghai(new Date(now.value))
    return visible.value.filter((m) => m.status === 'scheduled' && dayInShanghai(m.startsAt) === today)
  })

  const byId = (id: string) => all.value.find((m) => m.id === id)
  const attendanceOf = (meetingId: string) => attendance.value.filter((a) => a.meetingId === meetingId)
  // A leave from someone the meeting no longer expects (they left the branch) asks nothing of anyone.
  const leavesOf = (meetingId: string) => {
    const expected = byId(meetingId)?.expectedIds
    return leaves.value.filter((l) => l.meetingId === meetingId && (!expected || expected.includes(l.memberId)))
  }
  const attendanceFor = (meetingId: string, memberId: string) => attendanceByKey.value.get(meetingMemberKey(meetingId, memberId))
  const leaveFor = (meetingId: string, memberId: string) => leaveByKey.value.get(meetingMemberKey(meetingId, memberId))
  // Ended members too: past meetings keep them, with their names. A member moved to another branch leaves
  // this branch's devices (docs/architecture.md, the move's safe order): once the roster is here, an id it
  // lacks is one of them.
  const nameOf = (memberId: string) => members.byId(memberId)?.name ?? (members.loaded ? '（已转到其他支部）' : '（未同步的党员）')

  function statusOf(meetingId: string, memberId = myId.value): MyStatus | null {
    const meeting = byId(meetingId)
    return meeting ? myStatus(meeting, memberId, attendanceFor(meetingId, memberId), leaveFor(meetingId, memberId), now.value) : null
  }

  /** A secretary manages their own branch's meetings; the admin every branch's. */
  const mayManage = (meeting: Pick<MeetingRow, 'branchId'>) =>
    role.value === 'admin' || (role.value === 'secretary' && meeting.branchId === myBranchId.value)

  /** 支部党员大会: how many of the expected are present (checked in, remotely, or by proxy), and the majority needed. */
  function quorumOf(meetingId: string) {
    const meeting = byId(meetingId)
    if (!meeting || meeting.type !== 'assembly') return null
    const expected = meeting.expectedIds.length
    const present = attendanceOf(meetingId).filter((a) => meeting.expectedIds.includes(a.memberId) && a.review !== 'refused').length
    return { expected, present, ...quorum(expected, present) }
  }

  /** Attendance rates over closed meetings, as the server confirmed them; `branchId` null is the whole town. */
  function rates(branchId: string | null) {
    const meetings = meetingRows.value.filter((m) => branchId === null || m.branchId === branchId)
    const awayIds = new Set(members.rows.filter((m) => m.status === 'away' && isCurrent(m)).map((m) => m.id))
    return { meetings, ...attendanceRates({ meetings, attendance: attendanceRows.value, leaves: leaveRows.value, awayIds }) }
  }

  // Two frames of the same code decoded a moment apart must not make two check-ins. The outbox reaches the
  // overlay through a live query a moment after the write, so the meeting stays here until the server
  // refuses its check-in (then a new scan may try again). '' marks one still being written.
  const queued = new Map<string, string>()
  watch(
    () => sync.rejected,
    (rows) => {
      for (const [meetingId, mutationId] of queued) if (rows.some((r) => r.id === mutationId)) queued.delete(meetingId)
    },
  )

  /**
   * The one way a scanned text becomes a check-in, whether it came from the camera or a picture: checked
   * here first (junk, another meeting, already checked in, expired), then queued for the server with the
   * time of the scan. `meetingId` narrows it to the meeting the member opened the scanner from.
   */
  async function checkInFromScan(text: string, options: { meetingId?: string } = {}): Promise<ScanOutcome> {
    if (!myId.value) return { ok: false, message: '请先登录' }
    const verdict = checkScan(text, {
      meetings: all.value,
      attendanceFor,
      memberId: myId.value,
      expectedMeetingId: options.meetingId,
      now: Date.now(),
    })
    if (!verdict.ok) return verdict
    const meetingId = verdict.meeting.id
    if (queued.has(meetingId)) return { ok: false, message: '您已经签到过了' }
    queued.set(meetingId, '')
    try {
      const mutationId = await sync.enqueue('meeting.checkin', { meetingId, token: verdict.token, scannedAt: new Date().toISOString() })
      queued.set(meetingId, mutationId)
      return { ok: true, meetingId, mutationId }
    } catch (error) {
      queued.delete(meetingId)
      throw error
    }
  }

  function checkinState(mutationId: string, meetingId: string): CheckinState {
    const rejected = sync.rejected.find((r) => r.id === mutationId)
    if (rejected) return { state: 'rejected', message: rejected.message }
    const row = attendanceFor(meetingId, myId.value)
    const meeting = byId(meetingId)
    if (row && !row.pending && meeting) {
      const status = myStatus(meeting, myId.value, row, undefined, now.value)
      return { state: 'done', late: status?.key === 'late' }
    }
    return { state: 'waiting' }
  }

  return {
    loaded,
    now,
    tick,
    role,
    myId,
    myBranchId,
    all,
    visible,
    upcoming,
    past,
    todaysMeetings,
    keys,
    keysLoaded: computed(() => keyRows.value !== null),
    byId,
    attendanceOf,
    leavesOf,
    attendanceFor,
    leaveFor,
    nameOf,
    statusOf,
    mayManage,
    quorumOf,
    rates,
    checkInFromScan,
    checkinState,
    schedule: (meeting: MeetingDraft) => sync.enqueue('meeting.schedule', { meeting }),
    signByProxy: (meetingId: string, memberId: string, note: string) => sync.enqueue('meeting.proxy', { meetingId, memberId, note }),
    requestLeave: (meetingId: string, reason: string) => sync.enqueue('leave.request', { meetingId, reason }),
    decideLeave: (meetingId: string, memberId: string, approve: boolean, note: string | null = null) =>
      sync.enqueue('leave.decide', { meetingId, memberId, approve, note }),
    close: (meetingId: string, minutes: string) => sync.enqueue('meeting.close', { meetingId, minutes }),
    reviewAttendance: (meetingId: string, memberId: string, confirm: boolean, note: string | null = null) =>
      sync.enqueue('attendance.review', { meetingId, memberId, confirm, note }),
  }
})
