// Applying a pushed batch (docs/architecture.md, the sync core): one transaction, a savepoint per mutation holding
// its effects and its `applied_mutations` record, a seen id answered with its stored result. What a
// mutation does is its feature's handler, looked up by name in the merged table.
import type { ControlledTransaction, Kysely } from 'kysely'
import type { Database } from '../db/schema'
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

/**
 * Applies a batch in one database transaction (one disk flush per batch, not per mutation), each
 * mutation inside its own savepoint together with the record of its id: a mutation's effects and its
 * record commit together or not at all, and a rejected one rolls back alone.
 */
export async function applyBatch(
  db: Kysely<Database>,
  features: SyncFeatures,
  batch: BatchContext,
  mutations: readonly Mutation[],
): Promise<MutationResult[]> {
  const trx = await db.startTransaction().execute()
  const results: MutationResult[] = []
  try {
    // The member's rules (overlaps, caps, one answer, one check-in, rate limits) are checked under their
    // lock: tabs of one member pushing at once take turns (awardPoints also locks whoever it awards).
    await lockMembers(trx, [batch.viewer.id])
    for (const [index, mutation] of mutations.entries()) {
      // Other requests (health checks, shutdown) get a turn between mutations. None runs inside this
      // transaction: on SQLite Kysely holds the one connection for it until it ends, so they queue.
      if (index > 0) await nextTurn()
      results.push(await applyOnce(trx, features, batch, mutation))
    }
    await trx.commit().execute()
  } catch (error) {
    await trx.rollback().execute()
    throw error
  }
  return results
}

async function storedResult(db: Kysely<Database>, id: string, viewer: Viewer): Promise<MutationResult | undefined> {
  const row = await db.selectFrom('applied_mutations').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) return undefined
  if (row.user_id !== viewer.id) return { id, status: 'rejected', code: 'duplicate_id', message: REJECTIONS.duplicate_id }
  return row.status === 'applied'
    ? { id, status: 'applied' }
    : { id, status: 'rejected', code: row.code ?? 'rejected', message: row.message ?? '' }
}

/** Applies a mutation exactly once; a mutation id seen before gets its stored result and changes nothing. */
async function applyOnce(
  trx: ControlledTransaction<Database>,
  features: SyncFeatures,
  batch: BatchContext,
  mutation: Mutation,
): Promise<MutationResult> {
  const { viewer, clientId, now } = batch
  const seen = await storedResult(trx, mutation.id, viewer)
  if (seen) return seen
  const record: RecordResult = (db, result, args) =>
    db
      .insertInto('applied_mutations')
      .values({
        id: mutation.id,
        user_id: viewer.id,
        client_id: clientId,
        name: mutation.name,
        status: result.status,
        code: result.status === 'rejected' ? result.code : null,
        message: result.status === 'rejected' ? result.message : null,
        client_time: mutation.clientTime,
        applied_at: now,
        args,
      })
      .execute()

  // The whole mutation, its record included, in a savepoint: if another tab's transaction recorded the
  // same id first (PostgreSQL), this one rolls back alone and answers with the stored result.
  const savepoint = await trx.savepoint('mutation').execute()
  try {
    const result = await applyChecked(savepoint, features, batch, mutation, record)
    await savepoint.releaseSavepoint('mutation').execute()
    return result
  } catch (error) {
    await savepoint.rollbackToSavepoint('mutation').execute()
    const stored = await storedResult(trx, mutation.id, viewer)
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
  writer.scopes.forEach((scope) => batch.scopes.add(scope))
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
