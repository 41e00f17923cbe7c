// Exports (issue 13): the .xlsx files read back with read-excel-file, as a town's Excel would open them,
// and compared with what the domain computes from the same rows (attendanceRates, the ledger's sums,
// displayStatus); who may export what; and that a bad query is a 400, never a 500 nor a write.
import readXlsxFile from 'read-excel-file/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LightMyRequestResponse } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import { attendanceFromRow, leaveFromRow, meetingFromRow } from '~/server/features/meetings/rows'
import { attendanceRates, MEETING_TYPE_LABELS, type MeetingType } from '~/domain/meetings'
import type { OverviewRow } from '~/domain/overview'
import { displayStatus, shanghaiMonthDay, type CommentStatus } from '~/domain/board'
import {
  addDays,
  dayInShanghai,
  endOfShanghaiDay,
  monthOf,
  quarterEnd,
  quarterOf,
  quarterStart,
  startOfShanghaiDay,
} from '~/domain/calendar'
import { demoUserId } from '../demo-users'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const OTHER_SECRETARY = '13800000102' // 刘桂芳, 金鸡窝村
const HEXING = 'b-hexing'
const QUARTER_NAMES = ['一', '二', '三', '四']

type Grid = unknown[][]

async function book(response: LightMyRequestResponse): Promise<Record<string, Grid>> {
  expect(response.statusCode, response.body.slice(0, 300)).toBe(200)
  expect(response.headers['content-type']).toBe(XLSX)
  expect(response.headers['cache-control']).toBe('no-store')
  const read = await readXlsxFile(response.rawPayload)
  return Object.fromEntries(read.map((s) => [s.sheet, s.data as Grid]))
}

/** The Chinese name a browser saves the file under (filename*), and the ASCII one. */
function fileNames(response: LightMyRequestResponse): { ascii: string; chinese: string } {
  const match = /^attachment; filename="([\w.-]+)"; filename\*=UTF-8''([\w%.-]+)$/.exec(String(response.headers['content-disposition']))
  expect(match, String(response.headers['content-disposition'])).not.toBeNull()
  return { ascii: match![1]!, chinese: decodeURIComponent(match![2]!) }
}

const stamp = () => dayInShanghai(new Date()).replaceAll('-', '')
const quarterLabel = (q: string) => `${q.slice(0, 4)}年第${QUARTER_NAMES[Number(q.slice(6)) - 1]}季度`
const range = (from: string, to: string) => ({
  fromAt: new Date(startOfShanghaiDay(from)).toISOString(),
  toAt: new Date(endOfShanghaiDay(to)).toISOString(),
})

/** What the register should hold, straight from the tables: the period's meetings, their attendance and leaves. */
async function meetingFacts(db: Kysely<Database>, branchId: string | null, from: string, to: string, now: string) {
  const { fromAt, toAt } = range(from, to)
  const meetings = (await db.selectFrom('meetings').selectAll().orderBy('starts_at').orderBy('id').execute())
    .map(meetingFromRow)
    .filter((m) => (branchId === null || m.branchId === branchId) && m.startsAt >= fromAt && m.startsAt <= toAt)
    .filter((m) => m.status === 'closed' || (m.status === 'scheduled' && m.startsAt <= now))
  const ids = new Set(meetings.map((m) => m.id))
  const attendance = (await db.selectFrom('attendance').selectAll().execute()).map(attendanceFromRow).filter((a) => ids.has(a.meetingId))
  const leaves = (await db.selectFrom('leaves').selectAll().execute()).map(leaveFromRow).filter((l) => ids.has(l.meetingId))
  const users = await db.selectFrom('users').select(['id', 'name', 'phone', 'branch_id', 'status', 'role', 'ended_at']).execute()
  const awayIds = new Set(users.filter((u) => u.status === 'away').map((u) => u.id))
  return { meetings, users, rates: attendanceRates({ meetings, attendance, leaves, awayIds }) }
}

