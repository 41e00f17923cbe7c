// The working calendar (issue 13): the days that aren't what their weekday says, a public holiday off or a
// weekend day worked (调休). A new database starts with the State Council's schedule (holidays.ts); the
// admin adds the next year's, or a local holiday, with `workday.set`. Notice deadlines are counted over it
// when they are issued and kept: a later change moves no deadline already given.
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import type { MutationContext } from '~/server/sync/feature'
import { MutationRejected } from '~/server/sync/rejections'
import { dayInShanghai, workCalendarOf, type WorkCalendar } from '~/domain/calendar'
import { workdayProblem, type WorkdayRow, type WorkdaySetArgs } from '~/domain/supervision'

export async function loadWorkdays(db: Kysely<Database>): Promise<WorkdayRow[]> {
  const rows = await db.selectFrom('workdays').select(['day', 'kind', 'name']).orderBy('day').execute()
  return rows.map((r) => ({ id: r.day, kind: r.kind, name: r.name }))
}

/** The calendar deadlines are counted over. */
export async function loadWorkCalendar(db: Kysely<Database>): Promise<WorkCalendar> {
  return workCalendarOf(await loadWorkdays(db))
}

export async function setWorkday({ trx, viewer, writer, now }: MutationContext, args: WorkdaySetArgs): Promise<void> {
  const problem = workdayProblem(args, dayInShanghai(now))
  if (problem) throw new MutationRejected('invalid_args', problem)
  const scope = `town:${viewer.townId}` as const
  if (args.kind === null) {
    // Back to what its weekday says; a day that had nothing set stays as it is (a second tap changes nothing).
    const removed = await trx.deleteFrom('workdays').where('day', '=', args.day).executeTakeFirst()
    if (Number(removed.numDeletedRows) > 0) await writer.delete(scope, 'workdays', args.day)
    return
  }
  const values = { kind: args.kind, name: args.name, updated_at: now }
  await trx
    .insertInto('workdays')
    .values({ day: args.day, ...values })
    .onConflict((oc) => oc.column('day').doUpdateSet(values))
    .execute()
  const row: WorkdayRow = { id: args.day, kind: args.kind, name: args.name }
  await writer.put(scope, 'workdays', row.id, row)
}
