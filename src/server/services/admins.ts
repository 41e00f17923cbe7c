// The town committee's accounts (`npm run admin -- create-admin`, scripts/admin.ts): the first one creates
// the town of an empty database; later ones join it. Run beside a live server: SQLite in WAL mode takes a
// second writing process (busy_timeout waits out the server's transactions), PostgreSQL any number.
import { randomInt } from 'node:crypto'
import { sql, type Kysely, type Selectable } from 'kysely'
import type { Database, UserTable } from '../db/schema'
import { ChangeWriter } from '../sync/changes'
import type { SyncFeatures } from '../sync/feature'
import { isPostgres } from '../sync/locks'
import { publishAll } from '../sync/service'
import { memberRowFromUser, memberScope } from '../features/members/rows'
import { recordAudit } from './audit'
import { freshCode, saveActivationCode } from './accounts'
import { newUserId } from './userIds'
import { normalizePhone, memberFieldsSchema } from '~/domain/roster'
import { line, parseWith, z } from '~/domain/validation'

const fields = memberFieldsSchema.shape

/** What `create-admin` is given; only phone and name are required (and the town's name, the first time). */
export const createAdminInputSchema = z.object({
  phone: z.string().check(z.overwrite(normalizePhone), z.regex(/^1\d{10}$/, '手机号应为11位数字，以1开头')),
  name: fields.name,
  town: z.optional(line({ trim: true, min: 2, max: 20, tooShort: '请写明镇的名称', tooLong: '镇的名称不超过20字' })),
  gender: z.optional(fields.gender),
  birthDate: z.optional(fields.birthDate),
  joinedPartyOn: z.optional(fields.joinedPartyOn),
})
export type CreateAdminInput = z.infer<typeof createAdminInputSchema>

/** A refusal to show the person at the terminal, in Chinese. */
export class AdminCommandError extends Error {}

export function parseCreateAdminInput(input: unknown): CreateAdminInput {
  const parsed = parseWith(createAdminInputSchema, input)
  if (!parsed.ok) throw new AdminCommandError(parsed.message)
  return parsed.value
}

export interface CreatedAdmin {
  userId: string
  townId: string
  townName: string
  townCreated: boolean
  code: string
  expiresAt: string
}

const TOWN_ID_LETTERS = '23456789abcdefghijkmnpqrstuvwxyz'

/**
 * Creates an admin (and, on an empty database, the town) with an activation code, all in one transaction
 * that also publishes what devices see: the whole town the first time (as a server's first start does),
 * else the new admin's member row.
 */
export async function createAdmin(
  db: Kysely<Database>,
  features: SyncFeatures,
  input: CreateAdminInput,
  now = new Date(),
): Promise<CreatedAdmin> {
  const code = await freshCode(now)
  const stamp = now.toISOString()
  return writeTransaction(db, async (trx) => {
    // Two commands at once on an empty PostgreSQL database must not make two towns (SQLite: one writer).
    if (isPostgres(trx)) await sql`lock table towns in share row exclusive mode`.execute(trx)
    const towns = await trx.selectFrom('towns').select(['id', 'name']).execute()
    let town = towns[0]
    const townCreated = !town
    if (!town) {
      if (!input.town) throw new AdminCommandError('数据库中还没有镇，请用 --town 写明镇的名称，例如 --town 新杭镇')
      town = {
        id: `town-${Array.from({ length: 8 }, () => TOWN_ID_LETTERS[randomInt(TOWN_ID_LETTERS.length)]).join('')}`,
        name: input.town,
      }
      await trx.insertInto('towns').values(town).execute()
    } else if (input.town && input.town !== town.name) {
      throw new AdminCommandError(`数据库中已经是“${town.name}”，不能再建“${input.town}”：一个数据库只管一个镇。去掉 --town 即可添加管理员`)
    }
    const taken = await trx.selectFrom('users').select(['name', 'role']).where('phone', '=', input.phone).executeTakeFirst()
    if (taken) throw new AdminCommandError(`手机号 ${input.phone} 已被“${taken.name}”的账号使用`)

    const user: Selectable<UserTable> = {
      id: newUserId(),
      phone: input.phone,
      name: input.name,
      role: 'admin',
      branch_id: null,
      // The committee's account may be nobody's party record: what wasn't given stays unknown (0, ''), but
      // gender has no such value in the schema, so it takes the command's default (--gender 女 to change it).
      gender: input.gender ?? 'male',
      birth_year: input.birthDate ? Number(input.birthDate.slice(0, 4)) : 0,
      birth_date: input.birthDate ?? null,
      joined_party_on: input.joinedPartyOn ?? '',
      membership: 'full',
      status: 'home',
      away_city: null,
      return_date: null,
      center_household: 0,
      // Not activated: nobody can sign in until the code is used.
      password_hash: '',
      contact_phone: input.phone,
      created_at: stamp,
      updated_at: stamp,
      party_group_id: null,
      committee_post: null,
      ended_at: null,
      end_reason: null,
      end_note: null,
    }
    await trx.insertInto('users').values(user).execute()
    await saveActivationCode(trx, user.id, code, user.id, now)
    await recordAudit(trx, { actorId: user.id, action: 'admin.create', targetId: user.id, detail: { town: town.name, townCreated } }, stamp)

    const writer = new ChangeWriter(trx, stamp)
    const published = await trx.selectFrom('scope_versions').select('scope').limit(1).executeTakeFirst()
    if (published) await writer.put(memberScope(user, town.id), 'members', user.id, memberRowFromUser(user))
    else await publishAll(trx, writer, features, town.id)
    return { userId: user.id, townId: town.id, townName: town.name, townCreated, code: code.code, expiresAt: code.expiresAt }
  })
}

/**
 * A transaction that writes, beside a running server. On SQLite it takes the write lock first (BEGIN
 * IMMEDIATE): a deferred one that read before the server's next commit could not write afterwards (its
 * snapshot is stale, and SQLite fails it at once instead of waiting out busy_timeout).
 */
async function writeTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (isPostgres(db)) return db.transaction().execute(work)
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection)
    try {
      const result = await work(connection)
      await sql`commit`.execute(connection)
      return result
    } catch (error) {
      await sql`rollback`.execute(connection)
      throw error
    }
  })
}
