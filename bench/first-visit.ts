// First visit on a weak signal (issue 14: ≤ 5 s): Chromium with an empty cache opens /login on the real server
// serving the built app, through DevTools' network emulation at 400 kbps down and up with 400 ms round trips and
// the CPU 4× slower (a mid-range phone on a building site), until the 登录 button is visible and enabled. Also
// counted: the page's requests and the bytes on the wire (as transferred, so compression shows). Baseline in the
// same run and conditions: a tiny static file from the same server (one request's floor). The same unthrottled.
// It reports; it never fails over a number. Alone: npx tsx bench/first-visit.ts [--quick] (BENCH_DIST=… to
// measure another build than dist/).
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { sized } from './quick'
import { benchDist, browserSkipReason, CHROMIUM, CHROMIUM_ARGS, errorText, median, PHONE, startAppServer } from './browser'

export const FIRST_VISIT_GOAL_MS = 5000
const RUNS = sized(3, 1)
const WEAK = { downloadKbps: 400, uploadKbps: 400, rttMs: 400, cpu: 4 }
/** A small file of every build, served as is (not the app shell). */
const TINY_FILE = '/manifest.webmanifest'

export interface Visit {
  /** Navigation start → 登录 button visible and enabled (for the baseline: the file's response end). */
  ms: number
  requests: number
  /** Bytes received, headers included, as they came over the wire. */
  wireBytes: number
}
export interface VisitStat {
  runs: Visit[]
  medianMs: number
  requests: number
  wireBytes: number
}
export type FirstVisit =
  | { conditions: typeof WEAK; weak: { login: VisitStat; baseline: VisitStat }; fast: { login: VisitStat; baseline: VisitStat } }
  | { skipped: string }

// From document start: resolves with performance.now() at the first frame the 登录 button can be tapped.
const INIT = `
window.__benchReady = new Promise((resolve) => {
  const ready = () => [...document.querySelectorAll('button')].some((b) => {
    if (b.disabled || !b.textContent || b.textContent.trim() !== '登录') return false
    const r = b.getBoundingClientRect()
    return r.width > 0 && r.height > 0 && getComputedStyle(b).visibility !== 'hidden'
  })
  const tick = () => (ready() ? resolve(performance.now()) : requestAnimationFrame(tick))
  tick()
})`

async function visit(browser: Browser, url: string, path: string, weak: boolean): Promise<Visit> {
  // A new context each time: an empty cache, no cookies, no service worker.
  const context = await browser.newContext({ ...PHONE, baseURL: url })
  try {
    await context.addInitScript(INIT)
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    if (weak) {
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: WEAK.rttMs,
        downloadThroughput: (WEAK.downloadKbps * 1000) / 8,
        uploadThroughput: (WEAK.uploadKbps * 1000) / 8,
      })
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: WEAK.cpu })
    }
    let requests = 0
    let wireBytes = 0
    let counting = true
    cdp.on('Network.requestWillBeSent', () => void (counting && requests++))
    cdp.on('Network.loadingFinished', (e) => void (counting && (wireBytes += e.encodedDataLength)))
    await page.goto(path, { waitUntil: path === TINY_FILE ? 'load' : 'commit', timeout: 120_000 })
    const ms =
      path === TINY_FILE
        ? ((await page.evaluate(`performance.getEntriesByType('navigation')[0].responseEnd`)) as number)
        : ((await page.evaluate('window.__benchReady')) as number)
    // Events of responses finished just before the button showed may still be in flight to us.
    await new Promise((r) => setTimeout(r, 200))
    counting = false
    return { ms, requests, wireBytes }
  } finally {
    await context.close()
  }
}

const stat = (runs: Visit[]): VisitStat => ({
  runs,
  medianMs: median(runs.map((r) => r.ms)),
  requests: median(runs.map((r) => r.requests)),
  wireBytes: median(runs.map((r) => r.wireBytes)),
})

export async function firstVisitBench(root: string, dist = benchDist(root)): Promise<FirstVisit> {
  const skip = browserSkipReason(dist)
  if (skip) return { skipped: skip }
  const server = await startAppServer(root, dist)
  try {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    try {
      const measure = async (path: string, weak: boolean) => {
        const runs: Visit[] = []
        for (let i = 0; i < RUNS; i++) runs.push(await visit(browser, server.url, path, weak))
        return stat(runs)
      }
      const weak = { baseline: await measure(TINY_FILE, true), login: await measure('/login', true) }
      const fast = { baseline: await measure(TINY_FILE, false), login: await measure('/login', false) }
      return { conditions: WEAK, weak, fast }
    } finally {
      await browser.close()
    }
  } finally {
    await server.close()
  }
}

export function printFirstVisitSection(result: FirstVisit | { failed: string }): void {
  console.log('\nFirst visit on a weak signal (Chromium, empty cache, the built app on the real server; until 登录 can be tapped)')
  if ('failed' in result) return void console.log(`  FAILED: ${result.failed}`)
  if ('skipped' in result) return void console.log(`  skipped: ${result.skipped}`)
  const c = result.conditions
  const ms = (n: number) => `${n.toFixed(0).padStart(7)} ms`
  const row = (label: string, s: VisitStat, note = '') =>
    `  ${label.padEnd(52)}${ms(s.medianMs)}${String(s.requests).padStart(5)} req ${(s.wireBytes / 1024).toFixed(1).padStart(8)} KB on the wire${note}`
  const verdict = (n: number) => `; goal ≤ ${FIRST_VISIT_GOAL_MS / 1000} s → ${n <= FIRST_VISIT_GOAL_MS ? 'PASS' : 'OVER'}`
  const weakLabel = `${c.downloadKbps} kbps/${c.rttMs} ms RTT, CPU ${c.cpu}×`
  console.log(`  median of ${result.weak.login.runs.length}`)
  console.log(row(`${weakLabel}: ${TINY_FILE} (baseline)`, result.weak.baseline))
  console.log(
    row(
      `${weakLabel}: /login`,
      result.weak.login,
      `   ${(result.weak.login.medianMs / result.weak.baseline.medianMs).toFixed(1)}× baseline${verdict(result.weak.login.medianMs)}`,
    ),
  )
  console.log(row(`unthrottled: ${TINY_FILE} (baseline)`, result.fast.baseline))
  console.log(row('unthrottled: /login', result.fast.login))
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
  const result = await firstVisitBench(root).catch((error: unknown) => ({ failed: errorText(error) }))
  printFirstVisitSection(result)
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2))
}
