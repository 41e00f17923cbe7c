// The sync engine keeps a mutation the server applied in the overlay until the pull that carries its result
// has been stored (issue 11), for every feature: between the push and the pull nothing flips back to what
// the tables held before, and 待同步 no longer counts it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { watch } from 'vue'
import { useSyncStore } from '~/app/stores/sync'
import { useSessionStore } from '~/app/stores/session'
import { useMembersStore } from '~/app/stores/members'
import { useStudyStore } from '~/app/stores/study'
import type { SyncTransport } from '~/app/sync/transport'
import type { AppDB } from '~/app/db'
import type { Change } from '~/domain/sync'
import type { MemberRow } from '~/domain/members'
import { demoMe, freshDB } from './helpers'

const ME = demoMe.user.id
const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 5_000 })

const self: MemberRow = {
  id: ME,
  name: '王建国',
  role: 'member',
  branchId: 'b-hexing',
  status: 'home',
  awayCity: null,
  returnDate: null,
  centerHousehold: false,
  contactPhone: null,
  updatedAt: '2026-01-01T00:00:00.000Z',
}

/** A server that applies every mutation, and answers the pull only when the test lets it. */
function heldServer(changes: Change[]) {
  let release = () => {}
  const held = new Promise<void>((resolve) => (release = resolve))
  const state = { pulling: false, pushed: [] as string[] }
  const transport: SyncTransport = {
    push: async (body) => {
      state.pushed.push(...body.mutations.map((m) => m.id))
      return { results: body.mutations.map((m) => ({ id: m.id, status: 'applied' as const })) }
    },
    pull: async () => {
      state.pulling = true
      await held
      return { cursor: 'c-1', hasMore: false, changes }
    },
  }
  return { transport, state, release }
}

let db: AppDB
beforeEach(async () => {
  db = freshDB()
  setActivePinia(createPinia())
  useSessionStore().me = demoMe
})
afterEach(async () => {
  useSyncStore().stop()
  await db.delete()
})

/** Runs one sync, checking `shown` at every change between the push and the pull, and returns what it saw. */
async function syncWatching<T>(server: ReturnType<typeof heldServer>, shown: () => T): Promise<{ seen: T[]; replayed: number }> {
  const sync = useSyncStore()
  const seen: T[] = []
  const stop = watch(shown, (value) => seen.push(value), { flush: 'sync' })
  const syncing = sync.syncNow()
  await waitFor(() => expect(server.state.pulling).toBe(true))
  // Acknowledged: not 待同步 any more (but still replayed, see `replayed`).
  await waitFor(() => expect(sync.pendingCount).toBe(0))
  const replayed = sync.pending.length
  stop()
  server.release()
  await syncing
  return { seen, replayed }
}

describe('an applied mutation between push and pull', () => {
  it('keeps a status change (profile.update) on screen', async () => {
    const server = heldServer([
      { table: 'members', id: ME, op: 'put', row: { ...self, status: 'away', awayCity: '杭州', updatedAt: '2026-03-01T00:00:00.000Z' } },
    ])
    await useSyncStore().start(ME, { schedule: false, transport: server.transport })
    await db.members.put(self) // as an earlier pull left it (starting the engine adopts an empty device)
    const members = useMembersStore()
    await members.updateProfile({ status: 'away', awayCity: '杭州' })
    await waitFor(() => expect(members.self?.status).toBe('away'))

    const { seen, replayed } = await syncWatching(server, () => members.self?.status)
    expect(seen.filter((status) => status !== 'away')).toEqual([])
    expect(replayed).toBe(1)
    await waitFor(() => expect(members.unconfirmedIds.size).toBe(0))
    expect(members.self).toMatchObject({ status: 'away', awayCity: '杭州' })
    expect(await db.outbox.count()).toBe(0)
    expect(server.state.pushed).toHaveLength(1)
  })

  it('keeps a completed lesson (study.record) completed', async () => {
    const server = heldServer([
      {
        table: 'study_progress',
        id: 'm-lesson-1',
        op: 'put',
        row: { id: 'm-lesson-1', activeSeconds: 300, completed: true, lastStudiedAt: '2026-03-01T08:05:00.000Z' },
      },
    ])
    await useSyncStore().start(ME, { schedule: false, transport: server.transport })
    const study = useStudyStore()
    await useSyncStore().enqueue('study.record', {
      sessionId: crypto.randomUUID(),
      materialId: 'm-lesson-1',
      startedAt: '2026-03-01T08:00:00.000Z',
      endedAt: '2026-03-01T08:05:00.000Z',
      activeSeconds: 300,
      completed: true,
    })
    await waitFor(() => expect(study.isCompleted('m-lesson-1')).toBe(true))

    const { seen, replayed } = await syncWatching(server, () => study.isCompleted('m-lesson-1'))
    expect(seen.filter((done) => !done)).toEqual([])
    expect(replayed).toBe(1)
    await waitFor(async () => expect(await db.outbox.count()).toBe(0))
    expect(study.isCompleted('m-lesson-1')).toBe(true)
  })
})
