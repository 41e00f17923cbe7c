import { describe, expect, it } from 'vitest'
import {
  MEMBER_COLUMNS,
  ROSTER_MESSAGES,
  readCount,
  readDay,
  readGender,
  readMembership,
  readName,
  readPhone,
  readStatus,
  readYesNo,
  type Cell,
} from '~/domain/rosterImport'
import { columnLetter, findRosterSheets, headerKey, locateSheet, type SheetGrid } from '~/domain/rosterImportSheets'
import { planRoster, rosterPhones, rosterReport, type RosterAccount, type RosterContext } from '~/domain/rosterImportRows'

describe('reading the cells of a roster', () => {
  it('reads days as Excel and people write them', () => {
    expect(readDay(new Date(Date.UTC(1970, 4, 1)))).toBe('1970-05-01')
    // Excel's floating point: a hair before midnight is still that day.
    expect(readDay(new Date(Date.UTC(1970, 4, 1) - 1))).toBe('1970-05-01')
    expect(readDay(25689)).toBe('1970-05-01')
    expect(readDay(45296.75)).toBe('2024-01-05')
    expect(readDay(59)).toBe('1900-02-28')
    expect(readDay(60)).toBeNull() // 1900-02-29, which Excel believes in
    expect(readDay(61)).toBe('1900-03-01')
    expect(readDay(20240105)).toBe('2024-01-05')
    for (const text of [
      '2024-1-5',
      '2024/01/05',
      '2024.1.5',
      '2024年1月5日',
      '2024年1月5号',
      '20240105',
      ' 2024-01-05 ',
      '２０２４－１－５',
    ])
      expect(readDay(text), text).toBe('2024-01-05')
    expect(readDay('2024-01-05 08:30:00')).toBe('2024-01-05')
    for (const text of ['2024-02-30', '2024-13-01', '1970年5月', '一九七〇年', '5/1/1970', '', 'abc'] as Cell[])
      expect(readDay(text), String(text)).toBeNull()
    expect(readDay(null)).toBeNull()
    expect(readDay(-3)).toBeNull()
  })

  it('reads phones with full-width digits, spaces, dashes and +86, and number cells', () => {
    expect(readPhone('１３８００００００１２')).toBe('13800000012')
    expect(readPhone(' 138 0000 0012 ')).toBe('13800000012')
    expect(readPhone('138-0000-0012')).toBe('13800000012')
    expect(readPhone('+86 138 0000 0012')).toBe('13800000012')
    expect(readPhone(13800000012)).toBe('13800000012')
    expect(readPhone('1380000')).toBe('1380000')
  })

  it('reads names without the spaces that line them up', () => {
    expect(readName(' 王  伟 ')).toBe('王伟')
    expect(readName('李\u3000娜')).toBe('李娜')
    expect(readName('Anna Li')).toBe('Anna Li')
  })

  it('reads the words of each column, and tells an empty cell from one it does not understand', () => {
    expect([readGender('男'), readGender('女性'), readGender(' 女 '), readGender(''), readGender('未知')]).toEqual([
      'male',
      'female',
      'female',
      null,
      undefined,
    ])
    expect([readMembership('正式党员'), readMembership('预备'), readMembership(null), readMembership('积极分子')]).toEqual([
      'full',
      'probationary',
      null,
      undefined,
    ])
    expect([readStatus('在家'), readStatus('外出务工'), readStatus('外出'), readStatus('出差')]).toEqual([
      'home',
      'away',
      'away',
      undefined,
    ])
    expect([readYesNo('是'), readYesNo('否'), readYesNo(true), readYesNo('√'), readYesNo(''), readYesNo('可能')]).toEqual([
      true,
      false,
      true,
      true,
      null,
      undefined,
    ])
    expect([readCount(4), readCount('4'), readCount('４人'), readCount(''), readCount('四'), readCount(2.5)]).toEqual([
      4,
      4,
      4,
      null,
      undefined,
      undefined,
    ])
  })
})

