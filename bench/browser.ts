// What the browser benches share (first visit, cold start, Lighthouse): Debian's Chromium with the house flags,
// the real server with the demo data serving a built app, and a median.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { DEMO_PASSWORD, startServer, type BenchServer } from './server'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
/** The greeting on 首页 (builds before it had its test id: its class). */
export const GREETING = '[data-testid=greeting], .welcome-name'
export const PHONE = { viewport: { width: 390, height: 844 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' } as const

/** The folder of the built app the browser benches measure: BENCH_DIST, or dist/. */
export const benchDist = (root: string) => process.env.BENCH_DIST ?? join(root, 'dist')

/** Why a browser bench can't run here, or undefined when it can. */
export function browserSkipReason(dist: string): string | undefined {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`
  if (!existsSync(join(dist, 'index.html'))) return `no ${dist}/index.html: build the app first`
  return undefined
}

/** The real app on SQLite, seeded with the demo data, serving `dist` on 127.0.0.1. */
export const startAppServer = (root: string, dist: string): Promise<BenchServer> => startServer(root, undefined, dist)

export const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error))

/**
 * Signs in through the form and waits for the first sync to settle: the greeting drawn on 首页, then no pull
 * request sent for `quietMs`, then the service worker controlling the page (the offline cold start needs it).
 */
export async function signInAndSettle(page: Page, phone: string, baseUrl = '', quietMs = 1500, timeoutMs = 120_000): Promise<void> {
  let lastPull = Date.now()
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/sync/pull') lastPull = Date.now()
  })
  await page.goto(`${baseUrl}/login`)
  await page.getByPlaceholder('请输入手机号').fill(phone)
  await page.getByPlaceholder('请输入密码').fill(DEMO_PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.locator(GREETING).first().waitFor({ timeout: timeoutMs })
  const deadline = Date.now() + timeoutMs
  while (Date.now() - lastPull < quietMs) {
    if (Date.now() > deadline) throw new Error(`the first sync still pulls after ${timeoutMs} ms`)
    await sleep(100)
  }
  await page.waitForFunction('navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)', null, {
    timeout: timeoutMs,
  })
}
