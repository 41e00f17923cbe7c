import { computed } from 'vue'
import { useLiveQuery } from './useLiveQuery'
import { appDB } from '../db/instance'
import { usePointsStore } from '../stores/points'
import { useRulesStore } from '../stores/rules'
import { addDays, dayInShanghai } from '~/domain/calendar'
import { STREAK_CATEGORIES, studyDays, studyStreak } from '~/domain/streak'

/**
 * 连续学习 on 首页: the days with study or quiz points, confirmed or waiting to sync. Reads the ledger only
 * as far back as the run of days goes (two months at a time), never the whole of a long ledger.
 */
export function useStudyStreak() {
  const db = appDB()
  const points = usePointsStore()
  const rules = useRulesStore()
  const today = dayInShanghai(new Date())
  const codes = computed(() =>
    rules.all.filter((r) => STREAK_CATEGORIES.includes(r.category)).map((r) => ({ code: r.code, category: r.category })),
  )
  // Read again when the counting rules change (their codes), and whenever the ledger does.
  const confirmedDays = useLiveQuery(
    () => codes.value.map((r) => r.code).join(),
    async () => {
      const counting = codes.value
      for (let window = 62; ; window *= 2) {
        const from = addDays(today, -window)
        const days = studyDays(await db.points.where('day').aboveOrEqual(from).toArray(), counting)
        // The run may go on before the window: look further back, else this is all of it.
        if (studyStreak(days, today) < window - 1 || window > 20_000) return days
      }
    },
    new Set<string>(),
  )

  // This year's days again from the points store, where they and the waiting ones are read as one moment:
  // a pull landing moves a day from waiting to confirmed without it dropping out for a moment.
  const days = computed(
    () => new Set([...confirmedDays.value, ...studyDays(points.recent, codes.value), ...studyDays(points.pending, codes.value)]),
  )
  const streak = computed(() => studyStreak(days.value, today))
  const studiedToday = computed(() => days.value.has(today))
  return { streak, studiedToday }
}