const HEADERS = MEMBER_COLUMNS.map((c) => c.header)
const row = (phone: Cell, over: Partial<Record<string, Cell>> = {}): Cell[] =>
  HEADERS.map(
    (h) =>
      over[h] ??
      (
        { 姓名: '赵一', 手机号: phone, 支部: '合兴村党支部', 性别: '男', 出生日期: '1970-05-01', 入党日期: '1995-07-01' } as Record<
          string,
          Cell
        >
      )[h] ??
      null,
  )
const sheet = (rows: Cell[][], name = '党员'): SheetGrid => ({ name, grid: [HEADERS, ...rows], merges: [] })

describe('finding the roster in a workbook', () => {
  it('matches headers however they are written', () => {
    expect(headerKey('党员类别（正式/预备）')).toBe(headerKey('党员类别(正式/预备)'))
    expect(headerKey('* 手机号码 ')).toBe('手机号码')
    expect(columnLetter(0) + columnLetter(25) + columnLetter(26) + columnLetter(701)).toBe('AZAAZZ')
    const located = locateSheet(
      {
        name: '花名册',
        grid: [['新杭镇党员花名册'], [], ['序号', '党员姓名', '联系电话', '所在支部', '性别', '出生年月日', '入党时间']],
        merges: [],
      },
      MEMBER_COLUMNS,
      ['name', 'phone'],
    )
    expect(located?.columns).toMatchObject({
      name: { index: 1, header: '党员姓名' },
      phone: { index: 2 },
      branch: { index: 3 },
      birthDate: { index: 5 },
    })
  })

  it('prefers the sheet named 党员, skips 已终止, and finds 联系户', () => {
    const households: SheetGrid = {
      name: 'Sheet3',
      grid: [
        ['党员手机号', '户主姓名', '住址', '人数'],
        ['13800000012', '李', '一组', 3],
      ],
      merges: [],
    }
    const found = findRosterSheets([
      sheet([row('13800000099')], '已终止'),
      sheet([row('13800000011')], 'Sheet1'),
      sheet([row('13800000012')]),
      households,
    ])
    expect(found.ok && [found.sheets.members?.sheet, found.sheets.households?.sheet]).toEqual(['党员', 'Sheet3'])
  })

  it('says what is missing, too many rows, or nothing at all', () => {
    expect(findRosterSheets([{ name: 'x', grid: [['a', 'b']], merges: [] }])).toEqual({ ok: false, message: ROSTER_MESSAGES.noHeader })
    expect(findRosterSheets([{ name: '党员', grid: [['姓名', '手机号', '支部', '性别', '生日']], merges: [] }])).toEqual({
      ok: false,
      message: '“党员”表的表头缺少：入党日期（请使用下载的模板）',
    })
    expect(findRosterSheets([sheet([])])).toEqual({ ok: false, message: ROSTER_MESSAGES.noRows })
    const many = Array.from({ length: 5001 }, (_, i) => row(String(13800000000 + i)))
    expect(findRosterSheets([sheet(many)])).toEqual({ ok: false, message: ROSTER_MESSAGES.tooManyRows })
    expect(findRosterSheets([sheet(many.slice(0, 5000))]).ok).toBe(true)
  })

  it('fills a value merged down its rows and refuses one merged across columns', () => {
    const grid: Cell[][] = [HEADERS, row('13800000011'), row('13800000012', { 支部: null }), row('13800000013')]
    const located = locateSheet(
      {
        name: '党员',
        grid,
        merges: [
          { top: 1, left: 2, bottom: 2, right: 2 },
          { top: 3, left: 4, bottom: 3, right: 5 },
        ],
      },
      MEMBER_COLUMNS,
      ['name', 'phone'],
    )
    expect(located?.rows[1]?.cells[2]).toBe('合兴村党支部')
    expect(located?.problems).toEqual([
      { sheet: '党员', row: 4, column: '出生日期', message: 'E4:F4 合并了几列的单元格，请取消合并，每格只填一项' },
    ])
    // A merge over the whole sheet (to XFD1048576) costs what the sheet's own cells cost, no more.
    const whole = locateSheet({ name: '党员', grid, merges: [{ top: 3, left: 0, bottom: 1_048_575, right: 16_383 }] }, MEMBER_COLUMNS, [
      'name',
      'phone',
    ])
    expect(whole?.rows).toHaveLength(3)
    expect(whole?.rows.every((r) => r.cells.length <= HEADERS.length)).toBe(true)
  })
})

