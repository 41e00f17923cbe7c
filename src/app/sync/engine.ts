import Dexie from 'dexie'
import { MAX_PUSH_BATCH, SCHEMA_VERSION, type MutationResult } from '~/domain/sync'
import type { MutationArgs, MutationName } from '~/domain/mutations'
import { parseWith } from '~/domain/validation'
import type { AppDB, OutboxRow, RejectedRow } from '../db'
import { META_KEYS } from '../constants'
import type { SyncTransport } from './transport'
import { checkPage, MAX_GROUP_PAGES, MAX_GROUP_ROWS, yieldToPage, type PageWrites, type PullProgress } from './pullPages'

export { MAX_GROUP_PAGES, type PullProgress } from './pullPages'

const loadSchemas = () => import('./schemas')

export interface PushOutcome {
  applied: number
  rejected: RejectedRow[]
}

/**
 * A mutation the server failed on (a 500) this many times, sent alone, in separate syncs, is given up: it
 * would otherwise block every change queued after it, for good.
 */
export const POISON_ATTEMPTS = 3
export const POISON_REJECTION = { code: 'server_error', message: '服务器无法处理这项更改，已停止重试，请联系支部书记' } as const

/**
 * Whether the server answered that it failed on what it was sent: a 500, or a body too large. Not a 502,
 * 503 or 504 (the server is down, restarting or unreachable: every mutation would fail the same way, and
 * none of them is to blame), nor a network failure (no status), nor a refusal of the session or version.
 */
function failedOnContent(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status
  return status === 500 || status === 413
}

/** A random id for this device and user, so the server can tell devices apart. */
function newClientId(): string {
  return `c_${crypto.randomUUID().replaceAll('-', '')}`
}

/**
 * The device's side of the sync protocol (docs/architecture.md, docs/api.md) for one signed-in user: the outbox,
 * push, and pull. It holds no state of its own: everything is in the database, so it survives reloads.
 */
