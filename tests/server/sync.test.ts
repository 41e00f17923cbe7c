import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, pull, pullAll, push } from './sync-helpers'

describe.each(databases)('sync push and pull on %s', (kind) => {
  let server: TestServer
  let member: string
  let secretary: string
  let admin: string
  beforeAll(async () => {
    server = await startServer(kind)
    member = await login(server.app, DEMO.member)
    secretary = await login(server.app, DEMO.secretary)
    admin = await login(server.app, DEMO.admin)
  })
  afterAll(() => server.close())

  const counts = () =>
    server.withDb(async (db) => ({
      applied: Number(
        (
          await db
            .selectFrom('applied_mutations')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
      versions: await db.selectFrom('scope_versions').select(['scope', 'version']).orderBy('scope').execute(),
      users: await db.selectFrom('users').select(['id', 'status', 'away_city', 'updated_at']).orderBy('id').execute(),
    }))

  it('gives a member their branch roster, with other members’ contact phones hidden', async () => {
    const { members, branches } = await pullAll(server.app, member, clientId())
    expect(branches.length).toBe(5)
    // The branch's ten members and secretary, and the town's admin.
    expect(members.length).toBe(12)
    expect(new Set(members.map((m) => m.branchId))).toEqual(new Set(['b-hexing', null]))
    expect(members.find((m) => m.id === 'u-66hr2jf7sv8n')?.contactPhone).toBe('13800000001')
    expect(members.filter((m) => m.id !== 'u-66hr2jf7sv8n').every((m) => m.contactPhone === null)).toBe(true)
    expect(members.find((m) => m.role === 'admin')?.name).toBe('周卫东')
  })

  it('gives a secretary their branch with phones, and the admin every branch and the town', async () => {
    const branch = (await pullAll(server.app, secretary, clientId())).members
    expect(branch.length).toBe(12)
    expect(branch.filter((m) => m.branchId === 'b-hexing').length).toBe(11)
    expect(branch.filter((m) => m.branchId === 'b-hexing').every((m) => m.contactPhone)).toBe(true)
    const town = (await pullAll(server.app, admin, clientId())).members
    expect(town.length).toBe(54)
    expect(new Set(town.map((m) => m.branchId)).size).toBe(6) // five branches and the admin's null
  })

  it('applies a status change once and delivers only it on the next pull, to the member and the secretary', async () => {
    const device = clientId()
    const secretaryDevice = clientId()
    const before = await pullAll(server.app, member, device)
    const secretaryBefore = await pullAll(server.app, secretary, secretaryDevice)
    const change = mutation('profile.update', { status: 'away', awayCity: '杭州', returnDate: '2027-02-01' })
    expect(await push(server.app, member, device, [change])).toEqual([{ id: change.id, status: 'applied' }])
    const next = await pull(server.app, member, device, before.cursor)
    expect(next.changes).toHaveLength(1)
    expect(next.changes[0]).toMatchObject({ table: 'members', id: 'u-66hr2jf7sv8n', op: 'put', row: { status: 'away', awayCity: '杭州' } })
    const seen = await pull(server.app, secretary, secretaryDevice, secretaryBefore.cursor)
    expect(seen.changes.map((c) => c.id)).toEqual(['u-66hr2jf7sv8n'])
    expect(await pull(server.app, member, device, next.cursor)).toMatchObject({ changes: [], hasMore: false })
  })

  it('answers the same batch sent twice with the stored results and changes nothing the second time', async () => {
    const device = clientId()
    const batch = [mutation('profile.update', { status: 'home' }), mutation('profile.update', { status: 'away', awayCity: '苏州' })]
    const first = await push(server.app, member, device, batch)
    const after = await counts()
    const second = await push(server.app, member, device, batch)
    expect(second).toEqual(first)
    expect(await counts()).toEqual(after)
  })

  it('keeps the record across a server restart, so a batch resent after it is not applied again', async () => {
    const device = clientId()
    const batch = [mutation('profile.update', { status: 'home', phone: '13912345678' })]
    await push(server.app, member, device, batch)
    const before = await counts()
    await server.reopen()
    expect(await push(server.app, member, device, batch)).toEqual([{ id: batch[0]!.id, status: 'applied' }])
    expect(await counts()).toEqual(before)
  })

  it('rejects, with a reason and without writing, unknown names, bad arguments and acting for another member', async () => {
    const device = clientId()
    const before = await counts()
    const batch = [
      mutation('points.give', { points: 1000 }),
      mutation('profile.update', { status: 'away' }),
      mutation('profile.update', { status: 'sometimes' }),
      mutation('profile.update', { status: 'home', memberId: 'u-v3dbuda5vaig' }),
      mutation('profile.update', { status: 'home', memberId: 'u-nobody' }),
    ]
    const results = await push(server.app, member, device, batch)
    expect(results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'unknown_mutation',
      'invalid_args',
      'invalid_args',
      'forbidden',
      'not_found',
    ])
    expect(results[1]).toMatchObject({ message: expect.stringContaining('务工城市') })
    expect(results[3]).toMatchObject({ message: '不能修改其他党员的信息' })
    const after = await counts()
    expect(after.users).toEqual(before.users)
    expect(after.versions).toEqual(before.versions)
    expect(after.applied).toBe(before.applied + batch.length)
    // Rejections are permanent: sent again, the same answers.
    expect(await push(server.app, member, device, batch)).toEqual(results)
  })

  it('lets a secretary update a member of their own branch only', async () => {
    const device = clientId()
    const results = await push(server.app, secretary, device, [
      mutation('profile.update', { status: 'away', awayCity: '上海', memberId: 'u-qcp2z3k59f5t' }),
      mutation('profile.update', { status: 'home', memberId: 'u-g58cv523zthc' }),
    ])
    expect(results.map((r) => r.status)).toEqual(['applied', 'rejected'])
  })

  it('refuses a device id that belongs to another user', async () => {
    const device = clientId()
    await pull(server.app, member, device)
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/sync/push',
      headers: { cookie: secretary },
      payload: { clientId: device, schemaVersion: 1, mutations: [mutation('profile.update', { status: 'home' })] },
    })
    expect(response.statusCode).toBe(403)
    expect(response.json().message).toMatch(/其他用户/)
  })

  it.each([
    ['malformed JSON', '{"clientId": ', 400],
    ['wrong types', JSON.stringify({ clientId: 5, schemaVersion: '1', mutations: {} }), 400],
    [
      'a batch of 1,000 mutations',
      JSON.stringify({
        clientId: 'c_abcdefgh',
        schemaVersion: 1,
        mutations: Array.from({ length: 1000 }, () => mutation('profile.update', { status: 'home' })),
      }),
      400,
    ],
    [
      'a mutation id that is not a UUID',
      JSON.stringify({
        clientId: 'c_abcdefgh',
        schemaVersion: 1,
        mutations: [mutation('profile.update', { status: 'home' }, 'not-a-uuid')],
      }),
      400,
    ],
  ])('answers %s with a clear 400 and writes nothing', async (_name, payload, status) => {
    const before = await counts()
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/sync/push',
      headers: { cookie: member, 'content-type': 'application/json' },
      payload,
    })
    expect(response.statusCode).toBe(status)
    expect(response.json().message).toBeTruthy()
    expect(await counts()).toEqual(before)
  })

  it('requires a session for push, pull and events', async () => {
    for (const url of ['/api/sync/pull?clientId=c_abcdefgh', '/api/events']) {
      expect((await server.app.inject({ url })).statusCode).toBe(401)
    }
    expect(
      (
        await server.app.inject({
          method: 'POST',
          url: '/api/sync/push',
          payload: { clientId: 'c_abcdefgh', schemaVersion: 1, mutations: [] },
        })
      ).statusCode,
    ).toBe(401)
  })

  it('answers a reset for a garbled cursor, an unknown device with a cursor, and a scope the user no longer sees', async () => {
    const device = clientId()
    const { cursor } = await pullAll(server.app, member, device)
    expect((await pull(server.app, member, device, 'not-a-cursor')).reset).toBe(true)
    const forgotten = await pull(server.app, member, clientId(), cursor)
    expect(forgotten.reset).toBe(true)
    expect(forgotten.changes.filter((c) => c.table === 'members').length).toBe(12)
    const adminCursor = (await pullAll(server.app, admin, clientId())).cursor
    expect((await pull(server.app, member, device, adminCursor)).reset).toBe(true)
  })

  it('resets a device the server no longer knows even when it pushes before it pulls', async () => {
    const device = clientId()
    const { cursor } = await pullAll(server.app, member, device)
    // As after restoring an older backup: the server has forgotten this device.
    await server.withDb((db) => db.deleteFrom('sync_clients').where('id', '=', device).execute())
    await push(server.app, member, device, [mutation('profile.update', { status: 'home' })])
    const next = await pull(server.app, member, device, cursor)
    expect(next.reset).toBe(true)
    expect((await pull(server.app, member, device, next.cursor)).reset).toBeUndefined()
  })

  it('refuses a whole batch from an app newer than the server with a 409, so the device keeps it, and applies nothing', async () => {
    const before = await counts()
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/sync/push',
      headers: { cookie: member },
      payload: { clientId: clientId(), schemaVersion: 99, mutations: [mutation('profile.update', { status: 'away', awayCity: '杭州' })] },
    })
    expect(response.statusCode).toBe(409)
    expect(response.json()).toMatchObject({ error: 'server_outdated', message: expect.stringContaining('保存在本机') })
    expect(await counts()).toEqual(before)
  })
})
