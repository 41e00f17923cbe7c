// Issue 12's proof, as a town lives it from an empty database: the command makes the first admin, who
// activates with the code, creates two branches, imports 50 members from a spreadsheet (three rows fixed
// after the preview), appoints a secretary in each and prints their slips; a member activates from her slip;
// her secretary resets her password (her phone is signed out); the admin moves a member while both
// secretaries watch their rosters change without reloading.
import writeXlsxFile from 'write-excel-file/node'
import jsQR from 'jsqr'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { activateAs, launchChromium, loginAs, phoneContext, screenshot } from './browser'
import { startTown, type OwnTown } from './town'
import { HOUSEHOLD_COLUMNS, MEMBER_COLUMNS } from '~/domain/rosterImport'

const ADMIN = { phone: '13900000000', name: '周卫东', password: 'xinhang-dangwei-1' }
const A = { name: '新杭村党支部', place: '新杭村' }
const B = { name: '东湖社区党支部', place: '东湖社区' }
/** The members this story follows, by their row in the spreadsheet (0-based; rows 0–24 in A, 25–49 in B). */
const SECRETARY_A = { row: 0, name: '李春燕', password: 'chunyan-2026' }
const MEMBER = { row: 1, name: '张秀英', password: 'xiuying-2026' }
const MOVED = { row: 2, name: '刘建军' }
const SECRETARY_B = { row: 25, name: '王海峰', password: 'haifeng-2026' }
const NAMED = new Map([SECRETARY_A, MEMBER, MOVED, SECRETARY_B].map((p) => [p.row, p.name]))
const SURNAMES = [...'张王李赵刘陈杨黄周吴']
const GIVEN = ['建华', '秀兰', '国强', '桂英', '志明']
const phone = (row: number) => String(13_700_000_001 + row)
/** A screenshot once the toasts have gone, and closing popups too unless one is meant to be open. */
async function shot(page: Page, step: string, { popup = false } = {}) {
  const passing = page.locator(popup ? '.van-toast:visible' : '.van-toast:visible, .van-overlay:visible')
  await expect.poll(() => passing.count(), { timeout: 15_000 }).toBe(0)
  await screenshot(page, `town-from-empty-${step}`, { animations: 'disabled' })
}
const path = (page: Page) => new URL(page.url()).pathname
const LIVE = { timeout: 90_000 } // a sync round on a busy 2-core machine

/** 50 members in the town's own words; `bad` spoils three rows as people do (a short phone, a typo, 2月30日). */
function roster(bad: boolean): Promise<Buffer> {
  const members = Array.from({ length: 50 }, (_, i) => {
    const row: (string | null)[] = [
      NAMED.get(i) ?? `${SURNAMES[i % 10]}${GIVEN[Math.floor(i / 10)]}`,
      phone(i),
      i < 25 ? A.name : B.name,
      i % 2 ? '男' : '女',
      '1968-04-12',
      '1996-07-01',
      i % 7 === 3 ? '预备' : '正式',
      '在家',
      null,
      i === 5 ? '是' : '否',
    ]
    if (bad && i === 9) row[1] = phone(i).slice(0, 10)
    if (bad && i === 17) row[2] = '新杭村支部'
    if (bad && i === 40) row[4] = '1968-02-30'
    return row
  })
  const households = [
    [phone(5), '陈大伯', '一组3号', 3],
    [phone(5), '吴阿婆', '一组5号', 2],
  ]
  return writeXlsxFile([
    { sheet: '党员', data: [MEMBER_COLUMNS.map((c) => c.header), ...members] },
    { sheet: '联系户', data: [HOUSEHOLD_COLUMNS.map((c) => c.header), ...households] },
  ]).toBuffer()
}

async function preview(page: Page, file: Buffer) {
  const type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
  await page.getByTestId('roster-file').setInputFiles({ name: '新杭镇党员花名册.xlsx', mimeType: type, buffer: file })
  await page.getByRole('button', { name: '预览' }).click()
}

