import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchChromium, loginAs, phoneContext, screenshot } from './browser'
import type { RankingReply } from '~/domain/points'

const baseUrl = inject('baseUrl')
const MEMBER = 'u-r7dsaezypwcy'
const ADJUST_REASON = '误记：参加了东亭村环境整治'
const CORRECT_REASON = '经核实当天未参加，撤销加分'

describe('the town committee corrects an entry of a member’s ledger', () => {
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let name = ''
  let before = 0

  const townPoints = async () => {
    const ranking = (await (await page.request.get('/api/points/ranking?scope=town&period=month')).json()) as RankingReply
    return ranking.rows.find((row) => row.name === name)?.points
  }
  const entry = () => page.locator('.ledger-entry').filter({ hasText: ADJUST_REASON })
  /** No animation running and no toast on screen (a screenshot of the page itself). */
  const settled = async () => {
    await page.waitForFunction(() => document.getAnimations().length === 0)
    await page.waitForFunction(() => [...document.querySelectorAll('.van-toast')].every((t) => !t.checkVisibility()), undefined, {
      timeout: 10_000,
    })
  }

  beforeAll(async () => {
    browser = await launchChromium()
    context = await phoneContext(browser, baseUrl)
    page = await context.newPage()
  })
  afterAll(async () => {
    await browser?.close()
  })

  it('adds 4 volunteer points through 全镇党员, and the ranking counts them', async () => {
    await page.goto('/login')
    await loginAs(page, '13800000901')
    await page.locator('.van-grid-item').getByText('全镇党员', { exact: true }).click()
    const cell = page.locator(`[data-member="${MEMBER}"]`)
    await cell.waitFor()
    name = (await cell.locator('.member-name').textContent())!.trim()
    before = (await townPoints())!
    expect(before).toEqual(expect.any(Number))
    await cell.click()
    for (let i = 0; i < 3; i++) await page.locator('.van-stepper__plus').click()
    await page.getByPlaceholder('必填，如：参加村道清扫志愿服务').fill(ADJUST_REASON)
    await page.getByRole('button', { name: '确认加分' }).click()
    await page.getByText(`已为${name}加 4 分`).waitFor()
    await expect.poll(townPoints, { timeout: 15_000 }).toBe(before + 4)
  })

  it('opens the member’s 积分记录 from 全镇党员: newest first, the adjustment with its reason and the admin', async () => {
    await page.locator(`[data-member="${MEMBER}"]`).click()
    await page.waitForFunction(() => document.getAnimations().length === 0)
    await screenshot(page, '40-admin-adjust-with-ledger-link')
    await page.getByText(`查看${name}的积分记录`).click()
    await page.locator('.van-nav-bar__title').getByText('积分记录').waitFor()
    await entry().waitFor()
    expect(await page.locator('.ledger-member-name strong').textContent()).toBe(name)
    expect(await entry().textContent()).toMatch(/志愿服务[\s\S]*管理员调整[\s\S]*操作人：/)
    expect(await entry().locator('.ledger-points').textContent()).toBe('+4')
    expect(await page.locator('.ledger-entry').first().getAttribute('data-entry')).toBe(await entry().getAttribute('data-entry'))
    await settled()
    await screenshot(page, '41-member-ledger')
  })

  it('corrects it with a required reason after explaining the counter-entry; 待同步 while offline, then corrected', async () => {
    await entry().getByRole('button', { name: '更正' }).click()
    const form = page.locator('.correct-form')
    await form.waitFor()
    await page.waitForFunction(() => document.getAnimations().length === 0)
    expect(await form.textContent()).toContain('新增一条 -4 分 的更正记录')
    expect(await form.textContent()).toContain('原记录保留')
    await form.getByRole('button', { name: /确认更正/ }).click()
    await form.getByRole('alert').getByText('请写明原因').waitFor()
    await form.getByPlaceholder('必填，如：经核实该次扣分有误').fill(CORRECT_REASON)
    await screenshot(page, '42-ledger-correct-dialog')

    // Offline: the correction waits in the outbox and the entry says so.
    await context.setOffline(true)
    await form.getByRole('button', { name: /确认更正/ }).click()
    await form.waitFor({ state: 'detached' })
    await entry().locator('.van-tag').getByText('待同步').waitFor()
    expect(await entry().getByRole('button', { name: '更正' }).count()).toBe(0)
    await page.waitForFunction(() => document.getAnimations().length === 0)
    await screenshot(page, '43-ledger-correct-pending')

    await context.setOffline(false)
    await entry().locator('.van-tag').getByText('已更正').waitFor({ timeout: 20_000 })
    expect(await entry().textContent()).toContain(CORRECT_REASON)
    expect(await entry().getByRole('button', { name: '更正' }).count()).toBe(0)
    const counter = page.locator('.ledger-entry.is-correction').filter({ hasText: CORRECT_REASON })
    await counter.waitFor()
    expect(await counter.locator('.ledger-points').textContent()).toBe('-4')
    expect(await counter.textContent()).toContain('更正记录')
    expect(await counter.getByRole('button', { name: '更正' }).count()).toBe(0)
    await settled()
    await screenshot(page, '44-member-ledger-corrected')
    await expect.poll(townPoints, { timeout: 15_000 }).toBe(before)
  })

  it('says plainly when the list can’t be read offline, and reads it again once back online', async () => {
    await page.evaluate(() => navigator.serviceWorker.ready)
    await context.setOffline(true)
    await page.reload()
    await page.getByText('积分记录需要联网查看').waitFor()
    await page.getByRole('button', { name: '重试' }).click()
    await page.getByText('积分记录需要联网查看').waitFor()
    expect(await page.locator('.ledger-entry').count()).toBe(0)
    await screenshot(page, '45-member-ledger-offline')
    await context.setOffline(false)
    await entry().locator('.van-tag').getByText('已更正').waitFor({ timeout: 20_000 })
  })
})
