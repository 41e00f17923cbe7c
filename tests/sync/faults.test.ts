// The app's sync engine (on fake-indexeddb) against the real server, with the network, the server and other
// tabs misbehaving on purpose. docs/architecture.md, the sync core.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AppDB } from '~/app/db'
import { META_KEYS } from '~/app/constants'
import { SyncEngine } from '~/app/sync/engine'
import type { SyncTransport } from '~/app/sync/transport'
import { MAX_PUSH_BATCH, type PullReply, type PushBody } from '~/domain/sync'
import { withPendingMembers } from '~/domain/optimistic'
import { ChangeWriter, pruneTombstones } from '~/server/sync/changes'
import { LocalNotifier } from '~/server/sync/notifier'
import { FEATURES } from '~/server/features'
import { SyncService } from '~/server/sync/service'
import { demoUserId } from '../demo-users'
import { DEMO, databases, login, startServer, type TestServer } from '../server/helpers'
import { clientId, pullAll } from '../server/sync-helpers'
import { injectTransport, NetworkError } from './harness'
import {
  asSnapshot,
  closeServer,
  inspectServer,
  memberRow,
  rig,
  syncedSnapshot,
  uniqueDbName,
  type Exchange,
  type Rig,
  type ServerInspector,
} from './kit'

const MEMBER = 'u-66hr2jf7sv8n'
const SECRETARY = 'u-d2h5f8be4qmj'
const ADMIN = 'u-jjv8xvrq2yab'
const HEXING = 'branch:b-hexing'

const pushedIds = (log: Exchange[]) =>
  log.filter((e) => e.url === '/api/sync/push').map((e) => (e.payload as PushBody).mutations.map((m) => m.id))

