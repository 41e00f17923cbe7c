import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { VANT_ICONS } from '~/app/styles/vantIcons'
import { launchChromium, loginAs, phoneContext, screenshot } from './browser'

const baseUrl = inject('baseUrl')
const staticDir = inject('staticDir')

/** What `::before` of `<i class="van-icon van-icon-<name>">` draws with, as Chromium computes it. */
function masks(page: Page, names: string[]) {
  return page.evaluate((names) => {
    const out: Record<string, { mask: string; width: number }> = {}
    for (const name of names) {
      const i = document.createElement('i')
      i.className = `van-icon van-icon-${name}`
      document.body.append(i)
      const before = getComputedStyle(i, '::before')
      out[name] = { mask: before.maskImage || before.webkitMaskImage, width: parseFloat(before.width) }
      i.remove()
    }
    return out
  }, names)
}

describe('Vant’s icons drawn as SVG, without the icon font', () => {
  let browser: Browser
  let page: Page
  const consoleErrors: string[] = []
  beforeAll(async () => {
    browser = await launchChromium()
    page = await (await phoneContext(browser, baseUrl)).newPage()
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text())
    })
  })
  afterAll(async () => {
    await browser?.close()
  })

  it('ships no icon font and no outside URL in any stylesheet of the build', () => {
    const assets = join(staticDir, 'assets')
    const css = readdirSync(assets).filter((f) => f.endsWith('.css'))
    expect(css.length).toBeGreaterThan(0)
    for (const file of css) {
      const text = readFileSync(join(assets, file), 'utf8')
      expect(text, file).not.toMatch(/vant-icon|\.woff/)
      expect(text, file).not.toMatch(/url\(\s*["']?(https?:|\/\/)/)
    }
  })

  it('gives every icon the app uses a mask on the login page, and names without one draw nothing', async () => {
    await page.goto('/login')
    await page.getByPlaceholder('请输入手机号').waitFor()
    const drawn = await masks(page, [...Object.keys(VANT_ICONS), 'no-such-icon'])
    expect(drawn.arrow?.mask).toContain('data:image/svg+xml')
    const without = Object.entries(drawn).filter(([name, d]) => name !== 'no-such-icon' && !d.mask.includes('data:image/svg+xml'))
    expect(without).toEqual([])
    expect(drawn.arrow?.width).toBeGreaterThan(0)
    expect(drawn['no-such-icon']?.mask).not.toContain('url(')
  })

  it('draws 首页’s tab bar and cell arrows with their masks, and the console stays free of CSP errors', async () => {
    await loginAs(page, '13800000001')
    await page.getByText('王建国同志，您好').waitFor()
    const tabIcons = await page
      .locator('.van-tabbar-item .van-icon')
      .evaluateAll((icons) => icons.map((i) => getComputedStyle(i, '::before').maskImage))
    expect(tabIcons).toHaveLength(5)
    for (const mask of tabIcons) expect(mask).toContain('data:image/svg+xml')
    const arrow = page.locator('.van-cell__right-icon').first()
    await arrow.waitFor()
    const box = await arrow.evaluate((i) => {
      const before = getComputedStyle(i, '::before')
      return { mask: before.maskImage, width: parseFloat(before.width), color: before.backgroundColor }
    })
    expect(box.mask).toContain('data:image/svg+xml')
    expect(box.width).toBeGreaterThan(10)
    expect(box.color).not.toBe('rgba(0, 0, 0, 0)')
    await screenshot(page, 'icons-home')
    expect(consoleErrors.filter((e) => /font|Content Security Policy/i.test(e))).toEqual([])
  })
})
