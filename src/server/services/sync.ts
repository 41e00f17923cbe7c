import type { ControlledTransaction, Kysely } from 'kysely'
import type { Database } from '../db/schema'
import {
  decodeCursor,
  encodeCursor,
  PULL_PAGE_SIZE,
  REJECTIONS,
  SCHEMA_VERSION,
  visibleScopes,
  type Change,
  type Mutation,
  type MutationResult,
  type PullReply,
  type PushBody,
  type SyncTable,
  type Viewer,
} from '../../domain/sync'
import { isMutationName, mutationDefinition, type MutationName } from '../../domain/mutations'
import { redactMember, type MemberRow } from '../../domain/members'
import type { BranchRow } from '../../domain/users'
import type { Course } from '../../domain/study'
import { materialFromRow, questionFromRow } from './study'
import { withoutAnswer } from '../../domain/quiz'
import { ruleFromRow } from './points'
import { ruleRowId, type RuleRow } from '../../domain/points'
import { parseWith } from '../../domain/validation'
import { HttpError } from '../http/errors'
import type { SessionUser } from './auth'
import { ChangeWriter } from './changes'
import { MUTATION_HANDLERS, UNIQUE_REJECTIONS } from './mutations'
import { isTransactionConflict, isUniqueViolation, MutationRejected } from './rejections'
import { lockMembers } from './locks'
import { withCurrentUserIds } from './userIds'
import { examFromRow } from './content'
import type { LeaveRow } from '../../domain/meetings'
import type { Notifier } from './notifier'
import { memberRowFromUser, memberScope } from './members'
import { publishMeetings } from './meetingSeed'
import { redactComment, type CommentRow } from '../../domain/board'
import { publishBoard, publishHouseholds } from './board'

interface BatchContext {
  viewer: Viewer
  clientId: string
  now: string
  /** The device's clock minus the server's when it sent the push (`sentAt`), or null when it didn't say. */
  clockSkewMs: number | null
  /** Scopes the batch changed, to poke once it has committed. */
  scopes: Set<string>
}

const REDACT: Record<SyncTable, (row: unknown, viewer: Viewer) => unknown> = {
  members: (row, viewer) => redactMember(row as MemberRow, viewer),
  branches: (row) => row,
  courses: (row) => row,
  materials: (row) => row,
  points_rules: (row) => row,
  // Private to the member: only their own `user:` scope ever holds these rows.
  points: (row) => row,
  // Questions never carry their answers (withoutAnswer); results are private like points.
  quiz_questions: (row) => row,
  quiz_results: (row) => row,
  exams: (row) => row,
  study_progress: (row) => row,
  // Names and branches only; each member's reasons are in their private `honor_marks`.
  honor_lists: (row) => row,
  honor_marks: (row) => row,
  meetings: (row) => row,
  attendance: (row) => row,
  // A leave's reason is personal: the member, the secretaries and the admin see it; other members see the status.
  leaves: (row, viewer) => (viewer.role === 'member' && (row as LeaveRow).memberId !== viewer.id ? { ...(row as LeaveRow), reason: '' } : row),
  // Only ever written to secretaries' and admins' own scopes.
  meeting_keys: (row) => row,
  meeting_messages: (row) => row,
  topics: (row) => row,
  // The resident's name: the author, the topic's and the author's branch secretaries and the admin only.
  comments: (row, viewer) => redactComment(row as CommentRow, viewer, { branchId: (row as CommentRow).branchId }),
  // Private: only the member's own `user:` scope holds these.
  households: (row) => row,
  notices: (row) => row,
}

/** How fresh a device's `last_seen_at` is kept. */
const LAST_SEEN_RESOLUTION_MS = 60_000

/** How often a transaction PostgreSQL aborted for a concurrent one (deadlock, unique key taken) is run again. */
const TRANSACTION_ATTEMPTS = 4

/** How much of a refused mutation's arguments, as sent, its record keeps. */
export const RAW_ARGS_MAX_CHARS = 16_384

const retryable = (error: unknown) => isTransactionConflict(error) || isUniqueViolation(error)