async function createBranch(page: Page, branch: { name: string; place: string }, kind: '村' | '社区') {
  await page.getByRole('button', { name: '新建支部' }).click()
  await page.getByPlaceholder('如：合兴村党支部').fill(branch.name)
  await page.getByPlaceholder('如：合兴村', { exact: true }).fill(branch.place)
  await page.getByRole('radiogroup', { name: '支部类型' }).getByRole('radio', { name: kind, exact: true }).click()
  await page.getByRole('button', { name: '保存', exact: true }).click()
}

const memberRow = (page: Page, name: string) => page.locator('.branch-members .roster-member', { hasText: name })

/** The admin, from 管理, opens a member of a branch. */
async function openMember(page: Page, branch: string, name: string) {
  await page.goto('/roster')
  await page.locator('.roster-hub').getByText(branch).click()
  await memberRow(page, name).click()
  await page.locator('.member-page__card').getByText(name).waitFor()
}

/** 激活码/重置密码 on a member's page, confirmed: returns the code the popup shows once. */
async function issueCode(page: Page): Promise<string> {
  await page.getByTestId('issue-code').click()
  await page.getByRole('dialog').getByRole('button', { name: '生成激活码' }).click()
  return (await page.getByTestId('issued-code').textContent())!.trim()
}

const printCalls = (page: Page) => page.evaluate(() => (window as Window & { printCalls?: number }).printCalls ?? 0)

/** What the QR image on the slip says, read back from its pixels as a phone's camera would. */
async function readQr(page: Page): Promise<string | undefined> {
  const { data, size } = await page.locator('img.slip-qr').evaluate((img: HTMLImageElement) => {
    const size = img.naturalWidth
    const canvas = Object.assign(document.createElement('canvas'), { width: size, height: size })
    const context = canvas.getContext('2d')!
    context.drawImage(img, 0, 0)
    return { data: Array.from(context.getImageData(0, 0, size, size).data), size }
  })
  return jsQR(Uint8ClampedArray.from(data), size, size)?.data
}

/** The admin issues a member's code and prints the slip; returns the code as printed on it. */
async function printSlip(page: Page, town: OwnTown, member: { row: number; name: string }, branch: string, shots?: [string, string]) {
  const shown = await issueCode(page)
  expect(shown).toMatch(/^[A-Z2-9]{4} [A-Z2-9]{4}$/)
  if (shots) await shot(page, shots[0], { popup: true })
  await page.getByRole('button', { name: '打印激活单' }).click()
  await page.waitForURL('**/accounts/slip')
  const slip = page.getByTestId('slip')
  await slip.getByText(member.name, { exact: true }).waitFor()
  await slip.getByText(branch, { exact: true }).waitFor()
  await slip.getByText(phone(member.row), { exact: true }).waitFor()
  expect(await page.getByTestId('slip-code').textContent()).toBe(shown)
  await expect.poll(() => page.locator('img.slip-qr').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0)
  expect(await readQr(page)).toBe(`${town.baseUrl}/activate`)
  if (shots) await shot(page, shots[1])
  const before = await printCalls(page)
  await page.locator('.slip-actions').getByRole('button', { name: '打印' }).click()
  await expect.poll(() => printCalls(page)).toBe(before + 1)
  return shown
}

