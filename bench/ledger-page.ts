// 积分明细 with a large local ledger, in Chromium (issue 4: "10,000 local entries scroll smoothly and open in
// under 200 ms"). The built app, served by the real server on SQLite. One browser context (its own IndexedDB) per
// size: the demo member signs in through the form, waits for the first sync, and N rows of the synced `points`
// table (ledgerRowSchema, ~9 a day back from today) are written straight into the app's IndexedDB. Then, the
// sizes interleaved: a fresh tab loading /points (navigation start → first ledger row on screen, the page's own
// first frame → that row, main-thread CPU time, the reads of the points store), / → click on 今日积分 → first row,
// 加载更多 (click → the next 50 rows on screen), and scrolling the rendered list (requestAnimationFrame intervals).
// The smallest N is the baseline; the report gives the ratios. It reports; it never fails over a number.
// Standalone: npx tsx bench/ledger-page.ts [--json] (builds into /tmp/bench-ledger-dist first; LEDGER_DIST=<dir>
// uses an existing build instead). In npm run bench it uses dist/.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { DB_NAME } from '../src/app/constants'
import type { LedgerRow } from '../src/domain/points'
import { dayInShanghai } from '../src/domain/calendar'
import { DEMO_MEMBER, DEMO_PASSWORD, startServer } from './server'
import { sized } from './quick'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
/** The first size is the baseline. */
export const LEDGER_SIZES = sized([100, 1_000, 10_000], [100, 1_000])
export const LEDGER_TARGET_MS = 200
const RUNS = sized(5, 1)
const PAGE_SIZE = 50
/** 加载更多 clicks in a row, then the scroll, on one load per size. */
const MORE_CLICKS = sized(10, 3)
const SCROLL_FRAMES = sized(120, 30)
const TIMEOUT_MS = 30_000
const RULE_CODES = [
  'article-read',
  'reading-time',
  'media-watched',
  'daily-quiz',
  'weekly-quiz',
  'meeting-attended',
  'volunteer',
  'violation',
]

export interface Stat {
  runsMs: number[]
  medianMs: number
}

export interface FrameStats {
  frames: number
  medianMs: number
  p95Ms: number
  maxMs: number
  /** Intervals over 50 ms: visible stutter. */
  over50: number
}

export interface LedgerSize {
  /** Rows written by the bench; `total` adds whatever the demo member's own ledger holds. */
  entries: number
  total: number
  /** Fresh load of /points: navigation start → the first frame with a ledger row on screen. */
  load: Stat
  /** The renderer's main-thread CPU time for that load, navigation → first row (ThreadTime). */
  loadCpu: Stat
  /** The same load, from the page's own first frame (its totals) to the first row: what the ledger adds. */
  pageToRow: Stat
  /** Longest main-thread task (PerformanceObserver longtask, ≥ 50 ms; 0 if none) before that frame, per load. */
  loadLongestTaskMs: Stat
  /** Reads of the points store (IndexedDB calls) before the first row, median per load. */
  pointsReadsOnLoad: number
  /** Ledger rows those reads returned before the first row, median per load. */
  rowsReadOnLoad: number
  /** From / (after its ledger has loaded): click on 今日积分 → the first frame with a ledger row on screen. */
  fromHome: Stat
  /** The main-thread CPU time for that click → first row. */
  fromHomeCpu: Stat
  /** Reads of the points store between that click and the first row. */
  pointsReadsFromHome: number
  /** The home page's largest read of the points store before the click: its rows, and request → result (wall). */
  homeLargestRead: Stat & { rows: number }
  /** The first 加载更多 of each load: click → the frame with 50 more rows in the list. */
  firstMore: Stat
  /** Up to MORE_CLICKS clicks in a row on one load, each click → 50 more rows on screen. */
  moreInARow: Stat & { rowsRendered: number }
  /** Scrolling that list top to bottom, one step per frame. */
  scroll: FrameStats
  /** The same rows read with the raw IndexedDB API (index `day`, getAll), no app: the floor for reading them all. */
  rawGetAllMs: Stat
}

