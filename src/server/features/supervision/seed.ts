// What every database starts with, demo data or not (a real town needs them too): the default warning
// rules (the 三会一课 norms, DEFAULT_WARNING_RULES) and the working calendar of the year the platform
// shipped in (HOLIDAYS_2026). Each table is filled only while it is empty; publishing sends them
// (publish.ts).
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import { DEFAULT_WARNING_RULES } from '~/domain/supervision'
import { warningRuleToRow } from './rules'
import { HOLIDAYS_2026 } from './holidays'

export async function seedSupervisionDefaults(db: Kysely<Database>, now = new Date()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const rule = await trx.selectFrom('warning_rules').select('code').limit(1).executeTakeFirst()
    if (!rule) await trx.insertInto('warning_rules').values(DEFAULT_WARNING_RULES.map(warningRuleToRow)).execute()
    const day = await trx.selectFrom('workdays').select('day').limit(1).executeTakeFirst()
    if (!day) {
      const updatedAt = now.toISOString()
      await trx
        .insertInto('workdays')
        .values(HOLIDAYS_2026.map((d) => ({ day: d.id, kind: d.kind, name: d.name, updated_at: updatedAt })))
        .execute()
    }
  })
}