/** The arguments as the mutation record keeps them: JSON; as sent (not validated) cut to RAW_ARGS_MAX_CHARS. */
function argsText(args: unknown, raw: boolean): string {
  const text = JSON.stringify(args) ?? 'null'
  return raw ? text.slice(0, RAW_ARGS_MAX_CHARS) : text
}

/** A handler's refusal, or a unique violation that means one (UNIQUE_REJECTIONS). */
function asRejection(name: MutationName, error: unknown): MutationRejected | undefined {
  if (error instanceof MutationRejected) return error
  const unique = isUniqueViolation(error) ? UNIQUE_REJECTIONS[name] : undefined
  return unique && new MutationRejected(unique.code, unique.message)
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

export class SyncService {
  private townId: string | undefined

  constructor(
    private readonly db: Kysely<Database>,
    private readonly notifier: Notifier,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async viewer(user: SessionUser): Promise<Viewer> {
    this.townId ??= (await this.db.selectFrom('towns').select('id').executeTakeFirstOrThrow()).id
    return { ...user, townId: this.townId }
  }

  async scopesOf(viewer: Viewer): Promise<string[]> {
    const branches = await this.db.selectFrom('branches').select('id').execute()
    return visibleScopes(viewer, branches.map((b) => b.id))
  }

  /** Binds a device to the user on first sight; a device bound to someone else is refused outright. */
  private async claimClient(clientId: string, viewer: Viewer): Promise<{ pulledBefore: boolean }> {
    const now = this.clock().toISOString()
    const client = await this.db.selectFrom('sync_clients').select(['user_id', 'pulled_at', 'last_seen_at']).where('id', '=', clientId).executeTakeFirst()
    if (client && client.user_id !== viewer.id) {
      throw new HttpError(403, 'client_of_another_user', '此设备的同步编号属于其他用户，请重新登录后再同步')
    }
    if (client) {
      // At most once a minute: on SQLite each of these is a disk flush, and a chat message makes every device pull.
      if (Date.parse(now) - Date.parse(client.last_seen_at) > LAST_SEEN_RESOLUTION_MS) {
        await this.db.updateTable('sync_clients').set({ last_seen_at: now }).where('id', '=', clientId).execute()
      }
      return { pulledBefore: client.pulled_at !== null }
    }
    await this.db
      .insertInto('sync_clients')
      .values({ id: clientId, user_id: viewer.id, created_at: now, last_seen_at: now, pulled_at: null })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute()
    return { pulledBefore: false }
  }

  /**
   * Applies a batch in one database transaction (one disk flush per batch, not per mutation), each
   * mutation inside its own savepoint together with the record of its id: a mutation's effects and its
   * record commit together or not at all, and a rejected one rolls back alone. Replies only after commit.
   * A transaction PostgreSQL aborts for a concurrent one is run again whole, a few times.
   */
  async push(user: SessionUser, body: PushBody): Promise<MutationResult[]> {
    const viewer = await this.viewer(user)
    await this.claimClient(body.clientId, viewer)
    // An app newer than this server (a deploy in progress): a rejection would make the device drop its
    // changes for good, so the whole request is refused and the device sends them again later.
    if (body.schemaVersion > SCHEMA_VERSION) throw new HttpError(409, 'server_outdated', '服务器正在升级，您的更改已保存在本机，稍后会自动同步')
    const now = this.clock().toISOString()
    const clockSkewMs = body.sentAt === undefined ? null : Date.parse(body.sentAt) - Date.parse(now)
    for (let attempt = 1; ; attempt++) {
      const batch: BatchContext = { viewer, clientId: body.clientId, now, clockSkewMs, scopes: new Set() }
      let results: MutationResult[]
      try {
        results = await this.applyBatch(batch, await withCurrentUserIds(this.db, body.mutations))
      } catch (error) {
        if (attempt < TRANSACTION_ATTEMPTS && retryable(error)) continue
        throw error
      }
      await this.notifier.notify([...batch.scopes])
      return results
    }
  }

  private async applyBatch(batch: BatchContext, mutations: readonly Mutation[]): Promise<MutationResult[]> {
    const trx = await this.db.startTransaction().execute()
    const results: MutationResult[] = []
    try {
      // The member's rules (overlaps, caps, one answer, one check-in, rate limits) are checked under their
      // lock: tabs of one member pushing at once take turns (awardPoints also locks whoever it awards).
      await lockMembers(trx, [batch.viewer.id])
      for (const [index, mutation] of mutations.entries()) {
        // Other requests (health checks, shutdown) get a turn between mutations. None runs inside this
        // transaction: on SQLite Kysely holds the one connection for it until it ends, so they queue.
        if (index > 0) await nextTurn()
        results.push(await this.applyOnce(trx, batch, mutation))
      }
      await trx.commit().execute()
    } catch (error) {
      await trx.rollback().execute()
      throw error
    }
    return results
  }

  private async storedResult(db: Kysely<Database>, id: string, viewer: Viewer): Promise<MutationResult | undefined> {
    const row = await db.selectFrom('applied_mutations').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) return undefined
    if (row.user_id !== viewer.id) return { id, status: 'rejected', code: 'duplicate_id', message: REJECTIONS.duplicate_id }
    return row.status === 'applied'
      ? { id, status: 'applied' }
      : { id, status: 'rejected', code: row.code ?? 'rejected', message: row.message ?? '' }
  }

  /** Applies a mutation exactly once; a mutation id seen before gets its stored result and changes nothing. */
  private async applyOnce(trx: ControlledTransaction<Database>, batch: BatchContext, mutation: Mutation): Promise<MutationResult> {
    const { viewer, clientId, now } = batch
    const seen = await this.storedResult(trx, mutation.id, viewer)
    if (seen) return seen
    const record = (db: Kysely<Database>, result: MutationResult, args: string) =>
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
      const result = await this.applyChecked(savepoint, batch, mutation, record)
      await savepoint.releaseSavepoint('mutation').execute()
      return result
    } catch (error) {
      await savepoint.rollbackToSavepoint('mutation').execute()
      const stored = await this.storedResult(trx, mutation.id, viewer)
      if (stored) return stored
      throw error
    }
  }

  private async applyChecked(
    trx: ControlledTransaction<Database, ['mutation']>,
    batch: BatchContext,
    mutation: Mutation,
    record: (db: Kysely<Database>, result: MutationResult, args: string) => Promise<unknown>,
  ): Promise<MutationResult> {
    const { viewer, now } = batch
    const checked = this.check(viewer, mutation.name, mutation.args)
    if (checked.status === 'rejected') {
      const result: MutationResult = { id: mutation.id, status: 'rejected', code: checked.code, message: checked.message }
      await record(trx, result, argsText(mutation.args, true))
      return result
    }
    const args = argsText(checked.args, false)
    const effects = await trx.savepoint('effects').execute()
    const writer = new ChangeWriter(effects, now)
    try {
      await MUTATION_HANDLERS[checked.name]({ trx: effects, viewer, writer, now, clientTime: mutation.clientTime, clockSkewMs: batch.clockSkewMs }, checked.args as never)
    } catch (error) {
      const rejection = asRejection(checked.name, error)
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

  private check(
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

  async pull(user: SessionUser, clientId: string, cursorText: string | undefined, limit = PULL_PAGE_SIZE): Promise<PullReply> {
    const viewer = await this.viewer(user)
    const scopes = await this.scopesOf(viewer)
    const decoded = decodeCursor(cursorText)
    const client = await this.claimClient(clientId, viewer)
    // Read before the rows: every row up to a scope's version read here is committed and visible below.
    const scopeState = new Map(
      (await this.db.selectFrom('scope_versions').select(['scope', 'version', 'horizon']).where('scope', 'in', scopes).execute()).map(
        (r) => [r.scope, r],
      ),
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
      let query = this.db
        .selectFrom('sync_rows')
        .select(['table_name', 'row_id', 'version', 'op', 'row_json'])
        .where('scope', '=', scope)
        .where('version', '>', since)
      // A device that never had this scope has nothing to delete.
      if (since === 0) query = query.where('op', '=', 'put')
      const rows = await query.orderBy('version').limit(remaining + 1).execute()
      const page = rows.slice(0, remaining)
      for (const row of page) {
        const table = row.table_name as SyncTable
        changes.push(
          row.op === 'put'
            ? { table, id: row.row_id, op: 'put', row: REDACT[table](JSON.parse(row.row_json ?? 'null'), viewer) }
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
    if (!client.pulledBefore) await this.db.updateTable('sync_clients').set({ pulled_at: this.clock().toISOString() }).where('id', '=', clientId).execute()
    return { cursor: encodeCursor(versions), changes, hasMore, ...(reset ? { reset: true as const } : {}) }
  }

  /**
   * Runs `change` in a transaction with a ChangeWriter, for writes that don't come from the outbox (the
   * remote room, chat); devices that see the changed scopes are poked after commit.
   */
  async write<T>(change: (trx: Kysely<Database>, writer: ChangeWriter, now: string) => Promise<T>): Promise<T> {
    const now = this.clock().toISOString()
    let scopes: string[] = []
    // Run again when a concurrent push took the row first (a check-in as the member joins remotely):
    // the change's own checks then see it and refuse clearly.
    for (let attempt = 1; ; attempt++) {
      let result: T
      try {
        result = await this.db.transaction().execute(async (trx) => {
          const writer = new ChangeWriter(trx, now)
          const value = await change(trx, writer, now)
          scopes = [...writer.scopes]
          return value
        })
      } catch (error) {
        if (attempt < TRANSACTION_ATTEMPTS && retryable(error)) continue
        throw error
      }
      await this.notifier.notify(scopes)
      return result
    }
  }

  /** Writes the rows devices see (branches, members): on first start, and after the sync tables are added to an old database. */
  async publishAllIfEmpty(): Promise<void> {
    const any = await this.db.selectFrom('scope_versions').select('scope').limit(1).executeTakeFirst()
    if (any) return
    const town = await this.db.selectFrom('towns').select('id').executeTakeFirst()
    if (!town) return
    const now = this.clock().toISOString()
    await this.db.transaction().execute(async (trx) => {
      const writer = new ChangeWriter(trx, now)
      for (const branch of await trx.selectFrom('branches').selectAll().orderBy('id').execute()) {
        const row: BranchRow = { id: branch.id, name: branch.name, place: branch.place, kind: branch.kind }
        await writer.put(`town:${town.id}`, 'branches', branch.id, row)
      }
      for (const course of await trx.selectFrom('courses').selectAll().orderBy('id').execute()) {
        const row: Course = { id: course.id, title: course.title, summary: course.summary, order: course.sort_order }
        await writer.put(`town:${town.id}`, 'courses', course.id, row)
      }
      for (const material of await trx.selectFrom('materials').selectAll().where('status', '=', 'published').orderBy('id').execute()) {
        await writer.put(`town:${town.id}`, 'materials', material.id, materialFromRow(material))
      }
      for (const question of await trx.selectFrom('questions').selectAll().where('status', '=', 'published').orderBy('id').execute()) {
        await writer.put(`town:${town.id}`, 'quiz_questions', question.id, withoutAnswer(questionFromRow(question)))
      }
      for (const exam of await trx.selectFrom('exams').selectAll().where('status', '=', 'published').orderBy('id').execute()) {
        await writer.put(`town:${town.id}`, 'exams', exam.id, examFromRow(exam))
      }
      for (const rule of await trx.selectFrom('points_rules').selectAll().orderBy('code').orderBy('version').execute()) {
        const row: RuleRow = { ...ruleFromRow(rule), id: ruleRowId(rule) }
        await writer.put(`town:${town.id}`, 'points_rules', row.id, row)
      }
      for (const user of await trx.selectFrom('users').selectAll().orderBy('id').execute()) {
        await writer.put(memberScope(user, town.id), 'members', user.id, memberRowFromUser(user))
      }
      await publishMeetings(trx, writer)
      await publishHouseholds(trx, writer)
      await publishBoard(trx, writer, town.id)
    })
  }

  /** A database from before the board (issue 6) has households nobody's devices have: send them once. */
  async publishHouseholdsIfMissing(): Promise<void> {
    const published = await this.db.selectFrom('sync_rows').select('row_id').where('table_name', '=', 'households').limit(1).executeTakeFirst()
    const any = await this.db.selectFrom('households').select('id').limit(1).executeTakeFirst()
    if (published || !any) return
    await this.write((trx, writer) => publishHouseholds(trx, writer))
  }
}
