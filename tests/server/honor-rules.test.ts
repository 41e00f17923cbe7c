import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, pullAll, push } from './sync-helpers'
import { addDays, dayInShanghai, monthOf, previousMonth, shanghaiTime } from '~/domain/calendar'
import type { LedgerRow, RuleRow } from '~/domain/points'
import type { HonorListRow, HonorMarkRow, HonorPreview } from '~/domain/honor'

const codes = (results: { status: string; code?: string }[]) => results.map((r) => (r.status === 'rejected' ? r.code : r.status))

describe.each(databases)('rule revisions and the 红黄榜 on %s', (kind) => {
  let server: TestServer
  let admin: string
  const adminDevice = clientId()
  const today = dayInShanghai(new Date())
  const thisMonth = monthOf(today)
  // Only a month that has ended is published: the tests earn their points in the middle of last month.
  const month = previousMonth(thisMonth)
  const inLastMonth = new Date(shanghaiTime(`${month}-15`, '10:00'))
  const adminPush = (...mutations: unknown[]) => push(server.app, admin, adminDevice, mutations)
  const revise = (code: string, from: string, change: Record<string, unknown>) => mutation('rules.revise', { code, from, change })
  const adjust = (memberId: string, kindOf: 'volunteer' | 'violation', amount: number) =>
    mutation('points.adjust', {
      adjustmentId: randomUUID(),
      memberId,
      kind: kindOf,
      amount,
      reason: kindOf === 'volunteer' ? '参加村里环境整治' : '无故不参加志愿值班',
    })
  const pulled = async (phone: string) => (await pullAll(server.app, await login(server.app, phone), clientId())).rows
  const markOf = async (phone: string) => (await pulled(phone)).get(`honor_marks/${month}`) as HonorMarkRow | undefined
  const nameOf = async (id: string) =>
    (await server.withDb((db) => db.selectFrom('users').select('name').where('id', '=', id).executeTakeFirstOrThrow())).name

  beforeAll(async () => {
    server = await startServer(kind)
    admin = await login(server.app, DEMO.admin)
  })
  afterAll(() => server.close())

  describe('rules.revise', () => {
    it('refuses a revision that would start in the past', async () => {
      const [result] = await adminPush(revise('meeting-attended', addDays(today, -1), { points: 3 }))
      expect(result).toMatchObject({ status: 'rejected', code: 'invalid_args', message: expect.stringContaining('不能改变历史积分') })
    })

    it('makes version 2 from tomorrow and ends version 1 today, sending both rows to every device', async () => {
      const tomorrow = addDays(today, 1)
      expect(codes(await adminPush(revise('meeting-attended', tomorrow, { points: 3, name: '参加组织生活（新）' })))).toEqual(['applied'])
      const rows = await pulled(DEMO.member)
      expect(rows.get('points_rules/meeting-attended@1')).toMatchObject({
        id: 'meeting-attended@1',
        version: 1,
        points: 2,
        activeFrom: '2026-01-01',
        activeTo: today,
      })
      expect(rows.get('points_rules/meeting-attended@2') as RuleRow).toEqual({
        id: 'meeting-attended@2',
        code: 'meeting-attended',
        version: 2,
        name: '参加组织生活（新）',
        category: 'org_life',
        eventKind: 'meeting.attended',
        unit: 'event',
        points: 3,
        threshold: null,
        dailyCap: null,
        yearlyCap: null,
        activeFrom: tomorrow,
        activeTo: null,
      })
      const stored = await server.withDb((db) =>
        db
          .selectFrom('points_rules')
          .select(['version', 'points', 'active_from', 'active_to'])
          .where('code', '=', 'meeting-attended')
          .orderBy('version')
          .execute(),
      )
      expect(stored).toEqual([
        { version: 1, points: 2, active_from: '2026-01-01', active_to: today },
        { version: 2, points: 3, active_from: tomorrow, active_to: null },
      ])
    })

    it('refuses a second version from the same day, an unknown rule, and turning a gain into a deduction', async () => {
      const tomorrow = addDays(today, 1)
      const results = await adminPush(
        revise('meeting-attended', tomorrow, { points: 4 }),
        revise('no-such-rule', tomorrow, { points: 1 }),
        revise('volunteer', tomorrow, { points: -2 }),
        revise('violation', tomorrow, { points: 1 }),
      )
      expect(codes(results)).toEqual(['invalid_args', 'invalid_args', 'invalid_args', 'invalid_args'])
      expect(results[2]).toMatchObject({ message: expect.stringContaining('不能把加分规则改成扣分规则') })
      const versions = await server.withDb((db) =>
        db
          .selectFrom('points_rules')
          .select(['code', 'version'])
          .where('code', 'in', ['meeting-attended', 'volunteer', 'violation'])
          .orderBy('code')
          .orderBy('version')
          .execute(),
      )
      expect(versions).toEqual([
        { code: 'meeting-attended', version: 1 },
        { code: 'meeting-attended', version: 2 },
        { code: 'violation', version: 1 },
        { code: 'volunteer', version: 1 },
      ])
    })

    it('lets a revision from today apply to today’s points', async () => {
      expect(codes(await adminPush(revise('volunteer', today, { points: 2 })))).toEqual(['applied'])
      expect(codes(await adminPush(adjust('u-g58cv523zthc', 'volunteer', 3)))).toEqual(['applied'])
      const ledger = [...(await pulled('13800000011')).entries()]
        .filter(([key]) => key.startsWith('points/'))
        .map(([, row]) => row as LedgerRow)
      // A manual rule takes the admin's amount; the entry records the version in force today.
      expect(ledger.map((e) => [e.ruleCode, e.ruleVersion, e.points])).toEqual([['volunteer', 2, 3]])
      const rows = await pulled(DEMO.member)
      expect(rows.get('points_rules/volunteer@1')).toMatchObject({ activeTo: addDays(today, -1) })
      expect(rows.get('points_rules/volunteer@2')).toMatchObject({ activeFrom: today, points: 2 })
    })
  })

  describe('honor.publish', () => {
    it('refuses a month that has not begun, this month (not over yet), and a month nobody earned points in', async () => {
      const next = addDays(`${thisMonth}-28`, 7).slice(0, 7)
      const results = await adminPush(
        mutation('honor.publish', { month: next, threshold: 0, redPerBranch: 3 }),
        mutation('honor.publish', { month: thisMonth, threshold: 0, redPerBranch: 3 }),
        mutation('honor.publish', { month: '2026-02', threshold: 10, redPerBranch: 3 }),
      )
      expect(results).toEqual([
        expect.objectContaining({ status: 'rejected', code: 'invalid_args', message: '不能发布尚未开始的月份' }),
        expect.objectContaining({ status: 'rejected', code: 'invalid_args', message: expect.stringContaining('本月还没有结束') }),
        // Before the town used the app: everyone would be on the yellow list.
        expect.objectContaining({ status: 'rejected', code: 'invalid_args', message: expect.stringContaining('没有任何积分记录') }),
      ])
      expect(await server.withDb((db) => db.selectFrom('honor_lists').select('month').execute())).toEqual([])
      expect(
        await server.withDb((db) =>
          db.selectFrom('sync_rows').select('row_id').where('table_name', 'in', ['honor_lists', 'honor_marks']).execute(),
        ),
      ).toEqual([])
    })

    it('publishes the month from the ledger: red for the top, yellow with the member’s own reasons, names only in the list', async () => {
      // 李俊杰 (…002): 5 volunteer points but a violation. 赵德明 (…003): 8 volunteer points.
      // 钱淑珍 (…004): a violation that was corrected, and 1 volunteer point. 孙长林 (…005): an unexcused absence.
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(inLastMonth)
      const setup = await adminPush(
        adjust('u-v3dbuda5vaig', 'volunteer', 5),
        adjust('u-v3dbuda5vaig', 'violation', 2),
        adjust('u-tzp3tuuzx4zh', 'volunteer', 8),
        adjust('u-qcp2z3k59f5t', 'volunteer', 1),
        adjust('u-qcp2z3k59f5t', 'violation', 2),
        adjust('u-2vdqevmh7a2b', 'volunteer', 4),
      )
      expect(codes(setup)).toEqual(Array(6).fill('applied'))
      const violation = (
        await server.withDb((db) =>
          db
            .selectFrom('points_ledger')
            .select('id')
            .where('member_id', '=', 'u-qcp2z3k59f5t')
            .where('rule_code', '=', 'violation')
            .executeTakeFirstOrThrow(),
        )
      ).id
      expect(codes(await adminPush(mutation('points.correct', { entryId: violation, reason: '核实后不属实，撤销扣分' })))).toEqual([
        'applied',
      ])
      vi.useRealTimers()
      // The absence goes straight into the ledger, as closing a meeting would record it.
      await server.withDb(async (db) => {
        const now = new Date().toISOString()
        await db
          .insertInto('points_ledger')
          .values({
            id: 'meeting-absent:test',
            member_id: 'u-2vdqevmh7a2b',
            rule_code: 'meeting-absent',
            rule_version: 1,
            source_id: 'test',
            day: `${month}-15`,
            points: -3,
            reason: null,
            created_by: null,
            created_at: now,
          })
          .execute()
        for (const period of [month, month.slice(0, 4)])
          await db
            .updateTable('points_totals')
            .set((eb) => ({ points: eb('points', '-', 3) }))
            .where('member_id', '=', 'u-2vdqevmh7a2b')
            .where('period', '=', period)
            .execute()
      })

      // Before confirming, the admin sees everyone on either list with their reasons, by the same rules.
      const preview = await server.app.inject({
        url: `/api/admin/honor-preview?month=${month}&threshold=0&redPerBranch=2`,
        headers: { cookie: admin },
      })
      expect(preview.statusCode, preview.body).toBe(200)
      const shown = preview.json() as HonorPreview
      expect(shown.problem).toBeNull()
      expect(shown.yellow.filter((e) => e.branchName === '合兴村党支部').map((e) => [e.name, e.reasons])).toEqual([
        [await nameOf('u-v3dbuda5vaig'), ['violation']],
        [await nameOf('u-2vdqevmh7a2b'), ['absence']],
      ])
      expect(shown.red.filter((e) => e.branchName === '合兴村党支部').map((e) => [e.name, e.points])).toEqual([
        [await nameOf('u-tzp3tuuzx4zh'), 8],
        [await nameOf('u-qcp2z3k59f5t'), 1],
      ])
      // Nothing was published by looking.
      expect(await server.withDb((db) => db.selectFrom('honor_lists').select('month').execute())).toEqual([])

      expect(codes(await adminPush(mutation('honor.publish', { month, threshold: 0, redPerBranch: 2 })))).toEqual(['applied'])

      expect(await markOf('13800000002')).toEqual({ id: month, month, list: 'yellow', points: 3, threshold: 0, reasons: ['violation'] })
      expect(await markOf('13800000003')).toEqual({ id: month, month, list: 'red', points: 8, threshold: 0, reasons: [] })
      expect(await markOf('13800000004')).toMatchObject({ list: 'red', points: 1, reasons: [] })
      expect(await markOf('13800000005')).toMatchObject({ list: 'yellow', points: 1, reasons: ['absence'] })
      expect(await markOf(DEMO.member)).toMatchObject({ list: null, points: 0, reasons: [] })
      expect(await markOf(DEMO.secretary)).toMatchObject({ list: null })
      // Another branch's member earned volunteer points above, but this month: none last month.
      expect(await markOf('13800000011')).toMatchObject({ list: null, points: 0 })
      expect(await markOf(DEMO.admin)).toBeUndefined()

      const list = (await pulled(DEMO.member)).get(`honor_lists/${month}`) as HonorListRow
      expect(list).toMatchObject({ id: month, month, threshold: 0, publishedAt: expect.any(String) })
      const hexing = '合兴村党支部'
      expect(list.red.filter((r) => r.branchName === hexing)).toEqual([
        { name: await nameOf('u-tzp3tuuzx4zh'), branchName: hexing, points: 8 },
        { name: await nameOf('u-qcp2z3k59f5t'), branchName: hexing, points: 1 },
      ])
      expect(list.yellow.map((y) => y.name).sort()).toEqual([await nameOf('u-v3dbuda5vaig'), await nameOf('u-2vdqevmh7a2b')].sort())
      expect(list.yellow.every((y) => Object.keys(y).sort().join() === 'branchName,name')).toBe(true)
      const json = JSON.stringify(list)
      expect(json).not.toMatch(/u-/)
      expect(json).not.toMatch(/\d{11}/)
      expect(json).not.toMatch(/violation|absence|low_points/)

      const stored = await server.withDb((db) => db.selectFrom('honor_lists').selectAll().execute())
      expect(stored).toEqual([expect.objectContaining({ month, threshold: 0, red_per_branch: 2, published_by: 'u-jjv8xvrq2yab' })])
    })

    it('shows one member’s reasons to that member only', async () => {
      for (const phone of [DEMO.member, DEMO.secretary, '13800000003']) {
        const rows = await pulled(phone)
        const marks = [...rows.keys()].filter((key) => key.startsWith('honor_marks/'))
        expect(marks, phone).toEqual([`honor_marks/${month}`])
      }
    })

    it('replaces the month when published again', async () => {
      expect(codes(await adminPush(mutation('honor.publish', { month, threshold: 5, redPerBranch: 1 })))).toEqual(['applied'])
      expect(await markOf('13800000004')).toMatchObject({ list: 'yellow', threshold: 5, reasons: ['low_points'] })
      expect(await markOf('13800000003')).toMatchObject({ list: 'red', threshold: 5 })
      const list = (await pulled(DEMO.member)).get(`honor_lists/${month}`) as HonorListRow
      expect(list.threshold).toBe(5)
      expect(list.red.filter((r) => r.branchName === '合兴村党支部').map((r) => r.points)).toEqual([8])
      expect(await server.withDb((db) => db.selectFrom('honor_lists').select(['month', 'threshold', 'red_per_branch']).execute())).toEqual([
        { month, threshold: 5, red_per_branch: 1 },
      ])
    })

    it('shows the preview to the admin only, and says why a month can’t be published', async () => {
      const member = await login(server.app, DEMO.member)
      const forbidden = await server.app.inject({
        url: `/api/admin/honor-preview?month=${month}&threshold=0&redPerBranch=2`,
        headers: { cookie: member },
      })
      expect(forbidden.statusCode).toBe(403)
      const current = await server.app.inject({
        url: `/api/admin/honor-preview?month=${thisMonth}&threshold=0&redPerBranch=2`,
        headers: { cookie: admin },
      })
      expect((current.json() as HonorPreview).problem).toContain('本月还没有结束')
      const bad = await server.app.inject({
        url: `/api/admin/honor-preview?month=${month}&threshold=x&redPerBranch=2`,
        headers: { cookie: admin },
      })
      expect(bad.statusCode).toBe(400)
    })
  })

  describe('honor.withdraw', () => {
    const withdraw = (reason: string, m = month) => mutation('honor.withdraw', { month: m, reason })

    it('is for the admin only, needs a reason, and a month that was published', async () => {
      for (const phone of [DEMO.member, DEMO.secretary]) {
        const [result] = await push(server.app, await login(server.app, phone), clientId(), [withdraw('名单有误，需要重新核对')])
        expect(result, phone).toMatchObject({ status: 'rejected', code: 'forbidden' })
      }
      expect(codes(await adminPush(withdraw(' '), withdraw('名单有误，需要重新核对', '2026-02')))).toEqual(['invalid_args', 'not_found'])
      expect(await server.withDb((db) => db.selectFrom('honor_lists').select(['month', 'withdrawn_at']).execute())).toEqual([
        { month, withdrawn_at: null },
      ])
    })

    it('takes the list off every device and each member’s own mark with it, keeping the reason on record', async () => {
      const memberCookie = await login(server.app, '13800000004')
      const memberDevice = clientId()
      const before = await pullAll(server.app, memberCookie, memberDevice)
      expect(before.rows.has(`honor_lists/${month}`)).toBe(true)
      expect(before.rows.has(`honor_marks/${month}`)).toBe(true)

      expect(codes(await adminPush(withdraw('积分标准设置有误，核对后重新发布')))).toEqual(['applied'])
      // The member's next pull (from where it was) brings the tombstones.
      const after = await pullAll(server.app, memberCookie, memberDevice, before.cursor)
      expect(after.rows.has(`honor_lists/${month}`)).toBe(false)
      expect(after.rows.has(`honor_marks/${month}`)).toBe(false)
      for (const phone of [DEMO.member, DEMO.secretary, DEMO.admin]) {
        const fresh = await pulled(phone)
        expect(
          [...fresh.keys()].filter((key) => key.startsWith('honor_')),
          phone,
        ).toEqual([])
      }
      expect(
        await server.withDb((db) => db.selectFrom('honor_lists').select(['month', 'withdrawn_by', 'withdraw_reason']).execute()),
      ).toEqual([{ month, withdrawn_by: 'u-jjv8xvrq2yab', withdraw_reason: '积分标准设置有误，核对后重新发布' }])
      // Once withdrawn, not again; publishing the month anew brings it back.
      expect(codes(await adminPush(withdraw('再撤回一次试试')))).toEqual(['already_withdrawn'])
      expect(codes(await adminPush(mutation('honor.publish', { month, threshold: 0, redPerBranch: 2 })))).toEqual(['applied'])
      expect(await markOf('13800000003')).toMatchObject({ list: 'red' })
      expect(await server.withDb((db) => db.selectFrom('honor_lists').select(['withdrawn_at', 'withdraw_reason']).execute())).toEqual([
        { withdrawn_at: null, withdraw_reason: null },
      ])
    })
  })
})
