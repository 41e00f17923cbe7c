import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoUserId } from '../demo-users'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, pullAll } from './sync-helpers'
import { memberRow, rosterXlsx, upload, type ReportBody } from './roster-import-files'
import type { HouseholdRow } from '~/domain/board'

// Phones 1390000xxxx are nobody's in the demo data; each test keeps to its own hundred.
const phone = (n: number) => `1390000${String(n).padStart(4, '0')}`

describe.each(databases)('roster import on %s', (kind) => {
  let server: TestServer
  let admin: string
  let secretary: string
  let member: string

  const count = (table: 'users' | 'households' | 'audit_log') =>
    server.withDb(async (db) =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    )

  beforeAll(async () => {
    server = await startServer(kind)
    admin = await login(server.app, DEMO.admin)
    secretary = await login(server.app, DEMO.secretary)
    member = await login(server.app, DEMO.member)
  })
  afterAll(() => server.close())

  it('previews a roster with every count and writes nothing', async () => {
    const before = { users: await count('users'), households: await count('households'), audit: await count('audit_log') }
    const file = await rosterXlsx(
      [
        memberRow(phone(1), { name: '赵一', center: '是' }),
        memberRow(phone(2), { name: '钱二', branch: '金鸡窝村党支部', status: '外出', awayCity: '杭州' }),
        memberRow(phone(3), { name: '孙三', membership: '预备' }),
      ],
      [
        [phone(1), '李大山', '合兴村一组3号', 4],
        [phone(1), '王小河', '合兴村一组5号', 2],
      ],
    )
    const response = await upload(server.app, admin, 'preview', file)
    expect(response.statusCode).toBe(200)
    const report = response.json() as ReportBody
    expect(report.problems).toEqual([])
    expect(report.counts.members).toBe(3)
    expect(report.counts.households).toBe(2)
    expect(report.counts.branches).toEqual([
      { id: 'b-hexing', name: '合兴村党支部', members: 2 },
      { id: 'b-jinjiwo', name: '金鸡窝村党支部', members: 1 },
    ])
    expect(report.fileName).toBe('花名册.xlsx')
    expect({ users: await count('users'), households: await count('households'), audit: await count('audit_log') }).toEqual(before)
  })

  it('imports every row in one go: accounts to activate, households, rows for devices, one audit entry', async () => {
    const file = await rosterXlsx(
      [
        memberRow(phone(101), { name: '周大海', center: '是', birthDate: '1968-03-09' }),
        memberRow(phone(102), { name: '吴小燕', gender: '女', status: '外出', awayCity: '宁波', membership: '预备' }),
      ],
      [
        [phone(101), '郑老根', '合兴村二组8号', 5],
        [phone(101), '冯阿婆', '合兴村二组9号', 1],
      ],
    )
    const before = await count('users')
    // The secretary's phone, up to date before the import.
    const device = clientId()
    const earlier = await pullAll(server.app, secretary, device)
    const response = await upload(server.app, admin, 'import', file, { name: '合兴村花名册.xlsx' })
    expect(response.statusCode).toBe(200)
    const report = response.json() as ReportBody
    expect(report.imported).toEqual({ members: 2, households: 2 })
    expect(await count('users')).toBe(before + 2)

    const users = await server.withDb((db) =>
      db
        .selectFrom('users')
        .selectAll()
        .where('phone', 'in', [phone(101), phone(102)])
        .orderBy('phone')
        .execute(),
    )
    expect(
      users.map((u) => [u.name, u.role, u.branch_id, u.password_hash, u.birth_date, u.birth_year, u.membership, u.status, u.away_city]),
    ).toEqual([
      ['周大海', 'member', 'b-hexing', '', '1968-03-09', 1968, 'full', 'home', null],
      ['吴小燕', 'member', 'b-hexing', '', '1970-05-01', 1970, 'probationary', 'away', '宁波'],
    ])
    for (const u of users) expect(u.id).toMatch(/^u-[23456789a-km-z]{12}$/)
    const [center, away] = users as [(typeof users)[number], (typeof users)[number]]

    // The branch's secretary and the admin pull the new members; the center member's devices get their households.
    // Its next pull brings just the two newcomers: the batch's versions follow the branch's earlier ones.
    const next = await pullAll(server.app, secretary, device, earlier.cursor)
    expect(next.reset).toBe(false)
    expect(next.members.map((m) => m.id).sort()).toEqual([center.id, away.id].sort())
    const seen = await pullAll(server.app, secretary, clientId())
    expect(seen.members.find((m) => m.id === center.id)).toMatchObject({ name: '周大海', branchId: 'b-hexing', centerHousehold: true })
    expect(seen.members.find((m) => m.id === away.id)).toMatchObject({ status: 'away', awayCity: '宁波' })
    expect((await pullAll(server.app, admin, clientId())).members.some((m) => m.id === away.id)).toBe(true)
    const rows = await server.withDb((db) =>
      db
        .selectFrom('sync_rows')
        .select(['scope', 'row_json'])
        .where('table_name', '=', 'households')
        .where('scope', '=', `user:${center.id}`)
        .execute(),
    )
    expect(rows.map((r) => (JSON.parse(r.row_json ?? '{}') as HouseholdRow).headName).sort()).toEqual(['冯阿婆', '郑老根'])

    const audit = await server.withDb((db) => db.selectFrom('audit_log').selectAll().where('action', '=', 'roster.import').execute())
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actor_id: demoUserId(DEMO.admin), branch_id: 'b-hexing' })
    expect(JSON.parse(audit[0]?.detail_json ?? '{}')).toMatchObject({ fileName: '合兴村花名册.xlsx', members: 2, households: 2 })
  })

  it('writes nothing when one row has a problem, and answers every problem', async () => {
    const before = { users: await count('users'), households: await count('households') }
    const file = await rosterXlsx(
      [
        memberRow(phone(201), { center: '是' }),
        memberRow(phone(202)),
        memberRow('1380000', { name: '' }),
        memberRow(phone(204), { birthDate: '1970-13-01' }),
      ],
      [[phone(201), '张小户', '一组1号', 3]],
    )
    const response = await upload(server.app, admin, 'import', file)
    expect(response.statusCode).toBe(422)
    const body = response.json() as ReportBody
    expect(body.error).toBe('roster_problems')
    expect(body.message).toContain('没有导入任何数据')
    expect(body.problems.map((p) => [p.row, p.column])).toEqual([
      [4, '姓名'],
      [4, '手机号'],
      [5, '出生日期'],
    ])
    expect(body.problems.find((p) => p.column === '手机号')?.message).toBe('手机号应为1开头的11位数字（表中是“1380000”）')
    expect({ users: await count('users'), households: await count('households') }).toEqual(before)
  })

  it('finds a phone twice in the file, and a phone that already has an account', async () => {
    const file = await rosterXlsx([memberRow(phone(301)), memberRow(phone(302)), memberRow(phone(301)), memberRow(DEMO.member)])
    const report = (await upload(server.app, admin, 'preview', file)).json() as ReportBody
    expect(report.problems).toEqual([
      { sheet: '党员', row: 2, column: '手机号', message: '手机号与第4行重复' },
      { sheet: '党员', row: 4, column: '手机号', message: '手机号与第2行重复' },
      { sheet: '党员', row: 5, column: '手机号', message: '该手机号已有账号，不能重复导入（修改已有党员请到党员名单）' },
    ])
  })

  it('refuses households of a member who is no 党员中心户, or of a phone nobody has', async () => {
    const file = await rosterXlsx(
      [memberRow(phone(401), { center: '否' })],
      [
        [phone(401), '甲', '一组1号', 3],
        [phone(499), '乙', '一组2号', 3],
        // 王建国 (…001) is a member, no 党员中心户; 许光荣 (…010) is one: his households may be added.
        [DEMO.member, '丙', '一组3号', 3],
        ['13800000010', '丁', '一组4号', 3],
      ],
    )
    const report = (await upload(server.app, admin, 'preview', file)).json() as ReportBody
    expect(report.problems.map((p) => [p.sheet, p.row, p.column, p.message])).toEqual([
      ['联系户', 2, '党员手机号', '该党员不是党员中心户（请在党员表的“党员中心户”填“是”），不能填写联系户'],
      ['联系户', 3, '党员手机号', `找不到手机号为${phone(499)}的党员：应在党员表中，或已在系统中`],
      ['联系户', 4, '党员手机号', '该党员不是党员中心户（请在党员表的“党员中心户”填“是”），不能填写联系户'],
    ])
  })

  it('lets a secretary import into their own branch only', async () => {
    const file = await rosterXlsx([
      memberRow(phone(501)),
      memberRow(phone(502), { branch: '金鸡窝村党支部' }),
      memberRow(phone(503), { branch: '月亮村' }),
    ])
    const report = (await upload(server.app, secretary, 'preview', file)).json() as ReportBody
    expect(report.problems.map((p) => [p.row, p.column, p.message])).toEqual([
      [3, '支部', '只能导入本支部（合兴村党支部）的党员'],
      [4, '支部', '没有名为“月亮村”的支部'],
    ])
    const own = await upload(server.app, secretary, 'import', await rosterXlsx([memberRow(phone(504), { branch: '合兴村' })]))
    expect(own.statusCode).toBe(200)
    const audit = await server.withDb((db) =>
      db
        .selectFrom('audit_log')
        .select(['actor_id', 'branch_id'])
        .where('actor_id', '=', demoUserId(DEMO.secretary))
        .executeTakeFirstOrThrow(),
    )
    expect(audit.branch_id).toBe('b-hexing')
  })

  it('refuses members and signed-out callers on every route', async () => {
    const file = await rosterXlsx([memberRow(phone(601))])
    for (const what of ['preview', 'import'] as const) {
      expect((await upload(server.app, member, what, file)).json()).toEqual({
        error: 'forbidden',
        message: '只有支部书记和镇党委管理员可以管理花名册',
      })
      expect((await upload(server.app, undefined, what, file)).statusCode).toBe(401)
    }
    for (const url of ['/api/admin/roster/template.xlsx', '/api/admin/roster/export.xlsx']) {
      expect((await server.app.inject({ url, headers: { cookie: member } })).statusCode).toBe(403)
      expect((await server.app.inject({ url })).statusCode).toBe(401)
    }
    // Another site's page can't make a signed-in admin's browser import.
    const crossSite = await server.app.inject({
      method: 'POST',
      url: '/api/admin/roster/import',
      headers: { cookie: admin, origin: 'https://evil.example', 'content-type': 'text/csv' },
      payload: file,
    })
    expect([crossSite.statusCode, crossSite.json().error]).toEqual([403, 'cross_site'])
    expect(await server.withDb((db) => db.selectFrom('users').select('id').where('phone', '=', phone(601)).execute())).toEqual([])
  })

  it('lets only one of two imports of the same phones succeed, at the same moment', async () => {
    const a = await rosterXlsx([memberRow(phone(701)), memberRow(phone(702)), memberRow(phone(703))])
    const b = await rosterXlsx([memberRow(phone(703)), memberRow(phone(704))])
    const before = await count('users')
    const answers = await Promise.all([upload(server.app, admin, 'import', a), upload(server.app, secretary, 'import', b)])
    const statuses = answers.map((r) => r.statusCode).sort()
    expect(statuses[0]).toBe(200)
    expect([409, 422]).toContain(statuses[1])
    // Either may win the race; the loser's report names the shared phone's row in its own file
    // (a: the third member, row 4; b: the first, row 2).
    const loser = answers.findIndex((r) => r.statusCode !== 200)
    const refused = answers[loser]?.json() as ReportBody
    const sharedRow = loser === 0 ? 4 : 2
    if (refused.error === 'roster_problems') {
      expect(refused.problems.some((p) => p.row === sharedRow && p.message.includes('已有账号'))).toBe(true)
    }
    const imported = await server.withDb((db) =>
      db
        .selectFrom('users')
        .select('phone')
        .where('phone', 'in', [phone(701), phone(702), phone(703), phone(704)])
        .execute(),
    )
    expect(await count('users')).toBe(before + imported.length)
    expect(imported.filter((u) => u.phone === phone(703))).toHaveLength(1)
  })
})
