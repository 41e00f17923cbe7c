// 连续学习 N 天 on the member's 首页 (issue 4, part 7): the run of consecutive days, ending today or
// yesterday, on which the member earned study or quiz points. A day not yet studied doesn't break the
// run until it is over, so the count stays while today is still open.
import { addDays } from './calendar'
import type { PointCategory } from './points'

/** The categories that count as a day of study. */
export const STREAK_CATEGORIES: readonly PointCategory[] = ['study', 'quiz']

const isoDay = /^\d{4}-\d{2}-\d{2}$/

/** The days (YYYY-MM-DD) with at least one ledger entry of a rule in `STREAK_CATEGORIES`. */
export function studyDays(
  entries: Iterable<{ day: string; ruleCode: string }>,
  rules: Iterable<{ code: string; category: PointCategory }>,
): Set<string> {
  const counting = new Set<string>()
  for (const rule of rules) if (STREAK_CATEGORIES.includes(rule.category)) counting.add(rule.code)
  const days = new Set<string>()
  for (const entry of entries) if (counting.has(entry.ruleCode)) days.add(entry.day)
  return days
}

/**
 * How many consecutive days, ending today (if today has an entry) or else yesterday, are in `days`.
 * Days after `today` (a device clock behind the server's) are ignored.
 */
export function studyStreak(days: Iterable<string>, today: string): number {
  if (!isoDay.test(today)) throw new Error(`today 应为 YYYY-MM-DD：${today}`)
  const set = new Set(days)
  let day = set.has(today) ? today : addDays(today, -1)
  let count = 0
  while (set.has(day)) {
    count++
    day = addDays(day, -1)
  }
  return count
}
