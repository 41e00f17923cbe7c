// The template and the export, read back with read-excel-file as a town's Excel would open them.
import readXlsxFile from 'read-excel-file/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LightMyRequestResponse } from 'fastify'
import { demoUserId } from '../demo-users'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { upload, XLSX_TYPE, type ReportBody } from './roster-import-files'
import { ENDED_EXTRA_HEADERS, EXPORT_EXTRA_HEADERS, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, ROSTER_MESSAGES } from '~/domain/rosterImport'
import { dayInShanghai } from '~/domain/calendar'

const MEMBER_HEADERS = MEMBER_COLUMNS.map((c) => c.header)
const EXPORT_HEADERS = [...MEMBER_HEADERS, ...EXPORT_EXTRA_HEADERS]

async function sheets(response: LightMyRequestResponse) {
  expect(response.statusCode, response.body.slice(0, 200)).toBe(200)
  expect(response.headers['content-type']).toBe(XLSX_TYPE)
  const read = await readXlsxFile(response.rawPayload)
  return Object.fromEntries(read.map((s) => [s.sheet, s.data]))
}

describe.each(databases)('roster template and export on %s', (kind) => {
  let server: TestServer
  let admin: string
  let secretary: string

  beforeAll(async () => {
    server = await startServer(kind)
    admin = await login(server.app, DEMO.admin)
    secretary = await login(server.app, DEMO.secretary)
    // 李俊杰 (…002) died: her membership ended, kept as history (what member.end writes).
    await server.withDb((db) =>
      db
        .updateTable('users')
        .set({ ended_at: '2026-10-08', end_reason: 'deceased', end_note: '病故' })
        .where('id', '=', demoUserId('13800000002'))
        .execute(),
    )
  })
  afterAll(() => server.close())

  it('gives the template: headers, an example row that the preview refuses if left in, and how to fill it in', async () => {
    const response = await server.app.inject({ url: '/api/admin/roster/template.xlsx', headers: { cookie: secretary } })
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="roster-template.xlsx"; filename*=UTF-8''${encodeURIComponent('党员花名册导入模板.xlsx')}`,
    )
    const book = await sheets(response)
    expect(Object.keys(book)).toEqual(['党员', '联系户', '填写说明'])
    expect(book['党员']?.[0]).toEqual(MEMBER_HEADERS)
    expect(book['党员']?.[1]).toEqual([
      '张三',
      '13800000000',
      '合兴村党支部',
      '男',
      '1970-05-01',
      '1995-07-01',
      '正式',
      '外出',
      '杭州',
      '是',
    ])
    expect(book['联系户']?.[0]).toEqual(HOUSEHOLD_COLUMNS.map((c) => c.header))
    const report = (await upload(server.app, secretary, 'preview', response.rawPayload)).json() as ReportBody
    expect(report.problems.map((p) => [p.sheet, p.row, p.message])).toEqual([
      ['党员', 2, '这是模板里的示例行，请删除后再导入'],
      ['联系户', 2, '这是模板里的示例行，请删除后再导入'],
      ['联系户', 3, '这是模板里的示例行，请删除后再导入'],
    ])
  })

  it('exports the whole town for the admin, ended memberships apart, households with their member', async () => {
    const response = await server.app.inject({ url: '/api/admin/roster/export.xlsx', headers: { cookie: admin } })
    const name = `新杭镇党员花名册-${dayInShanghai(new Date())}.xlsx`
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="roster-${dayInShanghai(new Date())}.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`,
    )
    const book = await sheets(response)
    expect(Object.keys(book)).toEqual(['党员', '已终止', '联系户'])
    const members = book['党员'] ?? []
    expect(members[0]).toEqual(EXPORT_HEADERS)
    // 53 demo members (the admin is nobody's member), one of them ended.
    expect(members).toHaveLength(1 + 52)
    const wang = members.find((r) => r[1] === DEMO.member)
    expect(wang?.slice(0, 4)).toEqual(['王建国', DEMO.member, '合兴村党支部', '男'])
    expect(wang?.[12]).toBe('正常')
    expect(new Set(members.slice(1).map((r) => r[2])).size).toBe(5)

    const ended = book['已终止'] ?? []
    expect(ended[0]).toEqual([...EXPORT_HEADERS, ...ENDED_EXTRA_HEADERS])
    expect(ended).toHaveLength(2)
    expect(ended[1]?.slice(0, 2)).toEqual(['李俊杰', '13800000002'])
    expect(ended[1]?.slice(12)).toEqual(['已终止', '去世', new Date('2026-10-08T00:00:00Z'), '病故'])

    const households = book['联系户'] ?? []
    expect(households[0]).toEqual([...HOUSEHOLD_COLUMNS.map((c) => c.header), '党员姓名'])
    expect(households).toHaveLength(1 + 80)
    expect(households.find((r) => r[0] === '13800000010')?.[4]).toBe('许光荣')

    // What the export holds reads back as a roster: every phone is known already.
    const again = (await upload(server.app, admin, 'preview', response.rawPayload)).json() as ReportBody
    expect(again.counts).toMatchObject({ members: 52, households: 80 })
    const known = again.problems.filter((p) => p.message.startsWith('该手机号已有账号'))
    expect(known.map((p) => p.row)).toEqual(Array.from({ length: 52 }, (_, i) => i + 2))
  })

  it('exports one branch: the admin any, a secretary their own only', async () => {
    const one = await sheets(
      await server.app.inject({ url: '/api/admin/roster/export.xlsx?branchId=b-jinjiwo', headers: { cookie: admin } }),
    )
    expect(one['党员']?.slice(1).every((r) => r[2] === '金鸡窝村党支部')).toBe(true)
    expect(one['党员']).toHaveLength(1 + 10)

    const own = await server.app.inject({ url: '/api/admin/roster/export.xlsx', headers: { cookie: secretary } })
    expect(own.headers['content-disposition']).toContain(encodeURIComponent('新杭镇合兴村党支部党员花名册-'))
    const book = await sheets(own)
    expect(book['党员']?.slice(1).map((r) => r[2])).toEqual(Array(10).fill('合兴村党支部'))
    expect(book['已终止']?.slice(1).map((r) => r[0])).toEqual(['李俊杰'])

    const other = await server.app.inject({ url: '/api/admin/roster/export.xlsx?branchId=b-jinjiwo', headers: { cookie: secretary } })
    expect(other.statusCode).toBe(403)
    expect(other.json()).toEqual({ error: 'forbidden', message: '只能导出本支部的花名册' })
    const unknown = await server.app.inject({ url: '/api/admin/roster/export.xlsx?branchId=b-nowhere', headers: { cookie: admin } })
    expect(unknown.statusCode).toBe(404)
  })

  it('gives the template’s columns to an export of a branch without members', async () => {
    await server.withDb((db) =>
      db
        .insertInto('branches')
        .values({ id: 'b-empty', town_id: 'town-xinhang', name: '新村党支部', place: '新村', kind: 'village', archived_at: null })
        .execute(),
    )
    const book = await sheets(
      await server.app.inject({ url: '/api/admin/roster/export.xlsx?branchId=b-empty', headers: { cookie: admin } }),
    )
    expect(book['党员']).toEqual([EXPORT_HEADERS])
    const refused = await upload(
      server.app,
      admin,
      'preview',
      (await server.app.inject({ url: '/api/admin/roster/export.xlsx?branchId=b-empty', headers: { cookie: admin } })).rawPayload,
    )
    expect(refused.json()).toMatchObject({ error: 'bad_request', message: ROSTER_MESSAGES.noRows })
  })
})
