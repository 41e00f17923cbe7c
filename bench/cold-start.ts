// Offline cold start (issue 14: the greeting within 1 s at 4× CPU): a demo member signs in to the built app on the
// real server, the first sync settles and the service worker controls the page; then the browser goes offline
// and the app is reloaded on 首页, unthrottled and with the CPU 4× slower (a mid-range phone), timed from
// navigation start to the greeting (data-testid=greeting) drawn from the device's data. Baseline in the same
// browser, reloaded the same way: a tiny precached file the service worker answers (a reload's floor).
// It reports; it never fails over a number. Alone: npx tsx bench/cold-start.ts [--quick] [--shots=folder]
// (BENCH_DIST=… for another build than dist/).
import { mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { chromium, type CDPSession, type Page } from 'playwright-core'
import { sized } from './quick'
import { DEMO_MEMBER } from './server'
import {
  benchDist,
  browserSkipReason,
  CHROMIUM,
  CHROMIUM_ARGS,
  errorText,
  GREETING,
  median,
  PHONE,
  signInAndSettle,
  startAppServer,
} from './browser'

export const COLD_START_GOAL_MS = 1000
const RELOADS = sized(5, 1)
const CPU = 4
const TINY_FILE = '/manifest.webmanifest'

export interface ColdStat {
  runsMs: number[]
  medianMs: number
}
export type ColdStart =
  | { cpu: number; fast: { home: ColdStat; baseline: ColdStat }; slow: { home: ColdStat; baseline: ColdStat; ratio: number } }
  | { skipped: string }

// From document start on 首页: performance.now() at the first frame the greeting is drawn.
const INIT = `
if (location.pathname === '/') window.__benchGreeting = new Promise((resolve) => {
  const tick = () => {
    const el = document.querySelector(${JSON.stringify(GREETING)})
    return el && el.textContent && el.getBoundingClientRect().height > 0 ? resolve(performance.now()) : requestAnimationFrame(tick)
  }
  tick()
})`

async function reload(page: Page, cdp: CDPSession, path: string, cpu: number): Promise<number> {
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu })
  try {
    if (path === TINY_FILE) {
      await page.goto(path, { waitUntil: 'load' })
      return (await page.evaluate(`performance.getEntriesByType('navigation')[0].responseEnd`)) as number
    }
    await page.goto(path, { waitUntil: 'commit' })
    return (await page.evaluate('window.__benchGreeting')) as number
  } finally {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 })
  }
}

const stat = (runsMs: number[]): ColdStat => ({ runsMs, medianMs: median(runsMs) })

/** `shotsDir`: where to leave a screenshot of 首页 as the last offline reload drew it. */
export async function coldStartBench(root: string, dist = benchDist(root), shotsDir?: string): Promise<ColdStart> {
  const skip = browserSkipReason(dist)
  if (skip) return { skipped: skip }
  const server = await startAppServer(root, dist)
  try {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    try {
      const context = await browser.newContext({ ...PHONE, baseURL: server.url })
      await context.addInitScript(INIT)
      const page = await context.newPage()
      await signInAndSettle(page, DEMO_MEMBER)
      await context.setOffline(true)
      const cdp = await context.newCDPSession(page)
      const runs = async (path: string, cpu: number) => {
        const ms: number[] = []
        for (let i = 0; i < RELOADS; i++) ms.push(await reload(page, cdp, path, cpu))
        return stat(ms)
      }
      // The baseline's first load leaves the page, so the app's first reload below is a cold start too.
      const fast = { baseline: await runs(TINY_FILE, 1), home: await runs('/', 1) }
      const slowBaseline = await runs(TINY_FILE, CPU)
      const slowHome = await runs('/', CPU)
      if (shotsDir) {
        mkdirSync(shotsDir, { recursive: true })
        await page.screenshot({ path: join(shotsDir, 'cold-start-offline.png') })
      }
      return { cpu: CPU, fast, slow: { home: slowHome, baseline: slowBaseline, ratio: slowHome.medianMs / slowBaseline.medianMs } }
    } finally {
      await browser.close()
    }
  } finally {
    await server.close()
  }
}

export function printColdStartSection(result: ColdStart | { failed: string }): void {
  console.log('\nOffline cold start (a demo member, synced; offline, the app reloaded on 首页 until the greeting is drawn)')
  if ('failed' in result) return void console.log(`  FAILED: ${result.failed}`)
  if ('skipped' in result) return void console.log(`  skipped: ${result.skipped}`)
  const ms = (n: number) => `${n.toFixed(0).padStart(7)} ms`
  const runs = (s: ColdStat) => `   (${s.runsMs.map((x) => x.toFixed(0)).join(', ')})`
  const { fast, slow, cpu } = result
  console.log(`  median of ${slow.home.runsMs.length} reloads each`)
  console.log(`  ${`unthrottled: ${TINY_FILE} from the service worker (baseline)`.padEnd(62)}${ms(fast.baseline.medianMs)}`)
  console.log(`  ${'unthrottled: / to the greeting'.padEnd(62)}${ms(fast.home.medianMs)}${runs(fast.home)}`)
  console.log(`  ${`CPU ${cpu}×: ${TINY_FILE} from the service worker (baseline)`.padEnd(62)}${ms(slow.baseline.medianMs)}`)
  const verdict = slow.home.medianMs <= COLD_START_GOAL_MS ? 'PASS' : 'OVER'
  console.log(
    `  ${`CPU ${cpu}×: / to the greeting`.padEnd(62)}${ms(slow.home.medianMs)}${runs(slow.home)}   ${slow.ratio.toFixed(1)}× baseline; goal ≤ ${COLD_START_GOAL_MS} ms → ${verdict}`,
  )
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
  const shots = process.argv.find((a) => a.startsWith('--shots='))?.slice('--shots='.length)
  const result = await coldStartBench(root, benchDist(root), shots).catch((error: unknown) => ({ failed: errorText(error) }))
  printColdStartSection(result)
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2))
}
