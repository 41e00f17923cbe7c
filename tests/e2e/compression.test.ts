import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, BrowserContext, Page, Response } from 'playwright-core'
import { launchChromium, loginAs, phoneContext, screenshot } from './browser'

const baseUrl = inject('baseUrl')

/** Content-Encoding of the first response from our own server for each path (a service worker's copy is left out). */
function encodingsSeen(page: Page) {
  const seen = new Map<string, string>()
  const record = async (response: Response) => {
    const url = new URL(response.url())
    if (url.origin !== baseUrl || response.fromServiceWorker()) return
    const headers = await response.allHeaders().catch(() => ({}) as Record<string, string>)
    // A later pull finding nothing new is small, and rightly sent as is: the first one is the big one.
    if (!seen.has(url.pathname)) seen.set(url.pathname, headers['content-encoding'] ?? 'identity')
  }
  page.on('response', (response) => void record(response))
  return seen
}

describe('the app over a compressed wire, in Chromium', () => {
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

  it('loads the login page from brotli copies and signs in over compressed sync answers', async () => {
    const built = existsSync(join(inject('staticDir'), 'index.html.br'))
    expect(built, 'the build has no .br copies (vite.config.ts precompress()): rebuild dist with npm run build').toBe(true)
    const seen = encodingsSeen(page)
    await page.goto('/login')
    await page.getByRole('button', { name: '登录' }).waitFor()
    await screenshot(page, 'compression-01-login')
    expect(seen.get('/login')).toBe('br')
    const scripts = [...seen].filter(([path]) => /^\/assets\/.+\.js$/.test(path))
    expect(scripts.length).toBeGreaterThan(0)
    expect(scripts.filter(([, encoding]) => encoding !== 'br')).toEqual([])

    await loginAs(page, '13800000001')
    await page.getByText('王建国同志，您好').waitFor()
    await expect.poll(() => seen.get('/api/sync/pull')).toBe('br')
    await screenshot(page, 'compression-02-home')
  })
})
