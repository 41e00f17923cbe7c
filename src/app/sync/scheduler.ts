import { SYNC_LOCK } from '../constants'

export interface SchedulerOptions {
  /** Sync every this often while online (docs/architecture.md: 30 s). */
  intervalMs?: number
  /** Wait this long after a local write, so a burst of writes goes in one push. */
  debounceMs?: number
  maxBackoffMs?: number
  /** Server-sent events that say "pull now"; absent in tests. */
  eventsUrl?: string | null
}

export interface SchedulerStatus {
  syncing: boolean
  lastError: string | null
  failures: number
}

/** Runs `task` under a Web Lock so only one tab syncs at a time; other tabs skip (they share the database). */
async function withSyncLock(task: () => Promise<void>): Promise<void> {
  if (typeof navigator === 'undefined' || !navigator.locks) return task()
  await navigator.locks.request(SYNC_LOCK, { ifAvailable: true }, async (lock) => {
    if (lock) await task()
  })
}

/** How long to wait before opening the event stream again after the browser gave it up. */
export const EVENTS_REOPEN_MS = 5_000

/**
 * Decides when to sync: at start, on `online`, when the page becomes visible, shortly after a local
 * write, every 30 s while online, when the server pokes, when the service worker's Background Sync fires.
 * Failures back off exponentially with jitter, up to five minutes.
 */
export class SyncScheduler {
  private timer: ReturnType<typeof setTimeout> | undefined
  private interval: ReturnType<typeof setInterval> | undefined
  private events: EventSource | undefined
  private reopenTimer: ReturnType<typeof setTimeout> | undefined
  private running = false
  private again = false
  private failures = 0
  private readonly cleanups: (() => void)[] = []
  private readonly options: Required<Omit<SchedulerOptions, 'eventsUrl'>> & { eventsUrl: string | null }

  constructor(
    private readonly task: () => Promise<void>,
    private readonly onStatus: (status: SchedulerStatus) => void,
    options: SchedulerOptions = {},
  ) {
    this.options = { intervalMs: 30_000, debounceMs: 800, maxBackoffMs: 5 * 60_000, eventsUrl: null, ...options }
  }

  start(): void {
    const listen = (target: EventTarget, type: string, handler: (event: Event) => void) => {
      target.addEventListener(type, handler)
      this.cleanups.push(() => target.removeEventListener(type, handler))
    }
    listen(window, 'online', () => {
      // A stream still waiting out the browser's retry delay would miss the pokes of the next seconds.
      if (this.events && this.events.readyState === this.events.CONNECTING) this.closeEvents()
      this.openEvents()
      this.request(0)
    })
    listen(window, 'offline', () => this.closeEvents())
    listen(document, 'visibilitychange', () => {
      if (document.visibilityState === 'visible') this.request(0)
    })
    if (typeof navigator !== 'undefined' && navigator.serviceWorker) {
      listen(navigator.serviceWorker, 'message', (event) => {
        if ((event as MessageEvent<{ type?: string } | null>).data?.type === 'SYNC_REQUESTED') this.request(0)
      })
    }
    this.interval = setInterval(() => {
      if (navigator.onLine) this.request(0)
    }, this.options.intervalMs)
    this.openEvents()
    this.request(0)
  }

  stop(): void {
    clearTimeout(this.timer)
    clearInterval(this.interval)
    this.closeEvents()
    this.cleanups.splice(0).forEach((cleanup) => cleanup())
  }

  /** Asks for a sync after `delayMs` (a later request moves it; a running sync runs once more after). */
  request(delayMs = this.options.debounceMs): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.runNow(), delayMs)
  }

  async runNow(): Promise<void> {
    if (this.running) {
      this.again = true
      return
    }
    this.running = true
    this.onStatus({ syncing: true, lastError: null, failures: this.failures })
    try {
      await withSyncLock(this.task)
      this.failures = 0
      this.onStatus({ syncing: false, lastError: null, failures: 0 })
    } catch (error) {
      this.failures++
      this.onStatus({ syncing: false, lastError: error instanceof Error ? error.message : String(error), failures: this.failures })
      this.request(this.backoffMs())
    } finally {
      this.running = false
      if (this.again) {
        this.again = false
        this.request(0)
      }
    }
  }

  backoffMs(): number {
    const base = Math.min(this.options.maxBackoffMs, 1000 * 2 ** this.failures)
    return Math.round(base * (0.5 + Math.random() / 2))
  }

  private openEvents(): void {
    if (!this.options.eventsUrl || typeof EventSource === 'undefined') return
    if (this.events && this.events.readyState !== this.events.CLOSED) return
    this.events?.close()
    const events = new EventSource(this.options.eventsUrl)
    this.events = events
    events.addEventListener('poke', () => this.request(0))
    // Pokes sent while there was no stream are lost, so every opening (the first, the browser reconnecting
    // by itself, a new stream after it gave up) is followed by a sync. At start it joins start()'s own.
    events.addEventListener('open', () => this.request(0))
    // A stream opened with no network, or answered with an error, is given up by the browser for good
    // (CLOSED): without this the device would hear no pokes until a reload and wait for the 30 s timer.
    events.addEventListener('error', () => {
      if (events.readyState !== events.CLOSED || this.events !== events) return
      this.events = undefined
      clearTimeout(this.reopenTimer)
      this.reopenTimer = setTimeout(() => {
        if (navigator.onLine) this.openEvents()
      }, EVENTS_REOPEN_MS)
    })
  }

  private closeEvents(): void {
    clearTimeout(this.reopenTimer)
    this.events?.close()
    this.events = undefined
  }
}
