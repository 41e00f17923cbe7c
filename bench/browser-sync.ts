// End to end in Chromium: the built app, served by the real server, signs the admin in through the login
// form and its own SyncEngine pulls every row into IndexedDB, at growing sizes (members added to one server
// between sizes), once landing on 首页 (which keeps meetings and members live) and once on the quiet 同步状态
// page. We only watch: the page's pull requests, the members count read with the raw IndexedDB API, the page's
// long tasks, and the 已同步 n 条 progress on screen. Then, for comparison in the same run, the same number of
// rows written with the raw IndexedDB API (no app), and the engine's pull in Node on fake-indexeddb.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Request } from 'playwright-core'
import { DB_NAME } from '../src/app/constants'
import { PULL_PAGE_SIZE } from '../src/domain/sync'
import type { EnginePull } from './engine-fake-idb'
import { sized } from './quick'
import { DEMO_ADMIN, DEMO_PASSWORD, insertMemberRows, signIn, startServer } from './server'
import { FLOOR, WATCH } from './browser-sync-page'

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
/** Members added to the demo data, cumulatively: each size is a fresh device pulling everything. */
export const SIZES = sized([5_000, 10_000, 20_000, 40_000], [2_000, 5_000])
const PAGES = [
  { label: '首页', next: '/' },
  { label: '同步状态', next: '/sync' },
] as const
const TIMEOUT_MS = 120_000
const POLL_MS = 30
/** The goal of issue 14, on any page. */
export const ROWS_PER_SECOND_TARGET = 5_000

export interface BrowserRun {
  page: (typeof PAGES)[number]['label']
  /** Every row the admin pulls (all tables), and of them members. */
  rows: number
  members: number
  /** First /api/sync/pull request sent → the members store holds every row. */
  firstPullToDoneMs: number
  rowsPerSecond: number
  clickToFirstPullMs: number
  /** The pull requests' own time (request sent → response received), summed. */
  pullNetworkMs: number
  pages: number
  responseBytes: number
  /** The page's long tasks (> 50 ms) from the click to done: how usable it stayed. */
  longestTaskMs: number
  tasksOver200Ms: number
  /** The largest n of 已同步 n 条 seen on screen (null: never shown). */
  progressShown: number | null
}

/** Raw IndexedDB in the same Chromium, no app: the same number of rows in pull-sized pages, one transaction per page. */
export interface IndexedDbFloor {
  rows: number
  awaitEachMs: number
  pipelinedMs: number
}

export type BrowserSync =
  | {
      runs: BrowserRun[]
      floor: IndexedDbFloor
      /** SyncEngine.pull() in Node on fake-indexeddb: not a browser. */
      fakeIndexedDb: EnginePull
    }
  | { skipped: string }

interface Watched {
  doneAt: number | null
  count: number
  clickAt: number | null
  longest: number
  over200: number
  progress: number | null
}

async function run(
  browser: Browser,
  url: string,
  target: { rows: number; members: number },
  at: (typeof PAGES)[number],
): Promise<BrowserRun> {
  const context = await browser.newContext({ baseURL: url, locale: 'zh-CN', viewport: { width: 390, height: 844 } })
  try {
    const page = await context.newPage()
    const pulls: Request[] = []
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/sync/pull') pulls.push(r)
    })
    await page.goto(`/login?next=${encodeURIComponent(at.next)}`)
    await page.getByPlaceholder('请输入手机号').fill(DEMO_ADMIN)
    await page.getByPlaceholder('请输入密码').fill(DEMO_PASSWORD)
    const watching = page.evaluate(
      `(${WATCH})(${JSON.stringify({ name: DB_NAME, target: target.members, timeoutMs: TIMEOUT_MS, pollMs: POLL_MS })})`,
    ) as Promise<Watched>
    await page.getByRole('button', { name: '登录' }).click()
    const watched = await watching
    if (watched.doneAt === null || watched.clickAt === null)
      throw new Error(`IndexedDB holds ${watched.count} of ${target.members} members after ${TIMEOUT_MS} ms`)
    const { doneAt, clickAt } = watched

    const done = pulls.filter((r) => r.timing().startTime <= doneAt)
    await Promise.all(done.map(async (r) => (await r.response())?.finished()))
    const timings = done.map((r) => r.timing())
    const firstStart = Math.min(...timings.map((t) => t.startTime))
    const sizes = await Promise.all(done.map((r) => r.sizes()))
    const firstPullToDoneMs = doneAt - firstStart
    return {
      page: at.label,
      ...target,
      firstPullToDoneMs,
      rowsPerSecond: (target.rows / firstPullToDoneMs) * 1000,
      clickToFirstPullMs: firstStart - clickAt,
      pullNetworkMs: timings.reduce((n, t) => n + t.responseEnd, 0),
      pages: done.length,
      responseBytes: sizes.reduce((n, s) => n + s.responseBodySize, 0),
      longestTaskMs: watched.longest,
      tasksOver200Ms: watched.over200,
      progressShown: watched.progress,
    }
  } finally {
    await context.close()
  }
}

