import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { EVENTS_REOPEN_MS, SyncScheduler, type SchedulerStatus } from '~/app/sync/scheduler'

describe('sync scheduler', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('syncs at start, then every 30 s while online', async () => {
    const task = vi.fn().mockResolvedValue(undefined)
    const scheduler = new SyncScheduler(task, () => {})
    scheduler.start()
    await vi.advanceTimersByTimeAsync(10)
    expect(task).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(30_000)
    expect(task).toHaveBeenCalledTimes(2)
    scheduler.stop()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(task).toHaveBeenCalledTimes(2)
  })

  it('syncs when the network comes back and when the page becomes visible', async () => {
    const task = vi.fn().mockResolvedValue(undefined)
    const scheduler = new SyncScheduler(task, () => {}, { intervalMs: 1e9 })
    scheduler.start()
    await vi.advanceTimersByTimeAsync(10)
    window.dispatchEvent(new Event('online'))
    await vi.advanceTimersByTimeAsync(10)
    expect(task).toHaveBeenCalledTimes(2)
    document.dispatchEvent(new Event('visibilitychange'))
    await vi.advanceTimersByTimeAsync(10)
    expect(task).toHaveBeenCalledTimes(3)
    scheduler.stop()
  })

  it('gathers a burst of local writes into one sync shortly after the last', async () => {
    const task = vi.fn().mockResolvedValue(undefined)
    const scheduler = new SyncScheduler(task, () => {}, { debounceMs: 800 })
    for (let i = 0; i < 5; i++) {
      scheduler.request()
      await vi.advanceTimersByTimeAsync(300)
    }
    expect(task).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(800)
    expect(task).toHaveBeenCalledTimes(1)
  })

  it('backs off after failures, reports them, and recovers', async () => {
    const statuses: SchedulerStatus[] = []
    const task = vi
      .fn()
      .mockRejectedValueOnce(new Error('网络不可用'))
      .mockRejectedValueOnce(new Error('网络不可用'))
      .mockResolvedValue(undefined)
    const scheduler = new SyncScheduler(task, (s) => statuses.push({ ...s }), { intervalMs: 1e9 })
    vi.spyOn(Math, 'random').mockReturnValue(1)
    await scheduler.runNow()
    expect(statuses.at(-1)).toEqual({ syncing: false, lastError: '网络不可用', failures: 1 })
    await vi.advanceTimersByTimeAsync(1999)
    expect(task).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(task).toHaveBeenCalledTimes(2)
    expect(statuses.at(-1)?.failures).toBe(2)
    await vi.advanceTimersByTimeAsync(4000)
    expect(task).toHaveBeenCalledTimes(3)
    expect(statuses.at(-1)).toEqual({ syncing: false, lastError: null, failures: 0 })
  })

  it('never waits more than five minutes between retries', () => {
    const scheduler = new SyncScheduler(
      () => Promise.resolve(),
      () => {},
    )
    vi.spyOn(Math, 'random').mockReturnValue(1)
    ;(scheduler as unknown as { failures: number }).failures = 30
    expect(scheduler.backoffMs()).toBe(300_000)
  })

  it('runs once more after a sync that was asked for while one was running, never two at once', async () => {
    let running = 0
    let maxRunning = 0
    const task = vi.fn(async () => {
      running++
      maxRunning = Math.max(maxRunning, running)
      await new Promise((r) => setTimeout(r, 100))
      running--
    })
    const scheduler = new SyncScheduler(task, () => {})
    const first = scheduler.runNow()
    void scheduler.runNow()
    void scheduler.runNow()
    await vi.advanceTimersByTimeAsync(100)
    await first
    await vi.advanceTimersByTimeAsync(200)
    expect(task).toHaveBeenCalledTimes(2)
    expect(maxRunning).toBe(1)
  })

  describe('the event stream (pokes)', () => {
    /** A stand-in for the browser's EventSource: the test decides when it opens, fails or pokes. */
    class FakeEventSource extends EventTarget {
      static readonly CONNECTING = 0
      static readonly OPEN = 1
      static readonly CLOSED = 2
      static made: FakeEventSource[] = []
      readonly CONNECTING = 0
      readonly OPEN = 1
      readonly CLOSED = 2
      readyState = FakeEventSource.CONNECTING
      constructor(readonly url: string) {
        super()
        FakeEventSource.made.push(this)
      }
      close() {
        this.readyState = FakeEventSource.CLOSED
      }
      open() {
        this.readyState = FakeEventSource.OPEN
        this.dispatchEvent(new Event('open'))
      }
      /** `giveUp`: the browser won't reconnect (opened with no network, or an error answer). */
      fail(giveUp: boolean) {
        this.readyState = giveUp ? FakeEventSource.CLOSED : FakeEventSource.CONNECTING
        this.dispatchEvent(new Event('error'))
      }
      poke() {
        this.dispatchEvent(new Event('poke'))
      }
    }

    beforeEach(() => {
      FakeEventSource.made = []
      vi.stubGlobal('EventSource', FakeEventSource)
    })
    afterEach(() => vi.unstubAllGlobals())

    it('syncs on a poke', async () => {
      const task = vi.fn().mockResolvedValue(undefined)
      const scheduler = new SyncScheduler(task, () => {}, { intervalMs: 1e9, eventsUrl: '/api/events' })
      scheduler.start()
      // The stream opening at start joins the sync start() asked for.
      FakeEventSource.made[0]!.open()
      await vi.advanceTimersByTimeAsync(10)
      expect(task).toHaveBeenCalledTimes(1)
      FakeEventSource.made[0]!.poke()
      await vi.advanceTimersByTimeAsync(10)
      expect(task).toHaveBeenCalledTimes(2)
      scheduler.stop()
    })

    it('opens the stream again when the browser gave it up, and when the network comes back', async () => {
      const task = vi.fn().mockResolvedValue(undefined)
      const scheduler = new SyncScheduler(task, () => {}, { intervalMs: 1e9, eventsUrl: '/api/events' })
      scheduler.start()
      await vi.advanceTimersByTimeAsync(10)
      // Opened with no network: the browser closes it for good.
      FakeEventSource.made[0]!.fail(true)
      await vi.advanceTimersByTimeAsync(EVENTS_REOPEN_MS)
      expect(FakeEventSource.made).toHaveLength(2)
      // And the `online` event makes a new one at once when the one it has is closed.
      FakeEventSource.made[1]!.fail(true)
      window.dispatchEvent(new Event('online'))
      expect(FakeEventSource.made).toHaveLength(3)
      // Pokes may have been missed while there was no stream: opening it again syncs.
      const before = task.mock.calls.length
      FakeEventSource.made[2]!.open()
      await vi.advanceTimersByTimeAsync(10)
      expect(task).toHaveBeenCalledTimes(before + 1)
      FakeEventSource.made[2]!.poke()
      await vi.advanceTimersByTimeAsync(10)
      expect(task).toHaveBeenCalledTimes(before + 2)
      scheduler.stop()
      await vi.advanceTimersByTimeAsync(EVENTS_REOPEN_MS * 2)
      expect(FakeEventSource.made).toHaveLength(3)
    })

    it('replaces a stream still waiting to reconnect when the network comes back, and syncs once it opens', async () => {
      const task = vi.fn().mockResolvedValue(undefined)
      const scheduler = new SyncScheduler(task, () => {}, { intervalMs: 1e9, eventsUrl: '/api/events' })
      scheduler.start()
      await vi.advanceTimersByTimeAsync(10)
      // Started offline: the browser will retry in a few seconds (CONNECTING), pokes meanwhile would be lost.
      FakeEventSource.made[0]!.fail(false)
      window.dispatchEvent(new Event('online'))
      expect(FakeEventSource.made).toHaveLength(2)
      expect(FakeEventSource.made[0]!.readyState).toBe(FakeEventSource.CLOSED)
      await vi.advanceTimersByTimeAsync(10)
      const before = task.mock.calls.length
      FakeEventSource.made[1]!.open()
      await vi.advanceTimersByTimeAsync(10)
      expect(task).toHaveBeenCalledTimes(before + 1)
      scheduler.stop()
    })

    it('syncs when a dropped stream comes back by itself, since pokes were missed meanwhile', async () => {
      const task = vi.fn().mockResolvedValue(undefined)
      const scheduler = new SyncScheduler(task, () => {}, { intervalMs: 1e9, eventsUrl: '/api/events' })
      scheduler.start()
      const stream = FakeEventSource.made[0]!
      stream.open()
      await vi.advanceTimersByTimeAsync(10)
      expect(task).toHaveBeenCalledTimes(1)
      stream.fail(false)
      await vi.advanceTimersByTimeAsync(10)
      expect(task).toHaveBeenCalledTimes(1)
      stream.open()
      await vi.advanceTimersByTimeAsync(10)
      expect(task).toHaveBeenCalledTimes(2)
      expect(FakeEventSource.made).toHaveLength(1)
      scheduler.stop()
    })
  })
})
