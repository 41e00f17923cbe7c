// The "Bad input": each gets a clear Chinese message naming rows and columns, and nothing is written.
import { zipSync } from 'fflate'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import {
  HOUSEHOLD_HEADERS,
  MEMBER_HEADERS,
  csv,
  editSheetXml,
  memberRow,
  rosterXlsx,
  upload,
  xlsx,
  type ReportBody,
} from './roster-import-files'
import { ROSTER_MESSAGES } from '~/domain/rosterImport'

const phone = (n: number) => `1391111${String(n).padStart(4, '0')}`
const SHEET1 = 'xl/worksheets/sheet1.xml'

describe.each(databases)('roster import, bad input, on %s', (kind) => {
  let server: TestServer
  let admin: string
  let users = 0

  const userCount = () =>
    server.withDb(async (db) =>
      Number(
        (
          await db
            .selectFrom('users')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    )
  const refused = async (body: Buffer | string, status: number, message: string, name?: string) => {
    const response = await upload(server.app, admin, 'import', body, { name })
    expect(response.statusCode).toBe(status)
    expect((response.json() as { message: string }).message).toBe(message)
    expect(await userCount()).toBe(users)
  }
  const preview = async (body: Buffer | string, name?: string) => {
    const response = await upload(server.app, admin, 'preview', body, { name })
    expect(response.statusCode).toBe(200)
    return response.json() as ReportBody
  }
  const importOk = async (body: Buffer | string, name?: string) => {
    const response = await upload(server.app, admin, 'import', body, { name })
    expect(response.statusCode, response.body).toBe(200)
    users = await userCount()
    return response.json() as ReportBody
  }
  const stored = (phones: string[]) =>
    server.withDb((db) =>
      db
        .selectFrom('users')
        .select(['phone', 'name', 'branch_id', 'birth_date', 'joined_party_on'])
        .where('phone', 'in', phones)
        .orderBy('phone')
        .execute(),
    )

  beforeAll(async () => {
    server = await startServer(kind)
    admin = await login(server.app, DEMO.admin)
    users = await userCount()
  })
  afterAll(() => server.close())

  it('refuses 10,000 rows, a 20 MB file, an empty file and files that are no spreadsheet', async () => {
    const many = await rosterXlsx(Array.from({ length: 10_000 }, (_, i) => memberRow(`137${String(i).padStart(8, '0')}`)))
    await refused(many, 400, ROSTER_MESSAGES.tooManyRows)
    const big = await upload(server.app, admin, 'import', Buffer.alloc(20 * 1024 * 1024, 0x41))
    expect(big.statusCode).toBe(413)
    expect(big.json()).toEqual({ error: 'too_large', message: '文件过大（不超过5 MB）' })
    await refused(Buffer.alloc(0), 400, ROSTER_MESSAGES.empty)
    await refused(Buffer.from('\r\n , ,\r\n'), 400, ROSTER_MESSAGES.empty, 'x.csv')
    await refused(Buffer.alloc(4 * 1024 * 1024, 0x0a), 400, ROSTER_MESSAGES.tooManyRows, 'blank.csv')
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex')
    await refused(png, 400, ROSTER_MESSAGES.notSpreadsheet, 'photo.png')
    await refused(Buffer.from('d0cf11e0a1b11ae1000000000000', 'hex'), 400, ROSTER_MESSAGES.legacyXls, '花名册.xls')
    await refused(
      Buffer.from(zipSync({ 'word/document.xml': new TextEncoder().encode('<w/>') })),
      400,
      ROSTER_MESSAGES.notSpreadsheet,
      'a.docx',
    )
    await refused(Buffer.from('这是一封信，不是表格。\n谢谢。'), 400, ROSTER_MESSAGES.noHeader, '信.txt')
    const broken = (await rosterXlsx([memberRow(phone(1))])).subarray(0, 400)
    await refused(broken, 400, ROSTER_MESSAGES.broken)
  })

  it('refuses an .xlsx that would unzip to more than 50 MB (a zip bomb), before inflating it', async () => {
    const bomb = zipSync(
      { 'xl/workbook.xml': new TextEncoder().encode('<workbook/>'), [SHEET1]: new Uint8Array(60 * 1024 * 1024).fill(0x20) },
      { level: 1 },
    )
    // Well under the upload limit: the unzip guard, not the body limit, refuses it.
    expect(bomb.length).toBeLessThan(1024 * 1024)
    await refused(Buffer.from(bomb), 400, ROSTER_MESSAGES.unzipTooLarge)
    // A few bytes that would make a grid of 17 billion cells (the last cell of a sheet): refused unread.
    const corner = editSheetXml(await rosterXlsx([memberRow(phone(3))]), SHEET1, (xml) =>
      xml.replace('</sheetData>', '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'),
    )
    await refused(corner, 400, ROSTER_MESSAGES.tooManyRows)
  })

  it('says which sheet is wrong: no header anywhere, or columns missing', async () => {
    const wrong = await xlsx({
      name: '统计',
      rows: [
        ['村', '人数'],
        ['合兴村', 40],
      ],
    })
    await refused(wrong, 400, ROSTER_MESSAGES.noHeader)
    const missing = await xlsx({
      name: '党员',
      rows: [
        ['姓名', '手机号', '性别'],
        ['赵一', phone(2), '男'],
      ],
    })
    await refused(missing, 400, '“党员”表的表头缺少：支部、出生日期、入党日期（请使用下载的模板）')
    await refused(await rosterXlsx([]), 400, ROSTER_MESSAGES.noRows)
  })

  it('reads Excel dates, serial numbers and dates typed as text', async () => {
    const date = (y: number, m: number, d: number) => ({ value: new Date(Date.UTC(y, m - 1, d)), type: Date, format: 'yyyy-mm-dd' })
    const rows = [
      memberRow(phone(11), { birthDate: date(1971, 2, 3), joinedPartyOn: date(2001, 7, 1) }),
      memberRow(phone(12), { birthDate: 25689, joinedPartyOn: '2024-1-5' }),
      memberRow(phone(13), { birthDate: '1970/05/01', joinedPartyOn: '2024年1月5日' }),
      memberRow(phone(14), { birthDate: '19700501', joinedPartyOn: 20240105 }),
      memberRow(phone(15), { birthDate: '１９７０．５．１', joinedPartyOn: '2024-01-05 00:00:00' }),
      memberRow(phone(16), { birthDate: '1970年5月', joinedPartyOn: '2099-02-30' }),
    ]
    const report = await preview(await rosterXlsx(rows))
    expect(report.problems).toEqual([
      { sheet: '党员', row: 7, column: '出生日期', message: '出生日期无法识别（表中是“1970年5月”），请写成 1970-05-01 这样的日期' },
      { sheet: '党员', row: 7, column: '入党日期', message: '入党日期无法识别（表中是“2099-02-30”），请写成 1970-05-01 这样的日期' },
    ])
    await importOk(await rosterXlsx(rows.slice(0, 5)))
    expect((await stored([11, 12, 13, 14, 15].map(phone))).map((u) => [u.birth_date, u.joined_party_on])).toEqual([
      ['1971-02-03', '2001-07-01'],
      ['1970-05-01', '2024-01-05'],
      ['1970-05-01', '2024-01-05'],
      ['1970-05-01', '2024-01-05'],
      ['1970-05-01', '2024-01-05'],
    ])
  })

  it('reads full-width digits, spaces, dashes and +86 in phone numbers, and spaces around names', async () => {
    const rows = [
      memberRow('１３９１１１１００２１', { name: ' 王  伟 ' }),
      memberRow(' 139 1111 0022 ', { name: '李　娜' }),
      memberRow('139-1111-0023'),
      memberRow('+86 13911110024'),
      memberRow(13911110025),
    ]
    await importOk(await rosterXlsx(rows))
    expect((await stored([21, 22, 23, 24, 25].map(phone))).map((u) => [u.phone, u.name])).toEqual([
      [phone(21), '王伟'],
      [phone(22), '李娜'],
      [phone(23), '测试党员'],
      [phone(24), '测试党员'],
      [phone(25), '测试党员'],
    ])
  })

  it('takes a formula’s value as the spreadsheet last computed it', async () => {
    const file = editSheetXml(await rosterXlsx([memberRow(phone(31)), memberRow(phone(32))]), SHEET1, (xml) =>
      xml
        .replace(/<c r="B2"[^>]*>.*?<\/c>/, `<c r="B2" t="str"><f>"1391111"&amp;"0031"</f><v>${phone(31)}</v></c>`)
        .replace(/<c r="E3"[^>]*>.*?<\/c>/, '<c r="E3"><f>DATE(1970,5,1)</f><v>25689</v></c>')
        .replace(/<c r="D3"[^>]*>.*?<\/c>/, '<c r="D3" t="str"><f>IF(1,"女","男")</f><v>女</v></c>'),
    )
    expect((await preview(file)).problems).toEqual([])
    await importOk(file)
    expect(await stored([phone(31), phone(32)])).toMatchObject([{ phone: phone(31) }, { phone: phone(32), birth_date: '1970-05-01' }])
  })

  it('fills a 支部 merged down its rows, and names a cell merged across columns', async () => {
    const branchDown = [
      memberRow(phone(41), { branch: { value: '合兴村党支部', rowSpan: 2 } }),
      memberRow(phone(42), { branch: null }),
      memberRow(phone(43), { name: { value: '赵钱', columnSpan: 2 }, phone: null }),
    ]
    const title = [{ value: '新杭镇党员花名册', columnSpan: 10 }]
    const file = await xlsx({ name: '党员', rows: [title, MEMBER_HEADERS, ...branchDown] })
    const report = await preview(file)
    expect(report.problems).toEqual([
      { sheet: '党员', row: 5, column: '姓名', message: 'A5:B5 合并了几列的单元格，请取消合并，每格只填一项' },
      { sheet: '党员', row: 5, column: '手机号', message: '手机号应为1开头的11位数字（表中是“赵钱”）' },
    ])
    await importOk(await xlsx({ name: '党员', rows: [title, MEMBER_HEADERS, ...branchDown.slice(0, 2)] }))
    expect((await stored([phone(41), phone(42)])).map((u) => u.branch_id)).toEqual(['b-hexing', 'b-hexing'])
  })

  it('reads CSV in UTF-8 with or without BOM, in GBK as Excel saves it in China, and tab-separated UTF-16', async () => {
    const rows = (n: number) => [MEMBER_HEADERS, memberRow(phone(n), { name: '钱多多' }) as string[]]
    await importOk(`\ufeff${csv(rows(51))}`, '花名册.csv')
    await importOk(csv(rows(52)), '花名册.csv')
    await importOk(iconv.encode(csv(rows(53)), 'gbk'), '花名册.csv')
    const tabbed = rows(54)
      .map((r) => r.map((c) => c ?? '').join('\t'))
      .join('\r\n')
    await importOk(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(tabbed, 'utf16le')]), '花名册.txt')
    expect((await stored([51, 52, 53, 54].map(phone))).map((u) => u.name)).toEqual(['钱多多', '钱多多', '钱多多', '钱多多'])
  })

  it('imports households as their own CSV, for 党员中心户 already in the town', async () => {
    const households = csv([
      HOUSEHOLD_HEADERS,
      ['13800000010', '新户一', '合兴村三组1号', 3],
      ['13800000010', '新户二', '合兴村三组2号', '2人'],
    ])
    const report = await importOk(iconv.encode(households, 'gb18030'), '联系户.csv')
    expect(report.imported).toEqual({ members: 0, households: 2 })
    const heads = await server.withDb((db) =>
      db
        .selectFrom('households')
        .innerJoin('users', 'users.id', 'households.member_id')
        .select('head_name')
        .where('users.phone', '=', '13800000010')
        .execute(),
    )
    expect(heads.map((h) => h.head_name)).toEqual(expect.arrayContaining(['新户一', '新户二']))
  })

  it('refuses the template’s example row left in, and words it does not know', async () => {
    const file = await rosterXlsx(
      [
        memberRow('13800000000', { name: '张三' }),
        memberRow(phone(61), { gender: '未知', membership: '积极分子', status: '出差', center: '可能' }),
        memberRow(phone(62), { status: '外出', awayCity: null }),
      ],
      [['13800000000', '李四', '一组12号', 4]],
    )
    const report = await preview(file)
    expect(report.problems.map((p) => [p.sheet, p.row, p.column, p.message])).toEqual([
      ['党员', 2, '姓名', '这是模板里的示例行，请删除后再导入'],
      ['党员', 3, '性别', '性别请填“男”或“女”（表中是“未知”）'],
      ['党员', 3, '党员类别(正式/预备)', '党员类别请填“正式”或“预备”（表中是“积极分子”）'],
      ['党员', 3, '在家/外出', '请填“在家”或“外出”（表中是“出差”）'],
      ['党员', 3, '党员中心户(是/否)', '党员中心户请填“是”或“否”（表中是“可能”）'],
      ['党员', 4, '务工城市', '外出务工须填写务工城市'],
      ['联系户', 2, '党员手机号', '这是模板里的示例行，请删除后再导入'],
    ])
  })
})
