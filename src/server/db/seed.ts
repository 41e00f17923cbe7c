import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { z } from '~/domain/validation'
import { parseWith } from '~/domain/validation'
import { seedTownSchema, seedUserSchema } from '~/domain/users'
import type { Database } from './schema'
import { hashPassword } from '../security/password'
import type { AnySyncFeature } from '../sync/feature'

export const DEMO_PASSWORD = 'dangjian2026'

function readSeed<T>(dir: string, file: string, schema: z.ZodMiniType<T>): T {
  const parsed = parseWith(schema, JSON.parse(readFileSync(join(dir, file), 'utf8')))
  if (!parsed.ok) throw new Error(`seeds/${file} 不符合格式: ${parsed.message}`)
  return parsed.value
}

/**
 * Loads the demo data into an empty database: the town and its people, then each feature's (in the
 * features' order). A database that holds any user is left alone.
 */
export async function seedIfEmpty(
  db: Kysely<Database>,
  seedDir: string,
  features: readonly Pick<AnySyncFeature, 'seed'>[],
  now = new Date(),
): Promise<boolean> {
  const existing = await db.selectFrom('users').select('id').limit(1).executeTakeFirst()
  if (existing) return false
  const { town, branches } = readSeed(seedDir, 'town.json', seedTownSchema)
  const users = readSeed(seedDir, 'users.json', z.array(seedUserSchema))
  // All demo accounts share one password, so one hash (one scrypt run) serves them all.
  const passwordHash = await hashPassword(DEMO_PASSWORD)
  const stamp = now.toISOString()
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('towns').values(town).execute()
    await trx
      .insertInto('branches')
      .values(branches.map((b) => ({ id: b.id, town_id: town.id, name: b.name, place: b.place, kind: b.kind })))
      .execute()
    await trx
      .insertInto('users')
      .values(
        users.map((u) => ({
          id: u.id,
          phone: u.phone,
          name: u.name,
          role: u.role,
          branch_id: u.branchId,
          gender: u.gender,
          birth_year: u.birthYear,
          joined_party_on: u.joinedPartyOn,
          status: u.status,
          away_city: u.awayCity,
          return_date: u.returnDate,
          center_household: u.centerHousehold ? 1 : 0,
          password_hash: passwordHash,
          contact_phone: u.phone,
          created_at: stamp,
          updated_at: stamp,
        })),
      )
      .execute()
    const households = users.flatMap((u) =>
      u.households.map((h) => ({ id: h.id, member_id: u.id, head_name: h.headName, address: h.address, people: h.people })),
    )
    if (households.length > 0) await trx.insertInto('households').values(households).execute()
    for (const feature of features) await feature.seed?.(trx, seedDir, now)
  })
  return true
}
