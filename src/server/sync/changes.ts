import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import type { Scope, SyncTable } from '~/domain/sync'

/** Rows (or scopes) per statement in `putMany`: 7 parameters a row, well within SQLite's 32,766 and PostgreSQL's 65,535. */
const PAGE = 500

/**
 * Records what a transaction changed for devices to pull. Each row written takes the next version of
 * its scope with `UPDATE … RETURNING` inside the transaction: the scope's row stays locked until commit,
 * so versions of one scope become visible in order and a reader can never skip one (docs/architecture.md).
 */
export class ChangeWriter {
  readonly scopes = new Set<string>()

  constructor(
    private readonly trx: Kysely<Database>,
    private readonly now: string,
  ) {}

  put(scope: Scope, table: SyncTable, id: string, row: unknown): Promise<number> {
    return this.write(scope, table, id, JSON.stringify(row))
  }

  delete(scope: Scope, table: SyncTable, id: string): Promise<number> {
    return this.write(scope, table, id, null)
  }

  /**
   * Many rows at once (a roster import of thousands): each scope's version is raised once, by the number
   * of its rows, and the rows are inserted a page at a time, numbered as `put` one by one would have.
   */
  async putMany(rows: readonly { scope: Scope; table: SyncTable; id: string; row: unknown }[]): Promise<void> {
    // The same key twice: the later row wins, as one by one (and a statement may not touch a row twice).
    const unique = new Map(rows.map((r) => [JSON.stringify([r.scope, r.table, r.id]), r]))
    const byScope = new Map<string, { scope: Scope; table: SyncTable; id: string; row: unknown }[]>()
    for (const r of unique.values()) {
      const scoped = byScope.get(r.scope)
      if (scoped) scoped.push(r)
      else byScope.set(r.scope, [r])
    }
    // One lock order for every writer: two imports wait for each other instead of deadlocking.
    const scopes = [...byScope.keys()].sort()
    for (let start = 0; start < scopes.length; start += PAGE) {
      const bumped = await this.trx
        .insertInto('scope_versions')
        .values(scopes.slice(start, start + PAGE).map((scope) => ({ scope, version: byScope.get(scope)?.length ?? 0, horizon: 0 })))
        .onConflict((oc) =>
          oc.column('scope').doUpdateSet((eb) => ({ version: eb('scope_versions.version', '+', eb.ref('excluded.version')) })),
        )
        .returning(['scope', 'version'])
        .execute()
      const values = bumped.flatMap(({ scope, version }) => {
        const scoped = byScope.get(scope) ?? []
        return scoped.map((r, i) => ({
          scope,
          table_name: r.table,
          row_id: r.id,
          version: Number(version) - scoped.length + 1 + i,
          op: 'put' as const,
          row_json: JSON.stringify(r.row),
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

  private async write(scope: Scope, table: SyncTable, id: string, rowJson: string | null): Promise<number> {
    const { version } = await this.trx
      .insertInto('scope_versions')
      .values({ scope, version: 1, horizon: 0 })
      .onConflict((oc) => oc.column('scope').doUpdateSet((eb) => ({ version: eb('scope_versions.version', '+', 1) })))
      .returning('version')
      .executeTakeFirstOrThrow()
    const values = { version, op: rowJson === null ? ('delete' as const) : ('put' as const), row_json: rowJson, changed_at: this.now }
    await this.trx
      .insertInto('sync_rows')
      .values({ scope, table_name: table, row_id: id, ...values })
      .onConflict((oc) => oc.columns(['scope', 'table_name', 'row_id']).doUpdateSet(values))
      .execute()
    this.scopes.add(scope)
    return version
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
