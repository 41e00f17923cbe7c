import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchChromium, loginAs, phoneContext, screenshot } from './browser'

const baseUrl = inject('baseUrl')

describe('a status change made offline reaches the secretary', () => {
  let browser: Browser
  let memberContext: BrowserContext
  let secretaryContext: BrowserContext
  let member: Page
  let secretary: Page
  beforeAll(async () => {
    browser = await launchChromium()
    memberContext = await phoneContext(browser, baseUrl)
    secretaryContext = await phoneContext(browser, baseUrl)
    member = await memberContext.newPage()
    secretary = await secretaryContext.newPage()
  })
  afterAll(async () => {
    await browser?.close()
  })

  const statusOf = (page: Page, memberId: string) => page.locator(`[data-member="${memberId}"] .member-status`).textContent()

  it('shows the secretary the branch roster with each member’s status', async () => {
    await secretary.goto('/login')
    await loginAs(secretary, '13800000101')
    await secretary.locator('.van-grid-item').getByText('支部党员', { exact: true }).click()
    await secretary.locator('[data-member="u-66hr2jf7sv8n"]').waitFor()
    expect(await statusOf(secretary, 'u-66hr2jf7sv8n')).toContain('在家')
    expect(await statusOf(secretary, 'u-v3dbuda5vaig')).toContain('外出务工 · 杭州')
    await screenshot(secretary, '10-secretary-roster')
  })

  it('keeps a change made offline through a reload, then syncs it and pokes the secretary', async () => {
    await member.goto('/login')
    await loginAs(member, '13800000001')
    await member.getByText('王建国同志，您好').waitFor()
    await member.locator('.van-tabbar').getByText('我的').click()
    await member.locator('.profile-status').getByText('在家').waitFor()

    // One online visit installs the app shell; from then on it opens with no network.
    await member.evaluate(() => navigator.serviceWorker.ready)
    await memberContext.setOffline(true)
    await member.locator('.profile-status').click()
    await member.getByText('外出务工', { exact: true }).click()
    await member.getByPlaceholder('如：杭州').fill('杭州')
    await screenshot(member, '11-status-form')
    await member.getByRole('button', { name: '保存' }).click()
    await member.locator('.profile-status').getByText('外出务工 · 杭州').waitFor()
    await member.getByText('待同步 1').waitFor()
    expect(await member.locator('.van-tabbar .van-badge').textContent()).toBe('1')
    await screenshot(member, '12-offline-pending')

    await member.reload()
    await member.getByText('网络已断开').waitFor()
    await member.getByText('待同步 1').waitFor()
    await member.locator('.profile-status').getByText('外出务工 · 杭州').waitFor()
    await member.getByText('同步状态').click()
    await member.getByText('状态改为外出务工（杭州）').waitFor()
    await screenshot(member, '13-sync-page-waiting')

    // The secretary has not seen it yet.
    expect(await statusOf(secretary, 'u-66hr2jf7sv8n')).toContain('在家')

    await memberContext.setOffline(false)
    await member.getByText('所有更改都已同步').waitFor({ timeout: 20_000 })
    await member.locator('.van-nav-bar__left').click()
    await member.getByText('已全部同步').waitFor()
    await screenshot(member, '14-synced')

    // No reload on the secretary's side: the server's poke makes it pull.
    await expect.poll(() => statusOf(secretary, 'u-66hr2jf7sv8n'), { timeout: 15_000 }).toContain('外出务工 · 杭州')
    await screenshot(secretary, '15-secretary-sees-change')
  })
})
