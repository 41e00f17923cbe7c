import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import type { Scope, SyncTable } from '~/domain/sync'

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