export class SyncEngine {
  constructor(
    private readonly db: AppDB,
    private readonly transport: SyncTransport,
    readonly userId: string,
    /** Told after every page of a pull (a long one shows 已同步 n 条). */
    private readonly onProgress?: (progress: PullProgress) => void,
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

  /** This user's outbox in order, acknowledged rows included (what the overlays replay). */
  outboxQuery() {
    return this.db.outbox.where('[userId+seq]').between([this.userId, Dexie.minKey], [this.userId, Dexie.maxKey])
  }

  /** What is still to be sent: an acknowledged row never is (the server has it; see `pull`). */
  pendingQuery() {
    return this.outboxQuery().filter((row) => !row.acknowledged)
  }

  /**
   * Sends this user's outbox in order, in batches; marks each mutation acknowledged (or moves it to the
   * rejected list) only once the server has answered for it. A batch the server fails on is sent again one mutation at a time, to find the one to blame:
   * those before it apply, it counts a failure, and after `POISON_ATTEMPTS` it ends as a rejection the
   * member sees, so the changes behind it go through. Resending is safe: the server applies an id once.
   */
  async push(): Promise<PushOutcome> {
    const outcome: PushOutcome = { applied: 0, rejected: [] }
    const clientId = await this.clientId()
    for (;;) {
      const batch = await this.pendingQuery().limit(MAX_PUSH_BATCH).toArray()
      if (batch.length === 0) return outcome
      try {
        // A reply that answered nothing would loop forever: leave the rest for the next round.
        if (!(await this.send(clientId, batch, outcome))) return outcome
      } catch (error) {
        if (!failedOnContent(error)) throw error
        if (batch.length === 1) await this.countFailure(batch[0]!, error, outcome)
        else if (!(await this.isolate(clientId, batch, outcome))) return outcome
      }
    }
  }

  /** Pushes `rows` and stores the server's answers; false when it answered for none of them. */
  private async send(clientId: string, rows: readonly OutboxRow[], outcome: PushOutcome): Promise<boolean> {
    const reply = await this.transport.push({
      clientId,
      schemaVersion: SCHEMA_VERSION,
      mutations: rows.map(({ id, name, args, clientTime }) => ({ id, name, args, clientTime })),
      // This phone's clock now: the server tells how far off it is (a check-in from a phone far off is 待核实).
      sentAt: new Date().toISOString(),
    })
    const answered = new Map(reply.results.map((r) => [r.id, r]))
    await this.db.transaction('rw', this.db.outbox, this.db.rejected, async () => {
      for (const row of rows) {
        const result: MutationResult | undefined = answered.get(row.id)
        if (!result) continue
        if (result.status === 'rejected') await this.reject(row, result.code, result.message, outcome)
        else {
          // Kept (not deleted) until the pull that carries its result is stored: until then the tables
          // still hold the old rows, and without it the overlay would show them for a moment.
          await this.db.outbox.where('id').equals(row.id).modify({ acknowledged: true })
          outcome.applied++
        }
      }
    })
    return rows.some((row) => answered.has(row.id))
  }

  /**
   * Sends a batch the server failed on one mutation at a time, until one fails alone (it counts a failure,
   * and the round ends unless it was given up) or every one is answered (the batch as a whole was too
   * much: nothing to blame). Returns whether to go on with the rest of the outbox.
   */
  private async isolate(clientId: string, batch: readonly OutboxRow[], outcome: PushOutcome): Promise<boolean> {
    for (const row of batch) {
      try {
        if (!(await this.send(clientId, [row], outcome))) return false
      } catch (error) {
        if (!failedOnContent(error)) throw error
        await this.countFailure(row, error, outcome)
        return true // given up: the rest go in batches again
      }
    }
    return true
  }

  /** One more failure of `row` sent alone: rethrows `error` (ending this round) until it is given up as rejected. */
  private async countFailure(row: OutboxRow, error: unknown, outcome: PushOutcome): Promise<void> {
    const failures = (row.serverFailures ?? 0) + 1
    if (failures < POISON_ATTEMPTS) {
      await this.db.outbox.where('id').equals(row.id).modify({ serverFailures: failures })
      throw error
    }
    await this.db.transaction('rw', this.db.outbox, this.db.rejected, () =>
      this.reject(row, POISON_REJECTION.code, POISON_REJECTION.message, outcome),
    )
  }

  /** Moves a mutation from the outbox to the rejected list that 我的 → 同步状态 shows. */
  private async reject(row: OutboxRow, code: string, message: string, outcome: PushOutcome): Promise<void> {
    await this.db.outbox.where('id').equals(row.id).delete()
    const rejected: RejectedRow = {
      id: row.id,
      userId: row.userId,
      name: row.name,
      args: row.args,
      clientTime: row.clientTime,
      code,
      message,
      rejectedAt: new Date().toISOString(),
    }
    await this.db.rejected.put(rejected)
    outcome.rejected.push(rejected)
  }

  /**
   * Pulls every page; a group of pages and the last one's cursor are stored in one transaction, so a crash
   * never skips data. The first page is stored alone (an ordinary sync, one page, shows at once); after it,
   * groups double up to `MAX_GROUP_PAGES` (or `MAX_GROUP_ROWS`), because every live query over a table runs again once per stored
   * transaction: one per page made a first sync grow with the square of its rows. The next page is fetched
   * while a group is stored, and a failure stores the pages already checked before it ends the pull.
   * The mutations acknowledged before the first request leave the outbox in the transaction that stores the
   * last page: the server applied them before this pull asked, so by then their results are in the tables,
   * and overlays see the new rows and the mutation gone at once. A crash before that keeps them for the next
   * pull (the push skips them; a resend by an older app would get the server's stored result anyway).
   */
  async pull(): Promise<number> {
    const clientId = await this.clientId()
    const settled = await this.outboxQuery()
      .filter((row) => row.acknowledged === true)
      .primaryKeys()
    const { ROW_SCHEMAS } = await loadSchemas()
    let cursor = await this.db.getMeta<string>(META_KEYS.cursor)
    const progress: PullProgress = { rows: 0, first: cursor === undefined, done: false }
    let group: PageWrites[] = []
    let groupPages = 1
    let groupRows = 0
    let pages = 0
    let next = this.transport.pull(clientId, cursor)
    try {
      for (;;) {
        const reply = await next
        // Fetched while this page is checked and stored; its failure surfaces when it is awaited.
        if (reply.hasMore) (next = this.transport.pull(clientId, reply.cursor)).catch(() => undefined)
        const page: PageWrites = { reset: reply.reset === true, writes: checkPage(reply.changes, ROW_SCHEMAS) }
        // A reset clears the tables: pages before it in the group would be cleared anyway.
        if (page.reset) {
          group = []
          groupRows = 0
        }
        group.push(page)
        groupRows += reply.changes.length
        cursor = reply.cursor
        pages++
        progress.first ||= page.reset
        progress.rows += reply.changes.length
        progress.done = !reply.hasMore
        if (!reply.hasMore || group.length >= groupPages || groupRows >= MAX_GROUP_ROWS) {
          const storing = group
          group = [] // a group that fails to store is not tried again below
          groupRows = 0
          await this.store(storing, cursor, !reply.hasMore ? settled : [])
          groupPages = Math.min(groupPages * 2, MAX_GROUP_PAGES)
        }
        this.onProgress?.({ ...progress })
        if (!reply.hasMore) break
        await yieldToPage()
      }
    } catch (error) {
      // What was fetched and checked before the failure is as good as ever: keep it, so the next pull resumes there.
      if (group.length > 0 && cursor !== undefined) await this.store(group, cursor, []).catch(() => undefined)
      throw error
    }
    await this.db.setMeta(META_KEYS.lastSyncedAt, new Date().toISOString())
    return pages
  }

  /** Stores pages in order and the cursor after them in one transaction, letting go of `settled` with them. */
  private async store(group: readonly PageWrites[], cursor: string, settled: OutboxRow['seq'][]): Promise<void> {
    const tables = this.db.syncedTables
    // The outbox joins only the transaction that lets go of acknowledged rows: a group's transaction can be
    // long, and a member's new change (an outbox write) should not wait for it.
    const letGo = settled.length > 0
    await this.db.transaction('rw', [this.db.meta, ...(letGo ? [this.db.outbox] : []), ...Object.values(tables)], async () => {
      // Applying pulled rows never adds to the outbox: nothing echoes back to the server (it only lets
      // the acknowledged mutations go, below).
      if (group[0]?.reset) await Promise.all(Object.values(tables).map((t) => t.clear()))
      // In page order, a table at a time, in bulk: one awaited put per row is several times slower. Awaited
      // run by run, so the page stays responsive between them.
      for (const { writes } of group)
        for (const { table, op, keys, rows } of writes) {
          if (op === 'put') await tables[table].bulkPut(rows)
          else await tables[table].bulkDelete(keys)
        }
      await this.db.setMeta(META_KEYS.cursor, cursor)
      if (letGo) await this.db.outbox.bulkDelete(settled)
    })
  }

  async sync(): Promise<PushOutcome> {
    const outcome = await this.push()
    await this.pull()
    return outcome
  }
}
