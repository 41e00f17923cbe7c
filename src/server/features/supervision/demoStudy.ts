// The demo town's study (issue 13's overview counts who studied in the last 30 days and each month): most
// members of most branches read now and then, 东亭村's fewer. Demo data only. Sessions alone: the demo's
// ledger stays empty (the points tests start from zero), so they earn no points, and the materials are
// ones no test studies (a member's progress on a material sums its sessions). At 04:10 in Shanghai, two
// days ago or earlier, where no test records a session of its own.
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import { addDays, dayInShanghai, shanghaiTime } from '~/domain/calendar'
import { noteStudyDays } from '../study/studyMonths'

/** The share (percent) of each branch's members who study in a given month; others 70. */
const STUDYING: Readonly<Record<string, number>> = { 'b-dongting': 25, 'b-jinjiwo': 60 }
const MATERIALS = ['m-031', 'm-032', 'm-033', 'm-035', 'm-037', 'm-038']

export async function seedDemoStudy(trx: Kysely<Database>, now: Date, roll: (text: string) => number): Promise<void> {
  const today = dayInShanghai(now)
  const materials = new Set(
    (await trx.selectFrom('materials').select('id').where('id', 'in', MATERIALS).where('status', '=', 'published').execute()).map(
      (m) => m.id,
    ),
  )
  const usable = MATERIALS.filter((id) => materials.has(id))
  if (usable.length === 0) return
  const members = await trx
    .selectFrom('users')
    .select(['id', 'branch_id'])
    .where('role', '!=', 'admin')
    .where('ended_at', 'is', null)
    .where('branch_id', 'is not', null)
    .orderBy('id')
    .execute()
  const rows = []
  for (const member of members) {
    const share = STUDYING[member.branch_id ?? ''] ?? 70
    // About one session a month over the last twelve.
    for (let k = 0; k < 12; k++) {
      const r = roll(`study:${member.id}:${k}`)
      if (r >= share) continue
      const day = addDays(today, -(2 + 30 * k + (r % 20)))
      const start = shanghaiTime(day, '04:10')
      const seconds = 300 + (r % 6) * 60
      rows.push({
        id: `demo-study-${member.id}-${k}`,
        member_id: member.id,
        material_id: usable[r % usable.length]!,
        started_at: new Date(start).toISOString(),
        ended_at: new Date(start + seconds * 1000).toISOString(),
        active_seconds: seconds,
        completed: 0,
        day,
        received_at: new Date(start + seconds * 1000).toISOString(),
      })
    }
  }
  for (let i = 0; i < rows.length; i += 200)
    await trx
      .insertInto('study_sessions')
      .values(rows.slice(i, i + 200))
      .execute()
  await noteStudyDays(trx, rows)
}
