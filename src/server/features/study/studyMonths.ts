// The last day each member studied in each month (study_months), kept by whoever writes study_sessions, in
// the same transaction: supervision's facts (issue 13) need only that, and reading it is a few thousand
// rows for a town rather than every session of thirteen months.
import { sql, type Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import { monthOf } from '~/domain/calendar'

/** Notes the days of sessions just inserted (any number, any members): each month keeps its latest day. */
export async function noteStudyDays(trx: Kysely<Database>, sessions: readonly { member_id: string; day: string }[]): Promise<void> {
  const latest = new Map<string, { month: string; member_id: string; last_day: string }>()
  for (const s of sessions) {
    const key = `${s.member_id}\n${monthOf(s.day)}`
    const seen = latest.get(key)
    if (!seen || seen.last_day < s.day) latest.set(key, { month: monthOf(s.day), member_id: s.member_id, last_day: s.day })
  }
  const rows = [...latest.values()]
  for (let i = 0; i < rows.length; i += 200)
    await trx
      .insertInto('study_months')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) =>
        oc.columns(['member_id', 'month']).doUpdateSet({
          last_day: sql<string>`case when excluded.last_day > study_months.last_day then excluded.last_day else study_months.last_day end`,
        }),
      )
      .execute()
}
