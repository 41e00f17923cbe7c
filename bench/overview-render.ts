// 总览 on the device (issue 13: under 1 s): the built app in Chromium at 390×844, served by the real server
// holding the bench's 50-branch town (bench/supervision-town.ts, written through the database as
// bench/supervision-server.ts does, then the server's refresh computes the 51 overview rows). The admin signs
// in through the form and the first sync fills IndexedDB. Then, timed in the page until the branch table
// holds every branch and the first trend chart has pixels on its canvas: going to /overview inside the app
// (the first visit fetches the lazy chart chunk; the median of the visits after it), and reloading the app on
// /overview (from navigation start). Baseline in the same browser: /me (我的), a simple page, timed the same way.
// It reports; it never fails over a number. Run alone (after `npx vite build`): npx tsx bench/overview-render.ts
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { chromium, type Page } from 'playwright-core'
import { DB_NAME } from '../src/app/constants'
import { buildApp } from '../src/server/app'
import type { AppConfig } from '../src/server/config'
import { openDatabase } from '../src/server/db'
import { hashPassword } from '../src/server/security/password'
import { sized } from './quick'
import { DEMO_ADMIN, DEMO_PASSWORD } from './server'
import { insertTown } from './supervision-server'
import { buildTown, TOWN_BRANCHES } from './supervision-town'

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
export const RENDER_TARGET_MS = 1000
const NAV_RUNS = sized(7, 1)
const RELOAD_RUNS = sized(5, 1)
const TIMEOUT_MS = 120_000
/** The first sync is over once no pull request has been sent for this long (with every overview row on the device). */
const QUIET_MS = 1500

export interface Stat {
  runsMs: number[]
  medianMs: number
}

export type OverviewRender =
  | {
      branches: number
      /** Overview rows the server's refresh published (50 branches + the town). */
      overviewRows: number
      /** Writing the town, then the server's first refresh. */
      setupMs: number
      /** Login click → every overview row in IndexedDB and the pulls quiet. */
      firstSyncMs: number
      /** The first visit of each page inside the app: its route chunk (and for 总览 the chart chunk) fetched. */
      firstVisit: { overviewMs: number; meMs: number }
      /** Later visits inside the app (router.push → drawn), median; ratio = overview / me. */
      navigation: { overview: Stat; me: Stat; ratio: number }
      /** The app reloaded on the page: navigation start → drawn (boot, IndexedDB read, render). */
      reload: { overview: Stat; me: Stat; ratio: number }
    }
  | { skipped: string }

// Runs in the page from document start (a string, so no compiler helpers reach the browser). `__benchDrawn(kind)`
// resolves with performance.now() at the first animation frame where the page is drawn.
const INIT = (branches: number) => `
window.__benchDrawn = (kind) => new Promise((resolve) => {
  const overview = () => {
    if (location.pathname !== '/overview') return false
    if (document.querySelectorAll('[data-testid=overview-table] tr.branch-row').length < ${branches}) return false
    const canvas = document.querySelector('[data-testid=overview-trends] canvas')
    if (!canvas || !canvas.width || !canvas.height) return false
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true
    return false
  }
  const me = () => location.pathname === '/me' && !!document.querySelector('.profile-name')
  const ready = kind === 'overview' ? overview : me
  const tick = () => (ready() ? resolve(performance.now()) : requestAnimationFrame(tick))
  tick()
})
window.__benchLoad = { '/overview': 'overview', '/me': 'me' }[location.pathname]
if (window.__benchLoad) window.__benchLoad = window.__benchDrawn(window.__benchLoad)
`

const NAVIGATE = `async ({ path, kind }) => {
  const router = document.querySelector('#app').__vue_app__.config.globalProperties.$router
  const started = performance.now()
  await router.push(path)
  return (await window.__benchDrawn(kind)) - started
}`

const COUNT_OVERVIEWS = `new Promise((resolve) => {
  const request = indexedDB.open(${JSON.stringify(DB_NAME)})
  request.onupgradeneeded = () => request.transaction.abort()
  request.onerror = () => resolve(0)
  request.onsuccess = () => {
    const db = request.result
    db.onversionchange = () => db.close()
    if (!db.objectStoreNames.contains('overviews')) { db.close(); resolve(0); return }
    const counted = db.transaction('overviews', 'readonly').objectStore('overviews').count()
    counted.onsuccess = () => { db.close(); resolve(counted.result) }
    counted.onerror = () => { db.close(); resolve(0) }
  }
})`

