import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, push } from './sync-helpers'
import type { MemberLedgerReply } from '~/domain/points'

describe.each(databases)('the admin’s view of a member’s ledger on %s', (kind) => {
  let server: TestServer
  let admin: string
  let adminName: string
  const adminDevice = clientId()
  const ledger = async (cookie: string, memberId: string, before?: string) => {
    const query = new URLSearchParams({ memberId, ...(before ? { before } : {}) })
    return server.app.inject({ url: `/api/points/ledger?${query}`, headers: { cookie } })
  }
  const ledgerOf = async (memberId: string, before?: string) => {
    const response = await ledger(admin, memberId, before)
    expect(response.statusCode).toBe(200)
    return response.json() as MemberLedgerReply
  }
  const adjust = (memberId: string, kindOf: 'volunteer' | 'violation', amount: number, reason: string) =>
    mutation('points.adjust', { adjustmentId: randomUUID(), memberId, kind: kindOf, amount, reason })
  const newestFirst = (entries: MemberLedgerReply['entries']) =>
    entries.every((e, i) => i === 0 || `${entries[i - 1]!.day}|${entries[i - 1]!.createdAt}` >= `${e.day}|${e.createdAt}`)

  beforeAll(async () => {
    server = await startServer(kind)
    admin = await login(server.app, DEMO.admin)
    adminName = (
      await server.withDb((db) => db.selectFrom('users').select('name').where('id', '=', 'u-jjv8xvrq2yab').executeTakeFirstOrThrow())
    ).name
  })
  afterAll(() => server.close())

  it('answers only the admin: 403 for a member and a secretary, 401 without a session', async () => {
    for (const phone of [DEMO.member, DEMO.secretary]) {
      const response = await ledger(await login(server.app, phone), 'u-66hr2jf7sv8n')
      expect(response.statusCode).toBe(403)
      expect(response.json()).toMatchObject({ error: 'forbidden', message: expect.stringContaining('管理员') })
    }
    expect((await server.app.inject({ url: '/api/points/ledger?memberId=u-66hr2jf7sv8n' })).statusCode).toBe(401)
  })

  it('answers a bad query with a readable 400 and an unknown member or the admin with 404', async () => {
    const missing = await server.app.inject({ url: '/api/points/ledger', headers: { cookie: admin } })
    expect(missing.statusCode).toBe(400)
    expect(missing.json().message).toMatch(/查询参数有误/)
    const badCursor = await ledger(admin, 'u-66hr2jf7sv8n', 'not-a-cursor')
    expect(badCursor.statusCode).toBe(400)
    expect(badCursor.json().message).toMatch(/翻页位置无效/)
    expect((await ledger(admin, 'u-nobody')).statusCode).toBe(404)
    expect((await ledger(admin, 'u-jjv8xvrq2yab')).statusCode).toBe(404)
  })

  it('gives the member’s entries newest first, 50 a page, with rule names, sources and who made them', async () => {
    const memberId = 'u-8i3ygv38jiat'
    // 60 older entries the rules gave, one a day through 2025, then the admin's adjustment today.
    const seeded = Array.from({ length: 60 }, (_, i) => {
      const day = new Date(Date.UTC(2025, 0, 1 + i * 5)).toISOString().slice(0, 10)
      return {
        id: `article-read:study:seed-${i}`,
        member_id: memberId,
        rule_code: 'article-read',
        rule_version: 1,
        source_id: `study:seed-${i}`,
        day,
        points: 1,
        reason: null,
        created_by: null,
        created_at: `${day}T08:00:00.000Z`,
      }
    })
    await server.withDb((db) => db.insertInto('points_ledger').values(seeded).execute())
    const [adjusted] = await push(server.app, admin, adminDevice, [adjust(memberId, 'volunteer', 4, '参加防汛值守')])
    expect(adjusted).toMatchObject({ status: 'applied' })

    const first = await ledgerOf(memberId)
    expect(first.member).toMatchObject({ id: memberId, name: expect.any(String), branchName: expect.stringContaining('党支部') })
    expect(first.entries).toHaveLength(50)
    expect(newestFirst(first.entries)).toBe(true)
    expect(first.entries[0]).toMatchObject({
      ruleCode: 'volunteer',
      ruleName: '志愿服务',
      points: 4,
      reason: '参加防汛值守',
      source: 'adjust',
      createdBy: adminName,
      correction: false,
      corrects: null,
      correctedBy: null,
    })
    expect(first.entries[1]).toMatchObject({ ruleName: '阅读文章', source: 'study', createdBy: null, day: seeded.at(-1)!.day })
    expect(first.totals.month).toBeGreaterThanOrEqual(4)
    expect(first.nextBefore).toEqual(expect.any(String))

    const second = await ledgerOf(memberId, first.nextBefore!)
    expect(second.entries).toHaveLength(11)
    expect(second.nextBefore).toBeNull()
    expect(newestFirst([...first.entries, ...second.entries])).toBe(true)
    const ids = [...first.entries, ...second.entries].map((e) => e.id)
    expect(new Set(ids).size).toBe(61)
    expect(second.entries.at(-1)!.id).toBe('article-read:study:seed-0')
    // Nothing of another member's ledger.
    expect((await ledgerOf('u-bqti5484sfvq')).entries.some((e) => ids.includes(e.id))).toBe(false)
  })

  it('shows a corrected entry as corrected and its counter-entry as a correction; a second correction is refused', async () => {
    const memberId = 'u-srpdsjvkyziv'
    const before = await ledgerOf(memberId)
    await push(server.app, admin, adminDevice, [adjust(memberId, 'violation', 3, '未按时交纳党费')])
    const adjusted = await ledgerOf(memberId)
    expect(adjusted.totals.month).toBe(before.totals.month - 3)
    const original = adjusted.entries[0]!
    expect(original).toMatchObject({ ruleName: '违规违纪', points: -3, correctedBy: null, correction: false })

    const [fixed] = await push(server.app, admin, adminDevice, [
      mutation('points.correct', { entryId: original.id, reason: '经核实已按时交纳，撤销扣分' }),
    ])
    expect(fixed).toMatchObject({ status: 'applied' })
    const after = await ledgerOf(memberId)
    expect(after.entries).toHaveLength(before.entries.length + 2)
    const counter = after.entries.find((e) => e.correction)!
    expect(counter).toMatchObject({
      points: 3,
      corrects: original.id,
      source: 'counter',
      reason: '经核实已按时交纳，撤销扣分',
      createdBy: adminName,
      correctedBy: null,
    })
    expect(after.entries.find((e) => e.id === original.id)).toMatchObject({
      points: -3,
      reason: '未按时交纳党费',
      correction: false,
      correctedBy: { id: counter.id, reason: '经核实已按时交纳，撤销扣分', createdBy: adminName, day: counter.day },
    })
    expect(after.totals.month).toBe(before.totals.month)

    const again = await push(server.app, admin, adminDevice, [
      mutation('points.correct', { entryId: original.id, reason: '重复更正' }),
      mutation('points.correct', { entryId: counter.id, reason: '更正更正记录' }),
    ])
    expect(again.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual(['already_corrected', 'invalid_args'])
    const still = await ledgerOf(memberId)
    expect(still.entries.map((e) => [e.id, e.points])).toEqual(after.entries.map((e) => [e.id, e.points]))
    expect(still.totals).toEqual(after.totals)
  })
})
