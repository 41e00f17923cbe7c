import { PostgresAdapter, type Kysely } from 'kysely'
import type { Database } from '../db/schema'

export const isPostgres = (db: Kysely<Database>): boolean => db.getExecutor().adapter instanceof PostgresAdapter

/**
 * Serialises the rule checks of these members (check, then insert) until the transaction ends: two tabs
 * of one member, or a secretary awarding a member points while the member's own push does, take turns.
 * On PostgreSQL (READ COMMITTED) it locks the members' `users` rows, in id order so that two transactions
 * wanting the same members never wait on each other in a circle; FOR NO KEY UPDATE, so rows that only
 * reference a member (foreign keys) still insert freely. SQLite has one writer at a time already.
 */
export async function lockMembers(trx: Kysely<Database>, memberIds: Iterable<string>): Promise<void> {
  const ids = [...new Set(memberIds)]
  if (ids.length === 0 || !isPostgres(trx)) return
  await trx.selectFrom('users').select('id').where('id', 'in', ids).orderBy('id').forNoKeyUpdate().execute()
}

/** Locks a comment's row before it is read and written back whole (likes, handling), so no change is lost. */
export async function lockComment(trx: Kysely<Database>, commentId: string): Promise<void> {
  if (!isPostgres(trx)) return
  await trx.selectFrom('board_comments').select('id').where('id', '=', commentId).forUpdate().execute()
}
