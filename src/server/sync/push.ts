// Applying a pushed batch (docs/architecture.md, the sync core): each mutation exactly once with its
// `applied_mutations` record, a seen id answered with its stored result, a refusal rolled back alone. What a
// mutation does is its feature's handler, looked up by name in the merged table.
import type { ControlledTransaction, Insertable, Kysely, Selectable } from 'kysely'
import type { AppliedMutationTable, Database } from '../db/schema'
import { REJECTIONS, type Mutation, type MutationResult, type Viewer } from '~/domain/sync'
import { isMutationName, mutationDefinition, type MutationName } from '~/domain/mutations'
import { parseWith } from '~/domain/validation'
import { ChangeWriter } from './changes'
import type { SyncFeatures } from './feature'
import { isUniqueViolation, MutationRejected } from './rejections'
import { lockMembers } from './locks'

export interface BatchContext {
  viewer: Viewer
  clientId: string
  now: string
  /** The device's clock minus the server's when it sent the push (`sentAt`), or null when it didn't say. */
  clockSkewMs: number | null
  /** Scopes the batch changed, to poke once it has committed. */
  scopes: Set<string>
  /** The device's record to write with the batch (first sight, last seen): idempotent, run in each transaction. */
  claim?: ((db: Kysely<Database>) => Promise<unknown>) | undefined
}

/** How much of a refused mutation's arguments, as sent, its record keeps. */
export const RAW_ARGS_MAX_CHARS = 16_384

/** The arguments as the mutation record keeps them: JSON; as sent (not validated) cut to RAW_ARGS_MAX_CHARS. */
function argsText(args: unknown, raw: boolean): string {
  const text = JSON.stringify(args) ?? 'null'
  return raw ? text.slice(0, RAW_ARGS_MAX_CHARS) : text
}

