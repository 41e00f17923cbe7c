import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, loginAs, phoneContext, screenshot } from './browser'
import type { RankingReply } from '~/domain/points'

const baseUrl = inject('baseUrl')

describe('the town committee adjusts a member’s points', () => {
  let browser: Browser
  let page: Page
  beforeAll(async () => {
    browser = await launchChromium()
    page = await (await phoneContext(browser, baseUrl)).newPage()
  })
  afterAll(async () => {
    await browser?.close()
  })

  it('adds volunteer points with a required reason, and the town ranking shows them', async () => {
    await page.goto('/login')
    await loginAs(page, '13800000901')
    await page.locator('.van-grid-item').getByText('全镇党员', { exact: true }).click()
    const cell = page.locator('[data-member="u-68c42ggnbbhj"]')
    await cell.waitFor()
    const name = (await cell.locator('.member-name').textContent())!.trim()
    await cell.click()
    await page.getByRole('button', { name: '确认加分' }).click()
    await page.getByRole('alert').getByText('请写明原因').waitFor()
    await page.locator('.van-stepper__plus').click()
    await page.locator('.van-stepper__plus').click()
    await page.getByPlaceholder('必填，如：参加村道清扫志愿服务').fill('参加村道清扫志愿服务')
    await screenshot(page, '30-admin-adjust')
    await page.getByRole('button', { name: '确认加分' }).click()
    await page.getByText(`已为${name}加 3 分`).waitFor()
    await expect
      .poll(
        async () => {
          const ranking = (await (await page.request.get('/api/points/ranking?scope=town&period=month')).json()) as RankingReply
          return ranking.rows.find((row) => row.name === name)?.points
        },
        { timeout: 15_000 },
      )
      .toBe(3)
  })
})