const BRANCHES = [
  { id: 'b-hexing', name: '合兴村党支部', place: '合兴村', archived: false },
  { id: 'b-jinjiwo', name: '金鸡窝村党支部', place: '金鸡窝村', archived: false },
  { id: 'b-old', name: '老村党支部', place: '老村', archived: true },
]
const account = (over: Partial<RosterAccount>): RosterAccount => ({
  id: 'u-x',
  branchId: 'b-hexing',
  centerHousehold: false,
  ended: false,
  households: 0,
  ...over,
})
const context = (over: Partial<RosterContext> = {}): RosterContext => ({
  branches: BRANCHES,
  ownBranchId: null,
  accounts: new Map(),
  ...over,
})

function plan(members: Cell[][], households: Cell[][] = [], ctx = context()) {
  const grids = [
    sheet(members),
    ...(households.length ? [{ name: '联系户', grid: [['党员手机号', '户主姓名', '住址', '人数'], ...households], merges: [] }] : []),
  ]
  const found = findRosterSheets(grids)
  if (!found.ok) throw new Error(found.message)
  return { sheets: found.sheets, plan: planRoster(found.sheets, ctx) }
}
const messages = (members: Cell[][], households: Cell[][] = [], ctx = context()) =>
  plan(members, households, ctx).plan.problems.map((p) => `${p.sheet}${p.row}·${p.column}：${p.message}`)