export type LedgerPageBench =
  | {
      sizes: LedgerSize[]
      baselineEntries: number
      /** Each size's median over the baseline's. */
      ratios: {
        entries: number
        load: number
        loadCpu: number
        pageToRow: number
        fromHome: number
        fromHomeCpu: number
        firstMore: number
      }[]
      /** The machine's load average at the end: the timings are only comparable within one run. */
      loadavg: number[]
    }
  | { skipped: string }

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
const stat = (runsMs: number[]): Stat => ({ runsMs, medianMs: median(runsMs) })

/** N ledger rows, newest first: ~9 a day going back from today, a mix of rules, some deductions. */
export function ledgerRows(count: number, now = new Date()): LedgerRow[] {
  const createdAt = now.toISOString()
  return Array.from({ length: count }, (_, n) => {
    const day = dayInShanghai(new Date(now.getTime() - Math.floor(n / 9) * 86_400_000))
    const ruleCode = RULE_CODES[n % RULE_CODES.length]!
    return {
      id: `${ruleCode}:bench-${n}`,
      ruleCode,
      ruleVersion: 1,
      sourceId: `bench-${n}`,
      day,
      points: ruleCode === 'violation' ? -2 : 1 + (n % 5),
      reason: ruleCode === 'volunteer' || ruleCode === 'violation' ? '村内环境整治志愿服务' : null,
      createdAt,
    }
  })
}

// Everything below that runs in the page is a string, so the TypeScript compiler's helpers never end up in the browser.

/** Installed before the app's scripts on every load: watches for the first ledger row on screen, and long tasks. */
const INIT = `(() => {
  const state = { pageAt: null, firstRowAt: null, longTasks: [], pointsReads: [] }
  window.__ledger = state
  // Every read of the points store (the app reads through Dexie, which calls these).
  for (const proto of [IDBObjectStore.prototype, IDBIndex.prototype]) {
    for (const method of ['get', 'getAll', 'getAllKeys', 'openCursor', 'openKeyCursor', 'count']) {
      const original = proto[method]
      proto[method] = function (...args) {
        const store = this instanceof IDBIndex ? this.objectStore : this
        const request = original.apply(this, args)
        if (store.name !== 'points') return request
        // rows: values read (getAll's length, or one per cursor step); count and key reads read none.
        const read = { method, at: performance.now(), done: null, rows: 0 }
        state.pointsReads.push(read)
        const finish = () => { read.done ??= performance.now() }
        request.addEventListener('success', () => {
          if (method === 'getAll' || method === 'get') { read.rows = Array.isArray(request.result) ? request.result.length : request.result ? 1 : 0; finish() }
          else if (method === 'openCursor' && request.result) read.rows++
          else if (method === 'openCursor' || method === 'openKeyCursor') { if (!request.result) finish() }
          else finish()
        })
        request.addEventListener('error', finish)
        return request
      }
    }
  }
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) state.longTasks.push({ start: e.startTime, duration: e.duration }) })
      .observe({ type: 'longtask', buffered: true })
  } catch {}
  const rowOnScreen = () => {
    const cell = document.querySelector('.points-ledger .van-cell')
    if (!cell) return false
    const r = cell.getBoundingClientRect()
    return r.height > 0 && r.top < innerHeight && r.bottom > 0
  }
  window.__rowOnScreen = rowOnScreen
  // The time of the frame in which a row is first there to paint (rAF runs just before the frame renders).
  window.__watchFirstRow = () => new Promise((resolve) => {
    const tick = () => { if (rowOnScreen()) resolve(performance.now()); else requestAnimationFrame(tick) }
    requestAnimationFrame(tick)
  })
  window.__watchFirstRow().then((at) => { state.firstRowAt = at })
  const page = () => { if (document.querySelector('.points-totals')) state.pageAt = performance.now(); else requestAnimationFrame(page) }
  requestAnimationFrame(page)
})()`

const rowsInList = `document.querySelectorAll('.points-ledger .van-cell').length`

