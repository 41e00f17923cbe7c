import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import readXlsxFile from 'read-excel-file/node'
import writeXlsxFile from 'write-excel-file/node'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, loginAs, phoneContext, screenshot } from './browser'
import { startTown, type OwnTown } from './town'
import { HOUSEHOLD_COLUMNS, MEMBER_COLUMNS } from '~/domain/rosterImport'

// A town of its own: this file moves and adds people, which the files reading the shared demo town must not see.
let town: OwnTown
let baseUrl = ''
// A branch of its own, so the 50 newcomers change no other test's counts; phones no other run has.
const run = Date.now().toString(36).slice(-4)
const BRANCH = `导入${run}村党支部`
const BRANCH_ID = `b-import-${run}`
const firstPhone = 13_600_000_000 + (Date.now() % 100_000) * 50
const phone = (i: number) => String(firstPhone + i)

/** 50 members, the fifth a 党员中心户 with two households; `bad` spoils three rows as people do. */
function roster(bad: boolean): Promise<Buffer> {
  const members = Array.from({ length: 50 }, (_, i) => {
    const row: (string | null)[] = [
      `新党员${i + 1}`,
      phone(i),
      BRANCH,
      i % 3 ? '男' : '女',
      '1975-03-01',
      '2005-07-01',
      '正式',
      '在家',
      null,
      i === 4 ? '是' : '否',
    ]
    if (bad && i === 7) row[1] = phone(i).slice(0, 7)
    if (bad && i === 20) row[4] = '1975-02-30'
    if (bad && i === 33) row[7] = '外出'
    return row
  })
  const households = [
    [phone(4), '李大山', '一组1号', 3],
    [phone(4), '王小河', '一组2号', 4],
  ]
  return writeXlsxFile([
    { sheet: '党员', data: [MEMBER_COLUMNS.map((c) => c.header), ...members] },
    { sheet: '联系户', data: [HOUSEHOLD_COLUMNS.map((c) => c.header), ...households] },
  ]).toBuffer()
}

async function choose(page: Page, file: Buffer) {
  const type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
  await page.getByTestId('roster-file').setInputFiles({ name: '新党员花名册.xlsx', mimeType: type, buffer: file })
  await page.getByRole('button', { name: '预览' }).click()
}

describe('the admin imports a roster of 50 from a spreadsheet, fixing three rows after the preview', () => {
  let browser: Browser
  let admin: Page

  beforeAll(async () => {
    town = await startTown(inject('staticDir'), { demoData: true })
    baseUrl = town.baseUrl
    browser = await launchChromium()
    admin = await (await phoneContext(browser, baseUrl)).newPage()
    await admin.goto('/login')
    await loginAs(admin, '13800000901')
    await admin.waitForURL((url) => !url.pathname.startsWith('/login'))
    // The branch they go into, made as the admin's device makes it (branch.save through the outbox's route).
    const made = await admin.request.post('/api/sync/push', {
      data: {
        clientId: `c_${randomUUID().replaceAll('-', '')}`.slice(0, 40),
        schemaVersion: 1,
        mutations: [
          {
            id: randomUUID(),
            name: 'branch.save',
            args: { branchId: BRANCH_ID, name: BRANCH, place: `导入${run}村`, kind: 'village' },
            clientTime: new Date().toISOString(),
          },
        ],
      },
    })
    expect(((await made.json()) as { results: { status: string }[] }).results[0]?.status).toBe('applied')
  })
  afterAll(async () => {
    await browser?.close()
    await town?.stop()
  })

  it('downloads the template from 管理 → 导入花名册', async () => {
    await admin.goto('/roster')
    await admin.getByText('导入花名册', { exact: true }).click()
    await admin.waitForURL('**/roster/import')
    const download = admin.waitForEvent('download')
    await admin.getByRole('button', { name: '下载模板' }).click()
    const file = await download
    expect(file.suggestedFilename()).toBe('党员花名册导入模板.xlsx')
    const sheets = await readXlsxFile(await readFile(await file.path()))
    expect(sheets.map((s) => s.sheet)).toEqual(['党员', '联系户', '填写说明'])
    expect(sheets[0]?.data[0]).toEqual(MEMBER_COLUMNS.map((c) => c.header))
    await screenshot(admin, 'roster-import-01-start')
  })

  it('previews a file with three bad rows: each problem with its row and column, and no import', async () => {
    await choose(admin, await roster(true))
    await admin.getByTestId('import-problem-count').getByText('发现 3 处问题').waitFor()
    const rows = admin.getByTestId('import-problem-row')
    expect(await rows.allTextContents()).toEqual([
      `“党员”表 第 9 行手机号：手机号应为1开头的11位数字（表中是“${phone(7).slice(0, 7)}”）`,
      '“党员”表 第 22 行出生日期：出生日期无法识别（表中是“1975-02-30”），请写成 1970-05-01 这样的日期',
      '“党员”表 第 35 行务工城市：外出务工须填写务工城市',
    ])
    expect(await admin.getByTestId('import-counts').textContent()).toMatch(/50\s*名党员\s*2\s*户联系户/)
    expect(await admin.getByRole('button', { name: '导入' }).isDisabled()).toBe(true)
    await screenshot(admin, 'roster-import-02-problems')
  })

  it('imports the fixed file after confirming, and the branch has its 50 members', async () => {
    await choose(admin, await roster(false))
    await admin.getByTestId('import-ok').waitFor()
    await admin.getByRole('button', { name: '导入' }).click()
    await admin.locator('.roster-import-dialog').getByText('将导入 50 名党员和 2 户联系户').waitFor()
    await admin.getByRole('button', { name: '确定导入' }).click()
    await admin.getByTestId('import-done').getByText('已导入 50 名党员、2 户联系户').waitFor()
    await screenshot(admin, 'roster-import-03-done')

    await admin.getByRole('button', { name: '返回管理' }).click()
    await admin.locator(`[data-branch="${BRANCH_ID}"]`).getByText('50名党员').waitFor({ timeout: 30_000 })
  })
})