describe('a town from an empty database, end to end', () => {
  let town: OwnTown
  let browser: Browser
  const contexts: BrowserContext[] = []
  let admin: Page
  let secretaryA: Page
  let secretaryB: Page
  let member: Page
  const codes = new Map<string, string>()

  async function phonePage(): Promise<Page> {
    const context = await phoneContext(browser, town.baseUrl)
    context.setDefaultTimeout(45_000)
    contexts.push(context)
    return context.newPage()
  }

  beforeAll(async () => {
    town = await startTown(inject('staticDir'), { demoData: false })
    browser = await launchChromium()
    admin = await phonePage()
    // The print dialog would block a headless browser: record the call instead.
    await admin.context().addInitScript(() => {
      window.print = () => {
        const w = window as Window & { printCalls?: number }
        w.printCalls = (w.printCalls ?? 0) + 1
      }
    })
    secretaryA = await phonePage()
    secretaryB = await phonePage()
    member = await phonePage()
  })
  afterAll(async () => {
    await browser?.close()
    await town?.stop()
  })

  it('creates the first admin by the command, who signs in with the code and sets a password', { timeout: 120_000 }, async () => {
    const output = await town.admin(['create-admin', '--phone', ADMIN.phone, '--name', ADMIN.name, '--town', '新杭镇'])
    const code = /^激活码：([A-Z2-9]{8})$/m.exec(output)?.[1]
    expect(code).toBeDefined()

    await admin.goto('/')
    await expect.poll(() => path(admin)).toBe('/login')
    await admin.getByRole('link', { name: '首次登录 / 激活账号' }).click()
    await admin.waitForURL('**/activate')
    await activateAs(admin, ADMIN.phone, code!, ADMIN.password)
    await admin.getByText(`${ADMIN.name}同志，您好`).waitFor()
    expect(path(admin)).toBe('/')
    await shot(admin, '01-admin-home')
  })

  it('creates two branches in an empty 管理', { timeout: 120_000 }, async () => {
    await admin.locator('.van-tabbar').getByText('我的').click()
    await admin.getByText('管理', { exact: true }).click()
    await admin.waitForURL('**/roster')
    await admin.getByText('还没有支部。点“新建支部”添加第一个支部。').waitFor()
    await shot(admin, '02-roster-empty')

    await createBranch(admin, A, '村')
    await createBranch(admin, B, '社区')
    for (const [branch, label] of [
      [A, '村 · 新杭村 · 0名党员'],
      [B, '社区 · 东湖社区 · 0名党员'],
    ] as const) {
      const cell = admin.locator('.roster-hub .van-cell', { hasText: branch.name })
      await cell.getByText(label).waitFor()
      // On the server before the import names them.
      await cell.getByText('待同步').waitFor({ state: 'detached', timeout: 60_000 })
    }
    await admin.getByText('支部（2个，党员0人）').waitFor()
    await shot(admin, '03-two-branches')
  })

  it('imports 50 members from an .xlsx, after fixing the three rows the preview names', { timeout: 180_000 }, async () => {
    await admin.getByText('导入花名册', { exact: true }).click()
    await admin.waitForURL('**/roster/import')
    await preview(admin, await roster(true))
    await admin.getByTestId('import-problem-count').getByText('发现 3 处问题').waitFor()
    const problems = await admin.getByTestId('import-problem-row').allTextContents()
    expect(problems).toHaveLength(3)
    expect(problems[0]).toContain('“党员”表 第 11 行手机号：')
    expect(problems[0]).toContain(phone(9).slice(0, 10))
    expect(problems[1]).toContain('“党员”表 第 19 行支部：没有名为“新杭村支部”的支部')
    expect(problems[2]).toContain('“党员”表 第 42 行出生日期：')
    expect(problems[2]).toContain('1968-02-30')
    expect(await admin.getByRole('button', { name: '导入' }).isDisabled()).toBe(true)
    await shot(admin, '04-import-problems')

    await preview(admin, await roster(false))
    await admin.getByTestId('import-ok').waitFor()
    expect(await admin.getByTestId('import-counts').textContent()).toMatch(/50\s*名党员\s*2\s*户联系户/)
    await admin.getByText(`${A.name}：25 名`).waitFor()
    await admin.getByText(`${B.name}：25 名`).waitFor()
    await shot(admin, '05-import-ok')
    await admin.getByRole('button', { name: '导入' }).click()
    await admin.locator('.roster-import-dialog').getByText('将导入 50 名党员和 2 户联系户').waitFor()
    await admin.getByRole('button', { name: '确定导入' }).click()
    await admin.getByTestId('import-done').getByText('已导入 50 名党员、2 户联系户').waitFor({ timeout: 60_000 })
    await shot(admin, '06-import-done')

    await admin.getByRole('button', { name: '返回管理' }).click()
    await admin.getByText('支部（2个，党员50人）').waitFor(LIVE)
    await admin.locator('.roster-hub .van-cell', { hasText: A.name }).getByText('25名党员').waitFor()
    await admin.locator('.roster-hub .van-cell', { hasText: B.name }).getByText('25名党员').waitFor()
    await shot(admin, '07-roster-50')
  })

  it('appoints a secretary in each branch and prints their slips, and a member’s', { timeout: 240_000 }, async () => {
    for (const [person, branch] of [
      [SECRETARY_A, A.name],
      [SECRETARY_B, B.name],
    ] as const) {
      await openMember(admin, branch, person.name)
      await admin.getByText('任命为支部书记').click()
      await admin.getByRole('dialog').getByText(`任命${person.name}为${branch}书记？`).waitFor()
      await admin.getByRole('button', { name: '任命', exact: true }).click()
      await admin.locator('.member-page__sub').getByText(`${branch} · 支部书记`).waitFor()
      await admin.locator('.member-page__tags').getByText('待同步').waitFor({ state: 'detached', timeout: 60_000 })
      if (person === SECRETARY_A) {
        await admin.evaluate(() => window.scrollTo(0, 0))
        await shot(admin, '08-secretary-appointed')
      }
      codes.set(
        person.name,
        await printSlip(admin, town, person, branch, person === SECRETARY_A ? ['09-code-issued', '10-slip'] : undefined),
      )
    }
    await openMember(admin, A.name, MEMBER.name)
    codes.set(MEMBER.name, await printSlip(admin, town, MEMBER, A.name))
  })

  it('lets each secretary activate from the slip and find their own branch’s roster', { timeout: 180_000 }, async () => {
    for (const [page, person, branch] of [
      [secretaryA, SECRETARY_A, A.name],
      [secretaryB, SECRETARY_B, B.name],
    ] as const) {
      await page.goto('/activate')
      await activateAs(page, phone(person.row), codes.get(person.name)!, person.password)
      await page.getByText(`${person.name}同志，您好`).waitFor()
      await page.locator('.van-tabbar').getByText('我的').click()
      await page.getByText('支部管理', { exact: true }).waitFor()
      await page.getByText('管理', { exact: true }).click()
      await page.waitForURL('**/roster/branches/*')
      await page.locator('.branch-page__card').getByText(branch, { exact: true }).waitFor()
      await page.locator('.branch-members').getByText('共 25 人').waitFor(LIVE)
    }
    await memberRow(secretaryA, MOVED.name).waitFor()
    expect(await memberRow(secretaryB, MOVED.name).count()).toBe(0)
    await shot(secretaryA, '11-secretary-a-roster')
  })

  it('lets the member activate from her slip and set a password', { timeout: 120_000 }, async () => {
    await member.goto('/login')
    await member.getByRole('link', { name: '首次登录 / 激活账号' }).click()
    await activateAs(member, phone(MEMBER.row), codes.get(MEMBER.name)!, MEMBER.password)
    await member.getByText(`${MEMBER.name}同志，您好`).waitFor()
    await shot(member, '12-member-home')
  })

  it(
    'lets her secretary reset her password: her phone is signed out and the old password no longer works',
    { timeout: 240_000 },
    async () => {
      await memberRow(secretaryA, MEMBER.name).click()
      await secretaryA.locator('.member-page__card').getByText(MEMBER.name).waitFor()
      const code = await issueCode(secretaryA)
      await secretaryA.getByText(`原密码已作废，${MEMBER.name}已在所有手机上退出登录。`).waitFor()
      await shot(secretaryA, '13-password-reset', { popup: true })
      expect((await member.request.get('/api/me')).status()).toBe(401)
      // Her open app finds out by itself at its next sync, and goes to the login page.
      await expect.poll(() => path(member), LIVE).toBe('/login')
      await loginAs(member, phone(MEMBER.row), MEMBER.password)
      await expect.poll(() => member.getByRole('alert').textContent()).toContain('手机号或密码不正确')
      await shot(member, '14-member-signed-out')

      await member.getByRole('link', { name: '首次登录 / 激活账号' }).click()
      await activateAs(member, phone(MEMBER.row), code, `${MEMBER.password}-new`)
      await member.getByText(`${MEMBER.name}同志，您好`).waitFor()

      await secretaryA.getByRole('button', { name: '关闭', exact: true }).click()
      await secretaryA.locator('.page-header').getByText('返回').click()
      await secretaryA.locator('.branch-members').getByText('共 25 人').waitFor()
    },
  )

  it(
    'moves a member from A to B while both secretaries watch: A’s roster loses him, B’s gains him, live',
    { timeout: 240_000 },
    async () => {
      // Set in the open pages: still there afterwards means no reload happened.
      for (const page of [secretaryA, secretaryB]) await page.evaluate(() => Object.assign(window, { watching: true }))
      await openMember(admin, A.name, MOVED.name)
      await admin.getByText('转接到其他支部').click()
      await admin.getByRole('radio', { name: B.name }).click()
      await admin.getByPlaceholder('可不填，如：随家庭迁居').fill('随子女迁居东湖社区')
      await shot(admin, '15-move-form', { popup: true })
      await admin.getByRole('button', { name: '转接', exact: true }).click()
      await admin.getByRole('dialog').getByText(`把${MOVED.name}从“${A.name}”转到“${B.name}”？`).waitFor()
      await admin.getByRole('button', { name: '确定转接' }).click()
      await admin.locator('.member-page__sub').getByText(`${B.name} · 党员`).waitFor()

      await expect.poll(() => memberRow(secretaryA, MOVED.name).count(), LIVE).toBe(0)
      await secretaryA.locator('.branch-members').getByText('共 24 人').waitFor()
      await expect.poll(() => memberRow(secretaryB, MOVED.name).count(), LIVE).toBe(1)
      await secretaryB.locator('.branch-members').getByText('共 26 人').waitFor()
      for (const page of [secretaryA, secretaryB]) {
        expect(await page.evaluate(() => (window as Window & { watching?: boolean }).watching)).toBe(true)
      }
      await secretaryA.evaluate(() => window.scrollTo(0, 0))
      await shot(secretaryA, '16-secretary-a-after-move')
      await memberRow(secretaryB, MOVED.name).scrollIntoViewIfNeeded()
      await shot(secretaryB, '17-secretary-b-after-move')
      await admin.locator('.member-page__tags').getByText('待同步').waitFor({ state: 'detached', timeout: 60_000 })
    },
  )
  it('shows the admin the audit log of it all, newest first', { timeout: 120_000 }, async () => {
    await admin.goto('/roster')
    await admin.getByText('操作记录', { exact: true }).click()
    await admin.waitForURL('**/roster/audit')
    const items = admin.locator('.audit-list__item')
    await items.first().getByText('组织关系转接').waitFor()
    await items.first().getByText(`支部：${A.name} → ${B.name}`).waitFor()
    const reset = admin.locator('.audit-list__item', { hasText: '重置密码' })
    await reset.getByText(MEMBER.name).waitFor()
    await reset.getByText(SECRETARY_A.name).waitFor()
    await reset.getByText(/^有效期至：12月\d+日 \d\d:\d\d$/).waitFor()
    await shot(admin, '18-audit-log')
    const imported = admin.locator('.audit-list__item', { hasText: '导入花名册' })
    await imported.getByText('文件：新杭镇党员花名册.xlsx').waitFor()
    await imported.getByText(`各支部：${A.name} 25人、${B.name} 25人`).waitFor()
    await imported.scrollIntoViewIfNeeded()
    await shot(admin, '19-audit-import')
  })
})