/** Clicks 加载更多 in the page and waits for the frame with 50 more rows on screen (the last new one in view). */
const MORE = `async ({ pageSize, timeoutMs }) => {
  const button = document.querySelector('.points-more button')
  if (!button) return null
  const root = document.scrollingElement
  root.scrollTop = root.scrollHeight
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
  const before = ${rowsInList}
  const start = performance.now()
  button.click()
  return await new Promise((resolve, reject) => {
    const deadline = start + timeoutMs
    const tick = () => {
      const cells = document.querySelectorAll('.points-ledger .van-cell')
      if (cells.length >= before + pageSize) {
        // The next rows are where the button was: the first new one is on screen.
        const first = cells[before].getBoundingClientRect()
        if (first.top < innerHeight) return resolve({ ms: performance.now() - start, rows: cells.length })
      }
      if (performance.now() > deadline) return reject(new Error('加载更多: rows did not appear'))
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })
}`

/** Scrolls the document from top to bottom in `frames` equal steps, one per frame; returns the frame intervals. */
const SCROLL = `async ({ frames }) => {
  const root = document.scrollingElement
  root.scrollTop = 0
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
  const step = (root.scrollHeight - innerHeight) / frames
  const intervals = []
  let last = null
  let n = 0
  await new Promise((resolve) => {
    const tick = (t) => {
      if (last !== null) intervals.push(t - last)
      last = t
      if (n++ >= frames) return resolve()
      root.scrollTop = Math.round(n * step)
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })
  return intervals
}`

/** Writes (or, with rows = [], clears) the bench's rows in the app's points store with the raw IndexedDB API. */
const WRITE = `async ({ name, rows }) => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open(name)
    request.onupgradeneeded = () => request.transaction.abort()
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  try {
    const tx = db.transaction('points', 'readwrite')
    const store = tx.objectStore('points')
    const done = new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); tx.onabort = () => reject(tx.error) })
    const all = store.getAll()
    all.onsuccess = () => {
      for (const row of all.result) if (row.sourceId.startsWith('bench-')) store.delete(row.id)
      for (const row of rows) store.put(row)
    }
    await done
    return await new Promise((resolve) => { const c = db.transaction('points').objectStore('points').count(); c.onsuccess = () => resolve(c.result) })
  } finally { db.close() }
}`

/** Whether the first sync after sign-in finished (the app writes lastSyncedAt after pulling). */
const SYNCED = `async ({ name }) => new Promise((resolve) => {
  const request = indexedDB.open(name)
  request.onupgradeneeded = () => request.transaction.abort()
  request.onerror = () => resolve(false)
  request.onsuccess = () => {
    const db = request.result
    if (!db.objectStoreNames.contains('meta')) { db.close(); resolve(false); return }
    const get = db.transaction('meta').objectStore('meta').get('lastSyncedAt')
    get.onsuccess = () => { db.close(); resolve(Boolean(get.result)) }
    get.onerror = () => { db.close(); resolve(false) }
  }
})`

/** Every row of the points store through the day index, newest first as the page lists them, read with getAll. */
const RAW_READ = `async ({ name }) => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open(name)
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  try {
    const start = performance.now()
    const rows = await new Promise((resolve, reject) => {
      const get = db.transaction('points').objectStore('points').index('day').getAll()
      get.onsuccess = () => resolve(get.result)
      get.onerror = () => reject(get.error)
    })
    rows.reverse()
    return { ms: performance.now() - start, rows: rows.length }
  } finally { db.close() }
}`

const evaluate = <T>(page: Page, fn: string, arg: unknown) => page.evaluate(`(${fn})(${JSON.stringify(arg)})`) as Promise<T>

/** Polls an expression with page.evaluate (waitForFunction's polling evaluates strings in the page, which the app's CSP forbids). */
async function waitFor(page: Page, expression: string, what: string): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) {
      const text = (await page.evaluate('document.body.innerText').catch(() => '')) as string
      throw new Error(`timed out waiting for ${what} (${page.url()}); the page says: ${text.replace(/\s+/g, ' ').slice(0, 300)}`)
    }
    await page.waitForTimeout(20)
  }
}

