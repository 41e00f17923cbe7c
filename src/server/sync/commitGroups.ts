// SQLite's pushes (issue 14). SQLite has one writer and flushes the disk at every commit (synchronous=FULL):
// 500 members checking in at once, one transaction each, wait for 500 flushes in a row. Pushes that
// arrive together therefore share a transaction, one disk flush for all of them, each batch in a savepoint
// of its own so that one failing undoes only itself. A transaction runs for about GROUP_MS at most (a
// long batch goes on in the next), so that other writers (a sign-in, another device) get their turn;
// reads never wait for it (db/sqliteReadWrite.ts).
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema'
import type { Mutation, MutationResult } from '~/domain/sync'
import type { SyncFeatures } from './feature'
import { applyMutations, type BatchContext } from './push'

/** How long one shared transaction may run before it commits. */
export const GROUP_MS = 50

interface Job {
  batch: BatchContext
  mutations: readonly Mutation[]
  /** Results committed so far (a long batch spans transactions). */
  results: MutationResult[]
  resolve: (results: MutationResult[]) => void
  reject: (error: unknown) => void
}

interface Step {
  job: Job
  results: MutationResult[]
  scopes: Set<string>
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

export class CommitGroups {
  private readonly queue: Job[] = []
  private running = false

  constructor(
    private readonly db: Kysely<Database>,
    private readonly features: SyncFeatures,
  ) {}

  /** Applies a batch as applyBatch does, sharing transactions with the batches pushed at the same time. */
  apply(batch: BatchContext, mutations: readonly Mutation[]): Promise<MutationResult[]> {
    if (mutations.length === 0) return Promise.resolve([])
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, mutations, results: [], resolve, reject })
      if (!this.running) void this.drain()
    })
  }

  private async drain(): Promise<void> {
    this.running = true
    try {
      while (this.queue.length > 0) {
        // Pushes that arrived meanwhile join the next transaction; other requests get the event loop.
        await nextTurn()
        await this.group()
      }
    } finally {
      this.running = false
    }
  }

  /** One transaction: batches from the queue's head, each in a savepoint, until GROUP_MS has passed. */
  private async group(): Promise<void> {
    const deadline = performance.now() + GROUP_MS
    const steps: Step[] = []
    const trx = await this.db.startTransaction().execute()
    try {
      for (const job of [...this.queue]) {
        if (steps.length > 0 && performance.now() > deadline) break
        const step = await this.step(trx, job, deadline)
        if (!step) continue
        steps.push(step)
        // Out of time in the middle of a batch: it goes on in the next transaction, before any other.
        if (job.results.length + step.results.length < job.mutations.length) break
      }
      await trx.commit().execute()
    } catch (error) {
      await trx.rollback().execute()
      // Nothing of this transaction was kept: its batches fail (their devices send them again).
      for (const { job } of steps) this.fail(job, error)
      return
    }
    for (const { job, results, scopes } of steps) {
      job.results.push(...results)
      scopes.forEach((scope) => job.batch.scopes.add(scope))
      if (job.results.length === job.mutations.length) {
        this.queue.splice(this.queue.indexOf(job), 1)
        job.resolve(job.results)
      }
    }
  }

  /** A batch (or its next part) in a savepoint; undefined when it failed, and then it failed alone. */
  private async step(trx: Parameters<typeof applyMutations>[0], job: Job, deadline: number): Promise<Step | undefined> {
    const rest = job.mutations.slice(job.results.length)
    await sql`savepoint push_batch`.execute(trx)
    try {
      let applied = await applyMutations(trx, this.features, job.batch, rest, deadline, false)
      if (!applied) {
        // A handler refused: this batch again, each mutation in a savepoint.
        await sql`rollback to push_batch`.execute(trx)
        applied = await applyMutations(trx, this.features, job.batch, rest, deadline, true)
      }
      if (!applied) throw new Error('push: a batch applied with savepoints asked to be run again')
      await sql`release push_batch`.execute(trx)
      return { job, ...applied }
    } catch (error) {
      await sql`rollback to push_batch`.execute(trx)
      await sql`release push_batch`.execute(trx)
      this.fail(job, error)
      return undefined
    }
  }

  private fail(job: Job, error: unknown): void {
    const at = this.queue.indexOf(job)
    if (at >= 0) this.queue.splice(at, 1)
    job.reject(error)
  }
}
