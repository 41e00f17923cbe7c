import { defineStore } from 'pinia'
import { computed } from 'vue'
import { appDB } from '../db/instance'
import { useLiveQuery } from '../composables/useLiveQuery'
import { useSyncStore } from './sync'
import { useStudyStore } from './study'
import { dayInShanghai, ruleActiveOn, scoreEvents, totalsOf, type LedgerEntry, type PointsEvent } from '../../domain/points'
import { studyEventKind, studyRecordArgsSchema } from '../../domain/study'

/**
 * The member's points: the ledger the server confirmed, and an estimate (待确认) of what the study
 * sessions still waiting to sync will earn, computed with the same rules the server uses.
 */
export const usePointsStore = defineStore('points', () => {
  const db = appDB()
  const sync = useSyncStore()
  const study = useStudyStore()
  const ledger = useLiveQuery(() => db.points.orderBy('day').reverse().toArray(), [])
  const rules = useLiveQuery(() => db.points_rules.toArray(), [])
  const today = () => dayInShanghai(new Date())

  const ruleName = (code: string) => rules.value.find((r) => r.code === code)?.name ?? code

  const pending = computed<LedgerEntry[]>(() => {
    const memberId = sync.userId ?? ''
    const events: PointsEvent[] = []
    for (const mutation of sync.pending) {
      if (mutation.name !== 'study.record') continue
      const args = studyRecordArgsSchema.safeParse(mutation.args)
      const material = args.success ? study.byId(args.data.materialId) : undefined
      if (!args.success || !material) continue
      events.push({ id: `study:${args.data.sessionId}`, memberId, kind: studyEventKind(material), day: dayInShanghai(args.data.endedAt), quantity: args.data.activeSeconds })
    }
    const confirmed = ledger.value.map((row) => ({ ...row, memberId }))
    return scoreEvents(rules.value, events, confirmed)
  })

  const totals = computed(() => totalsOf(ledger.value, today()))
  const pendingTotal = computed(() => pending.value.reduce((sum, e) => sum + e.points, 0))
  /** The most a member can earn from daily study and quizzes today, by the published caps. */
  const dailyMaximum = computed(() =>
    rules.value
      .filter((r) => (r.category === 'study' || r.category === 'quiz') && r.dailyCap !== null && r.points > 0 && ruleActiveOn(r, today()))
      .reduce((sum, r) => sum + (r.dailyCap ?? 0), 0),
  )

  return { ledger, pending, totals, pendingTotal, dailyMaximum, ruleName }
})