/**
 * The page's main-thread CPU time so far, in ms (CDP Performance.getMetrics ThreadTime): unlike wall time, barely
 * inflated when other processes compete for the CPU. Read once the first row is there, so it includes up to one
 * 20 ms poll of the bench after it. IndexedDB's own work (in the browser process) is not in it.
 */
async function mainThreadCpu(page: Page): Promise<() => Promise<number>> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  return async () => 1000 * ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')?.value ?? Number.NaN)
}

/** A read of the points store in IndexedDB, as the init script records it. */
interface PointsRead {
  method: string
  at: number
  done: number | null
  rows: number
}

interface Loaded {
  rowsRead: number
  ms: number
  cpuMs: number
  pageMs: number
  longestTaskMs: number
  pointsReads: number
}

/** A fresh load of /points: the first row's frame since navigation start, the page's own first frame, the longest task before the row. */
async function loadPoints(page: Page): Promise<Loaded> {
  const cpu = await mainThreadCpu(page)
  const cpuBefore = await cpu()
  await page.goto('/points')
  await waitFor(page, 'window.__ledger?.firstRowAt != null', 'the first ledger row on /points')
  const cpuMs = (await cpu()) - cpuBefore
  const state = (await page.evaluate('window.__ledger')) as {
    pageAt: number
    firstRowAt: number
    longTasks: { start: number; duration: number }[]
    pointsReads: PointsRead[]
  }
  const before = (at: number) => at < state.firstRowAt
  return {
    ms: state.firstRowAt,
    cpuMs,
    pageMs: state.pageAt,
    longestTaskMs: Math.max(0, ...state.longTasks.filter((t) => before(t.start)).map((t) => t.duration)),
    pointsReads: state.pointsReads.filter((r) => before(r.at)).length,
    rowsRead: state.pointsReads.filter((r) => r.done !== null && before(r.done)).reduce((n, r) => n + r.rows, 0),
  }
}

async function more(page: Page): Promise<{ ms: number; rows: number } | null> {
  return evaluate<{ ms: number; rows: number } | null>(page, MORE, { pageSize: PAGE_SIZE, timeoutMs: TIMEOUT_MS })
}

interface Home {
  ms: number
  cpuMs: number
  pointsReads: number
  homeReadRows: number
  homeReadMs: number
}

/** / fully loaded (its 今日积分 shows the ledger's total), then the click on it → the first ledger row on /points. */
async function fromHome(page: Page): Promise<Home> {
  await page.goto('/')
  await waitFor(
    page,
    `!['', '0'].includes(document.querySelector('[data-testid=today-points] strong')?.textContent?.trim() ?? '')`,
    '今日积分 on /',
  )
  // Settled: every read of the points store the home page started has finished.
  await waitFor(page, 'window.__ledger.pointsReads.every((r) => r.done !== null)', 'the home page’s reads of the ledger')
  await page.waitForTimeout(300)
  const reads = (await page.evaluate('window.__ledger.pointsReads')) as PointsRead[]
  const largest = reads.reduce<PointsRead | undefined>((a, r) => (!a || r.rows > a.rows ? r : a), undefined)
  const cpu = await mainThreadCpu(page)
  const cpuBefore = await cpu()
  const clicked = (await page.evaluate(`(async () => {
    const reads = window.__ledger.pointsReads.length
    const start = performance.now()
    const watching = window.__watchFirstRow()
    document.querySelector('[data-testid=today-points]').click()
    const at = await watching
    return { ms: at - start, pointsReads: window.__ledger.pointsReads.filter((r) => r.at >= start && r.at <= at).length }
  })()`)) as { ms: number; pointsReads: number }
  return {
    ...clicked,
    cpuMs: (await cpu()) - cpuBefore,
    homeReadRows: largest?.rows ?? 0,
    homeReadMs: largest?.done != null ? largest.done - largest.at : 0,
  }
}

