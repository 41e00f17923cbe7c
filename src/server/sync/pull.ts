// A page of changes for one device (docs/architecture.md, the sync core): rows of `sync_rows` past the cursor's
// version of each scope the viewer sees, redacted for the viewer by the table's feature.
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { decodeCursor, encodeCursor, type Change, type PullReply, type SyncTable, type Viewer } from '~/domain/sync'
import type { SyncFeatures } from './feature'

export async function pullPage(
  db: Kysely<Database>,
  features: SyncFeatures,
  viewer: Viewer,
  scopes: readonly string[],
  client: { pulledBefore: boolean },
  cursorText: string | undefined,
  limit: number,
): Promise<PullReply> {
  const decoded = decodeCursor(cursorText)
  // Read before the rows: every row up to a scope's version read here is committed and visible below.
  const scopeState = new Map(
    (await db.selectFrom('scope_versions').select(['scope', 'version', 'horizon']).where('scope', 'in', scopes).execute()).map((r) => [
      r.scope,
      r,
    ]),
  )
  const reset =
    decoded === null ||
    (!client.pulledBefore && Object.keys(decoded).length > 0) ||
    Object.keys(decoded).some((scope) => !scopes.includes(scope)) ||
    Object.entries(decoded).some(([scope, version]) => version > 0 && version < (scopeState.get(scope)?.horizon ?? 0))
  const versions: Record<string, number> = reset || !decoded ? {} : { ...decoded }

  const changes: Change[] = []
  let hasMore = false
  for (const scope of scopes) {
    const remaining = limit - changes.length
    if (remaining <= 0) {
      hasMore = true
      break
    }
    const since = versions[scope] ?? 0
    let query = db
      .selectFrom('sync_rows')
      .select(['table_name', 'row_id', 'version', 'op', 'row_json'])
      .where('scope', '=', scope)
      .where('version', '>', since)
    // A device that never had this scope has nothing to delete.
    if (since === 0) query = query.where('op', '=', 'put')
    const rows = await query
      .orderBy('version')
      .limit(remaining + 1)
      .execute()
    const page = rows.slice(0, remaining)
    for (const row of page) {
      const table = row.table_name as SyncTable
      changes.push(
        row.op === 'put'
          ? { table, id: row.row_id, op: 'put', row: features.redactions[table](JSON.parse(row.row_json ?? 'null'), viewer) }
          : { table, id: row.row_id, op: 'delete' },
      )
    }
    const last = page.at(-1)
    if (rows.length > remaining) {
      versions[scope] = last?.version ?? since
      hasMore = true
      break
    }
    // Read to the end: the cursor moves to the scope's version, past tombstones a fresh device skipped
    // (else a pruned one could leave the cursor behind the horizon and reset it on every pull).
    const upTo = Math.max(last?.version ?? since, scopeState.get(scope)?.version ?? 0)
    if (upTo > 0) versions[scope] = upTo
  }
  return { cursor: encodeCursor(versions), changes, hasMore, ...(reset ? { reset: true as const } : {}) }
}
