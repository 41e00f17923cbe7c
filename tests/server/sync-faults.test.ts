import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, pull, pullAll, push } from './sync-helpers'
import { openDatabase } from '~/server/db'
import { buildApp } from '~/server/app'
import { ChangeWriter, pruneTombstones } from '~/server/sync/changes'
import { SyncService } from '~/server/sync/service'
import { FEATURES } from '~/server/features'
import { LocalNotifier } from '~/server/sync/notifier'
import type { Change } from '~/domain/sync'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Reads server-sent events from a real socket until `event` arrives. */
async function openEvents(app: FastifyInstance, cookie: string) {
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const controller = new AbortController()
  const response = await fetch(`${address}/api/events`, { headers: { cookie }, signal: controller.signal })
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/)
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  return {
    async waitFor(event: string, timeoutMs = 5000): Promise<string> {
      const deadline = Date.now() + timeoutMs
      while (!buffer.includes(`event: ${event}\n`)) {
        const left = deadline - Date.now()
        if (left <= 0) throw new Error(`no "${event}" event; got: ${buffer}`)
        const chunk = await Promise.race([reader.read(), sleep(left).then(() => null)])
        if (chunk === null) continue
        if (chunk.done) throw new Error(`stream ended; got: ${buffer}`)
        buffer += decoder.decode(chunk.value)
      }
      const at = buffer.indexOf(`event: ${event}\n`)
      const message = buffer.slice(at, buffer.indexOf('\n\n', at))
      buffer = buffer.slice(buffer.indexOf('\n\n', at) + 2)
      return message
    },
    close: () => controller.abort(),
  }
}

describe.each(databases)('sync under faults on %s', (kind) => {
  let server: TestServer
  let member: string
  beforeAll(async () => {
    server = await startServer(kind)
    member = await login(server.app, DEMO.member)
  })
  afterAll(() => server.close())

  it('pages a full pull so that every row arrives exactly once, and a page replayed changes nothing', async () => {
    const { db } = openDatabase(server.config)
    try {
      const sync = new SyncService(db, new LocalNotifier(), FEATURES)
      const admin = { id: 'u-jjv8xvrq2yab', role: 'admin' as const, branchId: null }
      const device = clientId()
      const seen: Change[] = []
      let cursor: string | undefined
      let pages = 0
      for (;;) {
        const page = await sync.pull(admin, device, cursor, 7)
        expect(page.changes.length).toBeLessThanOrEqual(7)
        // A crash after receiving a page but before storing its cursor: the same page comes again.
        if (pages === 2) expect((await sync.pull(admin, device, cursor, 7)).changes).toEqual(page.changes)
        seen.push(...page.changes)
        cursor = page.cursor
        pages++
        if (!page.hasMore) break
      }
      expect(pages).toBeGreaterThan(5)
      const members = seen.filter((c) => c.table === 'members')
      expect(members.length).toBe(54)
      expect(new Set(members.map((c) => c.id)).size).toBe(54)
      expect(seen.filter((c) => c.table === 'branches').length).toBe(5)
    } finally {
      await db.destroy()
    }
  })

  it('sends a tombstone for a deleted row, and a reset to a cursor older than the pruned tombstones', async () => {
    const device = clientId()
    const { cursor } = await pullAll(server.app, member, device)
    const { db } = openDatabase(server.config)
    try {
      await db
        .transaction()
        .execute((trx) => new ChangeWriter(trx, '2026-01-01T00:00:00.000Z').delete('branch:b-hexing', 'members', 'u-2sxm9c477t5z'))
      const next = await pull(server.app, member, device, cursor)
      expect(next.changes).toEqual([{ table: 'members', id: 'u-2sxm9c477t5z', op: 'delete' }])
      // A fresh device never gets tombstones for rows it never had.
      expect((await pullAll(server.app, member, clientId())).members.length).toBe(11)
      await pruneTombstones(db, '2026-06-01T00:00:00.000Z')
      expect((await pull(server.app, member, device, next.cursor)).reset).toBeUndefined()
      const stale = await pull(server.app, member, device, cursor)
      expect(stale.reset).toBe(true)
      expect(stale.changes.filter((c) => c.op === 'put' && c.table === 'members').length).toBe(11)
    } finally {
      await db.destroy()
    }
  })

  it('pokes a signed-in secretary’s event stream when a member of the branch changes', async () => {
    const secretary = await login(server.app, DEMO.secretary)
    const events = await openEvents(server.app, secretary)
    try {
      await events.waitFor('ready')
      await push(server.app, member, clientId(), [mutation('profile.update', { status: 'away', awayCity: '宁波' })])
      expect(await events.waitFor('poke')).toContain('branch:b-hexing')
    } finally {
      events.close()
    }
  })

  // Only PostgreSQL runs several instances on one database; SQLite is one process by design.
  if (kind === 'postgres')
    it('pokes across two server instances on one PostgreSQL (LISTEN/NOTIFY)', async () => {
      const other = await buildApp(server.config)
      try {
        const secretary = await login(other, DEMO.secretary)
        const events = await openEvents(other, secretary)
        try {
          await events.waitFor('ready')
          await push(server.app, member, clientId(), [mutation('profile.update', { status: 'home' })])
          expect(await events.waitFor('poke')).toContain('branch:b-hexing')
        } finally {
          events.close()
        }
      } finally {
        await other.close()
      }
    })

  if (kind === 'postgres')
    it('never lets a reader skip a version when two transactions would commit out of order', async () => {
      const device = clientId()
      const { cursor } = await pullAll(server.app, member, device)
      const a = openDatabase(server.config)
      const b = openDatabase(server.config)
      try {
        let releaseFirst!: () => void
        const firstMayCommit = new Promise<void>((r) => (releaseFirst = r))
        let firstWrote!: () => void
        const firstHasWritten = new Promise<void>((r) => (firstWrote = r))
        const now = new Date().toISOString()
        const row = (id: string) => ({
          id,
          name: id,
          role: 'member',
          branchId: 'b-hexing',
          status: 'home',
          awayCity: null,
          returnDate: null,
          centerHousehold: false,
          contactPhone: null,
          updatedAt: now,
        })
        const first = a.db.transaction().execute(async (trx) => {
          await new ChangeWriter(trx, now).put('branch:b-hexing', 'members', 'x-first', row('x-first'))
          firstWrote()
          await firstMayCommit
        })
        await firstHasWritten
        let secondDone = false
        const second = b.db
          .transaction()
          .execute((trx) => new ChangeWriter(trx, now).put('branch:b-hexing', 'members', 'x-second', row('x-second')))
          .then(() => (secondDone = true))
        await sleep(300)
        // The second writer waits on the first's lock of the scope counter: it cannot take a later
        // version and commit before the first one does.
        expect(secondDone).toBe(false)
        const middle = await pull(server.app, member, device, cursor)
        expect(middle.changes).toEqual([])
        releaseFirst()
        await first
        await second
        const after = await pull(server.app, member, device, middle.cursor)
        expect(after.changes.map((c) => c.id)).toEqual(['x-first', 'x-second'])
      } finally {
        await a.db.destroy()
        await b.db.destroy()
      }
    })
})
