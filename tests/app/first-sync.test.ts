// A first sync of many pages (issue 14): the stores' live queries run again once per stored transaction, so
// the engine stores pages in growing groups; one query per page made a first sync grow with the square of its
// rows. Counted in query runs and store updates, never in time. The first page still shows at once, the
// 已同步 n 条 count climbs to the total, and an ordinary sync's change shows as soon as it is stored.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { effectScope, watch } from 'vue'
import { liveQuery } from 'dexie'
import { useMembersStore } from '~/app/stores/members'
import { useSyncStore } from '~/app/stores/sync'
import { useSyncProgressStore } from '~/app/stores/syncProgress'
import { useSessionStore } from '~/app/stores/session'
import { MAX_GROUP_PAGES, SyncEngine, type PullProgress } from '~/app/sync/engine'
import type { SyncTransport } from '~/app/sync/transport'
import type { AppDB } from '~/app/db'
import type { Change, PullReply } from '~/domain/sync'
import type { MemberRow } from '~/domain/members'
import { demoMe, freshDB } from './helpers'

const PAGES = 40
const PER_PAGE = 25
const TOTAL = PAGES * PER_PAGE

function memberRow(n: number, name = `党员${n}`): MemberRow {
  return {
    id: `m-${String(n).padStart(5, '0')}`,
    name,
    role: 'member',
    branchId: 'b-hexing',
    status: 'home',
    awayCity: null,
    returnDate: null,
    centerHousehold: false,
    contactPhone: null,
    updatedAt: '2026-03-01T00:00:00.000Z',
  }
}

const put = (row: MemberRow): Change => ({ table: 'members', id: row.id, op: 'put', row })

/**
 * A server with `pages` pages of members for a device with no cursor, then whatever `later` holds, one page.
 * Each reply waits a few macrotasks, as a network would: the live queries settle between pages, so each
 * stored transaction is seen on its own (one per page would show as one query run per page).
 */
function pagedServer(options: { gate?: Promise<void>; gateAt?: number } = {}) {
  const later: Change[] = []
  const asked: (string | undefined)[] = []
  const transport: SyncTransport = {
    push: async (body) => ({ results: body.mutations.map((m) => ({ id: m.id, status: 'applied' as const })) }),
    pull: async (_client, cursor): Promise<PullReply> => {
      asked.push(cursor)
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 1))
      if (cursor === `p-${PAGES}`) return { cursor: `p-${PAGES}`, hasMore: false, changes: later.splice(0) }
      const page = cursor === undefined ? 0 : Number(cursor.slice(2))
      if (options.gate && page === options.gateAt) await options.gate
      const changes = Array.from({ length: PER_PAGE }, (_, i) => put(memberRow(page * PER_PAGE + i)))
      return { cursor: `p-${page + 1}`, hasMore: page + 1 < PAGES, changes }
    },
  }
  return { transport, later, asked }
}

let db: AppDB
let scope: ReturnType<typeof effectScope>
beforeEach(() => {
  db = freshDB()
  setActivePinia(createPinia())
  scope = effectScope()
})
afterEach(async () => {
  scope.stop()
  useSyncStore().stop()
  await db.delete()
})

/** How many times a live query over the members table runs, from now until `stop`. */
function countMemberQueries() {
  let runs = 0
  const subscription = liveQuery(() => (runs++, db.members.count())).subscribe({})
  return { runs: () => runs, stop: () => subscription.unsubscribe() }
}