function frameStats(intervals: number[]): FrameStats {
  const sorted = [...intervals].sort((a, b) => a - b)
  return {
    frames: intervals.length,
    medianMs: median(intervals),
    p95Ms: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? Number.NaN,
    maxMs: sorted.at(-1) ?? Number.NaN,
    over50: intervals.filter((ms) => ms > 50).length,
  }
}

/** One phone per size: its own browser context, so its own IndexedDB, signed in as the demo member, with `entries` rows written. */
interface Device {
  entries: number
  total: number
  context: BrowserContext
}

async function withPage<T>(device: Device, use: (page: Page) => Promise<T>): Promise<T> {
  const page = await device.context.newPage()
  try {
    return await use(page)
  } finally {
    await page.close()
  }
}

async function prepare(browser: Browser, url: string, entries: number): Promise<Device> {
  // The phone the e2e tests use.
  const context = await browser.newContext({
    baseURL: url,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  })
  await context.addInitScript({ content: INIT })
  const device: Device = { entries, total: 0, context }
  device.total = await withPage(device, async (page) => {
    await page.goto('/login')
    await page.getByPlaceholder('请输入手机号').fill(DEMO_MEMBER)
    await page.getByPlaceholder('请输入密码').fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL((u) => u.pathname === '/', { timeout: TIMEOUT_MS })
    await waitFor(page, `(${SYNCED})(${JSON.stringify({ name: DB_NAME })})`, 'the first sync after sign-in')
    return evaluate<number>(page, WRITE, { name: DB_NAME, rows: ledgerRows(entries) })
  })
  return device
}

interface Samples {
  load: Loaded[]
  firstMore: number[]
  fromHome: Home[]
  raw: number[]
}

async function sample(device: Device, into: Samples): Promise<void> {
  await withPage(device, async (page) => {
    into.load.push(await loadPoints(page))
    const m = await more(page)
    if (m) into.firstMore.push(m.ms)
    into.raw.push((await evaluate<{ ms: number }>(page, RAW_READ, { name: DB_NAME })).ms)
  })
  await withPage(device, async (page) => into.fromHome.push(await fromHome(page)))
}

/** 加载更多 up to MORE_CLICKS times on one load, then the scroll through what is rendered. */
async function session(device: Device): Promise<Pick<LedgerSize, 'moreInARow' | 'scroll'>> {
  return withPage(device, async (page) => {
    await loadPoints(page)
    const inARow: number[] = []
    let rowsRendered = Number(await page.evaluate(rowsInList))
    for (let i = 0; i < MORE_CLICKS; i++) {
      const m = await more(page)
      if (!m) break
      inARow.push(m.ms)
      rowsRendered = m.rows
    }
    const scroll = frameStats(await evaluate<number[]>(page, SCROLL, { frames: SCROLL_FRAMES }))
    return { moreInARow: { ...stat(inARow), rowsRendered }, scroll }
  })
}