const median = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const stat = (runsMs: number[]): Stat => ({ runsMs, medianMs: median(runsMs) })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The bench town in a fresh SQLite database of the real app serving `dist`, with an admin, its overview computed. */
async function startTownServer(root: string, dist: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'djy-bench-overview-'))
  const config: AppConfig = {
    dataDir,
    databaseUrl: undefined,
    sessionSecret: 'bench-secret-xxxxxxxxxxxxxxxxxxxxxxxx',
    seedDemoData: false,
    seedDir: join(root, 'seeds'),
    staticDir: dist,
    logger: false,
    // Only the refresh below, as of the town's day: a change-triggered one would recompute as of today.
    supervisionTriggers: false,
  }
  const town = buildTown()
  const app = await buildApp(config)
  const { db } = openDatabase(config)
  const close = async () => {
    await db.destroy()
    await app.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    const started = performance.now()
    await insertTown(db, town)
    const stamp = new Date().toISOString()
    await db
      .insertInto('users')
      .values({
        id: 'u-bench-admin',
        phone: DEMO_ADMIN,
        name: '周卫东',
        role: 'admin',
        branch_id: null,
        gender: 'male',
        birth_year: 1971,
        joined_party_on: '1995-07-15',
        status: 'home',
        away_city: null,
        return_date: null,
        center_household: 0,
        password_hash: await hashPassword(DEMO_PASSWORD),
        contact_phone: DEMO_ADMIN,
        created_at: stamp,
        updated_at: stamp,
      })
      .execute()
    await app.supervision.refresh({ now: town.now })
    const setupMs = performance.now() - started
    const overviewRows = Number(
      (
        await db
          .selectFrom('sync_rows')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('table_name', '=', 'overviews')
          .where('op', '=', 'put')
          .executeTakeFirstOrThrow()
      ).n,
    )
    const address = await app.listen({ port: 0, host: '127.0.0.1' })
    return { url: address.replace('localhost', '127.0.0.1'), branches: town.facts.length, overviewRows, setupMs, close }
  } catch (error) {
    await close()
    throw error
  }
}

/** Signs the admin in through the form and waits for the first sync: every overview row stored, pulls quiet. */
async function signInAndSync(page: Page, overviewRows: number): Promise<number> {
  let lastPull = 0
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/sync/pull') lastPull = Date.now()
  })
  await page.goto('/login')
  await page.getByPlaceholder('请输入手机号').fill(DEMO_ADMIN)
  await page.getByPlaceholder('请输入密码').fill(DEMO_PASSWORD)
  const clicked = Date.now()
  await page.getByRole('button', { name: '登录' }).click()
  const deadline = clicked + TIMEOUT_MS
  let stored = 0
  while (Date.now() < deadline) {
    stored = (await page.evaluate(COUNT_OVERVIEWS)) as number
    if (stored >= overviewRows) break
    await sleep(100)
  }
  if (stored < overviewRows) throw new Error(`IndexedDB holds ${stored} of ${overviewRows} overview rows after ${TIMEOUT_MS} ms`)
  const synced = Date.now()
  while (Date.now() - lastPull < QUIET_MS) await sleep(100)
  return synced - clicked
}

const navigate = (page: Page, path: string, kind: string) =>
  page.evaluate(`(${NAVIGATE})(${JSON.stringify({ path, kind })})`) as Promise<number>

async function reload(page: Page, path: string): Promise<number> {
  await page.goto(path, { waitUntil: 'commit' })
  return (await page.evaluate('window.__benchLoad')) as number
}

