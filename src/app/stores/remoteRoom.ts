import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { startAuthentication, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser'
import { api } from '../api/client'
import { appDB } from '../db/instance'
import { useLiveQuery } from '../composables/useLiveQuery'
import { useSyncStore } from './sync'
import { useMeetingsStore } from './meetings'
import { useMembersStore } from './members'
import { mayAttendRemotely, type MeetingMessageRow } from '~/domain/meetings'

export const HEARTBEAT_INTERVAL_MS = 30_000

/**
 * 远程会场 (issue 5): confirm with the phone's fingerprint or face, then keep a heartbeat so the time
 * attended is known. Presence and chat are synced rows of the branch, so they arrive by the event stream.
 */
export const useRemoteRoomStore = defineStore('remoteRoom', () => {
  const db = appDB()
  const sync = useSyncStore()
  // Meetings, attendance and names come from the meetings store's own live queries.
  const meetings = useMeetingsStore()
  const members = useMembersStore()
  const messages = useLiveQuery(() => db.meeting_messages.orderBy('sentAt').toArray(), [] as MeetingMessageRow[])

  const meetingId = ref<string | null>(null)
  /** Seconds the server has counted, from the last heartbeat's answer. */
  const countedSeconds = ref(0)
  const joining = ref(false)
  let timer: ReturnType<typeof setInterval> | undefined

  const meeting = computed(() => (meetingId.value ? (meetings.byId(meetingId.value) ?? null) : null))
  const present = computed(() => (meetingId.value ? meetings.attendanceOf(meetingId.value) : []))
  const withName = <T extends { memberId: string }>(a: T) => ({ ...a, name: meetings.nameOf(a.memberId) })
  const onSite = computed(() => present.value.filter((a) => a.mode !== 'remote').map(withName))
  const remote = computed(() => present.value.filter((a) => a.mode === 'remote').map(withName))
  const joined = computed(() => remote.value.some((a) => a.memberId === sync.userId))
  const eligible = computed(() => Boolean(meeting.value && members.self && mayAttendRemotely(meeting.value, members.self)))
  const quorumState = computed(() => (meetingId.value ? meetings.quorumOf(meetingId.value) : null))
  const chat = computed(() => messages.value.filter((m) => m.meetingId === meetingId.value))

  async function sendHeartbeat(): Promise<void> {
    if (!meetingId.value) return
    try {
      countedSeconds.value = (
        await api<{ seconds: number }>(`/api/meetings/${meetingId.value}/remote/heartbeat`, { method: 'POST', body: {} })
      ).seconds
    } catch {
      // A missed beat only costs that half-minute; the next one carries on.
    }
  }

  function startHeartbeat(): void {
    stopHeartbeat()
    void sendHeartbeat()
    timer = setInterval(() => void sendHeartbeat(), HEARTBEAT_INTERVAL_MS)
  }

  function stopHeartbeat(): void {
    if (timer) clearInterval(timer)
    timer = undefined
  }

  /** Opens the room; a member who already joined (e.g. after a reload) goes straight back to heartbeats. */
  function open(id: string): void {
    meetingId.value = id
    countedSeconds.value = 0
  }

  function close(): void {
    stopHeartbeat()
    meetingId.value = null
  }

  /** Asks the phone for the fingerprint or face, and is counted present once the server has verified it. */
  async function join(): Promise<void> {
    if (!meetingId.value) return
    joining.value = true
    try {
      const optionsJSON = await api<PublicKeyCredentialRequestOptionsJSON>(`/api/meetings/${meetingId.value}/remote/options`, {
        method: 'POST',
        body: {},
      })
      const response = await startAuthentication({ optionsJSON })
      await api(`/api/meetings/${meetingId.value}/remote/verify`, { method: 'POST', body: { response } })
      await sync.syncNow()
      startHeartbeat()
    } finally {
      joining.value = false
    }
  }

  async function send(text: string): Promise<void> {
    if (!meetingId.value) return
    await api(`/api/meetings/${meetingId.value}/messages`, { method: 'POST', body: { text } })
    await sync.syncNow()
  }

  return {
    meetingId,
    meeting,
    countedSeconds,
    joining,
    joined,
    eligible,
    onSite,
    remote,
    quorumState,
    chat,
    open,
    close,
    join,
    startHeartbeat,
    stopHeartbeat,
    send,
  }
})
