// The sync engine starts after the app's first paint (issue 14). A change saved before then must still be
// kept (it starts the engine itself), and the two starts, the change's and the app's, end with one engine.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useSyncStore } from '~/app/stores/sync'
import { useSessionStore } from '~/app/stores/session'
import type { AppDB } from '~/app/db'
import { SyncEngine } from '~/app/sync/engine'
import { demoMe, freshDB, stubFetch } from './helpers'

const lesson = () => ({
  sessionId: crypto.randomUUID(),
  materialId: 'm-lesson-1',
  startedAt: '2026-03-01T08:00:00.000Z',
  endedAt: '2026-03-01T08:05:00.000Z',
  activeSeconds: 300,
  completed: true,
})

let db: AppDB
beforeEach(() => {
  db = freshDB()
  setActivePinia(createPinia())
  stubFetch(() => 'offline')
})
afterEach(async () => {
  useSyncStore().stop()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  await db.delete()
})

describe('a change saved before the sync engine has started', () => {
  it('starts the engine for the signed-in member and keeps the change in the outbox', async () => {
    useSessionStore().me = demoMe
    const sync = useSyncStore()
    const adopted = vi.spyOn(SyncEngine.prototype, 'adoptUser')
    // Whose device it is is known from the session before the engine starts (the stores' overlays use it).
    expect(sync.userId).toBe(demoMe.user.id)
    expect(adopted).not.toHaveBeenCalled()

    await sync.enqueue('study.record', lesson())

    expect(adopted).toHaveBeenCalledTimes(1)
    expect(await db.outbox.count()).toBe(1)
  })

  it('ends with one engine when the app starts syncing at the same moment', async () => {
    useSessionStore().me = demoMe
    const sync = useSyncStore()
    const adopted = vi.spyOn(SyncEngine.prototype, 'adoptUser')
    await Promise.all([sync.start(demoMe.user.id), sync.enqueue('study.record', lesson()), sync.start(demoMe.user.id)])
    await sync.enqueue('study.record', lesson())

    expect(adopted).toHaveBeenCalledTimes(1)
    expect(await db.outbox.count()).toBe(2)
  })

  it('is refused when nobody is signed in', async () => {
    expect(useSyncStore().userId).toBeNull()
    await expect(useSyncStore().enqueue('study.record', lesson())).rejects.toThrow('请先登录')
    expect(await db.outbox.count()).toBe(0)
  })
})