/** A handler's refusal, or a unique violation that means one (the feature's uniqueRejections). */
function asRejection(features: SyncFeatures, name: MutationName, error: unknown): MutationRejected | undefined {
  if (error instanceof MutationRejected) return error
  const unique = isUniqueViolation(error) ? features.uniqueRejections[name] : undefined
  return unique && new MutationRejected(unique.code, unique.message)
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

type RecordResult = (db: Kysely<Database>, result: MutationResult, args: string) => Promise<unknown>
type RecordRow = Insertable<AppliedMutationTable>

/**
 * Applies a batch in one transaction (PostgreSQL; SQLite goes through commitGroups.ts): each mutation
 * exactly once, a rejected one rolling back alone, the results in order. If a handler refuses on the fast
 * way (applyMutations), the transaction is rolled back and run again with a savepoint per mutation.
 */
export async function applyBatch(
  db: Kysely<Database>,
  features: SyncFeatures,
  batch: BatchContext,
  mutations: readonly Mutation[],
): Promise<MutationResult[]> {
  for (const savepoints of [false, true]) {
    const trx = await db.startTransaction().execute()
    try {
      const applied = await applyMutations(trx, features, batch, mutations, Infinity, savepoints)
      if (!applied) {
        await trx.rollback().execute()
        continue
      }
      await trx.commit().execute()
      applied.scopes.forEach((scope) => batch.scopes.add(scope))
      return applied.results
    } catch (error) {
      await trx.rollback().execute()
      throw error
    }
  }
  throw new Error('push: a batch applied with savepoints asked to be run again')
}

/**
 * Applies the first mutations of `mutations` inside the caller's transaction (at least one, and more
 * until `deadline`, a performance.now() time): their results and the scopes they changed. Without
 * savepoints, mutations write straight into the transaction, their records and changes are written
 * together at the end and each scope's version is taken once, last (ChangeWriter.flush): a batch costs a
 * few statements beside its handlers' own. Undefined when a handler refused that way: its effects can't be
 * undone alone, so the caller rolls back and calls again with `savepoints`.
 */
export async function applyMutations(
  trx: ControlledTransaction<Database>,
  features: SyncFeatures,
  batch: BatchContext,
  mutations: readonly Mutation[],
  deadline: number,
  savepoints: boolean,
): Promise<{ results: MutationResult[]; scopes: Set<string> } | undefined> {
  // The member's rules (overlaps, caps, one answer, one check-in, rate limits) are checked under their
  // lock: tabs of one member pushing at once take turns (awardPoints also locks whoever it awards).
  await lockMembers(trx, [batch.viewer.id])
  await batch.claim?.(trx)
  // Every id seen before, in one query; an id twice in this batch is answered as it was the first time.
  const known = await storedResults(trx, mutations, batch.viewer)
  const writer = ChangeWriter.deferred(trx, batch.now)
  const scopes = new Set<string>()
  const records: RecordRow[] = []
  const results: MutationResult[] = []
  for (const mutation of mutations) {
    if (results.length > 0 && performance.now() > deadline) break
    // Other requests (health checks, shutdown) get a turn between mutations.
    if (results.length > 0) await nextTurn()
    const result =
      known.get(mutation.id) ??
      (savepoints
        ? await applyInSavepoint(trx, features, batch, mutation, scopes)
        : await applyDirect(trx, writer, features, batch, mutation, records))
    if (!result) return undefined
    known.set(mutation.id, result)
    results.push(result)
  }
  for (let at = 0; at < records.length; at += RECORDS_PAGE)
    await trx
      .insertInto('applied_mutations')
      .values(records.slice(at, at + RECORDS_PAGE))
      .execute()
  await writer.flush()
  writer.scopes.forEach((scope) => scopes.add(scope))
  return { results, scopes }
}

/** Records per insert: 10 parameters each. */
const RECORDS_PAGE = 500

async function storedResults(db: Kysely<Database>, mutations: readonly Mutation[], viewer: Viewer): Promise<Map<string, MutationResult>> {
  const ids = [...new Set(mutations.map((m) => m.id))]
  const rows = ids.length === 0 ? [] : await db.selectFrom('applied_mutations').selectAll().where('id', 'in', ids).execute()
  return new Map(rows.map((row) => [row.id, asResult(row, viewer)]))
}

function asResult(row: Selectable<AppliedMutationTable>, viewer: Viewer): MutationResult {
  const id = row.id
  if (row.user_id !== viewer.id) return { id, status: 'rejected', code: 'duplicate_id', message: REJECTIONS.duplicate_id }
  return row.status === 'applied'
    ? { id, status: 'applied' }
    : { id, status: 'rejected', code: row.code ?? 'rejected', message: row.message ?? '' }
}

async function storedResult(db: Kysely<Database>, id: string, viewer: Viewer): Promise<MutationResult | undefined> {
  const row = await db.selectFrom('applied_mutations').selectAll().where('id', '=', id).executeTakeFirst()
  return row && asResult(row, viewer)
}

function recordRow(batch: BatchContext, mutation: Mutation, result: MutationResult, args: string): RecordRow {
  return {
    id: mutation.id,
    user_id: batch.viewer.id,
    client_id: batch.clientId,
    name: mutation.name,
    status: result.status,
    code: result.status === 'rejected' ? result.code : null,
    message: result.status === 'rejected' ? result.message : null,
    client_time: mutation.clientTime,
    applied_at: batch.now,
    args,
  }
}

/**
 * Without a savepoint: the handler writes into the transaction and its rows into the batch's writer, its
 * record is kept for the insert at the end. Undefined when the handler refused: its effects can't be undone alone.
 */
async function applyDirect(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  features: SyncFeatures,
  batch: BatchContext,
  mutation: Mutation,
  records: RecordRow[],
): Promise<MutationResult | undefined> {
  const checked = check(batch.viewer, mutation.name, mutation.args)
  if (checked.status === 'rejected') {
    const result: MutationResult = { id: mutation.id, status: 'rejected', code: checked.code, message: checked.message }
    records.push(recordRow(batch, mutation, result, argsText(mutation.args, true)))
    return result
  }
  try {
    await features.handlers[checked.name](
      { trx, viewer: batch.viewer, writer, now: batch.now, clientTime: mutation.clientTime, clockSkewMs: batch.clockSkewMs },
      checked.args as never,
    )
  } catch (error) {
    if (asRejection(features, checked.name, error)) return undefined
    throw error
  }
  const result: MutationResult = { id: mutation.id, status: 'applied' }
  records.push(recordRow(batch, mutation, result, argsText(checked.args, false)))
  return result
}

/** In a savepoint with its record, its changes written at once: a refusal, or a record another tab made first, rolls back alone. */
async function applyInSavepoint(
  trx: ControlledTransaction<Database>,
  features: SyncFeatures,
  batch: BatchContext,
  mutation: Mutation,
  scopes: Set<string>,
): Promise<MutationResult> {
  const record: RecordResult = (db, result, args) =>
    db
      .insertInto('applied_mutations')
      .values(recordRow(batch, mutation, result, args))
      .execute()
  // If another tab's transaction recorded the same id first (PostgreSQL), this one rolls back alone and
  // answers with the stored result.
  const savepoint = await trx.savepoint('mutation').execute()
  try {
    const result = await applyChecked(savepoint, features, batch, mutation, record, scopes)
    await savepoint.releaseSavepoint('mutation').execute()
    return result
  } catch (error) {
    await savepoint.rollbackToSavepoint('mutation').execute()
    const stored = await storedResult(trx, mutation.id, batch.viewer)
    if (stored) return stored
    throw error
  }
}

async function applyChecked(
  trx: ControlledTransaction<Database, ['mutation']>,
  features: SyncFeatures,
  batch: BatchContext,
  mutation: Mutation,
  record: RecordResult,
  scopes: Set<string>,
): Promise<MutationResult> {
  const { viewer, now } = batch
  const checked = check(viewer, mutation.name, mutation.args)
  if (checked.status === 'rejected') {
    const result: MutationResult = { id: mutation.id, status: 'rejected', code: checked.code, message: checked.message }
    await record(trx, result, argsText(mutation.args, true))
    return result
  }
  const args = argsText(checked.args, false)
  const effects = await trx.savepoint('effects').execute()
  const writer = new ChangeWriter(effects, now)
  try {
    await features.handlers[checked.name](
      { trx: effects, viewer, writer, now, clientTime: mutation.clientTime, clockSkewMs: batch.clockSkewMs },
      checked.args as never,
    )
  } catch (error) {
    const rejection = asRejection(features, checked.name, error)
    if (!rejection) throw error
    // The effects roll back; the rejection itself is kept, so a resend gets the same answer.
    await effects.rollbackToSavepoint('effects').execute()
    const result: MutationResult = { id: mutation.id, status: 'rejected', code: rejection.code, message: rejection.message }
    await record(trx, result, args)
    return result
  }
  await record(effects, { id: mutation.id, status: 'applied' }, args)
  await effects.releaseSavepoint('effects').execute()
  writer.scopes.forEach((scope) => scopes.add(scope))
  return { id: mutation.id, status: 'applied' }
}

function check(
  viewer: Viewer,
  name: string,
  args: unknown,
): { status: 'ok'; name: MutationName; args: unknown } | { status: 'rejected'; code: string; message: string } {
  if (!isMutationName(name)) return { status: 'rejected', code: 'unknown_mutation', message: REJECTIONS.unknown_mutation }
  const definition = mutationDefinition(name)
  if (!definition.roles.includes(viewer.role)) return { status: 'rejected', code: 'forbidden', message: REJECTIONS.forbidden }
  const parsed = parseWith(definition.args, args)
  if (!parsed.ok) return { status: 'rejected', code: 'invalid_args', message: `${REJECTIONS.invalid_args}：${parsed.message}` }
  return { status: 'ok', name, args: parsed.value }
}
