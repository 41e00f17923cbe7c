import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, Page, Route } from 'playwright-core'
import { launchChromium, phoneContext, screenshot } from './browser'

const baseUrl = inject('baseUrl')
const staticDir = inject('staticDir')

/** The files Vite's `__vite__mapDeps` table lists for the login route, read from the built entry. */
function loginDependencies(): { entry: string; deps: string[] } {
  const html = readFileSync(join(staticDir, 'index.html'), 'utf8')
  const entry = html.match(/<script type="module" crossorigin src="\/(assets\/index-[\w-]+\.js)"/)?.[1]
  if (!entry) throw new Error('no entry script in index.html')
  const code = readFileSync(join(staticDir, entry), 'utf8')
  const table = JSON.parse(code.match(/m\.f=(\[[^\]]*\])/)?.[1] ?? '[]') as string[]
  const call = code.match(/import\("\.\/(LoginPage-[\w-]+\.js)"\),__vite__mapDeps\(\[([\d,\s]*)\]/)
  if (!call) throw new Error('the login route is not a lazily loaded chunk with a dependency list')
  const deps = call[2]!
    .split(',')
    .filter((i) => i.trim())
    .map((i) => table[Number(i)]!)
  return { entry, deps: [`assets/${call[1]}`, ...deps] }
}

describe('a first visit to the login page', () => {
  let browser: Browser
  let page: Page
  beforeAll(async () => {
    browser = await launchChromium()
    // No service worker: a first visit, every file from the network.
    page = await (await phoneContext(browser, baseUrl)).newPage()
  })
  afterAll(async () => {
    await browser?.close()
  })

  it('draws the header bar from the HTML while no script has arrived', async () => {
    await page.route('**/assets/*.js', (route) => route.abort())
    await page.goto('/login')
    const boot = page.locator('#boot')
    await boot.waitFor()
    expect(await boot.textContent()).toBe('智慧党建云')
    expect(await boot.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(200, 16, 46)')
    await screenshot(page, 'first-visit-01-boot')
    await page.unroute('**/assets/*.js')
  })

  it('loads the login page and everything it imports in one wave, and hides the header bar once drawn', async () => {
    const { entry, deps } = loginDependencies()
    // Field and form come with the page (Vant's components are split per component), not after it.
    expect(deps.filter((f) => f.endsWith('.css')).length).toBeGreaterThan(1)
    const requested = new Set<string>()
    page.on('request', (r) => requested.add(new URL(r.url()).pathname.slice(1)))
    // Hold the page's own chunk: whatever it imports must already have been asked for beside it, not found
    // in it afterwards (one round trip per level on a weak signal).
    let held: Route | undefined
    await page.route('**/assets/LoginPage-*.js', (route) => {
      held = route
    })
    await page.goto('/login')
    await expect.poll(() => held !== undefined).toBe(true)
    await expect.poll(() => deps.filter((f) => !requested.has(f)), { timeout: 10_000 }).toEqual([])
    expect(requested.has(entry)).toBe(true)
    await held!.continue()
    await page.getByRole('button', { name: '登录' }).waitFor()
    expect(await page.locator('#boot').isVisible()).toBe(false)
    await page.unroute('**/assets/LoginPage-*.js')
  })
})
