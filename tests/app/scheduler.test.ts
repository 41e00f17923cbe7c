import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SyncScheduler, type SchedulerStatus } from '../../src/app/sync/scheduler'

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
    const task = vi.fn().mockRejectedValueOnce(new Error('网络不可用')).mockRejectedValueOnce(new Error('网络不可用')).mockResolvedValue(undefined)
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
    const scheduler = new SyncScheduler(() => Promise.resolve(), () => {})
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
})
