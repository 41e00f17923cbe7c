import { appendFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchChromium, launchPersistentPhone, loginAs, phoneContext, screenshot } from './browser'

const baseUrl = inject('baseUrl')

/** Waits until a service worker controls the page, so the precached shell answers navigations. */
async function waitForControllingWorker(page: Page) {
  await page.evaluate(() => navigator.serviceWorker.ready)
  if (!(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)))) await page.reload()
  await page.waitForFunction(() => Boolean(navigator.serviceWorker.controller))
}

describe('the installable PWA shell in Chromium', () => {
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

  it('sends a signed-out visitor to the login page and shows a wrong password as an error', async () => {
    await page.goto('/')
    await expect.poll(() => new URL(page.url()).pathname).toBe('/login')
    await screenshot(page, '01-login')
    await loginAs(page, '13800000001', 'not-the-password')
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('手机号或密码不正确')
    await screenshot(page, '02-login-error')
  })

  it('logs the demo member in to the tab bar and shows their name, branch and role on 我的', async () => {
    await loginAs(page, '13800000001')
    await page.getByText('王建国同志，您好').waitFor()
    const tabbar = page.locator('.van-tabbar')
    expect((await tabbar.locator('.van-tabbar-item').allTextContents()).map((t) => t.trim())).toEqual([
      '首页',
      '学习',
      '会议',
      '朋友圈',
      '我的',
    ])
    // The demo branch meets tonight: 首页 reminds the member once the meeting has synced.
    await page.getByTestId('meeting-reminder').first().waitFor({ timeout: 20_000 })
    expect(await page.getByTestId('meeting-reminder').first().textContent()).toMatch(/今天 \d{2}:\d{2}/)
    await screenshot(page, '03-home')
    await tabbar.getByText('我的').click()
    await page.getByText('合兴村党支部').first().waitFor()
    expect(await page.locator('.van-cell').filter({ hasText: '身份' }).textContent()).toContain('党员')
    await screenshot(page, '04-me')
  })

  it('is installable: a manifest Chromium accepts, with icons and a service worker', async () => {
    await waitForControllingWorker(page)
    const manifest = await (await page.request.get('/manifest.webmanifest')).json()
    expect(manifest).toMatchObject({ name: '智慧党建云', display: 'standalone', lang: 'zh-CN', start_url: '/' })
    expect(manifest.icons.map((i: { sizes: string; purpose: string }) => `${i.sizes}/${i.purpose}`)).toEqual([
      '192x192/any',
      '512x512/any',
      '512x512/maskable',
    ])
    // Chromium never offers installation in an incognito context, which is what newContext() makes.
    const profile = mkdtempSync(join(tmpdir(), 'djy-profile-'))
    const persistent = await launchPersistentPhone(profile, baseUrl)
    try {
      const installPage = persistent.pages()[0] ?? (await persistent.newPage())
      await installPage.goto('/login')
      await installPage.evaluate(() => navigator.serviceWorker.ready)
      const cdp = await persistent.newCDPSession(installPage)
      const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: unknown[] }
      expect(installabilityErrors).toEqual([])
    } finally {
      await persistent.close()
      rmSync(profile, { recursive: true, force: true })
    }
  })

  it('opens and navigates with no network, with the offline banner and the member still signed in', async () => {
    await context.setOffline(true)
    onTestFinished(() => context.setOffline(false))
    await page.reload()
    await page.getByText('网络已断开').waitFor()
    await page.getByText('王建国').first().waitFor()
    await screenshot(page, '05-offline-me')
    await page.goto('/meetings')
    await page.getByRole('button', { name: '扫码签到' }).waitFor()
    await page.locator('.van-tabbar').getByText('学习').click()
    await page.getByText('网上党校').first().waitFor()
    await page.getByText('网络已断开').waitFor()
    await screenshot(page, '06-offline-study')
    await context.setOffline(false)
    await expect.poll(() => page.getByText('网络已断开').count()).toBe(0)
  })

  it('logs out after a confirmation and logs back in', async () => {
    await page.goto('/me')
    await page.getByRole('button', { name: '退出登录' }).click()
    await page.getByRole('dialog').getByText('确定要退出登录吗？').waitFor()
    await screenshot(page, '07-logout-confirm')
    await page.getByRole('dialog').getByRole('button', { name: '退出' }).click()
    await expect.poll(() => new URL(page.url()).pathname).toBe('/login')
    expect((await page.request.get('/api/me')).status()).toBe(401)
    await loginAs(page, '13800000101')
    await page.getByText('张志强同志，您好').waitFor()
    await page.getByText('支部书记').first().waitFor()
  })

  it('offers a new version and takes it over only when the member taps 立即更新', async () => {
    await waitForControllingWorker(page)
    // Publish a "new version": any byte change to sw.js makes the browser install it and wait.
    appendFileSync(join(inject('staticDir'), 'sw.js'), `\n// version ${Date.now()}\n`)
    // As a deploy replaces the build whole: the old version's precompressed copies go with it.
    for (const copy of ['sw.js.br', 'sw.js.gz']) rmSync(join(inject('staticDir'), copy), { force: true })
    await page.evaluate(() => window.sessionStorage.setItem('marker', 'before-update'))
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update())
    await page.getByText('发现新版本').waitFor({ timeout: 30_000 })
    await screenshot(page, '08-update-prompt')
    const oldWorker = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)
    const reloaded = page.waitForEvent('load')
    await page.getByRole('button', { name: '立即更新' }).click()
    await reloaded
    await page.waitForFunction(() => Boolean(navigator.serviceWorker.controller))
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.state)).toBe('activated')
    expect(oldWorker).toBeTruthy()
    expect(await page.getByText('发现新版本').count()).toBe(0)
  })
})
