import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page, type PageScreenshotOptions } from 'playwright-core'
import { PROJECT_ROOT } from '~/server/config'

/** Debian's Chromium; Playwright's own browser download is not available here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS })
}

const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
} as const

/** A browser with a profile on disk (not incognito), for what Chromium only does there, such as installing. */
export function launchPersistentPhone(userDataDir: string, baseURL: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, args: ARGS, baseURL, ...PHONE })
}

/** A phone-sized context (390x844), in Chinese. */
export function phoneContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL, ...PHONE })
}

export const SCREENSHOT_DIR = join(PROJECT_ROOT, 'test-results', 'screenshots')

/** `options`: e.g. `{ animations: 'disabled' }`, so a popup still fading in is shown as it will stay. */
export async function screenshot(page: Page, name: string, options: Omit<PageScreenshotOptions, 'path'> = {}): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  await page.screenshot({ ...options, path: join(SCREENSHOT_DIR, `${name}.png`) })
}

export async function loginAs(page: Page, phone: string, password = 'dangjian2026'): Promise<void> {
  await page.getByPlaceholder('请输入手机号').fill(phone)
  await page.getByPlaceholder('请输入密码').fill(password)
  await page.getByRole('button', { name: '登录' }).click()
}

/** The first sign-in with an activation code (激活账号), typed as it is printed on the slip. */
export async function activateAs(page: Page, phone: string, code: string, password: string): Promise<void> {
  // The code field first: the login page, maybe still on screen, has a phone field too.
  await page.getByPlaceholder('激活单上的8位激活码').fill(code)
  await page.getByPlaceholder('请输入手机号').fill(phone)
  await page.getByPlaceholder('设置新密码').fill(password)
  await page.getByPlaceholder('再输入一次新密码').fill(password)
  await page.getByRole('button', { name: '激活并登录' }).click()
}
