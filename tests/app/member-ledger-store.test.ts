// The admin's 积分记录 store against the real server (in-process, SQLite): a member's ledger is read from
// GET /api/points/ledger (fetch routed to app.inject) a page at a time; corrections go through the outbox.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { DEMO, login, startServer, type TestServer } from '../server/helpers'
import { injectTransport } from '../sync/harness'
import { useSyncStore } from '~/app/stores/sync'
import { correctable, correctionProblem, LEDGER_OFFLINE_MESSAGE, useMemberLedgerStore } from '~/app/stores/memberLedger'
import type { AppDB } from '~/app/db'
import { freshDB } from './helpers'

const ADMIN_ID = 'u-jjv8xvrq2yab'
const MEMBER = 'u-s556sgtjww6k'

let server: TestServer
let adminCookie: string
let db: AppDB
let network: 'up' | 'down' = 'up'
let ledgerRequests = 0

beforeAll(async () => {
  server = await startServer('sqlite')
  adminCookie = await login(server.app, DEMO.admin)
  // 70 entries the rules gave, one every few days through 2025.
  const rows = Array.from({ length: 70 }, (_, i) => {
    const day = new Date(Date.UTC(2025, 0, 1 + i * 5)).toISOString().slice(0, 10)
    return {
      id: `article-read:study:app-${i}`,
      member_id: MEMBER,
      rule_code: 'article-read',
      rule_version: 1,
      source_id: `study:app-${i}`,
      day,
      points: 1,
      reason: null,
      created_by: null,
      created_at: `${day}T08:00:00.000Z`,
    }
  })
  await server.withDb((d) => d.insertInto('points_ledger').values(rows).execute())
})
afterAll(async () => {
  await server?.close()
})

beforeEach(async () => {
  db = freshDB()
  setActivePinia(createPinia())
  network = 'up'
  ledgerRequests = 0
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const path = String(input)
      if (!path.startsWith('/api/points/ledger?')) throw new Error(`unexpected request ${path}`)
      ledgerRequests++
      if (network === 'down') throw new TypeError('Failed to fetch')
      const response = await server.app.inject({ url: path, headers: { cookie: adminCookie } })
      return new Response(response.body, { status: response.statusCode, headers: { 'content-type': 'application/json' } })
    }),
  )
  const { transport } = injectTransport(
    () => server.app,
    () => adminCookie,
  )
  await useSyncStore().start(ADMIN_ID, { transport, schedule: false })
})
afterEach(async () => {
  useSyncStore().stop()
  vi.unstubAllGlobals()
  await db.delete()
})

describe('member ledger store', () => {
  it('reads 50 entries, then the rest on 加载更多, newest first and without repeats', async () => {
    const store = useMemberLedgerStore()
    await store.load(MEMBER)
    expect(store.entries).toHaveLength(50)
    expect(store.entries[0]!.id).toBe('article-read:study:app-69')
    expect(store.nextBefore).toEqual(expect.any(String))
    await store.more()
    expect(store.entries).toHaveLength(70)
    expect(new Set(store.entries.map((e) => e.id)).size).toBe(70)
    expect(store.entries.at(-1)!.id).toBe('article-read:study:app-0')
    expect(store.nextBefore).toBeNull()
  })

  it('says plainly it needs the network, and keeps what it read when the network drops later', async () => {
    const store = useMemberLedgerStore()
    network = 'down'
    await store.load(MEMBER)
    expect(store.reply).toBeNull()
    expect(store.offline).toBe(true)
    expect(store.error).toBe(LEDGER_OFFLINE_MESSAGE)
    network = 'up'
    await store.load(MEMBER)
    expect(store.error).toBe('')
    network = 'down'
    await store.more()
    expect(store.entries).toHaveLength(50)
    expect(store.error).toBe(LEDGER_OFFLINE_MESSAGE)
  })

  it('checks the reason, shows a correction as 待同步 until pushed, then reads the list again with the entry corrected', async () => {
    const store = useMemberLedgerStore()
    const sync = useSyncStore()
    await store.load(MEMBER)
    await store.more()
    const target = store.entries.find((e) => e.id === 'article-read:study:app-3')!
    expect(correctionProblem(target.id, ' 错 ')).toMatch(/请写明原因/)
    expect(correctionProblem(target.id, '错'.repeat(201))).toMatch(/200/)
    await expect(store.correct(target, '')).rejects.toThrow(/请写明原因/)

    await store.correct(target, '  系统重复记分，予以更正 ')
    await vi.waitFor(() => expect(store.stateOf(target)).toBe('waiting'))
    expect(sync.pending.map((r) => [r.name, r.args])).toEqual([
      ['points.correct', { entryId: target.id, reason: '系统重复记分，予以更正' }],
    ])
    const before = ledgerRequests

    await sync.syncNow()
    await vi.waitFor(() => expect(ledgerRequests).toBeGreaterThan(before))
    await vi.waitFor(() => expect(store.loading).toBe(false))
    // Read again as far as the admin had scrolled: the original (page 2) is still on screen, now corrected.
    expect(store.entries).toHaveLength(71)
    const corrected = store.entries.find((e) => e.id === target.id)!
    expect(corrected.correctedBy).toMatchObject({ reason: '系统重复记分，予以更正' })
    expect(correctable(corrected)).toBe(false)
    expect(store.stateOf(corrected)).toBeNull()
    const counter = store.entries[0]!
    expect(counter).toMatchObject({ correction: true, corrects: target.id, points: -1 })
    expect(correctable(counter)).toBe(false)
    await expect(store.correct(corrected, '再更正一次')).rejects.toThrow('这条积分记录已经更正过')
  })
})
