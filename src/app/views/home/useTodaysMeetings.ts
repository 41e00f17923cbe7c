import { computed } from 'vue'
import { appDB } from '~/app/db/instance'
import { useLiveQuery } from '~/app/composables/useLiveQuery'
import { useSessionStore } from '~/app/stores/session'
import { overlayMeetings } from '~/app/stores/meetingsOverlay'
import { outboxOf, readWithOutbox } from '~/app/sync/pending'
import { addDays, dayInShanghai, endOfShanghaiDay, startOfShanghaiDay } from '~/domain/calendar'

const isoAt = (ms: number) => new Date(ms).toISOString()

/**
 * 首页's reminder: today's meetings (in Shanghai) this user deals with, still to be held. One live query over
 * the `startsAt` index, with the outbox laid over as the meetings store does, instead of that store's every
 * meeting, attendance, leave and the whole member list: 首页 shows a line or two.
 */
export function useTodaysMeetings() {
  const db = appDB()
  const session = useSessionStore()
  const today = dayInShanghai(new Date())
  // A day either side: the range only narrows the read, the Shanghai day is checked on each row below.
  const from = isoAt(startOfShanghaiDay(addDays(today, -1)))
  const to = isoAt(endOfShanghaiDay(addDays(today, 1)))
  const read = useLiveQuery(
    () =>
      readWithOutbox(db, [db.meetings, db.members], async () => {
        const meetings = await db.meetings.where('startsAt').between(from, to, true, true).toArray()
        // Only the expected members' rows: enough to leave out those who have left the branch.
        const ids = [...new Set(meetings.flatMap((m) => [...m.expectedIds, ...m.remoteMemberIds]))]
        const members = (await db.members.bulkGet(ids)).filter((m) => m !== undefined)
        return { meetings, members }
      }),
    null,
  )
  return computed(() => {
    const me = session.me
    if (!read.value || !me) return []
    const { meetings, members } = read.value.rows
    const mine = (m: { branchId: string; expectedIds: string[] }) =>
      me.user.role === 'admin' ? true : me.user.role === 'secretary' ? m.branchId === me.branch?.id : m.expectedIds.includes(me.user.id)
    return overlayMeetings(meetings, outboxOf(read.value, me.user.id), members)
      .filter((m) => m.status === 'scheduled' && dayInShanghai(m.startsAt) === today && mine(m))
      .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))
  })
}
