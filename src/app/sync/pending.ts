// The one way to read what waits in the outbox (issue 11): a mutation's arguments checked against its
// schema and typed by its name, in outbox order. A store reads its rows and the outbox in one live query
// (`readWithOutbox`, `outboxOf`) and replays them with `pendingOf` / `pendingArgs`; code outside a reactive
// scope reads the database with `readPendingArgs`. No `as` casts and no raw `db.outbox` queries elsewhere:
// a row whose arguments no longer parse (written by an older app) is left out, as the server would refuse it.
import Dexie, { type Table } from 'dexie'
import { MUTATIONS, type MutationArgs, type MutationName } from '~/domain/mutations'
import type { AppDB, OutboxRow } from '../db'

/** Anything named like a mutation, its arguments not checked yet: outbox rows, rejected rows. */
export interface NamedArgs {
  name: string
  args: unknown
}

/** An outbox row as the overlays read it (tests build them by hand). */
export type OutboxEntry = Pick<OutboxRow, 'userId' | 'name' | 'args' | 'clientTime'> & Partial<Pick<OutboxRow, 'id' | 'acknowledged'>>

/** A row (`R`: outbox or rejected) named one of `N`, its arguments typed by that name (narrow with `m.name`). */
export type Pending<N extends MutationName = MutationName, R extends NamedArgs = OutboxEntry> = {
  [K in N]: Omit<R, 'name' | 'args'> & { name: K; args: MutationArgs<K> }
}[N]

// Each row read is parsed once, however many lists of a store replay it.
const parsed = new WeakMap<object, { ok: boolean; args: unknown }>()

function argsOf(row: NamedArgs): { ok: boolean; args: unknown } {
  let hit = parsed.get(row)
  if (!hit) {
    const name = row.name as MutationName
    const result = Object.hasOwn(MUTATIONS, name) ? MUTATIONS[name].args.safeParse(row.args) : null
    hit = result?.success ? { ok: true, args: result.data } : { ok: false, args: null }
    parsed.set(row, hit)
  }
  return hit
}

/** The rows named one of `names`, in order, each with its arguments checked and typed. */
export function pendingOf<N extends MutationName, R extends NamedArgs = OutboxEntry>(rows: readonly R[], ...names: N[]): Pending<N, R>[] {
  const wanted = new Set<string>(names)
  const out: Pending<N, R>[] = []
  for (const row of rows) {
    if (!wanted.has(row.name)) continue
    const { ok, args } = argsOf(row)
    // Safe: `args` was parsed by the schema of `row.name`, which is one of N.
    if (ok) out.push({ ...row, args } as unknown as Pending<N, R>)
  }
  return out
}

/** Just the arguments of the rows named `name`, in order. */
export function pendingArgs<N extends MutationName>(rows: readonly NamedArgs[], name: N): MutationArgs<N>[] {
  return pendingOf(rows, name).map((m) => m.args)
}

/** The same, read from the database (outbox order, acknowledged rows included), for one user. */
export async function readPendingArgs<N extends MutationName>(db: AppDB, userId: string, name: N): Promise<MutationArgs<N>[]> {
  const rows = await db.outbox.where('[userId+seq]').between([userId, Dexie.minKey], [userId, Dexie.maxKey]).toArray()
  return pendingArgs(rows, name)
}

/** Synced rows and the outbox (every user's, in order), read as one moment of the database. */
export interface WithOutbox<T> {
  rows: T
  outbox: OutboxRow[]
}

/**
 * Reads the outbox and `read` (over `tables`, given the outbox) in one read-only transaction. A pull stores
 * its rows and lets go of the acknowledged mutations they settle in one transaction (engine.ts): an overlay
 * fed by this sees both or neither, never the mutation gone and its row not there yet, nor the row twice.
 * Follow it with `useLiveQuery`: Dexie runs it again once per committed change to what it read.
 */
export function readWithOutbox<T>(
  db: AppDB,
  tables: readonly Table[],
  read: (outbox: readonly OutboxRow[]) => Promise<T>,
): Promise<WithOutbox<T>> {
  return db.transaction('r', [...tables, db.outbox], async () => {
    const outbox = await db.outbox.orderBy('seq').toArray()
    return { rows: await read(outbox), outbox }
  })
}

/** `userId`'s rows of such an outbox, acknowledged ones included: what the overlays replay. */
export function outboxOf(read: WithOutbox<unknown> | null, userId: string | null): OutboxRow[] {
  return read && userId ? read.outbox.filter((row) => row.userId === userId) : []
}
