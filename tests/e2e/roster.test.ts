import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchChromium, loginAs, phoneContext, screenshot } from './browser'
import { startTown, type OwnTown } from './town'

// A town of its own: this file moves and adds people, which the files reading the shared demo town must not see.
let town: OwnTown
let baseUrl = ''
/** 王建国, a member of 合兴村党支部 (seeds/users.json), moved to 流洞社区党支部 here. */
const MOVED = 'u-66hr2jf7sv8n'
const run = Date.now().toString(36).slice(-4)
const BRANCH = `新风${run}村党支部`
const NEWCOMER = '赵新民'
// A phone no demo user has, different on each run against the same server.
const NEWCOMER_PHONE = `1398765${String(Date.now() % 10_000).padStart(4, '0')}`

async function signIn(page: Page, phone: string): Promise<void> {
  await page.goto('/login')
  await loginAs(page, phone)
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
}

const row = (page: Page, memberId: string) => page.locator(`.branch-members [data-member="${memberId}"]`)

describe('the admin puts a branch together and moves a member, both secretaries watching', () => {
  let browser: Browser
  let adminContext: BrowserContext
  let admin: Page
  let oldSecretary: Page
  let newSecretary: Page
  let newcomerId = ''

  beforeAll(async () => {
    town = await startTown(inject('staticDir'), { demoData: true })
    baseUrl = town.baseUrl
    browser = await launchChromium()
    adminContext = await phoneContext(browser, baseUrl)
    admin = await adminContext.newPage()
    oldSecretary = await (await phoneContext(browser, baseUrl)).newPage()
    newSecretary = await (await phoneContext(browser, baseUrl)).newPage()
  })
  afterAll(async () => {
    await browser?.close()
    await town?.stop()
  })

  it('takes each secretary from 管理 on 我的 straight to their own branch', async () => {
    for (const [page, phone, branch] of [
      [oldSecretary, '13800000101', 'b-hexing'],
      [newSecretary, '13800000103', 'b-liudong'],
    ] as const) {
      await signIn(page, phone)
      await page.locator('.van-tabbar').getByText('我的').click()
      await page.getByText('管理', { exact: true }).click()
      await page.waitForURL(`**/roster/branches/${branch}`)
    }
    await row(oldSecretary, MOVED).waitFor()
    await expect.poll(() => row(newSecretary, MOVED).count()).toBe(0)
    await screenshot(oldSecretary, 'roster-01-secretary-branch')
  })

  it('lets the admin create a branch and add a member to it, with the form’s messages first', async () => {
    await signIn(admin, '13800000901')
    await admin.goto('/roster')
    await admin.getByRole('button', { name: '新建支部' }).click()
    await admin.getByPlaceholder('如：合兴村党支部').fill(BRANCH)
    await admin.getByPlaceholder('如：合兴村', { exact: true }).fill(`新风${run}村`)
    await admin.getByRole('button', { name: '保存', exact: true }).click()
    await admin.locator('.roster-hub').getByText(BRANCH).click()

    await admin.getByRole('button', { name: '新增党员' }).click()
    await admin.getByRole('button', { name: '添加党员' }).click()
    await admin.getByText('请填写姓名').waitFor()
    await admin.getByText('请选择出生日期').waitFor()
    await admin.getByPlaceholder('请输入姓名').fill(NEWCOMER)
    // Typed as people do: full-width digits, spaces and a dash.
    const typed = NEWCOMER_PHONE.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))
    await admin.getByPlaceholder('登录用的11位手机号').fill(`${typed.slice(0, 3)} ${typed.slice(3, 7)}-${typed.slice(7)}`)
    await admin.getByRole('radio', { name: '女' }).click()
    for (const field of ['出生日期', '入党日期']) {
      await admin.locator('.day-field').filter({ hasText: field }).click()
      await admin.getByRole('button', { name: '确认' }).click()
    }
    await expect.poll(() => admin.locator('.day-field').first().locator('input').inputValue()).toBe('1970年1月1日')
    await admin.getByRole('radio', { name: '预备党员' }).click()
    await admin.getByRole('radiogroup', { name: '支委职务' }).getByRole('radio', { name: '书记', exact: true }).click()
    await screenshot(admin, 'roster-02-member-form')
    await admin.getByRole('button', { name: '添加党员' }).click()
    await admin.waitForURL(/\/roster\/members\/u-/)
    newcomerId = new URL(admin.url()).pathname.split('/').pop()!
    await admin.locator('.member-record').getByText(NEWCOMER_PHONE).waitFor()
    await admin.locator('.member-record').getByText(BRANCH).waitFor()
  })

  it('sets up a 党小组 with the new member as its leader, and appoints them secretary', async () => {
    await admin.goto(`/roster/members/${newcomerId}`)
    await admin.locator('.page-header').getByText('返回').click()
    await admin.getByRole('tab', { name: /党小组/ }).click()
    await admin.getByRole('button', { name: '新建党小组' }).click()
    await admin.getByPlaceholder('如：第一党小组').fill('第一党小组')
    await admin.locator(`.group-edit__member[data-member="${newcomerId}"]`).click()
    await admin.getByRole('radiogroup', { name: '组长' }).getByRole('radio', { name: NEWCOMER }).click()
    await admin.getByRole('button', { name: '保存', exact: true }).click()
    await admin.getByText(`1人 · 组长 ${NEWCOMER}`).waitFor()

    await admin.goto(`/roster/members/${newcomerId}`)
    await admin.getByText('任命为支部书记').click()
    await admin.getByRole('button', { name: '任命', exact: true }).click()
    await admin.locator('.member-record').getByText('支部书记').waitFor()
    // Confirmed by the server: no longer waiting, and in the audit log.
    await admin.locator('.member-page__tags').getByText('待同步').waitFor({ state: 'detached', timeout: 20_000 })
    await admin.locator('.audit-list').getByText('任免支部书记').waitFor({ timeout: 20_000 })
    await screenshot(admin, 'roster-03-member-page')
  })

  it('offers the branch committee and its 党小组 as a meeting’s audience', async () => {
    await admin.goto('/meetings/new')
    await admin.getByRole('radiogroup', { name: '支部' }).getByRole('radio', { name: BRANCH }).click()
    const expected = admin.locator('[aria-label="参会人员"]').getByRole('checkbox', { name: NEWCOMER })
    await admin.getByRole('radio', { name: '支委成员' }).click()
    await expect.poll(() => expected.getAttribute('aria-checked')).toBe('true')
    await admin.getByRole('radio', { name: '党小组成员' }).click()
    await expect.poll(() => expected.getAttribute('aria-checked')).toBe('false')
    await admin.getByRole('radio', { name: '第一党小组（1人）' }).click()
    await expect.poll(() => expected.getAttribute('aria-checked')).toBe('true')
    await screenshot(admin, 'roster-04-meeting-audience')
  })

  it('moves a member with no signal: shown at once as 待同步, then both rosters follow live', async () => {
    await admin.goto(`/roster/members/${MOVED}`)
    await admin.locator('.member-record').getByText('合兴村党支部').waitFor()
    await adminContext.setOffline(true)
    await admin.getByText('转接到其他支部').click()
    await admin.getByRole('radio', { name: '流洞社区党支部' }).click()
    await admin.getByPlaceholder('可不填，如：随家庭迁居').fill('随家庭迁居')
    await admin.getByRole('button', { name: '转接', exact: true }).click()
    await admin.getByRole('button', { name: '确定转接' }).click()
    await admin.locator('.member-record').getByText('流洞社区党支部').waitFor()
    await admin.locator('.member-page__tags').getByText('待同步').waitFor()
    await screenshot(admin, 'roster-05-moved-offline')
    // Nothing reached the server yet: the secretaries' lists are as they were.
    await expect.poll(() => row(oldSecretary, MOVED).count()).toBe(1)

    await adminContext.setOffline(false)
    await expect.poll(() => row(oldSecretary, MOVED).count(), { timeout: 30_000 }).toBe(0)
    await expect.poll(() => row(newSecretary, MOVED).count(), { timeout: 30_000 }).toBe(1)
    await screenshot(newSecretary, 'roster-06-new-branch-roster')
    await admin.locator('.member-page__tags').getByText('待同步').waitFor({ state: 'detached', timeout: 20_000 })
  })

  it('shows the town’s audit log to the admin, newest first', async () => {
    await admin.goto('/roster/audit')
    const first = admin.locator('.audit-list__item').first()
    await first.getByText('组织关系转接').waitFor()
    await first.getByText('支部：合兴村党支部 → 流洞社区党支部').waitFor()
    await admin.locator('.audit-list__item', { hasText: '新增党员' }).getByText(NEWCOMER).first().waitFor()
    await screenshot(admin, 'roster-07-audit')
  })
})
