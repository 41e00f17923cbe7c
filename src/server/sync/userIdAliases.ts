// The old → new user ids (issue 10) on the sync path: a mutation queued on a device before migration 0010
// renamed the ids names the person by their old one. The renamer is the migration's too (services/userIds.ts).
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Replaces old ids with new ones wherever they stand as a whole token in a text: a column, a JSON
 * document (`"likedBy":["u-…"]`), a composite id (`u-…:daily:2026-11-02`) or a scope (`user:u-…`).
 */
export class UserIdRenamer {
  private readonly pattern: RegExp | null

  constructor(readonly renames: ReadonlyMap<string, string>) {
    // Old ids are almost all `u-1` and ten digits: one cheap pattern finds them; any other old id is spelled out.
    const others = [...renames.keys()].filter((id) => !/^u-1\d{10}$/.test(id)).sort((a, b) => b.length - a.length)
    const alternatives = ['u-1\\d{10}', ...others.map(escapeRegExp)]
    this.pattern = renames.size === 0 ? null : new RegExp(`(?<![A-Za-z0-9])(?:${alternatives.join('|')})(?![A-Za-z0-9])`, 'g')
  }

  /** Fragments a text holding an old id must contain: for a cheap `like` filter before reading rows. */
  get fragments(): string[] {
    return [...new Set([...this.renames.keys()].map((id) => (/^u-1\d{10}$/.test(id) ? 'u-1' : id)))]
  }

  rename(text: string): string {
    if (!this.pattern) return text
    return text.replace(this.pattern, (id) => this.renames.get(id) ?? id)
  }

  /** Every string in a JSON value renamed (a mutation's arguments). */
  renameDeep<T>(value: T): T {
    if (!this.pattern) return value
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.rename(v)
      if (Array.isArray(v)) return v.map(walk)
      if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, walk(inner)]))
      return v
    }
    return walk(value) as T
  }
}

// The aliases are written by the migration, before the server serves: read once per database handle.
const aliasCache = new WeakMap<object, Promise<UserIdRenamer>>()

async function aliases(db: Kysely<Database>): Promise<UserIdRenamer> {
  let cached = aliasCache.get(db)
  if (!cached) {
    cached = db
      .selectFrom('user_id_aliases')
      .select(['old_id', 'new_id'])
      .execute()
      .then((rows) => new UserIdRenamer(new Map(rows.map((r) => [r.old_id, r.new_id]))))
    cached.catch(() => aliasCache.delete(db))
    aliasCache.set(db, cached)
  }
  return cached
}

/**
 * A mutation queued on a device before the ids were renamed (`profile.update { memberId: 'u-138…' }`)
 * names the person by their new id; on a database that never had old ids nothing changes.
 */
export async function withCurrentUserIds<M extends { args: unknown }>(db: Kysely<Database>, mutations: readonly M[]): Promise<M[]> {
  const renamer = await aliases(db)
  return mutations.map((m) => ({ ...m, args: renamer.renameDeep(m.args) }))
}

/** The user an old id now belongs to, if it is one. */
export async function currentUserId(db: Kysely<Database>, id: string): Promise<string> {
  return (await aliases(db)).renames.get(id) ?? id
}
