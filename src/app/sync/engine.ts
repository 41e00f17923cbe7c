import Dexie from 'dexie'
import { MAX_PUSH_BATCH, SCHEMA_VERSION, type Change, type MutationResult, type SyncTable } from '../../domain/sync'
import type { MutationArgs, MutationName } from '../../domain/mutations'
import { parseWith, type z } from '../../domain/validation'
import type { AppDB, RejectedRow } from '../db'
import { META_KEYS } from '../constants'
import type { SyncTransport } from './transport'

const loadSchemas = () => import('./schemas')

export interface PushOutcome {
  applied: number
  rejected: RejectedRow[]
}

/** A random id for this device and user, so the server can tell devices apart. */
function newClientId(): string {
  return `c_${crypto.randomUUID().replaceAll('-', '')}`
}

/**
 * The device's side of the sync protocol (DESIGN.md, docs/api.md) for one signed-in user: the outbox,
 * push, and pull. It holds no state of its own: everything is in the database, so it survives reloads.
 */
export class SyncEngine {
  constructor(
    private readonly db: AppDB,
    private readonly transport: SyncTransport,
    readonly userId: string,
  ) {}

  /** Makes the synced tables this user's: another user's rows are cleared first (their outbox stays). */
  async adoptUser(): Promise<void> {
    await this.db.transaction('rw', [this.db.meta, ...Object.values(this.db.syncedTables)], async () => {
      if ((await this.db.getMeta(META_KEYS.syncUser)) === this.userId) return
      await Promise.all(Object.values(this.db.syncedTables).map((t) => t.clear()))
      await this.db.deleteMeta(META_KEYS.cursor)
      await this.db.deleteMeta(META_KEYS.lastSyncedAt)
      await this.db.setMeta(META_KEYS.syncUser, this.userId)
    })
  }

  async clientId(): Promise<string> {
    const key = META_KEYS.clientIdPrefix + this.userId
    return this.db.transaction('rw', this.db.meta, async () => {
      const existing = await this.db.getMeta<string>(key)
      if (existing) return existing
      const id = newClientId()
      await this.db.setMeta(key, id)
      return id
    })
  }

  /** Records a change: the outbox row is the whole local write; what it does shows through the overlay. */
  async enqueue<N extends MutationName>(name: N, args: MutationArgs<N>): Promise<string> {
    const { mutationDefinition } = await loadSchemas()
    const parsed = parseWith(mutationDefinition(name).args, args)
    if (!parsed.ok) throw new Error(parsed.message)
    const id = crypto.randomUUID()
    await this.db.outbox.add({ id, userId: this.userId, name, args: parsed.value, clientTime: new Date().toISOString() })
    return id
  }

  pendingQuery() {
    return this.db.outbox.where('[userId+seq]').between([this.userId, Dexie.minKey], [this.userId, Dexie.maxKey])
  }

  /** Sends this user's outbox in order, in batches; removes each mutation only once the server has answered for it. */
  async push(): Promise<PushOutcome> {
    const outcome: PushOutcome = { applied: 0, rejected: [] }
    const clientId = await this.clientId()
    for (;;) {
      const batch = await this.pendingQuery().limit(MAX_PUSH_BATCH).toArray()
      if (batch.length === 0) return outcome
      const reply = await this.transport.push({
        clientId,
        schemaVersion: SCHEMA_VERSION,
        mutations: batch.map(({ id, name, args, clientTime }) => ({ id, name, args, clientTime })),
      })
      const answered = new Map(reply.results.map((r) => [r.id, r]))
      const now = new Date().toISOString()
      await this.db.transaction('rw', this.db.outbox, this.db.rejected, async () => {
        for (const row of batch) {
          const result: MutationResult | undefined = answered.get(row.id)
          if (!result) continue
          await this.db.outbox.where('id').equals(row.id).delete()
          if (result.status === 'applied') outcome.applied++
          else {
            const rejected: RejectedRow = { id: row.id, userId: row.userId, name: row.name, args: row.args, clientTime: row.clientTime, code: result.code, message: result.message, rejectedAt: now }
            await this.db.rejected.put(rejected)
            outcome.rejected.push(rejected)
          }
        }
      })
      // A reply that answered nothing would loop forever: leave the rest for the next round.
      if (!batch.some((row) => answered.has(row.id))) return outcome
    }
  }

  /** Pulls every page; each page and its cursor are stored in one transaction, so a crash never skips data. */
  async pull(): Promise<number> {
    const clientId = await this.clientId()
    let pages = 0
    for (;;) {
      const cursor = await this.db.getMeta<string>(META_KEYS.cursor)
      const reply = await this.transport.pull(clientId, cursor)
      const tables = this.db.syncedTables
      const writes = this.validate(reply.changes, (await loadSchemas()).ROW_SCHEMAS)
      await this.db.transaction('rw', [this.db.meta, ...Object.values(tables)], async () => {
        // Applying pulled rows never writes to the outbox: nothing echoes back to the server.
        if (reply.reset) await Promise.all(Object.values(tables).map((t) => t.clear()))
        // In page order, a table at a time, in bulk: one awaited put per row is several times slower.
        for (const { table, op, keys, rows } of writes) {
          if (op === 'put') await tables[table].bulkPut(rows)
          else await tables[table].bulkDelete(keys)
        }
        await this.db.setMeta(META_KEYS.cursor, reply.cursor)
      })
      pages++
      if (!reply.hasMore) break
    }
    await this.db.setMeta(META_KEYS.lastSyncedAt, new Date().toISOString())
    return pages
  }

  /**
   * Checks every row of a page against its schema before anything is written, and groups the page into
   * runs of the same table and operation (order matters only between a put and a delete of one row).
   */
  private validate(changes: readonly Change[], schemas: Record<SyncTable, z.ZodMiniType>): Array<{ table: SyncTable; op: 'put' | 'delete'; keys: string[]; rows: unknown[] }> {
    const runs: Array<{ table: SyncTable; op: 'put' | 'delete'; keys: string[]; rows: unknown[] }> = []
    for (const change of changes) {
      if (!(change.table in schemas)) continue // a table this version of the app does not know yet
      let run = runs.at(-1)
      if (!run || run.table !== change.table || run.op !== change.op) runs.push((run = { table: change.table, op: change.op, keys: [], rows: [] }))
      run.keys.push(change.id)
      if (change.op === 'delete') continue
      const row = parseWith(schemas[change.table], change.row)
      if (!row.ok) throw new Error(`同步数据格式有误（${change.table}/${change.id}）：${row.message}`)
      run.rows.push(row.value)
    }
    return runs
  }

  async sync(): Promise<PushOutcome> {
    const outcome = await this.push()
    await this.pull()
    return outcome
  }
}
