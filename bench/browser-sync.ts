// End to end in Chromium: the built app, served by the real server, signs the admin in through the login
// form and its own SyncEngine pulls 10,000+ rows into IndexedDB. We only watch: the page's pull requests,
// and the members store's count read with the raw IndexedDB API. Then, for comparison, the same number of rows
// written with the raw IndexedDB API (no app), and the same pull in Node on fake-indexeddb.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Request } from 'playwright-core'
import { DB_NAME } from '../src/app/constants'
import { PULL_PAGE_SIZE } from '../src/domain/sync'
import type { EnginePull } from './engine-fake-idb'
import { DEMO_ADMIN, DEMO_PASSWORD, insertMemberRows, signIn, startServer } from './server'
import { PULL_ROWS } from './sync'

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
const RUNS = 2
const TIMEOUT_MS = 60_000
const POLL_MS = 30

export interface BrowserRun {
  /** Login button click → the members store holds every row. */
  clickToDoneMs: number
  /** First /api/sync/pull request sent → the members store holds every row. */
  firstPullToDoneMs: number
  clickToFirstPullMs: number
  /** First pull request sent → last pull response received (pages are fetched one after another, each applied in between). */
  pullSpanMs: number
  /** The pull requests' own time (request sent → response received), summed. */
  pullNetworkMs: number
  /** firstPullToDone − pullNetwork: applying to IndexedDB, and the app's other work, between and after requests. */
  applyAndOtherMs: number
  pages: number
  responseBytes: number
}

/** Raw IndexedDB in the same Chromium, no app: the same number of rows in pages of 500, one transaction per page. */
export interface IndexedDbFloor {
  rows: number
  /** Each put awaited before the next, as SyncEngine.apply does. */
  awaitEachMs: number
  /** Every put of a page issued at once, then the transaction awaited, as Dexie's bulkPut does. */
  pipelinedMs: number
}

export type BrowserSync =
  | {
      members: number
      runs: BrowserRun[]
      floor: IndexedDbFloor
      /** SyncEngine.pull() in Node on fake-indexeddb: not a browser. */
      fakeIndexedDb: EnginePull
    }
  | { skipped: string }

// Runs in the page. A string, so the TypeScript compiler's helpers never end up in the browser.
const WATCH = `async ({ name, target, timeoutMs, pollMs }) => {
  const count = () => new Promise((resolve) => {
    const request = indexedDB.open(name)
    // Never create the database: the app does.
    request.onupgradeneeded = () => request.transaction.abort()
    request.onerror = () => resolve(0)
    request.onsuccess = () => {
      const db = request.result
      db.onversionchange = () => db.close()
      if (!db.objectStoreNames.contains('members')) { db.close(); resolve(0); return }
      const counted = db.transaction('members', 'readonly').objectStore('members').count()
      counted.onsuccess = () => { db.close(); resolve(counted.result) }
      counted.onerror = () => { db.close(); resolve(0) }
    }
  })
  const deadline = Date.now() + timeoutMs
  let last = 0
  while (Date.now() < deadline) {
    last = await count()
    if (last >= target) break
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
  return { doneAt: last >= target ? Date.now() : null, count: last, clickAt: window.__benchClickAt ?? null }
}`

const FLOOR = `async ({ rows, pageSize }) => {
  const all = Array.from({ length: rows }, (_, n) => ({ id: 'bench-' + n, name: '测试党员' + n, role: 'member', branchId: 'b-hexing', status: 'home', awayCity: null, returnDate: null, centerHousehold: false, contactPhone: null, updatedAt: new Date().toISOString() }))
  const result = {}
  for (const mode of ['awaitEach', 'pipelined']) {
    const name = 'bench-floor-' + mode + '-' + Math.random().toString(36).slice(2)
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open(name, 1)
      request.onupgradeneeded = () => request.result.createObjectStore('members', { keyPath: 'id' }).createIndex('branchId', 'branchId')
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
    const start = performance.now()
    for (let offset = 0; offset < rows; offset += pageSize) {
      const tx = db.transaction('members', 'readwrite')
      const store = tx.objectStore('members')
      const done = new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error) })
      const page = all.slice(offset, offset + pageSize)
      if (mode === 'awaitEach') for (const row of page) await new Promise((resolve, reject) => { const put = store.put(row); put.onsuccess = resolve; put.onerror = () => reject(put.error) })
      else for (const row of page) store.put(row)
      await done
    }
    result[mode + 'Ms'] = performance.now() - start
    db.close()
    await new Promise((resolve) => { const request = indexedDB.deleteDatabase(name); request.onsuccess = resolve; request.onerror = resolve })
  }
  return result
}`

