import { defineStore } from 'pinia'
import { computed, getCurrentScope, ref, type ShallowRef } from 'vue'
import { appDB } from '../db/instance'
import { useLiveQuery } from '../composables/useLiveQuery'
import { useSyncStore } from './sync'
import { useStudyStore } from './study'
import { useSessionStore } from './session'
import { ruleActiveOn, scoreEvents, totalsOf, type LedgerEntry, type LedgerRow, type PointsEvent } from '~/domain/points'
import { dayInShanghai } from '~/domain/calendar'
import { studyEventKind } from '~/domain/study'
import { outboxOf, pendingArgs, readWithOutbox } from '../sync/pending'

const yearStart = (day: string) => `${day.slice(0, 4)}-01-01`

/**
 * The member's points: the ledger the server confirmed, and an estimate (待确认) of what the study
 * sessions still waiting to sync will earn, computed with the same rules the server uses.
 * A member's ledger grows by thousands of entries a year, so only the current year is kept in memory
 * (totals and caps need no more); 积分明细 reads its list a page at a time (useLedgerPage).
 */
export const usePointsStore = defineStore('points', () => {
  const db = appDB()
  const sync = useSyncStore()
  // Before the sync engine has started (it waits for the first screen), the session says whose changes wait.
  const sessionStore = useSessionStore()
  const userId = computed(() => sync.userId ?? sessionStore.me?.user.id ?? null)
  const study = useStudyStore()
  const rules = useLiveQuery(() => db.points_rules.toArray(), [])
  const today = () => dayInShanghai(new Date())

  const ruleName = (code: string) => rules.value.find((r) => r.code === code)?.name ?? code

  // The ledger and the outbox as one moment (sync/pending.ts): a pull landing moves points from 待确认 to
  // confirmed at once. From January 1 of this year, or of an older waiting session's year: the daily and
  // yearly caps count no further back.
  const synced = useLiveQuery(
    () =>
      readWithOutbox(db, [db.points], (outbox) => {
        const since = pendingArgs(outbox, 'study.record')
          .map((session) => yearStart(dayInShanghai(session.endedAt)))
          .reduce((from, start) => (start < from ? start : from), yearStart(today()))
        return db.points.where('day').aboveOrEqual(since).toArray()
      }),
    null,
  )
  /** This year's ledger (or from an older waiting session's year), as confirmed. */
  const recent = computed<LedgerRow[]>(() => synced.value?.rows ?? [])

  /** Study sessions waiting to sync, as the events the server will score. */
  const pendingEvents = computed<PointsEvent[]>(() => {
    const memberId = userId.value ?? ''
    const events: PointsEvent[] = []
    for (const session of pendingArgs(outboxOf(synced.value, userId.value), 'study.record')) {
      const material = study.byId(session.materialId)
      if (material)
        events.push({
          id: `study:${session.sessionId}`,
          memberId,
          kind: studyEventKind(material),
          day: dayInShanghai(session.endedAt),
          quantity: session.activeSeconds,
        })
    }
    return events
  })

  const pending = computed<LedgerEntry[]>(() => {
    const memberId = userId.value ?? ''
    const confirmed = recent.value.map((row) => ({ ...row, memberId }))
    return scoreEvents(rules.value, pendingEvents.value, confirmed)
  })

  const totals = computed(() => {
    const { today: onToday, month, year } = totalsOf(recent.value, today())
    return { today: onToday, month, year }
  })
  const pendingTotal = computed(() => pending.value.reduce((sum, e) => sum + e.points, 0))
  /** The most a member can earn from daily study and quizzes today, by the published caps. */
  const dailyMaximum = computed(() =>
    rules.value
      .filter((r) => (r.category === 'study' || r.category === 'quiz') && r.dailyCap !== null && r.points > 0 && ruleActiveOn(r, today()))
      .reduce((sum, r) => sum + (r.dailyCap ?? 0), 0),
  )

  // The whole ledger, newest first, read from IndexedDB only once something asks for it (the home page's
  // 连续学习 does): with 10,000 entries that read is the slowest thing on the page.
  const scope = getCurrentScope()
  let whole: ShallowRef<LedgerRow[]> | undefined
  const ledger = computed(() => {
    whole ??= scope?.run(() => useLiveQuery(() => db.points.orderBy('day').reverse().toArray(), [] as LedgerRow[]))
    return whole?.value ?? []
  })

  return { ledger, recent, pending, totals, pendingTotal, dailyMaximum, ruleName }
})

/**
 * 积分明细's list: the newest entries, `pageSize` more each time `more()` is called, and how many there are.
 * Reads only what is shown (newest first by day), never the whole ledger; follows new entries as they sync.
 */
export function useLedgerPage(pageSize: number) {
  const db = appDB()
  const shown = ref(pageSize)
  const rows = useLiveQuery(
    () => shown.value,
    (limit) => db.points.orderBy('day').reverse().limit(limit).toArray(),
    undefined as LedgerRow[] | undefined,
  )
  const count = useLiveQuery(() => db.points.count(), undefined as number | undefined)
  const entries = computed(() => rows.value ?? [])
  const loaded = computed(() => rows.value !== undefined && count.value !== undefined)
  const remaining = computed(() => Math.max(0, (count.value ?? 0) - entries.value.length))
  return { entries, count, loaded, remaining, more: () => void (shown.value += pageSize) }
}