describe('checking every row', () => {
  it('plans good rows with their branch and defaults', () => {
    const { plan: good, sheets } = plan([row('13800000011'), row('13800000012', { 支部: '金鸡窝村' })])
    expect(good.problems).toEqual([])
    expect(good.members.map((m) => [m.row, m.branchId, m.fields.status, m.fields.membership, m.fields.centerHousehold])).toEqual([
      [2, 'b-hexing', 'home', 'full', false],
      [3, 'b-jinjiwo', 'home', 'full', false],
    ])
    expect(rosterPhones(sheets)).toEqual(['13800000011', '13800000012'])
    const away = plan([row('13800000011', { 务工城市: '杭州' })]).plan.members[0]?.fields
    expect([away?.status, away?.awayCity]).toEqual(['away', '杭州'])
    const home = plan([row('13800000011', { '在家/外出': '在家', 务工城市: '杭州' })]).plan.members[0]?.fields
    expect([home?.status, home?.awayCity]).toEqual(['home', null])
  })

  it('names every problem of a member row', () => {
    expect(
      messages([
        row('', { 姓名: '' }),
        row('1380000', { 支部: '', 性别: '', 出生日期: '', 入党日期: '' }),
        row('13800000013', { 支部: '月亮村', 出生日期: '1850-01-01', 入党日期: '1920-01-01' }),
        row('13800000014', { 支部: '老村党支部', '在家/外出': '外出' }),
        row('13800000015', { 姓名: 'x'.repeat(21) }),
      ]),
    ).toEqual([
      '党员2·姓名：请填写姓名',
      '党员2·手机号：请填写手机号',
      '党员3·手机号：手机号应为1开头的11位数字（表中是“1380000”）',
      '党员3·支部：请填写支部',
      '党员3·性别：请填写性别',
      '党员3·出生日期：请填写出生日期',
      '党员3·入党日期：请填写入党日期',
      '党员4·支部：没有名为“月亮村”的支部',
      '党员4·出生日期：出生日期不存在或不在合理范围',
      '党员4·入党日期：入党日期不存在或不在合理范围',
      '党员5·支部：老村党支部已撤销，不能再导入党员',
      '党员5·务工城市：外出务工须填写务工城市',
      '党员6·姓名：姓名不超过20字',
    ])
  })

  it('finds phones twice in the file and phones that have an account, and a secretary’s other branches', () => {
    const ctx = context({ ownBranchId: 'b-hexing', accounts: new Map([['13800000001', account({})]]) })
    expect(messages([row('13800000011'), row('13800000001'), row('13800000011', { 支部: '金鸡窝村党支部' })], [], ctx)).toEqual([
      '党员2·手机号：手机号与第4行重复',
      '党员3·手机号：该手机号已有账号，不能重复导入（修改已有党员请到党员名单）',
      '党员4·手机号：手机号与第2行重复',
      '党员4·支部：只能导入本支部（合兴村党支部）的党员',
    ])
  })

  it('names every problem of a household row', () => {
    const center = row('13800000011', { '党员中心户(是/否)': '是' })
    const plain = row('13800000012')
    const ctx = context({
      ownBranchId: 'b-hexing',
      accounts: new Map([
        ['13800000021', account({ centerHousehold: true, households: 29 })],
        ['13800000022', account({ branchId: 'b-jinjiwo', centerHousehold: true })],
        ['13800000023', account({ centerHousehold: true, ended: true })],
      ]),
    })
    expect(
      messages(
        [center, plain],
        [
          ['13800000011', '甲', '一组1号', 3],
          ['13800000012', '乙', '一组2号', 3],
          ['13800000099', '丙', '一组3号', 3],
          ['13800000021', '丁', '一组4号', 3],
          ['13800000021', '戊', '一组5号', 3],
          ['13800000022', '己', '一组6号', 3],
          ['13800000023', '庚', '一组7号', 3],
          ['', '', '', ''],
          ['abc', '', '', '四'],
          ['13800000011', '辛', 'x'.repeat(61), 21],
        ],
        ctx,
      ),
    ).toEqual([
      '联系户3·党员手机号：该党员不是党员中心户（请在党员表的“党员中心户”填“是”），不能填写联系户',
      '联系户4·党员手机号：找不到手机号为13800000099的党员：应在党员表中，或已在系统中',
      '联系户6·党员手机号：每名党员中心户最多联系30户',
      '联系户7·党员手机号：只能为本支部的党员导入联系户',
      '联系户8·党员手机号：该党员已终止党籍关系，不能填写联系户',
      '联系户10·党员手机号：党员手机号应为1开头的11位数字（表中是“abc”）',
      '联系户10·户主姓名：请填写户主姓名',
      '联系户10·住址：请填写住址',
      '联系户10·人数：人数请填数字，例如 4（表中是“四”）',
      '联系户11·住址：住址不超过60字',
      '联系户11·人数：户人数不超过20人',
    ])
  })

  it('reports counts by branch and keeps at most 2,000 problems', () => {
    const rows = Array.from({ length: 2500 }, (_, i) => row(String(13800000000 + i), { 性别: '?' }))
    const { sheets, plan: checked } = plan(rows)
    const report = rosterReport(sheets, checked, context(), 'a.xlsx')
    expect([report.problems.length, report.problemCount, report.counts.members]).toEqual([2000, 2500, 2500])
    const ok = plan([row('13800000011'), row('13800000012', { 支部: '金鸡窝村党支部' }), row('13800000013')])
    expect(rosterReport(ok.sheets, ok.plan, context(), 'b.csv').counts.branches).toEqual([
      { id: 'b-hexing', name: '合兴村党支部', members: 2 },
      { id: 'b-jinjiwo', name: '金鸡窝村党支部', members: 1 },
    ])
  })
})
