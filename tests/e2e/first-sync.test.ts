// A first sync of more than a page shows 已同步 n 条 while it runs (issue 14), and the page stays usable.
// Each reply is held back a moment here, as a weak signal would, so the count is on screen long enough to be
// seen, then gone once the sync is done.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchChromium, loginAs, phoneContext, screenshot } from './browser'

const baseUrl = inject('baseUrl')

describe('a first sync on a weak signal', () => {
  let browser: Browser
  let context: BrowserContext
  let page: Page
  beforeAll(async () => {
    browser = await launchChromium()
    context = await phoneContext(browser, baseUrl)
    page = await context.newPage()
  })
  afterAll(async () => {
    await browser?.close()
  })

  it('counts 已同步 n 条 on screen while the pages come, then takes it away', async () => {
    // The demo data is one page of the server's: each reply is cut in pages of 200 here (the rest held under
    // a cursor of the test's own), so the first sync is several pages, as a larger branch's would be.
    type Reply = { cursor: string; hasMore: boolean; changes: unknown[]; reset?: true | undefined }
    const pulls: string[] = []
    let rest: Reply | null = null
    await page.route('**/api/sync/pull?**', async (route) => {
      const split = new URL(route.request().url()).searchParams.get('cursor') === 'e2e-split' && rest
      const whole: Reply = split ? rest! : ((await (await route.fetch()).json()) as Reply)
      const body: Reply =
        whole.changes.length > 200 ? { ...whole, changes: whole.changes.slice(0, 200), hasMore: true, cursor: 'e2e-split' } : whole
      rest = whole.changes.length > 200 ? { ...whole, reset: undefined, changes: whole.changes.slice(200) } : null
      pulls.push(body.hasMore ? 'more' : 'last')
      await new Promise((resolve) => setTimeout(resolve, 500))
      await route.fulfill({ json: body })
    })
    await page.goto('/login')
    await loginAs(page, '13800000901')

    const banner = page.getByRole('status').filter({ hasText: '已同步' })
    await banner.waitFor()
    expect(await banner.textContent()).toMatch(/已同步 [\d,]+ 条/)
    // Usable meanwhile: the tabs answer while the rows keep coming.
    await page.locator('.van-tabbar').getByText('我的').click()
    await page.getByText('同步状态').waitFor()
    await screenshot(page, '60-first-sync-progress')

    await banner.waitFor({ state: 'detached', timeout: 30_000 })
    expect(pulls.filter((p) => p === 'more').length).toBeGreaterThan(0)
    expect(pulls.at(-1)).toBe('last')
  })
})
