import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, pullAll, push } from './sync-helpers'
import type { LedgerRow, RankingReply } from '~/domain/points'

describe.each(databases)('points adjustments, corrections and rankings on %s', (kind) => {
  let server: TestServer
  let admin: string
  const adminDevice = clientId()
  const adjust = (memberId: string, kindOf: 'volunteer' | 'violation', amount: number, reason = '参加村里环境整治') =>
    mutation('points.adjust', { adjustmentId: randomUUID(), memberId, kind: kindOf, amount, reason })
  const ledgerOf = async (phone: string) =>
    [...(await pullAll(server.app, await login(server.app, phone), clientId())).rows.entries()]
      .filter(([key]) => key.startsWith('points/'))
      .map(([, row]) => row as LedgerRow)
  const ranking = async (cookie: string, scope: string, period = 'year') => {
    const response = await server.app.inject({ url: `/api/points/ranking?scope=${scope}&period=${period}`, headers: { cookie } })
    expect(response.statusCode).toBe(200)
    return response.json() as RankingReply
  }

  beforeAll(async () => {
    server = await startServer(kind)
    admin = await login(server.app, DEMO.admin)
  })
  afterAll(() => server.close())

  it('lets the admin add volunteer points and deduct for a violation, with the reason and the admin recorded', async () => {
    const results = await push(server.app, admin, adminDevice, [
      adjust('u-7d8qf7t7kckd', 'volunteer', 5),
      adjust('u-7d8qf7t7kckd', 'violation', 2, '无故不参加志愿值班'),
    ])
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied'])
    const ledger = await ledgerOf('13800000006')
    expect(ledger.map((e) => [e.ruleCode, e.points, e.reason]).sort()).toEqual([
      ['violation', -2, '无故不参加志愿值班'],
      ['volunteer', 5, '参加村里环境整治'],
    ])
    const audit = await server.withDb((db) =>
      db.selectFrom('points_ledger').select(['created_by']).where('member_id', '=', 'u-7d8qf7t7kckd').execute(),
    )
    expect(audit.every((row) => row.created_by === 'u-jjv8xvrq2yab')).toBe(true)
  })

  it('refuses adjustments by a member or a secretary, and an adjustment without a reason', async () => {
    const before = await ledgerOf('13800000007')
    for (const phone of [DEMO.member, DEMO.secretary]) {
      const [result] = await push(server.app, await login(server.app, phone), clientId(), [adjust('u-2473sdhsfeka', 'volunteer', 10)])
      expect(result).toMatchObject({ status: 'rejected', code: 'forbidden' })
    }
    const [noReason] = await push(server.app, admin, adminDevice, [adjust('u-2473sdhsfeka', 'volunteer', 3, ' ')])
    expect(noReason).toMatchObject({ status: 'rejected', code: 'invalid_args', message: expect.stringContaining('请写明原因') })
    expect(await ledgerOf('13800000007')).toEqual(before)
  })

  it('corrects an entry with a counter-entry, once, never deleting the original', async () => {
    await push(server.app, admin, adminDevice, [adjust('u-an3shgwtgxib', 'violation', 4, '误记')])
    const [original] = await ledgerOf('13800000008')
    const fix = mutation('points.correct', { entryId: original!.id, reason: '核实后不属实，撤销扣分' })
    const again = mutation('points.correct', { entryId: original!.id, reason: '重复更正' })
    const results = await push(server.app, admin, adminDevice, [fix, again])
    expect(results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual(['applied', 'already_corrected'])
    const ledger = await ledgerOf('13800000008')
    expect(ledger.map((e) => e.points).sort()).toEqual([-4, 4])
    expect(ledger.find((e) => e.points === 4)?.reason).toBe('核实后不属实，撤销扣分')
  })

  it('ranks the branch and the town with shared places, names and branches only, and the caller’s own place', async () => {
    await push(server.app, admin, adminDevice, [adjust('u-u8qzcrmkzu7p', 'volunteer', 9), adjust('u-qcp2z3k59f5t', 'volunteer', 9)])
    const member = await login(server.app, DEMO.member)
    const branch = await ranking(member, 'branch')
    expect(branch.rows.every((r) => r.branchName === '合兴村党支部')).toBe(true)
    const names = await server.withDb((db) =>
      db.selectFrom('users').select('name').where('id', 'in', ['u-qcp2z3k59f5t', 'u-u8qzcrmkzu7p']).execute(),
    )
    const top = branch.rows.filter((r) => r.place === 1)
    expect(top.map((r) => r.name).sort()).toEqual(names.map((n) => n.name).sort())
    expect(branch.rows.find((r) => r.place === 3)).toBeDefined()
    expect(branch.me).toEqual({ place: expect.any(Number), points: 0 })
    expect(branch.rows.filter((r) => r.isMe)).toEqual([expect.objectContaining({ name: '王建国', place: branch.me!.place })])
    expect(JSON.stringify(branch)).not.toMatch(/138\d{8}/)
    const town = await ranking(member, 'town', 'month')
    expect(town.rows.length).toBe(53)
    expect(town.rows[0]!.points).toBeGreaterThanOrEqual(town.rows.at(-1)!.points)
  })

  it('answers bad ranking queries with a readable 400, and the admin’s branch ranking too', async () => {
    const bad = await server.app.inject({ url: '/api/points/ranking?scope=village&period=decade', headers: { cookie: admin } })
    expect(bad.statusCode).toBe(400)
    expect(
      (await server.app.inject({ url: '/api/points/ranking?scope=branch&period=year', headers: { cookie: admin } })).json().message,
    ).toMatch(/全镇排行/)
    expect((await server.app.inject({ url: '/api/points/ranking?scope=town&period=year' })).statusCode).toBe(401)
  })
})
