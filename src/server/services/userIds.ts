// User ids are opaque (issue 10): they travel in every synced row (members, comments, meetings,
// attendance, chat), so they must say nothing about the person. Ids of older databases embedded the
// phone (`u-13800000001`); migration 0010 renames them everywhere and keeps the old → new map in
// `user_id_aliases`, for devices that come back with mutations or passkeys naming an old id.
import { randomBytes } from 'node:crypto'
import { PostgresAdapter, sql, type Kysely } from 'kysely'
import { UserIdRenamer } from '../sync/userIdAliases'

/** Base32 without 0/1/l/o (easily misread); 12 characters are 60 random bits. */
const ALPHABET = '23456789abcdefghijkmnpqrstuvwxyz'

/** A new user's id: `u-` and 12 random characters (as the demo seeds' ids). */
export function newUserId(): string {
  return `u-${[...randomBytes(12)].map((b) => ALPHABET[b & 31]).join('')}`
}

/** An id of the old kind: `u-<phone>`, or any id that spells the user's phone out. */
export function embedsPhone(user: { id: string; phone: string }): boolean {
  return /^u-\d{11}$/.test(user.id) || (user.phone !== '' && user.id.includes(user.phone))
}

// What the migration touches by name, as it was when written (the rest it finds by introspection).
interface AliasDatabase {
  user_id_aliases: { old_id: string; new_id: string; renamed_at: string }
  users: { id: string; phone: string }
  scope_versions: { scope: string; version: number; horizon: number }
  sync_rows: { op: string }
}

/** Rows rewritten per statement: within SQLite's limit of 32,766 parameters for a table of 60 text columns. */
const PAGE = 500

/**
 * Migration 0010: gives every user whose id embeds their phone a new opaque id, in every text column of
 * every table (found by introspection, so a column added later is not missed), and makes every device
 * pull afresh. In one transaction; a database without such ids is left as it is.
 */
export async function renameLegacyUserIds(db: Kysely<unknown>, now = new Date()): Promise<number> {
  const typed = db as Kysely<AliasDatabase>
  const postgres = typed.getExecutor().adapter instanceof PostgresAdapter
  const run = async (trx: Kysely<AliasDatabase>) => {
    await trx.schema
      .createTable('user_id_aliases')
      .ifNotExists()
      .addColumn('old_id', 'text', (c) => c.primaryKey())
      .addColumn('new_id', 'text', (c) => c.notNull())
      .addColumn('renamed_at', 'text', (c) => c.notNull())
      .execute()
    const users = await trx.selectFrom('users').select(['id', 'phone']).execute()
    const taken = new Set(users.map((u) => u.id))
    const renames = new Map<string, string>()
    for (const user of users.filter(embedsPhone)) {
      let id = newUserId()
      while (taken.has(id)) id = newUserId()
      taken.add(id)
      renames.set(user.id, id)
    }
    if (renames.size === 0) return 0
    // Keys and the columns that reference them change one after the other: the foreign keys are set
    // aside and checked once at the end (checking them row by row took minutes on a town's data).
    const restore = postgres ? await dropForeignKeys(trx) : await checkForeignKeysAtEnd(trx)
    await renameEverywhere(trx, new UserIdRenamer(renames), postgres)
    // Every scope moves past a horizon: a device's cursor (naming `user:<old id>` or rows it holds with
    // old ids) gets a reset and a fresh pull. A fresh pull needs no tombstones.
    await trx
      .updateTable('scope_versions')
      .set((eb) => ({ version: eb('version', '+', 1), horizon: eb('version', '+', 1) }))
      .execute()
    await trx.deleteFrom('sync_rows').where('op', '=', 'delete').execute()
    await trx
      .insertInto('user_id_aliases')
      .values([...renames].map(([oldId, newId]) => ({ old_id: oldId, new_id: newId, renamed_at: now.toISOString() })))
      .execute()
    await restore()
    return renames.size
  }
  // PostgreSQL migrations already run in a transaction; SQLite's don't, and its foreign keys can only be
  // switched off outside one (a no-op inside: then `defer_foreign_keys` still makes it work, slower).
  if (typed.isTransaction) return run(typed)
  if (!postgres) await sql`pragma foreign_keys = off`.execute(typed)
  try {
    return await typed.transaction().execute(run)
  } finally {
    if (!postgres) await sql`pragma foreign_keys = on`.execute(typed)
  }
}