export async function ledgerPageBench(root: string, dist: string): Promise<LedgerPageBench> {
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)` }
  if (!existsSync(join(dist, 'index.html'))) return { skipped: `no ${join(dist, 'index.html')}: build the app first` }
  const server = await startServer(root, undefined, dist)
  let browser: Browser | undefined
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
    const devices: Device[] = []
    for (const entries of LEDGER_SIZES) devices.push(await prepare(browser, server.url, entries))
    const samples = devices.map((): Samples => ({ load: [], firstMore: [], fromHome: [], raw: [] }))
    // A warm-up round (caches, the service worker, the JIT), then the sizes interleaved, the order turning each round,
    // so a busy moment on the machine does not land on one size only.
    const warmUp = devices.map((): Samples => ({ load: [], firstMore: [], fromHome: [], raw: [] }))
    for (const [i, device] of devices.entries()) await sample(device, warmUp[i]!)
    for (let run = 0; run < RUNS; run++) {
      for (let k = 0; k < devices.length; k++) {
        const i = (run + k) % devices.length
        await sample(devices[i]!, samples[i]!)
      }
    }
    const sizes: LedgerSize[] = []
    for (const [i, device] of devices.entries()) {
      const s = samples[i]!
      sizes.push({
        entries: device.entries,
        total: device.total,
        load: stat(s.load.map((l) => l.ms)),
        loadCpu: stat(s.load.map((l) => l.cpuMs)),
        pageToRow: stat(s.load.map((l) => l.ms - l.pageMs)),
        loadLongestTaskMs: stat(s.load.map((l) => l.longestTaskMs)),
        pointsReadsOnLoad: median(s.load.map((l) => l.pointsReads)),
        rowsReadOnLoad: median(s.load.map((l) => l.rowsRead)),
        fromHome: stat(s.fromHome.map((h) => h.ms)),
        fromHomeCpu: stat(s.fromHome.map((h) => h.cpuMs)),
        pointsReadsFromHome: median(s.fromHome.map((h) => h.pointsReads)),
        homeLargestRead: { rows: median(s.fromHome.map((h) => h.homeReadRows)), ...stat(s.fromHome.map((h) => h.homeReadMs)) },
        firstMore: stat(s.firstMore),
        ...(await session(device)),
        rawGetAllMs: stat(s.raw),
      })
    }
    const base = sizes[0]!
    return {
      sizes,
      baselineEntries: base.entries,
      ratios: sizes.map((s) => ({
        entries: s.entries,
        load: s.load.medianMs / base.load.medianMs,
        loadCpu: s.loadCpu.medianMs / base.loadCpu.medianMs,
        pageToRow: s.pageToRow.medianMs / base.pageToRow.medianMs,
        fromHome: s.fromHome.medianMs / base.fromHome.medianMs,
        fromHomeCpu: s.fromHomeCpu.medianMs / base.fromHomeCpu.medianMs,
        firstMore: s.firstMore.medianMs / base.firstMore.medianMs,
      })),
      loadavg: loadavg(),
    }
  } finally {
    await browser?.close()
    await server.close()
  }
}

export function printLedgerPageSection(result: LedgerPageBench | { failed: string }): void {
  console.log(
    `\n积分明细 with a large local ledger (the built app in Chromium, 390x844 phone, real server on SQLite; the demo member, one browser context per size with N rows written into its IndexedDB; median of ${RUNS} interleaved runs after a warm-up)`,
  )
  if ('skipped' in result) return void console.log(`  skipped: ${result.skipped}`)
  if ('failed' in result) return void console.log(`  FAILED: ${result.failed}`)
  const pad = (s: string, n: number) => s.padEnd(n)
  const ms = (n: number) => n.toFixed(0).padStart(9)
  const x = (n: number) => `${n.toFixed(2)}×`.padStart(8)
  const head = (label: string, w = 9) => label.padStart(w)
  console.log(
    `  ${pad('', 12)}${head('── fresh load of /points ────────────────────────────────────', 61)}${head('── from / ──────────────────', 30)}${head('── 加载更多 ──', 17)}`,
  )
  console.log(
    `  ${pad('ledger rows', 12)}${head('wall')}${head('ratio', 8)}${head('CPU')}${head('ratio', 8)}${head('page→row')}${head('longest')}${head('reads', 6)}${head('rows', 7)}` +
      `${head('wall')}${head('ratio', 8)}${head('CPU')}${head('reads', 6)}${head('wall')}${head('ratio', 8)}${head('raw read', 10)}`,
  )
  result.sizes.forEach((s, i) => {
    const r = result.ratios[i]!
    const note = i === 0 ? '   (baseline)' : ''
    console.log(
      `  ${pad(s.total.toLocaleString('en'), 12)}${ms(s.load.medianMs)}${x(r.load)}${ms(s.loadCpu.medianMs)}${x(r.loadCpu)}${ms(s.pageToRow.medianMs)}${ms(s.loadLongestTaskMs.medianMs)}${String(s.pointsReadsOnLoad).padStart(6)}${String(s.rowsReadOnLoad).padStart(7)}` +
        `${ms(s.fromHome.medianMs)}${x(r.fromHome)}${ms(s.fromHomeCpu.medianMs)}${String(s.pointsReadsFromHome).padStart(6)}${ms(s.firstMore.medianMs)}${x(r.firstMore)}${ms(s.rawGetAllMs.medianMs).padStart(10)}${note}`,
    )
  })
  const big = result.sizes.at(-1)!
  console.log(
    `  target: ${big.total.toLocaleString('en')} rows open in < ${LEDGER_TARGET_MS} ms → from / ${big.fromHome.medianMs.toFixed(0)} ms ${big.fromHome.medianMs < LEDGER_TARGET_MS ? 'PASS' : 'MISS'}; ` +
      `fresh load, page→row ${big.pageToRow.medianMs.toFixed(0)} ms ${big.pageToRow.medianMs < LEDGER_TARGET_MS ? 'PASS' : 'MISS'} (baseline ${result.sizes[0]!.pageToRow.medianMs.toFixed(0)} ms; ` +
      `with the app's start: ${big.load.medianMs.toFixed(0)} ms, baseline ${result.sizes[0]!.load.medianMs.toFixed(0)} ms)`,
  )
  console.log(
    "  fresh load: a new tab opens /points; wall: navigation start → first frame with a ledger row on screen (app start included); CPU: the renderer main thread's",
  )
  console.log(
    "  CPU time for it (CDP ThreadTime; hardly affected by other processes, unlike wall); page→row: from the page's own first frame (its totals) to",
  )
  console.log(
    '  that row; longest: the longest main-thread task before it (0: none ≥ 50 ms); reads, rows: calls on the points store in IndexedDB before it,',
  )
  console.log(
    '  and the ledger rows they returned. from /: / loaded and its reads of the ledger finished, then a click on 今日积分 → first row on screen;',
  )
  console.log('  reads: calls on the points store in between. 加载更多: click → the next 50 rows on screen. raw read: every row')
  console.log('  through the day index with the raw IndexedDB API (getAll), no app. All in ms.')
  for (const s of result.sizes) {
    const f = s.scroll
    console.log(
      `  ${pad(`${s.total.toLocaleString('en')} rows:`, 14)}${s.moreInARow.runsMs.length} × 加载更多 in a row ${s.moreInARow.runsMs.map((n) => n.toFixed(0)).join(', ')} ms → ${s.moreInARow.rowsRendered} rows rendered; ` +
        `scrolling them, ${f.frames} frames: median ${f.medianMs.toFixed(1)} ms, p95 ${f.p95Ms.toFixed(1)}, max ${f.maxMs.toFixed(1)}, ${f.over50} over 50 ms`,
    )
  }
  for (const s of result.sizes)
    console.log(
      `  ${pad(`${s.total.toLocaleString('en')} rows:`, 14)}the home page's largest read of the ledger: ${s.homeLargestRead.rows.toLocaleString('en')} rows, request → result ${s.homeLargestRead.medianMs.toFixed(0)} ms`,
    )
  for (const s of result.sizes)
    console.log(
      `  runs, ${s.total.toLocaleString('en')} rows: /points ${s.load.runsMs.map((n) => n.toFixed(0)).join(', ')}; from / ${s.fromHome.runsMs.map((n) => n.toFixed(0)).join(', ')} ms`,
    )
  console.log(
    `  load average at the end: ${result.loadavg.map((n) => n.toFixed(2)).join(' ')} (compare sizes within this run, not across runs)`,
  )
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
  let dist = process.env.LEDGER_DIST
  if (!dist) {
    dist = '/tmp/bench-ledger-dist'
    console.log(`building the app into ${dist}…`)
    const built = spawnSync('npx', ['vite', 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: root,
      stdio: 'inherit',
    })
    if (built.status !== 0) throw new Error(`vite build failed (${built.status})`)
  }
  const result = await ledgerPageBench(root, dist).catch((error: unknown) => ({
    failed: error instanceof Error ? (error.stack ?? error.message) : String(error),
  }))
  printLedgerPageSection(result)
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2))
}