export async function overviewRenderBench(root: string, dist = join(root, 'dist'), shotsDir?: string): Promise<OverviewRender> {
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)` }
  if (!existsSync(join(dist, 'index.html'))) return { skipped: 'no dist/index.html: build the app first' }
  const server = await startTownServer(root, dist)
  try {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
    try {
      const context = await browser.newContext({ baseURL: server.url, locale: 'zh-CN', viewport: { width: 390, height: 844 } })
      await context.addInitScript(INIT(server.branches))
      const page = await context.newPage()
      const firstSyncMs = await signInAndSync(page, server.overviewRows)

      // In the app, as a user taps between the pages; the first visits load the route chunks.
      const firstVisit = { meMs: await navigate(page, '/me', 'me'), overviewMs: await navigate(page, '/overview', 'overview') }
      if (shotsDir) {
        mkdirSync(shotsDir, { recursive: true })
        await page.screenshot({ path: join(shotsDir, 'overview-render.png'), fullPage: true })
      }
      const me: number[] = []
      const overview: number[] = []
      for (let i = 0; i < NAV_RUNS; i++) {
        me.push(await navigate(page, '/me', 'me'))
        overview.push(await navigate(page, '/overview', 'overview'))
      }
      // The app opened on the page (reloads; the service worker and HTTP cache hold the assets by now).
      const meReload: number[] = []
      const overviewReload: number[] = []
      for (let i = 0; i < RELOAD_RUNS; i++) {
        meReload.push(await reload(page, '/me'))
        overviewReload.push(await reload(page, '/overview'))
      }
      const navigation = { overview: stat(overview), me: stat(me) }
      const reloaded = { overview: stat(overviewReload), me: stat(meReload) }
      return {
        branches: server.branches,
        overviewRows: server.overviewRows,
        setupMs: server.setupMs,
        firstSyncMs,
        firstVisit,
        navigation: { ...navigation, ratio: navigation.overview.medianMs / navigation.me.medianMs },
        reload: { ...reloaded, ratio: reloaded.overview.medianMs / reloaded.me.medianMs },
      }
    } finally {
      await browser.close()
    }
  } finally {
    await server.close()
  }
}

export function printOverviewRenderSection(result: OverviewRender | { failed: string }): void {
  console.log(
    `\n总览 on the device (Chromium 390×844, the built app; the ${TOWN_BRANCHES}-branch town's overview synced in; until the branch table and the first chart are drawn)`,
  )
  if ('failed' in result) return void console.log(`  FAILED: ${result.failed}`)
  if ('skipped' in result) return void console.log(`  skipped: ${result.skipped}`)
  const ms = (n: number) => `${n.toFixed(0).padStart(6)} ms`
  const verdict = (n: number) => `target < ${RENDER_TARGET_MS} ms → ${n < RENDER_TARGET_MS ? 'PASS' : 'OVER'}`
  console.log(
    `  ${result.overviewRows} overview rows for ${result.branches} branches (town written and refreshed in ${(result.setupMs / 1000).toFixed(1)} s); ` +
      `login → first sync done in ${(result.firstSyncMs / 1000).toFixed(1)} s`,
  )
  const { firstVisit: f, navigation: n, reload: r } = result
  console.log(`  ${'first visit in the app, /me (baseline)'.padEnd(60)}${ms(f.meMs)}`)
  console.log(`  ${'first visit in the app, /overview (chart chunk fetched)'.padEnd(60)}${ms(f.overviewMs)}   ${verdict(f.overviewMs)}`)
  console.log(`  ${`visits after it, /me (baseline), median of ${n.me.runsMs.length}`.padEnd(60)}${ms(n.me.medianMs)}`)
  console.log(
    `  ${`visits after it, /overview, median of ${n.overview.runsMs.length}`.padEnd(60)}${ms(n.overview.medianMs)}   ${n.ratio.toFixed(2)}× baseline; ${verdict(n.overview.medianMs)}`,
  )
  console.log(`  ${`app reloaded on /me (baseline), median of ${r.me.runsMs.length}`.padEnd(60)}${ms(r.me.medianMs)}`)
  console.log(
    `  ${`app reloaded on /overview, median of ${r.overview.runsMs.length}`.padEnd(60)}${ms(r.overview.medianMs)}   ${r.ratio.toFixed(2)}× baseline; ${verdict(r.overview.medianMs)}`,
  )
  const runs = (s: Stat) => s.runsMs.map((x) => x.toFixed(0)).join(', ')
  console.log(
    `  runs: visits /overview ${runs(n.overview)}; /me ${runs(n.me)}; reloads /overview ${runs(r.overview)}; /me ${runs(r.me)} ms`,
  )
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
  const shots = process.argv.find((a) => a.startsWith('--shots='))?.slice('--shots='.length)
  const result = await overviewRenderBench(root, join(root, 'dist'), shots).catch((error: unknown) => ({
    failed: error instanceof Error ? (error.stack ?? error.message) : String(error),
  }))
  printOverviewRenderSection(result)
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2))
}
