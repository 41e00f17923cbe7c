// 导入花名册's store against the real server (in-process, SQLite): fetch routed to app.inject with the
// admin's cookie, the file sent as the browser sends a File.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { DEMO, login, startServer, type TestServer } from '../server/helpers'
import { memberRow, rosterXlsx } from '../server/roster-import-files'
import { downloadName, useRosterImportStore } from '~/app/stores/rosterImport'
import { ROSTER_MESSAGES } from '~/domain/rosterImport'

let server: TestServer
let cookie: string
let network: 'up' | 'down' = 'up'

beforeAll(async () => {
  server = await startServer('sqlite')
  cookie = await login(server.app, DEMO.admin)
})
afterAll(() => server.close())

beforeEach(() => {
  setActivePinia(createPinia())
  network = 'up'
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    if (network === 'down') throw new TypeError('Failed to fetch')
    const body = init.body instanceof Blob ? Buffer.from(await init.body.arrayBuffer()) : undefined
    const headers = { ...(init.headers as Record<string, string>), cookie }
    const response = await server.app.inject({ method: (init.method ?? 'GET') as 'GET' | 'POST', url, headers, payload: body })
    return new Response(new Uint8Array(response.rawPayload), {
      status: response.statusCode,
      headers: response.headers as Record<string, string>,
    })
  })
})
afterEach(() => vi.unstubAllGlobals())

const xlsxFile = async (rows: ReturnType<typeof memberRow>[], name = '花名册.xlsx') =>
  new File([new Uint8Array(await rosterXlsx(rows))], name, { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' })

describe('the roster import store', () => {
  it('previews, refuses to import while there are problems, then imports the fixed file', async () => {
    const store = useRosterImportStore()
    store.choose(await xlsxFile([memberRow('13922220001'), memberRow('1392222')]))
    await store.preview()
    expect(store.report?.problems.map((p) => [p.row, p.column])).toEqual([[3, '手机号']])
    expect(store.canImport).toBe(false)
    await store.importFile()
    expect(store.imported).toBeNull()

    store.choose(await xlsxFile([memberRow('13922220001'), memberRow('13922220002')]))
    expect(store.report).toBeNull()
    await store.preview()
    expect(store.canImport).toBe(true)
    await store.importFile()
    expect(store.imported).toEqual({ members: 2, households: 0 })
    expect(store.error).toBe('')
  })

  it('shows the new problems when the town changed since the preview (422), and the server’s own refusals', async () => {
    const store = useRosterImportStore()
    store.choose(await xlsxFile([memberRow('13922220011')]))
    await store.preview()
    expect(store.canImport).toBe(true)
    await server.withDb((db) => db.updateTable('users').set({ phone: '13922220011' }).where('phone', '=', '13922220002').execute())
    await store.importFile()
    expect(store.imported).toBeNull()
    expect(store.error).toBe('有1处需要修改，没有导入任何数据')
    expect(store.report?.problems[0]?.message).toContain('已有账号')

    store.choose(new File(['not a roster'], 'a.png', { type: 'image/png' }))
    await store.preview()
    expect(store.error).toBe(ROSTER_MESSAGES.noHeader)
  })

  it('says a file is too large before sending it, and why nothing arrived offline', async () => {
    const store = useRosterImportStore()
    store.choose(new File([new Uint8Array(6 * 1024 * 1024)], 'big.xlsx'))
    expect(store.error).toBe('文件过大（不超过5 MB）')
    store.choose(await xlsxFile([memberRow('13922220021')]))
    network = 'down'
    await store.preview()
    expect(store.error).toBe('网络不可用，请检查网络后重试')
    expect(store.busy).toBeNull()
  })

  it('names a download as the server does', () => {
    const name = encodeURIComponent('新杭镇党员花名册-2026-12-03.xlsx')
    expect(downloadName(`attachment; filename="roster.xlsx"; filename*=UTF-8''${name}`, 'x.xlsx')).toBe('新杭镇党员花名册-2026-12-03.xlsx')
    expect(downloadName('attachment; filename="roster.xlsx"', 'x.xlsx')).toBe('roster.xlsx')
    expect(downloadName(null, 'x.xlsx')).toBe('x.xlsx')
  })
})