async function floor(browser: Browser, url: string, rows: number): Promise<IndexedDbFloor> {
  const context = await browser.newContext({ baseURL: url })
  try {
    const page = await context.newPage()
    await page.goto('/login')
    const ms = (await page.evaluate(`(${FLOOR})(${JSON.stringify({ rows, pageSize: PULL_PAGE_SIZE })})`)) as Omit<IndexedDbFloor, 'rows'>
    return { rows, ...ms }
  } finally {
    await context.close()
  }
}

/** `dist` defaults to the project's build; BENCH_DIST points at another (a build of one's own while developing). */
export async function browserSyncBench(root: string, dist = process.env.BENCH_DIST ?? join(root, 'dist')): Promise<BrowserSync> {
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)` }
  if (!existsSync(join(dist, 'index.html'))) return { skipped: `no ${dist}/index.html: build the app first` }
  const server = await startServer(root, undefined, dist)
  try {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
    const runs: BrowserRun[] = []
    let idbFloor: IndexedDbFloor | null = null
    let fakeIndexedDb: EnginePull | null = null
    try {
      let inserted = 0
      for (const size of SIZES) {
        const target = await insertMemberRows(server.config, size - inserted)
        inserted = size
        for (const at of PAGES) runs.push(await run(browser, server.url, target, at))
        // The engine alone, in Node, at the first size (fake-indexeddb is slow at large sizes and not a browser).
        if (!fakeIndexedDb) {
          const admin = await signIn(server.url, DEMO_ADMIN)
          const { enginePull } = await import('./engine-fake-idb')
          fakeIndexedDb = await enginePull(server.url, admin.cookie, admin.userId)
          if (fakeIndexedDb.members !== target.members)
            throw new Error(`fake-indexeddb holds ${fakeIndexedDb.members} members, expected ${target.members}`)
        }
      }
      idbFloor = await floor(browser, server.url, runs.at(-1)?.rows ?? 0)
    } finally {
      await browser.close()
    }
    return { runs, floor: idbFloor, fakeIndexedDb: fakeIndexedDb! }
  } finally {
    await server.close()
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`
const num = (n: number, digits = 0) => n.toFixed(digits).padStart(9)

export function printBrowserSyncSection(browser: BrowserSync | { failed: string }): void {
  console.log(
    `\n  First sync into IndexedDB (the built app in Chromium, real server on SQLite; the admin signs in through the form, lands on the page, and the app's own SyncEngine pulls; target ≥ ${ROWS_PER_SECOND_TARGET.toLocaleString('en')} rows/s)`,
  )
  if ('skipped' in browser) return void console.log(`  skipped: ${browser.skipped}`)
  if ('failed' in browser) return void console.log(`  FAILED: ${browser.failed}`)
  console.log(
    `  ${'page'.padEnd(10)}${'rows'.padStart(9)}${'ms'.padStart(9)}${'rows/s'.padStart(9)}${'pages'.padStart(9)}${'net ms'.padStart(9)}${'longest'.padStart(9)}${'>200ms'.padStart(9)}  已同步 shown`,
  )
  for (const r of browser.runs) {
    const verdict = r.rowsPerSecond >= ROWS_PER_SECOND_TARGET ? 'PASS' : 'MISS'
    console.log(
      `  ${r.page.padEnd(8)}${num(r.rows)}${num(r.firstPullToDoneMs)}${num(r.rowsPerSecond)}${num(r.pages)}${num(r.pullNetworkMs)}${num(r.longestTaskMs)}${num(r.tasksOver200Ms)}  ${r.progressShown === null ? 'no' : r.progressShown.toLocaleString('en')}   ${verdict} (${mb(r.responseBytes)}, click → first pull ${r.clickToFirstPullMs.toFixed(0)} ms)`,
    )
  }
  const floor = browser.floor
  const largest = browser.runs.filter((r) => r.rows === floor.rows)
  const ratio = largest.map((r) => `${r.page} ${(r.firstPullToDoneMs / floor.pipelinedMs).toFixed(1)}×`).join(', ')
  console.log(
    `  baseline, raw IndexedDB in the same Chromium, no app: ${floor.rows.toLocaleString('en')} rows in pages of ${PULL_PAGE_SIZE.toLocaleString('en')}, one transaction each: each put awaited ${floor.awaitEachMs.toFixed(0)} ms; puts issued together (as bulkPut) ${floor.pipelinedMs.toFixed(0)} ms → the app's first sync at that size: ${ratio} of it`,
  )
  const f = browser.fakeIndexedDb
  console.log(
    `  fake-indexeddb in Node (NOT a browser): SyncEngine.pull() of ${f.members.toLocaleString('en')} members over HTTP ${f.ms.toFixed(0)} ms, ${f.pages} pages`,
  )
}