async function renameEverywhere(trx: Kysely<AliasDatabase>, renamer: UserIdRenamer, postgres: boolean): Promise<void> {
  // Rows are addressed by the database's own row address (not every table has a primary key), which
  // stays put for the rows not yet rewritten: the matching rows' addresses are read first, then rewritten a page at a time.
  const key = postgres ? sql`ctid` : sql`rowid`
  const tables = await trx.introspection.getTables()
  for (const table of tables) {
    if (table.isView || table.name === 'user_id_aliases') continue
    const columns = table.columns.filter((c) => /text|char/i.test(c.dataType)).map((c) => c.name)
    if (columns.length === 0) continue
    const name = sql.table(table.schema && postgres ? `${table.schema}.${table.name}` : table.name)
    const filter = sql.join(
      columns.flatMap((c) => renamer.fragments.map((f) => sql`${sql.ref(c)} like ${`%${f}%`}`)),
      sql` or `,
    )
    const keys = (
      await sql<{ row_key: string }>`select ${key}${postgres ? sql`::text` : sql``} as row_key from ${name} where ${filter}`.execute(trx)
    ).rows.map((r) => r.row_key)
    for (let start = 0; start < keys.length; start += PAGE) {
      const page = keys.slice(start, start + PAGE)
      const among = postgres ? sql`${key} = any(${page}::tid[])` : sql`${key} in (${sql.join(page)})`
      const { rows } = await sql<
        Record<string, string | null>
      >`select ${key}${postgres ? sql`::text` : sql``} as row_key, ${sql.join(columns.map((c) => sql.ref(c)))} from ${name} where ${among}`.execute(
        trx,
      )
      const changed = rows.flatMap((row) => {
        const renamed = Object.fromEntries(columns.map((c) => [c, typeof row[c] === 'string' ? renamer.rename(row[c]) : row[c]]))
        return columns.some((c) => renamed[c] !== row[c]) ? [{ key: row.row_key, before: row, after: renamed }] : []
      })
      const touched = columns.filter((c) => changed.some((r) => r.after[c] !== r.before[c]))
      if (changed.length === 0) continue
      // One statement per page (a statement per row took minutes on a town's data).
      const values = changed.map((r) =>
        postgres
          ? sql`(${r.key}::tid, ${sql.join(touched.map((c) => sql`${r.after[c]}::text`))})`
          : sql`(${r.key}, ${sql.join(touched.map((c) => sql`${r.after[c]}`))})`,
      )
      await sql`with v(row_key, ${sql.join(touched.map((c) => sql.ref(c)))}) as (values ${sql.join(values)})
        update ${name} set ${sql.join(touched.map((c) => sql`${sql.ref(c)} = v.${sql.ref(c)}`))}
        from v where ${name}.${key} = v.row_key`.execute(trx)
    }
  }
}

/** SQLite: foreign keys off (the caller) or deferred to the commit; either way checked here at the end. */
async function checkForeignKeysAtEnd(trx: Kysely<AliasDatabase>): Promise<() => Promise<void>> {
  await sql`pragma defer_foreign_keys = on`.execute(trx)
  return async () => {
    const { rows } = await sql<{ table: string; parent: string }>`pragma foreign_key_check`.execute(trx)
    if (rows.length > 0) throw new Error(`用户编号迁移后外键不一致: ${rows.map((r) => `${r.table} → ${r.parent}`).join(', ')}`)
  }
}

/** PostgreSQL: the foreign keys dropped for the transaction; the returned function adds them back, which checks them. */
async function dropForeignKeys(trx: Kysely<AliasDatabase>): Promise<() => Promise<void>> {
  const { rows } = await sql<{ schema: string; table: string; name: string; definition: string }>`
    select n.nspname as schema, t.relname as table, c.conname as name, pg_get_constraintdef(c.oid) as definition
    from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace
    where c.contype = 'f' and n.nspname = any(current_schemas(false))`.execute(trx)
  for (const fk of rows) await sql`alter table ${sql.table(`${fk.schema}.${fk.table}`)} drop constraint ${sql.id(fk.name)}`.execute(trx)
  return async () => {
    for (const fk of rows)
      await sql`alter table ${sql.table(`${fk.schema}.${fk.table}`)} add constraint ${sql.id(fk.name)} ${sql.raw(fk.definition)}`.execute(
        trx,
      )
  }
}
