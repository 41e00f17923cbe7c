import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { databases, login, startServer, DEMO, type TestServer } from './helpers'

describe.each(databases)('health and demo data on %s', (kind) => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer(kind)
  })
  afterAll(() => server.close())

  it('answers /api/health with the database in use and the version', async () => {
    const response = await server.app.inject({ url: '/api/health' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ ok: true, database: kind, version: '0.1.0' })
  })

  it('loads the town, its branches, a secretary for each and at least forty members', async () => {
    const { branches, users, households } = await server.withDb(async (db) => ({
      branches: await db.selectFrom('branches').selectAll().execute(),
      users: await db.selectFrom('users').selectAll().execute(),
      households: await db.selectFrom('households').selectAll().execute(),
    }))
    expect(branches.map((b) => b.place)).toEqual(expect.arrayContaining(['合兴村', '金鸡窝村', '流洞社区']))
    expect(branches.length).toBeGreaterThanOrEqual(4)
    for (const branch of branches) {
      expect(users.filter((u) => u.role === 'secretary' && u.branch_id === branch.id)).toHaveLength(1)
    }
    expect(users.filter((u) => u.role === 'member').length).toBeGreaterThanOrEqual(40)
    expect(users.filter((u) => u.role === 'admin' && u.branch_id === null)).toHaveLength(1)
    const away = users.filter((u) => u.status === 'away')
    expect(away.length).toBeGreaterThan(0)
    expect(away.every((u) => u.away_city)).toBe(true)
    const centers = users.filter((u) => u.center_household === 1)
    expect(centers.length).toBeGreaterThan(0)
    for (const center of centers) expect(households.filter((h) => h.member_id === center.id)).toHaveLength(10)
    const member = users.find((u) => u.phone === DEMO.member)
    const secretary = users.find((u) => u.phone === DEMO.secretary)
    expect(secretary?.branch_id).toBe(member?.branch_id)
  })

  it('never loads the demo data into a database that holds data', async () => {
    await server.withDb((db) => db.updateTable('users').set({ name: '改过的名字' }).where('phone', '=', DEMO.member).execute())
    await server.withDb((db) => db.deleteFrom('households').where('id', '=', 'h-13800000003-01').execute())
    await server.reopen()
    const after = await server.withDb(async (db) => ({
      name: (await db.selectFrom('users').select('name').where('phone', '=', DEMO.member).executeTakeFirstOrThrow()).name,
      household: await db.selectFrom('households').select('id').where('id', '=', 'h-13800000003-01').executeTakeFirst(),
    }))
    expect(after).toEqual({ name: '改过的名字', household: undefined })
    // Sessions and passwords survive the restart as well.
    await login(server.app, DEMO.member)
  })

  it('starts empty when demo data is turned off', async () => {
    const empty = await startServer(kind, { seedDemoData: false })
    try {
      const health = await empty.app.inject({ url: '/api/health' })
      expect(health.statusCode).toBe(200)
      const response = await empty.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { phone: DEMO.member, password: DEMO.password },
      })
      expect(response.statusCode).toBe(401)
    } finally {
      await empty.close()
    }
  })
})
