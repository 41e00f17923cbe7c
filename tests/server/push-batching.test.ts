// Issue 14: a batch's changes and records are written at its end and each scope's version taken once, a
// refusal sends the batch down the savepoint path, SQLite pushes share transactions and reads use a second
// connection. Each guarantee below fails if that machinery breaks it.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, pull, pullAll, push } from './sync-helpers'

const HEXING_MEMBERS = ['13800000001', '13800000002', '13800000003', '13800000004', '13800000005']
const OTHER_BRANCH_MEMBER = 'u-g58cv523zthc' // 曹金山, b-jinjiwo
const PROMOTED = 'u-v3dbuda5vaig' // 李俊杰, a member of b-hexing

describe.each(databases)('push batching on %s', (kind) => {
  let server: TestServer
  let member: string
  let admin: string
  beforeAll(async () => {
    server = await startServer(kind)
    member = await login(server.app, DEMO.member)
    admin = await login(server.app, DEMO.admin)
  })
  afterAll(() => server.close())

  const scopeRows = (scope: string) =>
    server.withDb(async (db) => ({
      counter: Number(
        (await db.selectFrom('scope_versions').select('version').where('scope', '=', scope).executeTakeFirst())?.version ?? 0,
      ),
      versions: (await db.selectFrom('sync_rows').select('version').where('scope', '=', scope).execute()).map((r) => Number(r.version)),
    }))

  it('keeps a scope’s versions distinct and its counter at the last one while five members push to one branch at once', async () => {
    const before = await scopeRows('branch:b-hexing')
    const cookies = await Promise.all(HEXING_MEMBERS.map((phone) => login(server.app, phone)))
    const watcher = clientId()
    let cursor = (await pullAll(server.app, member, watcher)).cursor
    const replies = await Promise.all(
      cookies.map(async (cookie, n) => {
        const device = clientId()
        const results = []
        for (let round = 0; round < 3; round++) {
          const batch = Array.from({ length: 10 }, (_, i) =>
            mutation('profile.update', { status: (n + round + i) % 2 === 0 ? 'away' : 'home', awayCity: '杭州' }),
          )
          results.push(...(await push(server.app, cookie, device, batch)))
          // A device of the branch pulls in between: it must never skip a version.
          const page = await pull(server.app, member, watcher, cursor)
          cursor = page.cursor
        }
        return results
      }),
    )
    expect(replies.flat().every((r) => r.status === 'applied')).toBe(true)
    const after = await scopeRows('branch:b-hexing')
    expect(new Set(after.versions).size).toBe(after.versions.length)
    expect(Math.max(...after.versions)).toBe(after.counter)
    // One version per write, taken together at each transaction's end: 5 members × 3 batches × 10 updates.
    expect(after.counter - before.counter).toBe(150)
    // The watcher, pulling between pushes, ends with every member as the database has them.
    const rest = await pullAll(server.app, member, watcher, cursor)
    const seen = new Map((await pullAll(server.app, member, clientId())).members.map((m) => [m.id, m.status]))
    const users = await server.withDb((db) => db.selectFrom('users').select(['id', 'status']).where('branch_id', '=', 'b-hexing').execute())
    for (const user of users) expect(seen.get(user.id)).toBe(user.status)
    expect(rest.cursor).toBeTruthy()
  })

  it('rolls back a refused mutation in the middle of a batch alone, and answers a resend from the records', async () => {
    const device = clientId()
    const first = mutation('profile.update', { status: 'away', awayCity: '苏州' })
    const refused = mutation('profile.update', { memberId: OTHER_BRANCH_MEMBER, status: 'away', awayCity: '宁波' })
    const third = mutation('profile.update', { status: 'home' })
    const batch = [first, refused, third]
    const results = await push(server.app, member, device, batch)
    expect(results.map((r) => r.status)).toEqual(['applied', 'rejected', 'applied'])
    const other = await server.withDb((db) =>
      db.selectFrom('users').select('status').where('id', '=', OTHER_BRANCH_MEMBER).executeTakeFirstOrThrow(),
    )
    expect(other.status).toBe('home')
    const records = await server.withDb((db) =>
      db
        .selectFrom('applied_mutations')
        .select(['id', 'status'])
        .where(
          'id',
          'in',
          batch.map((m) => m.id),
        )
        .execute(),
    )
    expect(records).toHaveLength(3)
    const counter = (await scopeRows('branch:b-hexing')).counter
    expect(await push(server.app, member, device, batch)).toEqual(results)
    expect((await scopeRows('branch:b-hexing')).counter).toBe(counter)
  })

  it('answers an id sent twice in one batch as the first time, and applies it once', async () => {
    const change = mutation('profile.update', { status: 'away', awayCity: '上海' })
    const counter = (await scopeRows('branch:b-hexing')).counter
    const results = await push(server.app, member, clientId(), [change, change])
    expect(results).toEqual([
      { id: change.id, status: 'applied' },
      { id: change.id, status: 'applied' },
    ])
    expect((await scopeRows('branch:b-hexing')).counter).toBe(counter + 1)
  })

  it('takes back, in the same batch, meeting keys an earlier mutation of the batch granted', async () => {
    const results = await push(server.app, admin, clientId(), [
      mutation('member.role', { memberId: PROMOTED, role: 'secretary' }),
      mutation('member.role', { memberId: PROMOTED, role: 'member' }),
    ])
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied'])
    const keys = await server.withDb((db) =>
      db.selectFrom('sync_rows').select('op').where('scope', '=', `user:${PROMOTED}`).where('table_name', '=', 'meeting_keys').execute(),
    )
    expect(keys.length).toBeGreaterThan(0)
    expect(keys.every((k) => k.op === 'delete')).toBe(true)
  })

  it('applies many members’ pushes arriving at once, a refusal among them, each exactly once', async () => {
    const cookies = await Promise.all(HEXING_MEMBERS.map((phone) => login(server.app, phone)))
    const batches = cookies.map((cookie, n) => ({
      cookie,
      device: clientId(),
      mutations:
        n === 2
          ? [
              mutation('profile.update', { memberId: OTHER_BRANCH_MEMBER, status: 'away', awayCity: '宁波' }),
              mutation('profile.update', { status: 'home' }),
            ]
          : [mutation('profile.update', { status: 'away', awayCity: '杭州' })],
    }))
    const replies = await Promise.all(batches.map((b) => push(server.app, b.cookie, b.device, b.mutations)))
    expect(replies.map((r) => r.map((x) => x.status))).toEqual([
      ['applied'],
      ['applied'],
      ['rejected', 'applied'],
      ['applied'],
      ['applied'],
    ])
    const again = await Promise.all(batches.map((b) => push(server.app, b.cookie, b.device, b.mutations)))
    expect(again).toEqual(replies)
  })

  it('answers a read while a write transaction is open (SQLite: it holds the one writer), without its uncommitted row', async () => {
    await server.withDb(async (db) => {
      const trx = await db.startTransaction().execute()
      try {
        await trx.updateTable('users').set({ away_city: '未提交' }).where('id', '=', OTHER_BRANCH_MEMBER).execute()
        // On one connection this read would wait for the transaction, which waits for it: the test would hang.
        const row = await db.selectFrom('users').select('away_city').where('id', '=', OTHER_BRANCH_MEMBER).executeTakeFirstOrThrow()
        expect(row.away_city).not.toBe('未提交')
        const health = await server.app.inject({ method: 'GET', url: '/api/health' })
        expect(health.statusCode).toBe(200)
      } finally {
        await trx.rollback().execute()
      }
      await sql`select 1`.execute(db)
    })
  })
})