describe.each(databases)('the app engine against the server under faults on %s', (kind) => {
  let server: TestServer
  let inspect: ServerInspector
  const cleanups: (() => Promise<void>)[] = []
  const track = <T extends { close(): Promise<void> }>(thing: T): T => {
    cleanups.push(() => thing.close())
    return thing
  }

  beforeAll(async () => {
    server = await startServer(kind)
    inspect = inspectServer(server.config)
  })
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })
  afterAll(async () => {
    await inspect.close()
    await closeServer(server)
  })

  /** The device's synced tables must hold exactly what a fresh device of the same user pulls. */
  async function expectSameAsServer(device: { db: AppDB }, cookie: string, on: TestServer = server) {
    const fresh = await pullAll(on.app, cookie, clientId())
    expect(await syncedSnapshot(device.db)).toEqual(asSnapshot(fresh.rows, device.db))
  }

  it('applies a batch sent twice only once when a second tab pushes the same outbox rows before the first deletes them', async () => {
    const log: Exchange[] = []
    const second: { tab?: SyncEngine } = {}
    const phone = track(
      await rig(() => server.app, DEMO.secretary, SECRETARY, {
        log: (e) => log.push(e),
        // Before tab 1's request goes out, tab 2 reads the same, still undeleted, outbox rows and pushes them.
        wrap: (raw) => ({ ...raw, push: async (body) => (await second.tab!.push(), raw.push(body)) }),
      }),
    )
    await phone.engine.sync()
    second.tab = phone.tab(phone.raw)
    const ids = [
      await phone.engine.enqueue('profile.update', { memberId: 'u-tzp3tuuzx4zh', status: 'away', awayCity: '杭州' }),
      await phone.engine.enqueue('profile.update', { memberId: 'u-qcp2z3k59f5t', status: 'away', awayCity: '苏州' }),
      await phone.engine.enqueue('profile.update', { memberId: 'u-tzp3tuuzx4zh', status: 'home' }),
    ]
    const before = await inspect.version(HEXING)
    log.length = 0

    await phone.engine.sync()

    expect(pushedIds(log)).toEqual([ids, ids])
    const applied = await inspect.applied(ids)
    expect(applied.map((r) => [r.id, r.status]).sort()).toEqual(ids.map((id) => [id, 'applied']).sort())
    expect(await inspect.version(HEXING)).toBe(before + ids.length)
    expect(await phone.db.outbox.count()).toBe(0)
    expect(await inspect.user('u-tzp3tuuzx4zh')).toMatchObject({ status: 'home', away_city: null })
    expect(await inspect.user('u-qcp2z3k59f5t')).toMatchObject({ status: 'away', away_city: '苏州' })
    await expectSameAsServer(phone, phone.cookie())
  })

  it('applies a mutation whose reply was lost exactly once: sync fails, the outbox keeps it, and the resend gets the stored result', async () => {
    const log: Exchange[] = []
    const phone = track(await rig(() => server.app, DEMO.member, MEMBER, { log: (e) => log.push(e) }))
    await phone.engine.sync()
    const id = await phone.engine.enqueue('profile.update', { status: 'away', awayCity: '上海', phone: '13912340001' })
    const before = await inspect.version(HEXING)
    log.length = 0

    phone.faults.loseReplyAfterCommit = 1
    await expect(phone.engine.sync()).rejects.toBeInstanceOf(NetworkError)
    expect(await phone.outboxIds()).toEqual([id])
    // The server did commit it before the reply was lost.
    expect((await inspect.applied([id])).map((r) => r.status)).toEqual(['applied'])
    expect(await inspect.version(HEXING)).toBe(before + 1)
    const committed = await inspect.user(MEMBER)

    expect(await phone.engine.sync()).toEqual({ applied: 1, rejected: [] })
    expect(pushedIds(log)).toEqual([[id], [id]])
    expect(await phone.db.outbox.count()).toBe(0)
    expect(await inspect.applied([id])).toHaveLength(1)
    expect(await inspect.version(HEXING)).toBe(before + 1)
    expect(await inspect.user(MEMBER)).toEqual(committed)
    expect(await phone.db.members.get(MEMBER)).toMatchObject({ status: 'away', awayCity: '上海', contactPhone: '13912340001' })
  })

  it('carries on after the server restarts between two push batches, applying every mutation once', async () => {
    const sizes: number[] = []
    const phone = track(
      await rig(() => server.app, DEMO.member, MEMBER, {
        wrap: (raw) => ({
          ...raw,
          push: async (body) => {
            const reply = await raw.push(body)
            sizes.push(body.mutations.length)
            if (sizes.length === 1) await server.reopen()
            return reply
          },
        }),
      }),
    )
    await phone.engine.sync()
    const ids: string[] = []
    const count = MAX_PUSH_BATCH + 20
    for (let i = 0; i < count; i++) {
      ids.push(await phone.engine.enqueue('profile.update', i % 2 ? { status: 'home' } : { status: 'away', awayCity: `城市${i}` }))
    }
    const before = await inspect.version(HEXING)

    expect(await phone.engine.sync()).toEqual({ applied: count, rejected: [] })

    expect(sizes).toEqual([MAX_PUSH_BATCH, 20])
    const applied = await inspect.applied(ids)
    expect(applied).toHaveLength(count)
    expect(applied.every((r) => r.status === 'applied')).toBe(true)
    expect(await inspect.version(HEXING)).toBe(before + count)
    expect(await phone.db.outbox.count()).toBe(0)
    expect(await phone.db.members.get(MEMBER)).toMatchObject({ status: 'home', awayCity: null })
    await expectSameAsServer(phone, phone.cookie())
  })

  it('answers a mutation resent after a server restart with its stored result, applying it once', async () => {
    const phone = track(await rig(() => server.app, DEMO.member, MEMBER))
    await phone.engine.sync()
    const id = await phone.engine.enqueue('profile.update', { status: 'away', awayCity: '苏州' })
    const before = await inspect.version(HEXING)
    phone.faults.loseReplyAfterCommit = 1
    await expect(phone.engine.sync()).rejects.toBeInstanceOf(NetworkError)

    await server.reopen()
    // The session lives in the database: the same cookie still works after the restart.
    expect(await phone.engine.sync()).toEqual({ applied: 1, rejected: [] })

    expect(await inspect.applied([id])).toHaveLength(1)
    expect(await inspect.version(HEXING)).toBe(before + 1)
    expect(await phone.db.outbox.count()).toBe(0)
    expect(await phone.db.members.get(MEMBER)).toMatchObject({ status: 'away', awayCity: '苏州' })
  })

  it('keeps the outbox intact while the network fails three times, then sends it once it works', async () => {
    const phone = track(await rig(() => server.app, DEMO.member, MEMBER))
    await phone.engine.sync()
    const ids = [
      await phone.engine.enqueue('profile.update', { status: 'away', awayCity: '杭州' }),
      await phone.engine.enqueue('profile.update', { status: 'away', awayCity: '上海', returnDate: '2026-12-01' }),
    ]
    const before = await inspect.version(HEXING)
    const rowBefore = await phone.db.members.get(MEMBER)

    phone.faults.failBeforeSend = 3
    for (let attempt = 1; attempt <= 3; attempt++) {
      await expect(phone.engine.sync()).rejects.toBeInstanceOf(NetworkError)
      expect(await phone.outboxIds()).toEqual(ids)
      expect(await phone.db.members.get(MEMBER)).toEqual(rowBefore)
    }
    expect(await inspect.applied(ids)).toEqual([])
    expect(await inspect.version(HEXING)).toBe(before)

    expect(await phone.engine.sync()).toEqual({ applied: 2, rejected: [] })
    expect(await phone.db.outbox.count()).toBe(0)
    expect(await inspect.applied(ids)).toHaveLength(2)
    expect(await inspect.version(HEXING)).toBe(before + 2)
    expect(await phone.db.members.get(MEMBER)).toMatchObject({ status: 'away', awayCity: '上海', returnDate: '2026-12-01' })
  })

  it('keeps a mutation written while a push is in flight and sends it next time', async () => {
    const bodies: PushBody[] = []
    let late: string | undefined
    const self: { phone?: Rig } = {}
    const phone = track(
      await rig(() => server.app, DEMO.member, MEMBER, {
        wrap: (raw) => ({
          ...raw,
          push: async (body) => {
            bodies.push(body)
            if (bodies.length === 1) {
              // The member taps again while the first request is on its way.
              late = await self.phone!.engine.enqueue('profile.update', { status: 'away', awayCity: '苏州' })
              return raw.push(body)
            }
            if (bodies.length === 2) throw new NetworkError('offline again')
            return raw.push(body)
          },
        }),
      }),
    )
    self.phone = phone
    await phone.engine.sync()
    const first = await phone.engine.enqueue('profile.update', { status: 'away', awayCity: '杭州' })

    await expect(phone.engine.sync()).rejects.toBeInstanceOf(NetworkError)

    expect(bodies.map((b) => b.mutations.map((m) => m.id))).toEqual([[first], [late]])
    expect(await phone.outboxIds()).toEqual([late])
    expect((await inspect.applied([first, late!])).map((r) => r.id)).toEqual([first])

    expect(await phone.engine.sync()).toEqual({ applied: 1, rejected: [] })
    expect(bodies.at(-1)!.mutations.map((m) => m.id)).toEqual([late])
    expect(await phone.db.outbox.count()).toBe(0)
    expect(await inspect.applied([first, late!])).toHaveLength(2)
    expect(await phone.db.members.get(MEMBER)).toMatchObject({ status: 'away', awayCity: '苏州' })
  })

  it('applies each mutation exactly once when three tabs sync at the same time without a lock', async () => {
    const phone = track(await rig(() => server.app, DEMO.secretary, SECRETARY))
    const tabs = [phone.engine, phone.tab(), phone.tab()]
    await phone.engine.sync()
    const cities = ['杭州', '苏州', '上海']
    for (let round = 0; round < 3; round++) {
      const ids: string[] = []
      for (const [i, tab] of tabs.entries()) {
        ids.push(
          await tab.enqueue('profile.update', {
            memberId: demoUserId(`1380000000${3 + i}`),
            status: 'away',
            awayCity: cities[(i + round) % 3]!,
          }),
        )
        ids.push(
          await tab.enqueue('profile.update', {
            memberId: demoUserId(`1380000000${6 + i}`),
            status: round % 2 ? 'home' : 'away',
            awayCity: '上海',
          }),
        )
      }
      const before = await inspect.version(HEXING)

      await Promise.all(tabs.map((tab) => tab.sync()))

      const applied = await inspect.applied(ids)
      expect(applied.map((r) => r.id).sort()).toEqual([...ids].sort())
      expect(applied.every((r) => r.status === 'applied')).toBe(true)
      expect(await inspect.version(HEXING)).toBe(before + ids.length)
      expect(await phone.db.outbox.count()).toBe(0)
      expect(await phone.db.rejected.count()).toBe(0)
      for (const [i] of tabs.entries()) {
        expect(await phone.db.members.get(demoUserId(`1380000000${3 + i}`))).toMatchObject({
          status: 'away',
          awayCity: cities[(i + round) % 3],
        })
      }
      await expectSameAsServer(phone, phone.cookie())
    }
  })

  it('answers every tab when several tabs push the same rejected mutations at the same time', async () => {
    const phone = track(await rig(() => server.app, DEMO.member, MEMBER))
    const tabs = [phone.engine, phone.tab(), phone.tab()]
    await phone.engine.sync()
    for (let round = 0; round < 3; round++) {
      const rejectedIds = [
        await phone.engine.enqueue('profile.update', { memberId: 'u-g58cv523zthc', status: 'away', awayCity: '杭州' }),
        await phone.engine.enqueue('profile.update', { memberId: 'u-v3dbuda5vaig', status: 'home' }),
      ]
      const appliedId = await phone.engine.enqueue('profile.update', { status: 'away', awayCity: `城市${round}` })

      const outcomes = await Promise.allSettled(tabs.map((tab) => tab.sync()))

      expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason))).toEqual([])
      const stored = await inspect.applied([...rejectedIds, appliedId])
      expect(Object.fromEntries(stored.map((r) => [r.id, r.status]))).toEqual({
        [rejectedIds[0]!]: 'rejected',
        [rejectedIds[1]!]: 'rejected',
        [appliedId]: 'applied',
      })
      expect(await phone.db.outbox.count()).toBe(0)
      expect((await phone.db.rejected.bulkGet(rejectedIds)).map((r) => r?.code)).toEqual(['forbidden', 'forbidden'])
    }
  })

  it('resumes a pull interrupted after two pages from the last fully applied page, missing and doubling nothing', async () => {
    const service = new SyncService(inspect.db, new LocalNotifier(), FEATURES)
    const admin = { id: ADMIN, role: 'admin' as const, branchId: null }
    const replies: PullReply[] = []
    const cursorsAsked: (string | undefined)[] = []
    let calls = 0
    const transport: SyncTransport = {
      push: () => Promise.reject(new Error('this device has nothing to push')),
      pull: async (client, cursor) => {
        calls++
        cursorsAsked.push(cursor)
        if (calls === 3) throw new NetworkError('connection dropped mid-pull')
        const reply = await service.pull(admin, client, cursor, 5)
        replies.push(reply)
        return reply
      },
    }
    const db = new AppDB(uniqueDbName('admin'))
    track({ close: async () => (db.close(), await db.delete()) })
    const engine = new SyncEngine(db, transport, ADMIN)
    await engine.adoptUser()

    await expect(engine.pull()).rejects.toBeInstanceOf(NetworkError)

    expect(replies).toHaveLength(2)
    expect(replies.every((r) => r.hasMore && r.changes.length === 5)).toBe(true)
    expect(await db.getMeta(META_KEYS.cursor)).toBe(replies[1]!.cursor)
    const firstTwoPages = Object.fromEntries(replies.flatMap((r) => r.changes).map((c) => [`${c.table}/${c.id}`, c.row]))
    expect(await syncedSnapshot(db)).toEqual(firstTwoPages)

    await engine.pull()

    expect(cursorsAsked[3]).toBe(replies[1]!.cursor)
    const all = replies
      .flatMap((r) => r.changes)
      .filter((c) => c.op === 'put')
      .map((c) => `${c.table}/${c.id}`)
    expect(new Set(all).size).toBe(all.length)
    expect(await db.members.count()).toBe(54)
    const fresh = await pullAll(server.app, await login(server.app, DEMO.admin), clientId())
    expect(await syncedSnapshot(db)).toEqual(asSnapshot(fresh.rows, db))
    expect(all.sort()).toEqual([...fresh.rows.keys()].filter((k) => k.split('/')[0]! in db.syncedTables).sort())
  })

  /** A server of its own whose branch b-hexing had a row deleted long ago and that tombstone pruned. */
  async function serverWithPrunedTombstone() {
    const own = await startServer(kind)
    const look = inspectServer(own.config)
    cleanups.push(async () => {
      await look.close()
      await closeServer(own)
    })
    const prune = async () => {
      await look.db.transaction().execute((trx) => new ChangeWriter(trx, '2020-01-02T00:00:00.000Z').delete(HEXING, 'members', 'x-temp'))
      await pruneTombstones(look.db, '2021-01-01T00:00:00.000Z')
      const { horizon, version } = await look.db
        .selectFrom('scope_versions')
        .select(['horizon', 'version'])
        .where('scope', '=', HEXING)
        .executeTakeFirstOrThrow()
      expect(Number(horizon)).toBe(Number(version))
    }
    await look.db
      .transaction()
      .execute((trx) => new ChangeWriter(trx, '2020-01-01T00:00:00.000Z').put(HEXING, 'members', 'x-temp', memberRow('x-temp')))
    return { own, look, prune }
  }

  const recordingPulls =
    (replies: PullReply[]) =>
    (raw: SyncTransport): SyncTransport => ({
      ...raw,
      pull: async (client, cursor) => {
        const reply = await raw.pull(client, cursor)
        replies.push(reply)
        return reply
      },
    })

  it('clears and refills the synced tables when the server answers reset after pruning tombstones, and keeps the outbox', async () => {
    const { own, look, prune } = await serverWithPrunedTombstone()
    const replies: PullReply[] = []
    const phone = track(await rig(() => own.app, DEMO.member, MEMBER, { wrap: recordingPulls(replies) }))
    await phone.engine.sync()
    expect(await phone.db.members.get('x-temp')).toBeDefined()
    // The row is deleted long ago, and its tombstone is pruned: the device's cursor is now behind the horizon.
    await prune()
    // A row the server never sent this user, and a change waiting to be pushed.
    await phone.db.members.put(memberRow('x-ghost'))
    const id = await phone.engine.enqueue('profile.update', { status: 'away', awayCity: '上海' })
    replies.length = 0

    await phone.engine.pull()

    expect(replies[0]!.reset).toBe(true)
    expect(await phone.db.members.get('x-ghost')).toBeUndefined()
    expect(await phone.db.members.get('x-temp')).toBeUndefined()
    expect(await phone.db.members.count()).toBe(12)
    await expectSameAsServer(phone, phone.cookie(), own)
    expect(await phone.outboxIds()).toEqual([id])

    expect(await phone.engine.sync()).toEqual({ applied: 1, rejected: [] })
    expect(await phone.db.outbox.count()).toBe(0)
    expect(await phone.db.members.get(MEMBER)).toMatchObject({ status: 'away', awayCity: '上海' })
    expect(await look.applied([id])).toHaveLength(1)
  })

  it('neither resets nor resends anything on later pulls of a device that first pulled after tombstones were pruned', async () => {
    const { own, prune } = await serverWithPrunedTombstone()
    await prune()
    const replies: PullReply[] = []
    const phone = track(await rig(() => own.app, DEMO.member, MEMBER, { wrap: recordingPulls(replies) }))
    await phone.engine.sync()
    expect(replies.map((r) => r.reset ?? false)).toEqual([false])
    replies.length = 0

    // Nothing changed on the server since: each pull must be an empty, ordinary answer.
    await phone.engine.sync()
    await phone.engine.sync()

    expect(replies.map((r) => ({ reset: r.reset ?? false, changes: r.changes.length }))).toEqual([
      { reset: false, changes: 0 },
      { reset: false, changes: 0 },
    ])
  })

  it('resets a device whose client id the server does not know, and keeps its outbox', async () => {
    const replies: PullReply[] = []
    const phone = track(
      await rig(() => server.app, DEMO.member, MEMBER, {
        wrap: (raw) => ({
          ...raw,
          pull: async (c, cursor) => {
            const r = await raw.pull(c, cursor)
            replies.push(r)
            return r
          },
        }),
      }),
    )
    await phone.engine.sync()
    const oldClient = await phone.engine.clientId()
    await phone.db.deleteMeta(META_KEYS.clientIdPrefix + MEMBER)
    await phone.db.members.put(memberRow('x-ghost'))
    const id = await phone.engine.enqueue('profile.update', { status: 'away', awayCity: '杭州' })
    replies.length = 0

    await phone.engine.pull()

    expect(await phone.engine.clientId()).not.toBe(oldClient)
    expect(replies[0]!.reset).toBe(true)
    expect(await phone.db.members.get('x-ghost')).toBeUndefined()
    await expectSameAsServer(phone, phone.cookie())
    expect(await phone.outboxIds()).toEqual([id])
    expect(await phone.engine.sync()).toEqual({ applied: 1, rejected: [] })
    expect(await phone.db.outbox.count()).toBe(0)
    expect(await phone.db.members.get(MEMBER)).toMatchObject({ status: 'away', awayCity: '杭州' })
  })

  it('records a rejected mutation with its reason, removes it from the outbox, and stops showing its effect', async () => {
    const phone = track(await rig(() => server.app, DEMO.member, MEMBER))
    await phone.engine.sync()
    const serverBefore = [await inspect.user('u-v3dbuda5vaig'), await inspect.user('u-g58cv523zthc')]
    // Another branch's member, and a fellow member of the branch: a plain member may change neither.
    const otherBranch = await phone.engine.enqueue('profile.update', { memberId: 'u-g58cv523zthc', status: 'away', awayCity: '杭州' })
    const peer = await phone.engine.enqueue('profile.update', {
      memberId: 'u-v3dbuda5vaig',
      status: 'away',
      awayCity: '上海',
      phone: '13912340002',
    })
    const shown = async () => withPendingMembers(await phone.db.members.toArray(), await phone.db.outbox.toArray())
    expect((await shown()).find((r) => r.id === 'u-v3dbuda5vaig')).toMatchObject({
      status: 'away',
      awayCity: '上海',
      contactPhone: '13912340002',
    })

    const outcome = await phone.engine.sync()

    expect(outcome.applied).toBe(0)
    expect(outcome.rejected.map((r) => r.id)).toEqual([otherBranch, peer])
    expect(await phone.db.outbox.count()).toBe(0)
    const rejected = await phone.db.rejected.bulkGet([otherBranch, peer])
    const stored = new Map((await inspect.applied([otherBranch, peer])).map((r) => [r.id, r]))
    for (const row of rejected) {
      expect(row).toMatchObject({ userId: MEMBER, name: 'profile.update', code: 'forbidden' })
      expect(row!.message).toMatch(/[\u4e00-\u9fff]/)
      expect(stored.get(row!.id)).toMatchObject({ status: 'rejected', code: 'forbidden', message: row!.message })
    }
    expect(await shown()).toEqual(await phone.db.members.toArray())
    expect((await shown()).find((r) => r.id === 'u-v3dbuda5vaig')).toMatchObject({ status: 'away', awayCity: '杭州', contactPhone: null })
    expect([await inspect.user('u-v3dbuda5vaig'), await inspect.user('u-g58cv523zthc')]).toEqual(serverBefore)
    await expectSameAsServer(phone, phone.cookie())
  })

  it('never pushes one user’s queued mutation under another user’s session, and pushes it when that user is back', async () => {
    const log: Exchange[] = []
    const a = track(await rig(() => server.app, DEMO.member, MEMBER, { log: (e) => log.push(e) }))
    await a.engine.sync()
    a.faults.failBeforeSend = Number.MAX_SAFE_INTEGER
    const queued = await a.engine.enqueue('profile.update', { status: 'away', awayCity: '上海', phone: '13912340003' })
    await expect(a.engine.sync()).rejects.toBeInstanceOf(NetworkError)
    const serverA = await inspect.user(MEMBER)

    // Member B (another branch) signs in on the same phone.
    const cookieB = await login(server.app, '13800000011')
    const b = injectTransport(
      () => server.app,
      () => cookieB,
    )
    const bLog: string[] = []
    const bTransport: SyncTransport = {
      ...b.transport,
      push: (body) => (bLog.push(...body.mutations.map((m) => m.id)), b.transport.push(body)),
    }
    const engineB = new SyncEngine(a.db, bTransport, 'u-g58cv523zthc')
    await engineB.adoptUser()
    expect(await a.db.members.count()).toBe(0)
    await engineB.sync()

    expect(bLog).toEqual([])
    expect(await inspect.applied([queued])).toEqual([])
    expect(await inspect.user(MEMBER)).toEqual(serverA)
    expect(await a.outboxIds()).toEqual([queued])
    const rowsB = await a.db.members.toArray()
    expect(rowsB.every((r) => r.branchId === 'b-jinjiwo' || r.branchId === null)).toBe(true)
    expect(rowsB.some((r) => r.id === 'u-g58cv523zthc')).toBe(true)
    expect(await a.db.getMeta(META_KEYS.syncUser)).toBe('u-g58cv523zthc')
    await expectSameAsServer(a, cookieB)

    // A signs in again: the tables become A's and A's queued change goes out under A's session.
    a.faults.failBeforeSend = 0
    await a.engine.adoptUser()
    log.length = 0
    expect(await a.engine.sync()).toEqual({ applied: 1, rejected: [] })
    expect(pushedIds(log)).toEqual([[queued]])
    expect((await inspect.applied([queued]))[0]).toMatchObject({ user_id: MEMBER, status: 'applied' })
    expect(await a.db.outbox.count()).toBe(0)
    expect(await a.db.members.get(MEMBER)).toMatchObject({ status: 'away', awayCity: '上海', contactPhone: '13912340003' })
    expect((await a.db.members.toArray()).every((r) => r.branchId === 'b-hexing' || r.branchId === null)).toBe(true)
    await expectSameAsServer(a, a.cookie())
  })
})
