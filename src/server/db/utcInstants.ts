import type { Kysely } from 'kysely'

/**
 * The columns holding instants a device sent, stored as the text it sent until issue 10: instants are
 * compared as text (overlapping study sessions, meetings in order), which only works when every one is
 * written the same way, in UTC (`2026-05-01T11:30:00.000Z`, what the schemas now store).
 */
export const DEVICE_INSTANT_COLUMNS = [
  { table: 'study_sessions', columns: ['started_at', 'ended_at'] },
  { table: 'quiz_attempts', columns: ['submitted_at'] },
  { table: 'meetings', columns: ['starts_at', 'ends_at'] },
] as const

// Any table of the list, as the migration sees it (by name, as it was when written).
type InstantTables = Record<string, Record<string, string>>

/**
 * Migration 0008: rewrites every instant in those columns that isn't in UTC text yet (written with
 * `+08:00` or another offset) as `toISOString()` gives it. Text that isn't a time is left alone.
 */
export async function normaliseStoredInstants(db: Kysely<unknown>): Promise<number> {
  const k = db as unknown as Kysely<InstantTables>
  let changed = 0
  for (const { table, columns } of DEVICE_INSTANT_COLUMNS) {
    for (const column of columns) {
      // `toISOString()` text ends in `.mmmZ`: only the others need a look.
      const rows = await k.selectFrom(table).select(['id', column]).where(column, 'not like', '%.___Z').execute()
      for (const row of rows) {
        const text = row[column]!
        const at = Date.parse(text)
        if (Number.isNaN(at)) continue
        const utc = new Date(at).toISOString()
        if (utc === text) continue
        await k
          .updateTable(table)
          .set({ [column]: utc })
          .where('id', '=', row.id!)
          .execute()
        changed++
      }
    }
  }
  return changed
}