interface Watched {
  doneAt: number | null
  count: number
  clickAt: number | null
}

async function run(browser: Browser, url: string, members: number): Promise<BrowserRun> {
  const context = await browser.newContext({ baseURL: url, locale: 'zh-CN', viewport: { width: 390, height: 844 } })
  try {
    const page = await context.newPage()
    const pulls: Request[] = []
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/sync/pull') pulls.push(r)
    })
    await page.goto('/login')
    await page.getByPlaceholder('请输入手机号').fill(DEMO_ADMIN)
    await page.getByPlaceholder('请输入密码').fill(DEMO_PASSWORD)
    await page.evaluate(`document.addEventListener('click', () => { window.__benchClickAt ??= Date.now() }, { capture: true })`)
    const watching = page.evaluate(
      `(${WATCH})(${JSON.stringify({ name: DB_NAME, target: members, timeoutMs: TIMEOUT_MS, pollMs: POLL_MS })})`,
    ) as Promise<Watched>
    await page.getByRole('button', { name: '登录' }).click()
    const watched = await watching
    if (watched.doneAt === null || watched.clickAt === null)
      throw new Error(`IndexedDB holds ${watched.count} of ${members} members after ${TIMEOUT_MS} ms`)
    const { doneAt, clickAt } = watched

    const done = pulls.filter((r) => r.timing().startTime <= doneAt)
    await Promise.all(done.map(async (r) => (await r.response())?.finished()))
    const timings = done.map((r) => r.timing())
    const firstStart = Math.min(...timings.map((t) => t.startTime))
    const lastEnd = Math.max(...timings.map((t) => t.startTime + t.responseEnd))
    const pullNetworkMs = timings.reduce((n, t) => n + t.responseEnd, 0)
    const sizes = await Promise.all(done.map((r) => r.sizes()))
    return {
      clickToDoneMs: doneAt - clickAt,
      firstPullToDoneMs: doneAt - firstStart,
      clickToFirstPullMs: firstStart - clickAt,
      pullSpanMs: lastEnd - firstStart,
      pullNetworkMs,
      applyAndOtherMs: doneAt - firstStart - pullNetworkMs,
      pages: done.length,
      responseBytes: sizes.reduce((n, s) => n + s.responseBodySize, 0),
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

export async function browserSyncBench(root: string): Promise<BrowserSync> {
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)` }
  const dist = join(root, 'dist')
  if (!existsSync(join(dist, 'index.html'))) return { skipped: 'no dist/index.html: build the app first' }
  const server = await startServer(root, undefined, dist)
  try {
    const { members } = await insertMemberRows(server.config, PULL_ROWS)
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
    const runs: BrowserRun[] = []
    let idbFloor: IndexedDbFloor
    try {
      for (let i = 0; i < RUNS; i++) runs.push(await run(browser, server.url, members))
      idbFloor = await floor(browser, server.url, members)
    } finally {
      await browser.close()
    }
    const admin = await signIn(server.url, DEMO_ADMIN)
    const { enginePull } = await import('./engine-fake-idb')
    const fakeIndexedDb = await enginePull(server.url, admin.cookie, admin.userId)
    if (fakeIndexedDb.members !== members) throw new Error(`fake-indexeddb holds ${fakeIndexedDb.members} members, expected ${members}`)
    return { members, runs, floor: idbFloor, fakeIndexedDb }
  } finally {
    await server.close()
  }
}
