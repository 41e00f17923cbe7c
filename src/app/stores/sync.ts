import { defineStore } from 'pinia'
import { computed, reactive, shallowRef } from 'vue'
import { appDB } from '../db/instance'
import { useLiveQuery } from '../composables/useLiveQuery'
import { SyncEngine, type PullProgress } from '../sync/engine'
import { SyncScheduler, type SchedulerOptions, type SchedulerStatus } from '../sync/scheduler'
import { httpTransport, type SyncTransport } from '../sync/transport'
import { BACKGROUND_SYNC_TAG, META_KEYS } from '../constants'
import { PULL_PAGE_SIZE } from '~/domain/sync'
import type { MutationArgs, MutationName } from '~/domain/mutations'
import type { RejectedRow } from '../db'
import { ApiError } from '../api/client'
import { useSyncProgressStore } from './syncProgress'
import { useSessionStore } from './session'

export interface SyncStartOptions extends SchedulerOptions {
  transport?: SyncTransport
  /** Tests drive syncs by hand. */
  schedule?: boolean
}

/** Asks the service worker to wake us for a sync when the network is back (Chromium only; an extra). */
async function requestBackgroundSync(): Promise<void> {
  try {
    const registration = await navigator.serviceWorker?.getRegistration()
    const sync = (registration as (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined)?.sync
    await sync?.register(BACKGROUND_SYNC_TAG)
  } catch {
    // Not supported or not allowed: the other triggers still run.
  }
}

/** The outbox, what was rejected, and when the last sync succeeded, for the signed-in user. */
export const useSyncStore = defineStore('sync', () => {
  const db = appDB()
  const engine = shallowRef<SyncEngine | null>(null)
  let scheduler: SyncScheduler | null = null
  const status = reactive<SchedulerStatus>({ syncing: false, lastError: null, failures: 0 })
  const recentRejections = shallowRef<RejectedRow[]>([])
  const sessionEnded = shallowRef(0)
  // 已同步 n 条 for a first or reset sync, or one of more than a page: an ordinary sync never flashes it.
  const progress = useSyncProgressStore()
  const onProgress = (p: PullProgress) => {
    progress.pulledRows = !p.done && (p.first || p.rows > PULL_PAGE_SIZE) ? p.rows : null
  }

  const outbox = useLiveQuery(() => db.outbox.orderBy('seq').toArray(), [])
  // Newest first. `rejectedAt` is not an index (ordering by it would throw), so sort here: the list is short.
  const rejectedRows = useLiveQuery(async () => (await db.rejected.toArray()).sort((a, b) => b.rejectedAt.localeCompare(a.rejectedAt)), [])
  const lastSyncedAt = useLiveQuery(() => db.getMeta<string>(META_KEYS.lastSyncedAt), undefined)

  // Whose device this is: the engine's member, or before the engine has started (after the first paint) the
  // signed-in member, so the stores' overlays of waiting changes and the study timer work from the first screen.
  const session = useSessionStore()
  const userId = computed(() => engine.value?.userId ?? session.me?.user.id ?? null)
  /**
   * This user's mutations whose effects the synced tables don't show yet, in outbox order, acknowledged ones
   * included until the pull that brings their results is stored. For lists of changes (同步状态, 内容管理):
   * an overlay of synced rows reads the outbox with its rows instead (`readWithOutbox`, sync/pending.ts),
   * since this list and a table read apart change a moment apart when a pull lands.
   */
  const pending = computed(() => outbox.value.filter((row) => row.userId === userId.value))
  /** Still to be sent (待同步): the pending ones the server has not acknowledged. */
  const waiting = computed(() => pending.value.filter((row) => !row.acknowledged))
  const rejected = computed(() => rejectedRows.value.filter((row) => row.userId === userId.value))
  const pendingCount = computed(() => waiting.value.length)

  async function syncOnce(): Promise<void> {
    if (!engine.value) return
    try {
      const outcome = await engine.value.sync()
      if (outcome.rejected.length > 0) recentRejections.value = outcome.rejected
    } catch (error) {
      // The session ended on the server (expired or signed out elsewhere): ask the session store to confirm.
      if (error instanceof ApiError && error.status === 401) sessionEnded.value++
      throw error
    } finally {
      progress.pulledRows = null
    }
  }

  // A start under way: the app starts syncing after its first paint, and a change made before then starts it
  // too; both must end with one engine.
  let starting: { userId: string; done: Promise<void> } | null = null

  async function start(forUserId: string, options: SyncStartOptions = {}): Promise<void> {
    if (engine.value?.userId === forUserId) return
    if (starting?.userId === forUserId) return starting.done
    stop()
    const attempt = { userId: forUserId, done: Promise.resolve() }
    starting = attempt
    attempt.done = (async () => {
      const next = new SyncEngine(db, options.transport ?? httpTransport, forUserId, onProgress)
      await next.adoptUser()
      if (starting !== attempt) return // stopped, or another member signed in, meanwhile
      engine.value = next
      if (options.schedule === false) return
      scheduler = new SyncScheduler(syncOnce, (s) => Object.assign(status, s), { eventsUrl: '/api/events', ...options })
      scheduler.start()
    })()
    try {
      await attempt.done
    } finally {
      if (starting === attempt) starting = null
    }
  }

  function stop(): void {
    starting = null
    scheduler?.stop()
    scheduler = null
    engine.value = null
    progress.pulledRows = null
  }

  async function enqueue<N extends MutationName>(name: N, args: MutationArgs<N>): Promise<string> {
    // Saved before the sync engine has started (it starts after the first paint): start it now.
    const signedIn = session.me?.user.id
    if (!engine.value && signedIn) await start(signedIn)
    if (!engine.value) throw new Error('请先登录')
    const id = await engine.value.enqueue(name, args)
    scheduler?.request()
    void requestBackgroundSync()
    return id
  }

  async function syncNow(): Promise<void> {
    await (scheduler ? scheduler.runNow() : syncOnce())
  }

  async function dismissRejected(id: string): Promise<void> {
    await db.rejected.delete(id)
  }

  return {
    status,
    pending,
    waiting,
    pendingCount,
    rejected,
    lastSyncedAt,
    pulledRows: computed(() => progress.pulledRows),
    recentRejections,
    sessionEnded,
    userId,
    start,
    stop,
    enqueue,
    syncNow,
    dismissRejected,
  }
})