describe.each(databases)('exports on %s', (kind) => {
  let server: TestServer
  let admin: string
  let secretary: string
  let member: string
  let otherSecretary: string
  const get = (url: string, cookie?: string) => server.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} })

  beforeAll(async () => {
    server = await startServer(kind)
    admin = await login(server.app, DEMO.admin)
    secretary = await login(server.app, DEMO.secretary)
    member = await login(server.app, DEMO.member)
    otherSecretary = await login(server.app, OTHER_SECRETARY)
    // Today's 党课 in 合兴村 starts an hour before the assembly six days ago and is never closed: a meeting
    // held but not closed, whatever the hour the test runs at.
    await server.withDb(async (db) => {
      const assembly = await db.selectFrom('meetings').select('starts_at').where('id', '=', 'demo-hexing-03').executeTakeFirstOrThrow()
      const start = Date.parse(assembly.starts_at) - 3600_000
      await db
        .updateTable('meetings')
        .set({ starts_at: new Date(start).toISOString(), ends_at: new Date(start + 3600_000).toISOString() })
        .where('id', '=', 'demo-hexing-04')
        .execute()
    })
  })
  afterAll(() => server.close())

  const assemblyQuarter = () =>
    server.withDb(async (db) => {
      const m = await db.selectFrom('meetings').select('starts_at').where('id', '=', 'demo-hexing-03').executeTakeFirstOrThrow()
      return quarterOf(dayInShanghai(m.starts_at))
    })

  it("gives 合兴村's attendance register for a quarter: a row per current member, a column per meeting, rates as attendanceRates", async () => {
    const quarter = await assemblyQuarter()
    const now = new Date().toISOString()
    const response = await get(`/api/exports/attendance.xlsx?branchId=${HEXING}&quarter=${quarter}`, secretary)
    expect(fileNames(response)).toEqual({
      ascii: `attendance_${quarter}_${stamp()}.xlsx`,
      chinese: `新杭镇合兴村党支部_参会登记_${quarterLabel(quarter)}_${stamp()}.xlsx`,
    })
    const sheets = await book(response)
    expect(Object.keys(sheets)).toEqual(['参会登记', '会议汇总'])
    const { meetings, users, rates } = await server.withDb((db) =>
      meetingFacts(db, HEXING, quarterStart(quarter), quarterEnd(quarter), now),
    )
    expect(meetings.map((m) => m.id)).toEqual(expect.arrayContaining(['demo-hexing-03', 'demo-hexing-04']))

    const grid = sheets['参会登记']!
    const titles = meetings.map(
      (m) => `${shanghaiMonthDay(m.startsAt)} ${MEETING_TYPE_LABELS[m.type as MeetingType]}${m.status === 'closed' ? '' : '（未结束）'}`,
    )
    expect(grid[0]).toEqual(['姓名', '备注', ...titles, '应到', '实到', '参会率'])
    // Its current members, and anyone its meetings expected who has left since.
    const expectedIds = new Set(meetings.flatMap((m) => m.expectedIds))
    const current = users.filter((u) => u.branch_id === HEXING && u.ended_at === null && u.role !== 'admin')
    const listed = users.filter((u) => current.includes(u) || expectedIds.has(u.id))
    const body = grid.slice(1, -1)
    expect(body.map((r) => r[0]).sort()).toEqual(listed.map((u) => u.name).sort())
    const last = grid.length - 1
    expect(grid[last]?.[0]).toBe('合计')

    // 应到 / 实到 / 参会率 per member and in total: what attendanceRates gives for the same meetings.
    const n = titles.length
    for (const u of listed) {
      const row = body.find((r) => r[0] === u.name)!
      const rate = rates.byMember.get(u.id)
      expect(row.slice(2 + n, 4 + n)).toEqual([rate?.expected ?? 0, rate?.present ?? 0])
      if (rate?.rate == null) expect(row[4 + n]).toBeNull()
      else expect(row[4 + n]).toBeCloseTo(rate.rate, 10)
    }
    expect(grid[last]?.slice(2 + n, 4 + n)).toEqual([rates.overall.expected, rates.overall.present])
    expect(grid[last]?.[4 + n]).toBeCloseTo(rates.overall.rate!, 10)

    // The assembly: remote, late, proxy, leave, on time; the lecture not closed: leave, or not checked in yet.
    const cell = (phone: string, meetingId: string) =>
      body.find((r) => r[0] === users.find((u) => u.phone === phone)!.name)![2 + meetings.findIndex((m) => m.id === meetingId)]
    expect(
      ['13800000002', '13800000008', '13800000006', '13800000009', '13800000005', '13800000010', DEMO.member].map((p) =>
        cell(p, 'demo-hexing-03'),
      ),
    ).toEqual(['远程', '远程', '迟到', '代签', '请假', '按时', '按时'])
    expect([cell('13800000004', 'demo-hexing-04'), cell(DEMO.member, 'demo-hexing-04')]).toEqual(['请假', '未签到'])
    expect(body.find((r) => r[0] === '李俊杰')?.[1]).toMatch(/^外出务工/)

    // 会议汇总: a row per meeting; the assembly's quorum.
    const summary = sheets['会议汇总']!
    expect(summary[0]).toEqual(['时间', '类型', '会议名称', '应到', '实到', '现场', '远程', '请假', '缺席', '参会率', '法定人数', '状态'])
    expect(summary).toHaveLength(1 + meetings.length)
    const titled = (id: string) => summary.find((r) => r[2] === meetings.find((m) => m.id === id)!.title)!
    const assembly = titled('demo-hexing-03')
    const a = rates.byMeeting.get('demo-hexing-03')!
    expect(assembly.slice(3, 9)).toEqual([11, a.present, a.onsite, a.remote, a.excused, a.absent])
    expect(assembly[9]).toBeCloseTo(a.rate!, 10)
    expect(assembly[10]).toBe(`${a.present >= 6 ? '达到' : '未达到'}（须6人）`)
    expect(assembly[0]).toMatch(/^\d{4}-\d{2}-\d{2} 19:30$/)
    expect(assembly[11]).toBe('已结束')
    expect(titled('demo-hexing-04').slice(1, 2).concat(titled('demo-hexing-04')[11])).toEqual(['党课', '未结束，不计入参会率'])
  })

  it("equals the overview's attendance this quarter, for the branch and for the town", async () => {
    const overviews = await server.withDb((db) =>
      db.selectFrom('sync_rows').select(['row_id', 'row_json']).where('table_name', '=', 'overviews').where('op', '=', 'put').execute(),
    )
    const overview = (id: string) => JSON.parse(overviews.find((r) => r.row_id === id)?.row_json ?? 'null') as OverviewRow
    for (const [id, query, cookie] of [
      [HEXING, `branchId=${HEXING}&`, secretary],
      ['town', '', admin],
    ] as const) {
      const { quarter, attendance } = overview(id).figures
      const grid = (await book(await get(`/api/exports/attendance.xlsx?${query}quarter=${quarter}`, cookie)))['参会登记']!
      const rate = grid.at(-1)!.at(-1) as number | null
      expect(rate === null ? null : Math.round(rate * 1000) / 10, id).toBe(attendance.all)
    }
  })

  it('marks partial attendance and absence, by month', async () => {
    const start = await server.withDb(
      async (db) =>
        (await db.selectFrom('meetings').select('starts_at').where('id', '=', 'demo-hexing-01').executeTakeFirstOrThrow()).starts_at,
    )
    const month = monthOf(dayInShanghai(start))
    const response = await get(`/api/exports/attendance.xlsx?branchId=${HEXING}&month=${month}`, admin)
    expect(fileNames(response).chinese).toBe(
      `新杭镇合兴村党支部_参会登记_${month.slice(0, 4)}年${Number(month.slice(5))}月_${stamp()}.xlsx`,
    )
    const grid = (await book(response))['参会登记']!
    const column = grid[0]!.indexOf(`${shanghaiMonthDay(start)} 主题党日`)
    expect(column).toBeGreaterThan(1)
    const at = (name: string) => grid.find((r) => r[0] === name)?.[column]
    expect(['李俊杰', '何文斌', '冯玉兰', '许光荣', '郑永福', '孙长林', '王建国'].map(at)).toEqual([
      '远程',
      '部分参会',
      '代签',
      '迟到',
      '请假',
      '缺席',
      '按时',
    ])
  })

  it("gives the admin the town's register: every branch's members with their branch", async () => {
    const quarter = await assemblyQuarter()
    const now = new Date().toISOString()
    const response = await get(`/api/exports/attendance.xlsx?quarter=${quarter}`, admin)
    expect(fileNames(response).chinese).toBe(`新杭镇_参会登记_${quarterLabel(quarter)}_${stamp()}.xlsx`)
    const grid = (await book(response))['参会登记']!
    const { meetings, users, rates } = await server.withDb((db) => meetingFacts(db, null, quarterStart(quarter), quarterEnd(quarter), now))
    expect(grid[0]?.slice(0, 3)).toEqual(['支部', '姓名', '备注'])
    expect(grid[0]).toHaveLength(3 + meetings.length + 3)
    const expectedIds = new Set(meetings.flatMap((m) => m.expectedIds))
    const listed = users.filter((u) => (u.ended_at === null && u.role !== 'admin') || expectedIds.has(u.id))
    expect(grid).toHaveLength(1 + listed.length + 1)
    expect(new Set(grid.slice(1, -1).map((r) => r[0]))).toEqual(
      new Set(['合兴村党支部', '金鸡窝村党支部', '流洞社区党支部', '东亭村党支部', '新杭社区党支部']),
    )
    // Block by block: each branch's meetings in the columns, in the rows' order of branches.
    const branchOrder = [...new Set(grid.slice(1, -1).map((r) => String(r[0])))]
    const columnBranches = [...new Set(grid[0]!.slice(3, -3).map((h) => String(h).split(' ')[0]))]
    expect(columnBranches).toEqual(branchOrder.filter((b) => columnBranches.includes(b)))
    const total = grid[grid.length - 1]!
    expect(total.slice(-3, -1)).toEqual([rates.overall.expected, rates.overall.present])
    expect(total[total.length - 1]).toBeCloseTo(rates.overall.rate!, 10)
  })

  it("sums the ledger per member and month, and per category; other branches' and other periods' points left out", async () => {
    const quarter = quarterOf(dayInShanghai(new Date()))
    const [m1, , m3] = [0, 1, 2].map((i) => {
      const first = quarterStart(quarter)
      return `${first.slice(0, 5)}${String(Number(first.slice(5, 7)) + i).padStart(2, '0')}`
    }) as [string, string, string]
    const wang = demoUserId(DEMO.member)
    const li = demoUserId('13800000002')
    const jin = demoUserId('13800000011')
    const entry = (id: string, memberId: string, rule: string, day: string, points: number) => ({
      id: `export-test-${id}`,
      member_id: memberId,
      rule_code: rule,
      rule_version: 1,
      source_id: id,
      day,
      points,
      reason: null,
      created_by: null,
      created_at: new Date().toISOString(),
    })
    const points = (branch: string) => get(`/api/exports/points.xlsx?${branch}quarter=${quarter}`, branch ? secretary : admin).then(book)
    const before = await points(`branchId=${HEXING}&`)
    const townBefore = (await points(''))['积分明细']!
    await server.withDb((db) =>
      db
        .insertInto('points_ledger')
        .values([
          entry('1', wang, 'article-read', `${m1}-05`, 3),
          entry('2', wang, 'volunteer', `${m1}-20`, 5),
          entry('3', wang, 'daily-quiz', `${m3}-01`, 2),
          entry('4', li, 'violation', `${m3}-15`, -4),
          entry('5', wang, 'article-read', addDays(quarterStart(quarter), -1), 100),
          entry('6', jin, 'volunteer', `${m1}-06`, 7),
        ])
        .execute(),
    )
    const sheets = await points(`branchId=${HEXING}&`)
    expect(Object.keys(sheets)).toEqual(['积分明细', '按类别'])
    const months = sheets['积分明细']!
    expect(months[0]).toEqual([
      '姓名',
      '备注',
      `${Number(m1.slice(5))}月`,
      `${Number(m1.slice(5)) + 1}月`,
      `${Number(m3.slice(5))}月`,
      '合计',
    ])
    // Every member's total is the ledger's sum over the quarter.
    const sums = await server.withDb((db) =>
      db
        .selectFrom('points_ledger')
        .innerJoin('users', 'users.id', 'points_ledger.member_id')
        .select(['users.name', 'points_ledger.points'])
        .where('users.branch_id', '=', HEXING)
        .where('day', '>=', quarterStart(quarter))
        .where('day', '<=', quarterEnd(quarter))
        .execute(),
    )
    for (const row of months.slice(1, -1))
      expect(row[5], String(row[0])).toBe(sums.filter((s) => s.name === row[0]).reduce((n, s) => n + s.points, 0))
    expect(months.at(-1)?.[5]).toBe(sums.reduce((n, s) => n + s.points, 0))
    expect(months.some((r) => r[0] === '曹金山')).toBe(false)

    // What the new entries added, month by month and category by category (the day before the quarter: nothing).
    const added = (after: Grid, earlier: Grid, name: string) => {
      const was = earlier.find((r) => r[0] === name)!
      return after
        .find((r) => r[0] === name)!
        .slice(2)
        .map((v, i) => (v as number) - (was[2 + i] as number))
    }
    expect(added(months, before['积分明细']!, '王建国')).toEqual([8, 0, 2, 10])
    expect(added(months, before['积分明细']!, '李俊杰')).toEqual([0, 0, -4, -4])
    expect(added(months, before['积分明细']!, '合计')).toEqual([8, 0, -2, 6])
    const categories = sheets['按类别']!
    expect(categories[0]).toEqual(['姓名', '备注', '日常学习', '答题考试', '组织生活', '志愿服务', '违规扣分', '建言献策', '合计'])
    expect(added(categories, before['按类别']!, '王建国')).toEqual([3, 2, 0, 5, 0, 0, 10])
    expect(added(categories, before['按类别']!, '合计')).toEqual([3, 2, 0, 5, -4, 0, 6])

    // The town's: 金鸡窝村's member too.
    const town = (await points(''))['积分明细']!
    expect((town.at(-1)?.at(-1) as number) - (townBefore.at(-1)?.at(-1) as number)).toBe(13)
  })

  it('lists the comments the branch handles, with their status, deadline, handler and reply', async () => {
    const year = dayInShanghai(new Date()).slice(0, 4)
    const response = await get(`/api/exports/comments.xlsx?branchId=${HEXING}&year=${year}`, secretary)
    expect(fileNames(response).chinese).toBe(`新杭镇合兴村党支部_朋友圈留言_${year}年_${stamp()}.xlsx`)
    const grid = (await book(response))['朋友圈留言']!
    expect(grid[0]).toEqual([
      '留言时间',
      '话题',
      '类别',
      '留言人',
      '反映群众',
      '留言内容',
      '状态',
      '受理时间',
      '办结期限',
      '办理人',
      '答复',
      '办结时间',
      '是否按时',
    ])
    const { fromAt, toAt } = range(`${year}-01-01`, `${year}-12-31`)
    const expected = await server.withDb((db) =>
      db
        .selectFrom('board_comments')
        .selectAll()
        .where((eb) => eb.or([eb('branch_id', '=', HEXING), eb('author_branch_id', '=', HEXING)]))
        .execute(),
    )
    const alive = expected.filter((c) => c.created_at <= toAt && (c.closed_at === null || c.closed_at >= fromAt))
    expect(
      grid
        .slice(1)
        .map((r) => r[5])
        .sort(),
    ).toEqual(alive.map((c) => c.text).sort())
    const now = new Date()
    for (const c of alive) {
      const row = grid.find((r) => r[5] === c.text)!
      expect(row[6]).toBe(displayStatus({ status: c.status as CommentStatus, deadline: c.deadline }, now).label)
    }
    // Still open, so in any year's register: accepted and past its 7 days, or waiting.
    const overdue = grid.find((r) => r[5] === '叶家门口那段一下雨就积水，排水沟要挖深一点。')!
    expect([overdue[1], overdue[2], overdue[3], overdue[6], overdue[9], overdue[12]]).toEqual([
      '村东组道路硬化，大家有什么意见？',
      '生活需求',
      '赵德明',
      '已超期',
      '张志强',
      '否',
    ])
    expect(overdue[8]).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(grid.find((r) => typeof r[5] === 'string' && r[5].startsWith('我在苏州工地'))?.[6]).toBe('待处理')
  })

  it('lists the warnings and 整改提示单 of the period, with 已超期', async () => {
    const today = dayInShanghai(new Date())
    const quarter = quarterOf(today)
    const nowIso = new Date().toISOString()
    const history = (why: string) => JSON.stringify([{ at: nowIso, event: 'opened', level: 'red', why }])
    const warning = (id: string, branchId: string, period: string, at: string, cleared: string | null) => ({
      id,
      branch_id: branchId,
      rule_code: 'assembly-quarterly',
      rule_version: 1,
      kind: 'meeting',
      group_id: null,
      period,
      level: 'red' as const,
      title: `测试预警${id}`,
      opened_at: at,
      escalated_at: null,
      cleared_at: cleared,
      clear_reason: cleared ? '已召开支部党员大会' : null,
      history_json: history('本季度已结束，支部党员大会未召开'),
      rectification_id: null,
    })
    const notice = (id: string, status: 'open' | 'accepted', deadline: string, issued: string, closed: string | null) => ({
      id,
      branch_id: HEXING,
      warning_id: null,
      number: `整改〔测试〕${id}号`,
      requirement: `请补开支部党员大会（${id}）`,
      issued_by: demoUserId(DEMO.admin),
      issued_at: issued,
      working_days: 10,
      deadline,
      status,
      answers_json: JSON.stringify(
        status === 'accepted' ? [{ id: 'a1', at: nowIso, byId: 'x', text: '已于上周补开大会', photoIds: ['p1'], meetingId: null }] : [],
      ),
      decisions_json: JSON.stringify(
        status === 'accepted'
          ? [
              { at: nowIso, byId: 'y', outcome: 'returned', reason: '请附会议记录' },
              { at: nowIso, byId: 'y', outcome: 'accepted', reason: null },
            ]
          : [],
      ),
      follows_id: null,
      escalated_at: null,
      closed_at: closed,
      updated_at: nowIso,
    })
    await server.withDb(async (db) => {
      const rule = await db.selectFrom('warning_rules').select('code').where('code', '=', 'assembly-quarterly').executeTakeFirst()
      if (!rule)
        await db
          .insertInto('warning_rules')
          .values({
            code: 'assembly-quarterly',
            version: 1,
            name: '支部党员大会每季度至少一次',
            kind: 'meeting',
            meeting_type: 'assembly',
            period: 'quarter',
            min_count: 1,
            per_group: 0,
            threshold: null,
            auto_notice: 1,
            enabled: 1,
            active_from: '2026-01-01',
            active_to: null,
          })
          .execute()
      await db
        .insertInto('warnings')
        .values([
          warning('xw-now', HEXING, quarter, nowIso, null),
          warning('xw-old', HEXING, '2001-Q1', '2001-02-20T00:00:00.000Z', '2001-03-01T00:00:00.000Z'),
          warning('xw-jin', 'b-jinjiwo', quarter, nowIso, null),
        ])
        .execute()
      await db
        .insertInto('rectifications')
        .values([
          notice('xn-overdue', 'open', addDays(today, -1), new Date(Date.now() - 20 * 86_400_000).toISOString(), null),
          notice('xn-old', 'accepted', '2001-03-15', '2001-03-01T00:00:00.000Z', '2001-03-10T00:00:00.000Z'),
          notice('xn-done', 'accepted', addDays(today, 5), nowIso, nowIso),
        ])
        .execute()
    })
    const sheets = await book(await get(`/api/exports/warnings.xlsx?branchId=${HEXING}&quarter=${quarter}`, secretary))
    expect(Object.keys(sheets)).toEqual(['预警', '整改提示单'])
    const warnings = sheets['预警']!
    expect(warnings[0]).toEqual(['支部', '规则', '期间', '级别', '预警内容', '发出时间', '升级时间', '解除时间', '情况说明'])
    expect(warnings.slice(1).every((r) => r[0] === '合兴村党支部')).toBe(true)
    const titles = warnings.map((r) => r[4])
    expect(titles).toContain('测试预警xw-now')
    expect(titles).not.toContain('测试预警xw-old')
    expect(titles).not.toContain('测试预警xw-jin')
    const now = warnings.find((r) => r[4] === '测试预警xw-now')!
    expect(now.slice(1, 4)).toEqual(['支部党员大会每季度至少一次', quarterLabel(quarter), '红色预警'])
    expect(now[8]).toContain('发出红色预警：本季度已结束，支部党员大会未召开')

    const notices = sheets['整改提示单']!
    expect(notices[0]).toEqual(['编号', '支部', '整改要求', '下发时间', '整改期限', '状态', '整改情况', '审核意见', '办结时间'])
    const numbers = notices.map((r) => r[0])
    expect(numbers).toEqual(expect.arrayContaining(['整改〔测试〕xn-overdue号', '整改〔测试〕xn-done号']))
    expect(numbers).not.toContain('整改〔测试〕xn-old号')
    const overdue = notices.find((r) => r[0] === '整改〔测试〕xn-overdue号')!
    expect(overdue.slice(4, 6)).toEqual([`${addDays(today, -1)}（10个工作日）`, '已超期'])
    const done = notices.find((r) => r[0] === '整改〔测试〕xn-done号')!
    expect(done[5]).toBe('已办结')
    expect(done[6]).toContain('已于上周补开大会（照片1张）')
    expect(done[7]).toMatch(/退回：请附会议记录\n.* 通过$/)

    const town = (await book(await get(`/api/exports/warnings.xlsx?quarter=${quarter}`, admin)))['预警']!
    expect(town.map((r) => r[4])).toEqual(expect.arrayContaining(['测试预警xw-now', '测试预警xw-jin']))
  })

  it("exports the branch's current roster as the roster export does", async () => {
    const response = await get(`/api/exports/members.xlsx?branchId=${HEXING}&month=2026-11`, secretary)
    expect(fileNames(response)).toEqual({ ascii: `members_${stamp()}.xlsx`, chinese: `新杭镇合兴村党支部_党员名册_${stamp()}.xlsx` })
    const sheets = await book(response)
    expect(Object.keys(sheets)).toEqual(['党员', '已终止', '联系户'])
    expect(sheets['党员']?.slice(1).map((r) => r[2])).toEqual(Array(11).fill('合兴村党支部'))
  })

  it('refuses whoever may not export, and says why', async () => {
    const url = (q: string) => `/api/exports/attendance.xlsx?${q}`
    const cases: [string, string | undefined, number, string][] = [
      [url(`branchId=${HEXING}&quarter=2026-Q4`), undefined, 401, 'unauthenticated'],
      [url(`branchId=${HEXING}&quarter=2026-Q4`), member, 403, 'forbidden'],
      [url(`branchId=${HEXING}&quarter=2026-Q4`), otherSecretary, 403, 'forbidden'],
      [url('branchId=b-jinjiwo&quarter=2026-Q4'), secretary, 403, 'forbidden'],
      [url('quarter=2026-Q4'), secretary, 403, 'forbidden'],
      [url('branchId=b-nowhere&quarter=2026-Q4'), secretary, 403, 'forbidden'],
      [url('branchId=b-nowhere&quarter=2026-Q4'), admin, 404, 'not_found'],
      ['/api/exports/salaries.xlsx?quarter=2026-Q4', admin, 404, 'not_found'],
      ['/api/exports/attendance.csv?quarter=2026-Q4', admin, 404, 'not_found'],
      ['/api/exports/attendance.xlsx.xlsx?quarter=2026-Q4', admin, 404, 'not_found'],
    ]
    for (const [path, cookie, status, error] of cases) {
      const response = await get(path, cookie)
      expect(response.statusCode, `${path} ${response.body}`).toBe(status)
      expect(response.json()).toMatchObject({ error, message: expect.stringMatching(/[\u4e00-\u9fff]/) })
    }
    expect((await get(url(`branchId=b-jinjiwo&quarter=2026-Q4`), otherSecretary)).statusCode).toBe(200)
  })

  it('answers a bad period or branch with a 400 in Chinese, never a 500, and writes nothing', async () => {
    const counts = () =>
      server.withDb(async (db) => {
        const count = async (table: 'sync_rows' | 'audit_log' | 'applied_mutations' | 'scope_versions' | 'warnings') =>
          Number(
            (
              await db
                .selectFrom(table)
                .select((eb) => eb.fn.countAll().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          )
        const versions = await db.selectFrom('scope_versions').select(['scope', 'version']).orderBy('scope').execute()
        return { rows: await count('sync_rows'), audit: await count('audit_log'), applied: await count('applied_mutations'), versions }
      })
    const before = await counts()
    const bad = [
      '',
      'quarter=2026-Q4&month=2026-11',
      'quarter=2026-Q5',
      'quarter=2026Q4',
      'month=2026-13',
      'month=2026-1',
      'year=26',
      'year=1999',
      'quarter=1999-Q4',
      `year=${Number(dayInShanghai(new Date()).slice(0, 4)) + 2}`,
      'year=9999',
      'quarter=2026-Q4%00',
      'quarter=2026-Q4&quarter=2026-Q3',
      `branchId=${HEXING}%00&quarter=2026-Q4`,
      `branchId=${'b'.repeat(65)}&quarter=2026-Q4`,
      'branchId=&quarter=2026-Q4',
    ]
    for (const q of bad) {
      const response = await get(`/api/exports/attendance.xlsx?${q}`, admin)
      expect(response.statusCode, `${q}: ${response.body}`).toBe(400)
      expect(response.json()).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/^查询参数有误：.*[\u4e00-\u9fff]/) })
    }
    for (const name of ['attendance', 'points', 'comments', 'warnings', 'members'])
      expect((await get(`/api/exports/${name}.xlsx?year=2026`, admin)).statusCode).toBe(200)
    expect(await counts()).toEqual(before)
  })

  it('keeps a member who has left in the register of the meetings they were expected at, and says why', async () => {
    const quarter = await assemblyQuarter()
    await server.withDb((db) =>
      db
        .updateTable('users')
        .set({ ended_at: new Date().toISOString().slice(0, 10), end_reason: 'deceased', end_note: '病故' })
        .where('id', '=', demoUserId('13800000005'))
        .execute(),
    )
    const grid = (await book(await get(`/api/exports/attendance.xlsx?branchId=${HEXING}&quarter=${quarter}`, secretary)))['参会登记']!
    // Current members first, then those who left.
    expect(grid.at(-2)?.slice(0, 2)).toEqual(['孙长林', '已去世'])
    expect(grid.slice(1, -2).every((r) => r[0] !== '孙长林')).toBe(true)
  })

  it("still exports an archived branch's history for the admin", async () => {
    const quarter = await server.withDb(async (db) => {
      await db.updateTable('branches').set({ archived_at: new Date().toISOString() }).where('id', '=', 'b-dongting').execute()
      const m = await db.selectFrom('meetings').select('starts_at').where('id', '=', 'demo-dongting-02').executeTakeFirstOrThrow()
      return quarterOf(dayInShanghai(m.starts_at))
    })
    const grid = (await book(await get(`/api/exports/attendance.xlsx?branchId=b-dongting&quarter=${quarter}`, admin)))['参会登记']!
    expect(grid[0]?.some((h) => typeof h === 'string' && h.endsWith('支部党员大会'))).toBe(true)
    expect(grid.length).toBeGreaterThan(2)
  })
})
