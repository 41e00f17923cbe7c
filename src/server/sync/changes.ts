import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import type { Scope, SyncTable } from '~/domain/sync'

/** Rows (or scopes) per statement in a flush: 7 parameters a row, well within SQLite's 32,766 and PostgreSQL's 65,535. */
const PAGE = 500

interface Pending {
  scope: Scope
  table: SyncTable
  id: string
  /** JSON, or null for a tombstone. */
  rowJson: string | null
}

/** A row held, with the number of its scope's write it was last written by. */
interface Held extends Pending {
  ordinal: number
}

/**
 * Records what a transaction changed for devices to pull. A scope's version counter, once raised, stays
 * locked until commit, so versions of one scope become visible in order and a reader never skips one
 * (docs/architecture.md). Rows are therefore held here and written by `flush()`, which raises each scope
 * once by its number of rows, in one lock order, as late as possible: the counters are locked only for the
 * last statements of the transaction, not while the rest of a push batch runs.
 *
 * `new ChangeWriter(trx, now)` writes at each call, as a caller that never flushes expects; a push batch
 * uses `ChangeWriter.deferred` and flushes before commit. A handler that reads `sync_rows` calls
 * `flush()` first, so that it sees what the batch wrote before it.
 */
export class ChangeWriter {
  readonly scopes = new Set<string>()
  /** Keyed by scope, table and id: a row written twice is written once, as it was last. */
  private readonly pending = new Map<string, Held>()
  /**
   * Writes per scope since the last flush, a row written twice counted twice: a scope's version still rises
   * by one per write, as when each write took its own, so a version counts the changes made in its scope.
   */
  private readonly writes = new Map<string, number>()

  constructor(
    private readonly trx: Kysely<Database>,
    private readonly now: string,
    private readonly deferred = false,
  ) {}

  /** A writer that holds its rows until `flush()`. */
  static deferred(trx: Kysely<Database>, now: string): ChangeWriter {
    return new ChangeWriter(trx, now, true)
  }

  put(scope: Scope, table: SyncTable, id: string, row: unknown): Promise<void> {
    return this.add([{ scope, table, id, rowJson: JSON.stringify(row) }])
  }

  delete(scope: Scope, table: SyncTable, id: string): Promise<void> {
    return this.add([{ scope, table, id, rowJson: null }])
  }

  /** Many rows at once (a roster import of thousands), numbered as `put` one by one would have. */
  putMany(rows: readonly { scope: Scope; table: SyncTable; id: string; row: unknown }[]): Promise<void> {
    return this.add(rows.map((r) => ({ scope: r.scope, table: r.table, id: r.id, rowJson: JSON.stringify(r.row) })))
  }

  private hold(change: Pending): void {
    const key = JSON.stringify([change.scope, change.table, change.id])
    const ordinal = (this.writes.get(change.scope) ?? 0) + 1
    this.writes.set(change.scope, ordinal)
    // Deleted first so that the row takes its place (and version) as last written.
    this.pending.delete(key)
    this.pending.set(key, { ...change, ordinal })
  }

  private async add(changes: readonly Pending[]): Promise<void> {
    for (const change of changes) this.hold(change)
    if (!this.deferred) await this.flush()
  }

  /** Writes the rows held: each scope's version raised once, by its number of writes, and the rows a page at a time. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return
    const byScope = new Map<string, Held[]>()
    for (const change of this.pending.values()) {
      const scoped = byScope.get(change.scope)
      if (scoped) scoped.push(change)
      else byScope.set(change.scope, [change])
    }
    const writes = new Map(this.writes)
    this.pending.clear()
    this.writes.clear()
    // One lock order for every writer: two batches wait for each other instead of deadlocking.
    const scopes = [...byScope.keys()].sort()
    for (let start = 0; start < scopes.length; start += PAGE) {
      const bumped = await this.trx
        .insertInto('scope_versions')
        .values(scopes.slice(start, start + PAGE).map((scope) => ({ scope, version: writes.get(scope) ?? 0, horizon: 0 })))
        .onConflict((oc) =>
          oc.column('scope').doUpdateSet((eb) => ({ version: eb('scope_versions.version', '+', eb.ref('excluded.version')) })),
        )
        .returning(['scope', 'version'])
        .execute()
      const values = bumped.flatMap(({ scope, version }) => {
        const base = Number(version) - (writes.get(scope) ?? 0)
        return (byScope.get(scope) ?? []).map((r) => ({
          scope,
          table_name: r.table,
          row_id: r.id,
          version: base + r.ordinal,
          op: r.rowJson === null ? ('delete' as const) : ('put' as const),
          row_json: r.rowJson,
          changed_at: this.now,
        }))
      })
      for (let at = 0; at < values.length; at += PAGE)
        await this.trx
          .insertInto('sync_rows')
          .values(values.slice(at, at + PAGE))
          .onConflict((oc) =>
            oc.columns(['scope', 'table_name', 'row_id']).doUpdateSet((eb) => ({
              version: eb.ref('excluded.version'),
              op: eb.ref('excluded.op'),
              row_json: eb.ref('excluded.row_json'),
              changed_at: eb.ref('excluded.changed_at'),
            })),
          )
          .execute()
      for (const { scope } of bumped) this.scopes.add(scope)
    }
  }
}

export const TOMBSTONE_DAYS = 60

/** Forgets tombstones older than `before`; a cursor behind the new horizon gets a reset. */
export async function pruneTombstones(db: Kysely<Database>, before: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const old = await trx
      .selectFrom('sync_rows')
      .select(['scope', (eb) => eb.fn.max('version').as('maxVersion')])
      .where('op', '=', 'delete')
      .where('changed_at', '<', before)
      .groupBy('scope')
      .execute()
    for (const { scope, maxVersion } of old) {
      await trx
        .updateTable('scope_versions')
        .set({ horizon: Number(maxVersion) })
        .where('scope', '=', scope)
        .execute()
      await trx
        .deleteFrom('sync_rows')
        .where('scope', '=', scope)
        .where('op', '=', 'delete')
        .where('version', '<=', Number(maxVersion))
        .execute()
    }
  })
}
