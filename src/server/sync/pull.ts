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

  const read: StoredChange[] = []
  let hasMore = false
  for (const scope of scopes) {
    const remaining = limit - read.length
    if (remaining <= 0) {
      hasMore = true
      break
    }
    const since = versions[scope] ?? 0
    let query = db
      .selectFrom('sync_rows')
      .select(['scope', 'table_name', 'row_id', 'version', 'op', 'row_json'])
      .where('scope', '=', scope)
      .where('version', '>', since)
    // A device that never had this scope has nothing to delete.
    if (since === 0) query = query.where('op', '=', 'put')
    const rows = await query
      .orderBy('version')
      .limit(remaining + 1)
      .execute()
    const page = rows.slice(0, remaining)
    read.push(...page)
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
  const heldBack = await tombstonesToHoldBack(db, scopes, read)
  const changes: Change[] = read
    .filter((row) => !heldBack.has(row))
    .map((row) => {
      const table = row.table_name as SyncTable
      return row.op === 'put'
        ? { table, id: row.row_id, op: 'put', row: features.redactions[table](JSON.parse(row.row_json ?? 'null'), viewer) }
        : { table, id: row.row_id, op: 'delete' }
    })
  return { cursor: encodeCursor(versions), changes, hasMore, ...(reset ? { reset: true as const } : {}) }
}

interface StoredChange {
  scope: string
  table_name: string
  row_id: string
  op: 'put' | 'delete'
  row_json: string | null
}

const rowKey = (row: { table_name: string; row_id: string }) => `${row.table_name}\u0000${row.row_id}`

/**
 * The move's safe order (docs/architecture.md): a row that left one scope for another (a member moved to
 * another branch) is a tombstone in the first and a put in the second, and a device seeing both may pull
 * either first. Its tables are keyed by id alone, so the tombstone would delete the row the other scope
 * still holds: it is held back (never sent) while a live put of the same table and id is in another
 * scope this viewer sees. One query per page, over the page's tombstones (sync_rows_row_idx).
 */
async function tombstonesToHoldBack(
  db: Kysely<Database>,
  scopes: readonly string[],
  page: readonly StoredChange[],
): Promise<Set<StoredChange>> {
  const deletes = page.filter((row) => row.op === 'delete')
  if (deletes.length === 0 || scopes.length < 2) return new Set()
  const live = await db
    .selectFrom('sync_rows')
    .select(['scope', 'table_name', 'row_id'])
    .where('table_name', 'in', [...new Set(deletes.map((row) => row.table_name))])
    .where('row_id', 'in', [...new Set(deletes.map((row) => row.row_id))])
    .where('op', '=', 'put')
    .where('scope', 'in', scopes)
    .execute()
  const liveIn = new Map<string, Set<string>>()
  for (const row of live) liveIn.set(rowKey(row), (liveIn.get(rowKey(row)) ?? new Set()).add(row.scope))
  return new Set(deletes.filter((row) => [...(liveIn.get(rowKey(row)) ?? [])].some((scope) => scope !== row.scope)))
}
