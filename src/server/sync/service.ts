// The server's side of the sync protocol (docs/architecture.md, the sync core; docs/api.md#sync). It knows no
// feature: the features it runs (their handlers, redactions, publishing) come from buildApp.
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import {
  PULL_PAGE_SIZE,
  SCHEMA_VERSION,
  visibleScopes,
  type MutationResult,
  type PullReply,
  type PushBody,
  type Viewer,
} from '~/domain/sync'
import { HttpError } from '../http/errors'
import { ChangeWriter } from './changes'
import type { SyncFeatures } from './feature'
import type { Notifier } from './notifier'
import { applyBatch, type BatchContext } from './push'
import { CommitGroups } from './commitGroups'
import { isPostgres } from './locks'
import { pullPage } from './pull'
import { isTransactionConflict, isUniqueViolation } from './rejections'
import { withCurrentUserIds } from './userIdAliases'

/** The signed-in user, as the session knows them. */
export type SyncUser = Omit<Viewer, 'townId'>

/** How fresh a device's `last_seen_at` is kept. */
const LAST_SEEN_RESOLUTION_MS = 60_000

/** How often a transaction PostgreSQL aborted for a concurrent one (deadlock, unique key taken) is run again. */
const TRANSACTION_ATTEMPTS = 4

const retryable = (error: unknown) => isTransactionConflict(error) || isUniqueViolation(error)

export class SyncService {
  private townId: string | undefined
  /** SQLite: pushes arriving together share a transaction (commitGroups.ts). */
  private readonly groups: CommitGroups | undefined

  constructor(
    private readonly db: Kysely<Database>,
    private readonly notifier: Notifier,
    private readonly features: SyncFeatures,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.groups = isPostgres(db) ? undefined : new CommitGroups(db, features)
  }

  async viewer(user: SyncUser): Promise<Viewer> {
    this.townId ??= (await this.db.selectFrom('towns').select('id').executeTakeFirstOrThrow()).id
    return { ...user, townId: this.townId }
  }

  async scopesOf(viewer: Viewer): Promise<string[]> {
    const branches = await this.db.selectFrom('branches').select('id').execute()
    return visibleScopes(
      viewer,
      branches.map((b) => b.id),
    )
  }

  /**
   * Binds a device to the user on first sight; a device bound to someone else is refused outright. The
   * write it needs, if any, is returned to be run: a push runs it inside its batch's transaction, so that
   * on SQLite it costs no disk flush of its own.
   */
  private async claimClient(
    clientId: string,
    viewer: Viewer,
  ): Promise<{ pulledBefore: boolean; write: ((db: Kysely<Database>) => Promise<unknown>) | undefined }> {
    const now = this.clock().toISOString()
    const client = await this.db
      .selectFrom('sync_clients')
      .select(['user_id', 'pulled_at', 'last_seen_at'])
      .where('id', '=', clientId)
      .executeTakeFirst()
    if (client && client.user_id !== viewer.id) {
      throw new HttpError(403, 'client_of_another_user', '此设备的同步编号属于其他用户，请重新登录后再同步')
    }
    if (client) {
      // At most once a minute: on SQLite each of these is a disk flush, and a chat message makes every device pull.
      const stale = Date.parse(now) - Date.parse(client.last_seen_at) > LAST_SEEN_RESOLUTION_MS
      return {
        pulledBefore: client.pulled_at !== null,
        write: stale ? (db) => db.updateTable('sync_clients').set({ last_seen_at: now }).where('id', '=', clientId).execute() : undefined,
      }
    }
    return {
      pulledBefore: false,
      write: (db) =>
        db
          .insertInto('sync_clients')
          .values({ id: clientId, user_id: viewer.id, created_at: now, last_seen_at: now, pulled_at: null })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute(),
    }
  }

  /**
   * Applies a batch (push.ts) and replies only after commit. A transaction PostgreSQL aborts for a
   * concurrent one is run again whole, a few times.
   */
  async push(user: SyncUser, body: PushBody): Promise<MutationResult[]> {
    const viewer = await this.viewer(user)
    const { write: claim } = await this.claimClient(body.clientId, viewer)
    if (body.mutations.length === 0) await claim?.(this.db)
    // An app newer than this server (a deploy in progress): a rejection would make the device drop its
    // changes for good, so the whole request is refused and the device sends them again later.
    if (body.schemaVersion > SCHEMA_VERSION)
      throw new HttpError(409, 'server_outdated', '服务器正在升级，您的更改已保存在本机，稍后会自动同步')
    const now = this.clock().toISOString()
    const clockSkewMs = body.sentAt === undefined ? null : Date.parse(body.sentAt) - Date.parse(now)
    for (let attempt = 1; ; attempt++) {
      const batch: BatchContext = { viewer, clientId: body.clientId, now, clockSkewMs, scopes: new Set(), claim }
      let results: MutationResult[]
      try {
        const mutations = await withCurrentUserIds(this.db, body.mutations)
        results = await (this.groups ? this.groups.apply(batch, mutations) : applyBatch(this.db, this.features, batch, mutations))
      } catch (error) {
        // A long batch on SQLite commits in parts: what did commit is sent to devices all the same.
        if (batch.scopes.size > 0) await this.notifier.notify([...batch.scopes])
        if (attempt < TRANSACTION_ATTEMPTS && retryable(error)) continue
        throw error
      }
      await this.notifier.notify([...batch.scopes])
      return results
    }
  }

  async pull(user: SyncUser, clientId: string, cursorText: string | undefined, limit = PULL_PAGE_SIZE): Promise<PullReply> {
    const viewer = await this.viewer(user)
    const scopes = await this.scopesOf(viewer)
    const client = await this.claimClient(clientId, viewer)
    await client.write?.(this.db)
    const reply = await pullPage(this.db, this.features, viewer, scopes, client, cursorText, limit)
    if (!client.pulledBefore)
      await this.db.updateTable('sync_clients').set({ pulled_at: this.clock().toISOString() }).where('id', '=', clientId).execute()
    return reply
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

  /**
   * Writes the rows devices see, each feature's in the listed order: on first start, and after the sync
   * tables are added to an old database.
   */
  async publishAllIfEmpty(): Promise<void> {
    const any = await this.db.selectFrom('scope_versions').select('scope').limit(1).executeTakeFirst()
    if (any) return
    const town = await this.db.selectFrom('towns').select('id').executeTakeFirst()
    if (!town) return
    const now = this.clock().toISOString()
    await this.db.transaction().execute((trx) => publishAll(trx, new ChangeWriter(trx, now), this.features, town.id))
  }

  /** At every start: rows an older database holds that no device was ever sent (each feature's publishMissing). */
  async publishMissing(): Promise<void> {
    for (const feature of this.features.list) await feature.publishMissing?.(this.db, (change) => this.write(change))
  }
}

/**
 * Every feature's rows for a town's devices, in the features' order, inside the caller's transaction: on a
 * database's first start, and when the first admin creates the town of an empty one (scripts/admin.ts).
 */
export async function publishAll(trx: Kysely<Database>, writer: ChangeWriter, features: SyncFeatures, townId: string): Promise<void> {
  for (const feature of features.list) await feature.publish?.(trx, writer, townId)
}