describe('a first sync of many pages', () => {
  it('runs a live query over the synced rows a few times, not once a page, and stores every row', async () => {
    const server = pagedServer()
    const engine = new SyncEngine(db, server.transport, demoMe.user.id)
    await engine.adoptUser()
    const queries = countMemberQueries()
    await vi.waitFor(() => expect(queries.runs()).toBe(1))

    expect(await engine.pull()).toBe(PAGES)
    await vi.waitFor(async () => expect(await db.members.count()).toBe(TOTAL))
    queries.stop()

    // Groups of 1, 2, 4, 8, 16 pages, then the last 9: six transactions, each seen once.
    const groups = Math.ceil(Math.log2(MAX_GROUP_PAGES)) + 1 + Math.ceil((PAGES - (2 * MAX_GROUP_PAGES - 1)) / MAX_GROUP_PAGES)
    expect(queries.runs() - 1).toBeLessThanOrEqual(groups)
    expect(queries.runs() - 1).toBeLessThan(PAGES / 4)
    expect(server.asked).toEqual([undefined, ...Array.from({ length: PAGES - 1 }, (_, i) => `p-${i + 1}`)])
  })

  it('updates the members store a few times, not once a page, and shows the first page before the pull ends', async () => {
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const server = pagedServer({ gate, gateAt: 3 })
    useSessionStore().me = demoMe
    await useSyncStore().start(demoMe.user.id, { schedule: false, transport: server.transport })
    const members = scope.run(() => useMembersStore())!
    const sizes: number[] = []
    const stop = watch(
      () => members.rows,
      (rows) => sizes.push(rows.length),
      { flush: 'sync' },
    )

    const syncing = useSyncStore().syncNow()
    // The first page is stored alone: 首页 has something to show while the rest comes.
    await vi.waitFor(() => expect(sizes).toContain(PER_PAGE))
    expect(sizes.at(-1)).toBeLessThan(TOTAL)
    open()
    await syncing
    await vi.waitFor(() => expect(members.rows).toHaveLength(TOTAL))
    stop()

    expect(sizes.length).toBeLessThanOrEqual(8)
    expect(members.all.map((m) => m.id)).toEqual([...members.rows].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')).map((m) => m.id))
  })

  it('counts 已同步 n 条 up to the total while it runs, and shows nothing once done', async () => {
    const server = pagedServer()
    const reported: PullProgress[] = []
    const engine = new SyncEngine(db, server.transport, demoMe.user.id, (p) => reported.push(p))
    await engine.adoptUser()
    await engine.pull()
    expect(reported.map((p) => p.rows)).toEqual(Array.from({ length: PAGES }, (_, i) => (i + 1) * PER_PAGE))
    expect(reported.at(-1)).toEqual({ rows: TOTAL, first: true, done: true })
    expect(reported.slice(0, -1).every((p) => p.first && !p.done)).toBe(true)

    // Through the sync store, as the banner reads it.
    await db.delete()
    db = freshDB()
    setActivePinia(createPinia())
    useSessionStore().me = demoMe
    await useSyncStore().start(demoMe.user.id, { schedule: false, transport: pagedServer().transport })
    const progress = useSyncProgressStore()
    const shown: (number | null)[] = []
    const stop = watch(
      () => progress.pulledRows,
      (n) => shown.push(n),
      { flush: 'sync' },
    )
    await useSyncStore().syncNow()
    stop()
    expect(shown.at(-1)).toBeNull()
    const counts = shown.filter((n) => n !== null)
    expect(counts).toEqual(Array.from({ length: PAGES - 1 }, (_, i) => (i + 1) * PER_PAGE))
  })

  it('shows an ordinary sync’s change at once, stored alone, with no progress count', async () => {
    const server = pagedServer()
    useSessionStore().me = demoMe
    await useSyncStore().start(demoMe.user.id, { schedule: false, transport: server.transport })
    const members = scope.run(() => useMembersStore())!
    await useSyncStore().syncNow()
    await vi.waitFor(() => expect(members.rows).toHaveLength(TOTAL))

    const progress = useSyncProgressStore()
    const shown: (number | null)[] = []
    const stop = watch(
      () => progress.pulledRows,
      (n) => shown.push(n),
      { flush: 'sync' },
    )
    server.later.push(put(memberRow(7, '李新名')))
    await useSyncStore().syncNow()
    await vi.waitFor(() => expect(members.byId('m-00007')?.name).toBe('李新名'))
    stop()
    expect(shown.filter((n) => n !== null)).toEqual([])
    expect(members.rows).toHaveLength(TOTAL)
  })
})
