// 朋友圈 board (issue 6) in Chromium and on the server: "a branch feed with 200 topics and 20,000 comments: the
// time to pull it into a fresh device and to open the feed and one topic with 500 comments (virtualised); the
// photo path: compress a 12-megapixel photo on the device (time, and the size before and after)".
// 1. Pull: two fresh SQLite servers with the demo data, one of them given 200 topics and 20,000 comments in 合兴村
//    (one topic with 500), written through the server's own code path (board_topics/board_comments rows, and the
//    rows devices pull from topicFromRow/commentFromRow put by a ChangeWriter in SyncService.write). A 合兴村
//    member signs in on a fresh profile through the login form; login click → the app's first sync done
//    (lastSyncedAt written after the last page). Baseline: the demo data alone. Runs interleaved.
// 2. Pages, on the built app: a fresh tab opens /board (→ the first [data-topic-id] laid out) and the topic with
//    500 comments (→ the first [data-comment-id]), comment elements in the DOM, and a scripted scroll to the
//    bottom (requestAnimationFrame intervals). Baselines: the feed of the demo data only, and a topic with 5
//    comments on the same device. Median of 5 interleaved runs after a warm-up.
// 3. Photos: the app's own compressPhoto (src/app/stores/boardPhotos.ts, bundled with esbuild) in Chromium on a
//    12-megapixel JPEG made with sharp (gradients and noise, so it compresses like a photo); baseline 1 MP. Then
//    the server's reencodePhoto on the compressed output and on the raw files.
// It reports; it never fails over a number.
// Standalone: npx tsx bench/board.ts [--json] (builds into /tmp/bench-board-dist first; BOARD_DIST=<dir> uses an
// existing build instead). In npm run bench it uses dist/.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import sharp from 'sharp'
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core'
import { DB_NAME } from '../src/app/constants'
import { COMMENT_CATEGORIES, deadlineAfter, TOPIC_CATEGORIES, type CommentStatus } from '../src/domain/board'
import { addDays, dayInShanghai, shanghaiTime } from '../src/domain/calendar'
import { openDatabase } from '../src/server/db'
import type { BoardCommentTable, BoardTopicTable } from '../src/server/db/schema'
import { boardScope, commentFromRow, topicFromRow } from '../src/server/features/board/rows'
import { LocalNotifier } from '../src/server/sync/notifier'
import { reencodePhoto } from '../src/server/services/photos'
import { FEATURES } from '../src/server/features'
import { SyncService } from '../src/server/sync/service'
import type { AppConfig } from '../src/server/config'
import { sized } from './quick'
import { DEMO_PASSWORD, startServer, type BenchServer } from './server'

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
/** 许光荣, a 合兴村 member (党员中心户). */
export const BOARD_MEMBER = '13800000010'
const BRANCH = 'b-hexing'
export const BOARD_TOPICS = sized(200, 20)
export const BOARD_COMMENTS = sized(20_000, 2_000)
export const BIG_TOPIC_COMMENTS = 500
export const BIG_TOPIC_ID = 't-bench-big'
/** The demo topic in 合兴村 with 5 comments (seeds/board.json). */
export const SMALL_TOPIC_ID = 't-hexing-road'
const PULL_RUNS = sized(3, 1)
const RUNS = sized(5, 1)
const SCROLL_FRAMES = sized(120, 30)
const SETTLE_MS = 500
const VIEWPORT = { width: 390, height: 844 }
const TIMEOUT_MS = 120_000
const PAGE_TIMEOUT_MS = 30_000
const POLL_MS = 30
const PHOTO_RUNS = sized(5, 1)
const PHOTOS = [
  { label: '1 MP', width: 1155, height: 866 },
  { label: '12 MP', width: 4000, height: 3000 },
] as const

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

export interface PullRun {
  /** Login button click → the app's first sync done (lastSyncedAt written, after the last page). */
  clickToSyncedMs: number
  clickToFirstPullMs: number
  /** First /api/sync/pull request sent → sync done. */
  firstPullToSyncedMs: number
  /** The pull requests' own time (sent → response received), summed. */
  pullNetworkMs: number
  pages: number
  /** Rows in the pull responses (every synced table). */
  rows: number
  responseBytes: number
  /** What IndexedDB holds when the sync is done. */
  topics: number
  comments: number
}

export interface PullSide {
  label: string
  runs: PullRun[]
  clickToSynced: Stat
  rows: number
  rowsPerSecond: number
  topics: number
  comments: number
}

export type BoardPull =
  { baseline: PullSide; board: PullSide; ratio: number; rowsPerSecondRatio: number; inserted: Inserted } | { failed: string }

export interface Inserted {
  topics: number
  comments: number
  bigTopicComments: number
  /** Writing them into the server's database (board tables and sync rows). */
  ms: number
}

export interface PageScenario {
  label: string
  path: string
  /** The element waited for: data-topic-id (feed) or data-comment-id (topic). */
  attribute: string
  /** Navigation start → the first frame with such an element laid out (non-zero box; may be below the fold). */
  open: Stat
  /** The renderer's main-thread CPU time for that open (CDP ThreadTime). */
  openCpu: Stat
  /** Longest main-thread task before that frame (≥ 50 ms; 0 if none), per open. */
  longestTask: Stat
  /** Whether that first element was inside the viewport (in most opens). */
  inViewport: boolean
  /** Elements in the DOM at that frame, and SETTLE_MS later (medians). */
  inDomAtFirst: number
  inDomSettled: number
  /** A scroll from top to bottom in SCROLL_FRAMES steps, one per frame. */
  scroll: FrameStats & { maxInDom: number; distinctSeen: number; scrollHeight: number }
}

export type BoardPages = { scenarios: PageScenario[]; feedRatio: number; topicRatio: number; topicCpuRatio: number } | { failed: string }

export interface PhotoCase {
  label: string
  input: { bytes: number; width: number; height: number }
  /** compressPhoto(blob) in Chromium, the blob already fetched. */
  compress: Stat
  output: { bytes: number; width: number; height: number }
  /** reencodePhoto in Node on the raw file, and on compressPhoto's output. */
  reencodeRaw: Stat & { bytes: number; width: number; height: number }
  reencodeCompressed: Stat & { bytes: number; width: number; height: number }
}

export type BoardPhotos = { cases: PhotoCase[]; compressRatio: number } | { failed: string }

export type BoardBench = { pull: BoardPull; pages: BoardPages; photos: BoardPhotos; loadavg: number[] } | { skipped: string }

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
const stat = (runsMs: number[]): Stat => ({ runsMs, medianMs: median(runsMs) })
const failure = (error: unknown) => ({ failed: error instanceof Error ? (error.stack ?? error.message) : String(error) })

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

/** A small deterministic PRNG (mulberry32), so every run writes the same board. */
function random(seed: number): () => number {
  let s = seed
  return () => {
    s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// ------------------------------------------------------------------------------------------ the board

const TOPIC_TITLES = [
  '村道硬化及路灯安装',
  '垃圾分类收集点设置',
  '村集体经济项目选择',
  '老年食堂运营方式',
  '河道清淤和护岸',
  '农田灌溉渠修缮',
  '村规民约修订',
  '停车位规划',
  '文化广场改造',
  '自来水管网改造',
]
const PHRASES = [
  '村口到三组的路段坑洼较多，雨天积水严重，老人出行不方便，建议尽快修补。',
  '希望在村委会旁边增设几盏路灯，晚上跳广场舞的人多，照明不够。',
  '垃圾收集点离住户太近，夏天气味大，能否往路口挪一挪。',
  '家里老人腿脚不便，希望村里的老年食堂能送餐上门。',
  '建议在河边加装护栏，孩子放学经常从那里经过。',
  '今年雨水多，灌溉渠有几处塌方，需要组织人手清理。',
  '外出务工人员希望能通过手机参加村里的议事会。',
  '建议把空置的老村小改成农产品展销点，带动集体增收。',
  '停车位太少，过年回来的车停到路上，堵得厉害。',
  '自来水压力不够，四楼以上经常没水。',
  '希望多组织几次农业技术培训，讲讲新品种的种植。',
  '文化广场的健身器材坏了两件，请安排维修。',
]
const REPLIES = [
  '已联系施工队，本周内完成修补，感谢反馈。',
  '已在村民代表会上讨论通过，下月实施。',
  '已协调相关部门处理，请继续关注。',
  '已安排专人上门了解情况并解决。',
]
const REASONS = ['该事项不属于村级职权范围，已向上级反映。', '经村民代表会议讨论，暂不具备实施条件。']

/**
 * Writes `BOARD_TOPICS` topics and `BOARD_COMMENTS` comments in 合兴村 (one topic with `BIG_TOPIC_COMMENTS`) through
 * a second connection to the server's database: the board tables as the server keeps them, and what devices pull
 * from `topicFromRow`/`commentFromRow`, put by the server's ChangeWriter in `SyncService.write`.
 */
export async function insertBoard(config: AppConfig, now = new Date()): Promise<Inserted> {
  const started = performance.now()
  const { db } = openDatabase(config)
  const notifier = new LocalNotifier()
  try {
    const sync = new SyncService(db, notifier, FEATURES)
    const town = await db.selectFrom('towns').select('id').executeTakeFirstOrThrow()
    const members = await db.selectFrom('users').select(['id', 'name', 'role']).where('branch_id', '=', BRANCH).orderBy('id').execute()
    const secretary = members.find((m) => m.role === 'secretary')
    if (!secretary) throw new Error(`no secretary in ${BRANCH}`)
    const households = await db
      .selectFrom('households')
      .select(['id', 'member_id', 'head_name'])
      .where(
        'member_id',
        'in',
        members.map((m) => m.id),
      )
      .orderBy('id')
      .execute()
    const rand = random(2026)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
    const iso = (ms: number) => new Date(Math.min(ms, now.getTime())).toISOString()

    // The big topic, then 199 others sharing the rest unevenly (40–160 each), newest first by 1.8 days.
    const counts = [BIG_TOPIC_COMMENTS]
    const weights = Array.from({ length: BOARD_TOPICS - 1 }, (_, i) => 0.4 + 1.2 * ((i * 0.618034) % 1))
    const rest = BOARD_COMMENTS - BIG_TOPIC_COMMENTS
    const total = weights.reduce((a, b) => a + b, 0)
    const shares = weights.map((w) => Math.floor((w / total) * rest))
    for (let i = 0, left = rest - shares.reduce((a, b) => a + b, 0); left > 0; i++, left--) shares[i % shares.length]!++
    counts.push(...shares)

    const topics: BoardTopicTable[] = counts.map((_, i) => {
      const created = now.getTime() - (i === 0 ? 2 * 86_400_000 : (3 + i * 1.8) * 86_400_000) - 3_600_000
      const createdAt = iso(created)
      return {
        id: i === 0 ? BIG_TOPIC_ID : `t-bench-${String(i).padStart(3, '0')}`,
        branch_id: BRANCH,
        category: TOPIC_CATEGORIES[i % TOPIC_CATEGORIES.length]!,
        title: `${TOPIC_TITLES[i % TOPIC_TITLES.length]}（第${i + 1}期）`,
        text: `${PHRASES[i % PHRASES.length]}请各位党员收集联系户的意见，在截止日期前留言。${PHRASES[(i + 3) % PHRASES.length]}`,
        photos_json: '[]',
        closes_on: addDays(dayInShanghai(createdAt), i === 0 ? 60 : 30),
        created_by: secretary.id,
        created_at: createdAt,
        updated_at: createdAt,
      }
    })

    let written = 0
    await sync.write(async (trx, writer) => {
      for (const topic of topics) {
        await trx.insertInto('board_topics').values(topic).execute()
        await writer.put(boardScope(town.id, topic.branch_id), 'topics', topic.id, topicFromRow(topic))
      }
    })
    for (const [t, topic] of topics.entries()) {
      const count = counts[t]!
      const opened = Date.parse(topic.created_at)
      const span = Math.min(shanghaiTime(topic.closes_on, '23:59:59'), now.getTime()) - opened
      const rows: BoardCommentTable[] = []
      for (let n = 0; n < count; n++) {
        const author = pick(members.filter((m) => m.role === 'member'))
        const own = households.filter((h) => h.member_id === author.id)
        const household = own.length > 0 && rand() < 0.4 ? pick(own) : null
        const created = opened + ((n + rand()) / count) * span
        const r = rand()
        const status: CommentStatus =
          r < 0.4 ? 'pending' : r < 0.6 ? 'accepted' : r < 0.9 ? 'resolved' : r < 0.98 || n === 0 ? 'rejected' : 'merged'
        const handled = status !== 'pending'
        const acceptedAt = handled ? iso(created + 20 * 3_600_000) : null
        const closedAt = status === 'resolved' || status === 'rejected' || status === 'merged' ? iso(created + 3 * 86_400_000) : null
        const likes = Math.floor(rand() * 5)
        const createdAt = iso(created)
        rows.push({
          id: `c-bench-${t}-${n}`,
          topic_id: topic.id,
          branch_id: BRANCH,
          author_id: author.id,
          author_name: author.name,
          author_branch_id: BRANCH,
          text: Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(PHRASES)).join(''),
          category: pick(COMMENT_CATEGORIES),
          household_id: household?.id ?? null,
          resident_name: household?.head_name ?? null,
          photos_json: '[]',
          status,
          deadline: status === 'accepted' || status === 'resolved' ? new Date(deadlineAfter(new Date(acceptedAt!), 7)).toISOString() : null,
          handler_id: status === 'accepted' || status === 'resolved' ? secretary.id : null,
          reply: status === 'resolved' ? pick(REPLIES) : null,
          reason: status === 'rejected' ? pick(REASONS) : status === 'merged' ? '与前一条意见相同，合并办理。' : null,
          merged_into: status === 'merged' ? `c-bench-${t}-${n - 1}` : null,
          liked_by_json: JSON.stringify(members.slice(0, likes).map((m) => m.id)),
          created_at: createdAt,
          updated_at: closedAt ?? acceptedAt ?? createdAt,
          accepted_at: status === 'accepted' || status === 'resolved' ? acceptedAt : null,
          closed_at: closedAt,
          received_at: createdAt,
        })
      }
      // A transaction per topic (at most 500 comments), as many rows per INSERT as SQLite takes comfortably.
      await sync.write(async (trx, writer) => {
        for (let i = 0; i < rows.length; i += 100)
          await trx
            .insertInto('board_comments')
            .values(rows.slice(i, i + 100))
            .execute()
        for (const row of rows) await writer.put(boardScope(town.id, row.branch_id), 'comments', row.id, commentFromRow(row))
      })
      written += rows.length
    }
    return { topics: topics.length, comments: written, bigTopicComments: counts[0]!, ms: performance.now() - started }
  } finally {
    await notifier.close()
    await db.destroy()
  }
}

// ---------------------------------------------------------------------------------- in the page (strings)

/** Waits in the page for the app's first sync (lastSyncedAt, written after the last page), then counts the board's rows. */
const WATCH = `async ({ name, timeoutMs, pollMs }) => {
  const open = () => new Promise((resolve) => {
    const request = indexedDB.open(name)
    // Never create the database: the app does.
    request.onupgradeneeded = () => request.transaction.abort()
    request.onerror = () => resolve(null)
    request.onsuccess = () => {
      const db = request.result
      db.onversionchange = () => db.close()
      if (!['meta', 'topics', 'comments'].every((s) => db.objectStoreNames.contains(s))) { db.close(); resolve(null); return }
      resolve(db)
    }
  })
  const synced = async () => {
    const db = await open()
    if (!db) return false
    return await new Promise((resolve) => {
      const get = db.transaction('meta').objectStore('meta').get('lastSyncedAt')
      get.onsuccess = () => { db.close(); resolve(Boolean(get.result)) }
      get.onerror = () => { db.close(); resolve(false) }
    })
  }
  const deadline = Date.now() + timeoutMs
  let doneAt = null
  while (Date.now() < deadline) {
    if (await synced()) { doneAt = Date.now(); break }
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
  const counts = { topics: 0, comments: 0 }
  const db = await open()
  if (db) {
    await new Promise((resolve) => {
      const tx = db.transaction(['topics', 'comments'])
      const t = tx.objectStore('topics').count()
      t.onsuccess = () => { counts.topics = t.result }
      const c = tx.objectStore('comments').count()
      c.onsuccess = () => { counts.comments = c.result }
      tx.oncomplete = resolve
      tx.onerror = resolve
    })
    db.close()
  }
  return { doneAt, clickAt: window.__benchClickAt ?? null, ...counts }
}`

/**
 * Installed before the app's scripts on every load: the first frame with a topic card (/board) or a comment
 * (/board/topics/…) laid out, and long tasks.
 */
const INIT = `(() => {
  const state = { first: null, longTasks: [] }
  window.__board = state
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) state.longTasks.push({ start: e.startTime, duration: e.duration }) })
      .observe({ type: 'longtask', buffered: true })
  } catch {}
  const attribute = () => location.pathname.startsWith('/board/topics/') ? 'data-comment-id' : location.pathname === '/board' ? 'data-topic-id' : null
  const started = performance.now()
  const tick = () => {
    const name = attribute()
    if (name) {
      const all = document.querySelectorAll('[' + name + ']')
      for (const el of all) {
        const r = el.getBoundingClientRect()
        if (r.width > 0 && r.height > 0) {
          state.first = { attribute: name, at: performance.now(), count: all.length, inViewport: r.top < innerHeight && r.bottom > 0 }
          return
        }
      }
    }
    if (performance.now() - started < ${PAGE_TIMEOUT_MS}) requestAnimationFrame(tick)
  }
  requestAnimationFrame(tick)
})()`

/** Scrolls the document top to bottom in `frames` steps, one per frame; frame intervals and what the list rendered. */
const SCROLL = `async ({ frames, attribute }) => {
  const root = document.scrollingElement
  const selector = '[' + attribute + ']'
  root.scrollTop = 0
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
  const seen = new Set()
  let maxInDom = 0
  const note = () => {
    const all = document.querySelectorAll(selector)
    if (all.length > maxInDom) maxInDom = all.length
    for (const el of all) seen.add(el.getAttribute(attribute))
  }
  note()
  const intervals = []
  let last = null
  let n = 0
  await new Promise((resolve) => {
    const tick = (t) => {
      if (last !== null) intervals.push(t - last)
      last = t
      note()
      if (n++ >= frames) return resolve()
      // The list may measure its rows as they render: aim at the bottom as it is now.
      root.scrollTop = Math.round((n / frames) * (root.scrollHeight - innerHeight))
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })
  // Settle at the very bottom (not timed): rows measured late, or more loaded there.
  let height = -1
  for (let still = 0, i = 0; still < 5 && i < 120; i++) {
    root.scrollTop = root.scrollHeight
    await new Promise((r) => requestAnimationFrame(r))
    note()
    still = root.scrollHeight === height ? still + 1 : 0
    height = root.scrollHeight
  }
  return { intervals, maxInDom, distinctSeen: seen.size, scrollHeight: root.scrollHeight }
}`

const evaluate = <T>(page: Page, fn: string, arg: unknown) => page.evaluate(`(${fn})(${JSON.stringify(arg)})`) as Promise<T>

/** Polls an expression with page.evaluate (waitForFunction's polling evaluates strings in the page, which the app's CSP forbids). */
async function waitFor(page: Page, expression: string, what: string, timeoutMs = PAGE_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) {
      const text = (await page.evaluate('document.body.innerText').catch(() => '')) as string
      throw new Error(`timed out waiting for ${what} (${page.url()}); the page says: ${text.replace(/\s+/g, ' ').slice(0, 300)}`)
    }
    await page.waitForTimeout(20)
  }
}

/** The page's main-thread CPU time so far, in ms (CDP Performance.getMetrics ThreadTime). */
async function mainThreadCpu(page: Page): Promise<() => Promise<number>> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  return async () => 1000 * ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')?.value ?? Number.NaN)
}

/** The phone the e2e tests use, with a fresh profile (its own IndexedDB). */
const phone = (browser: Browser, url: string) =>
  browser.newContext({
    baseURL: url,
    viewport: VIEWPORT,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  })

// ------------------------------------------------------------------------------------------------ 1. pull

/** Signs the member in on a fresh profile and times the first sync. Returns the context, signed in and synced. */
async function pullOnce(browser: Browser, url: string): Promise<{ run: PullRun; context: BrowserContext }> {
  const context = await phone(browser, url)
  try {
    const page = await context.newPage()
    const pulls: Response[] = []
    page.on('response', (r) => {
      if (new URL(r.url()).pathname === '/api/sync/pull') pulls.push(r)
    })
    await page.goto('/login')
    await page.getByPlaceholder('请输入手机号').fill(BOARD_MEMBER)
    await page.getByPlaceholder('请输入密码').fill(DEMO_PASSWORD)
    await page.evaluate(`document.addEventListener('click', () => { window.__benchClickAt ??= Date.now() }, { capture: true })`)
    const watching = evaluate<{ doneAt: number | null; clickAt: number | null; topics: number; comments: number }>(page, WATCH, {
      name: DB_NAME,
      timeoutMs: TIMEOUT_MS,
      pollMs: POLL_MS,
    })
    await page.getByRole('button', { name: '登录' }).click()
    const watched = await watching
    if (watched.doneAt === null || watched.clickAt === null)
      throw new Error(`the first sync did not finish within ${TIMEOUT_MS} ms (IndexedDB holds ${watched.comments} comments)`)
    const { doneAt, clickAt } = watched
    const done = pulls.filter((r) => r.request().timing().startTime <= doneAt)
    const bodies = await Promise.all(done.map(async (r) => (await r.json()) as { changes: unknown[] }))
    const sizes = await Promise.all(done.map((r) => r.request().sizes()))
    const timings = done.map((r) => r.request().timing())
    const firstStart = Math.min(...timings.map((t) => t.startTime))
    await page.close()
    return {
      context,
      run: {
        clickToSyncedMs: doneAt - clickAt,
        clickToFirstPullMs: firstStart - clickAt,
        firstPullToSyncedMs: doneAt - firstStart,
        pullNetworkMs: timings.reduce((n, t) => n + t.responseEnd, 0),
        pages: done.length,
        rows: bodies.reduce((n, b) => n + b.changes.length, 0),
        responseBytes: sizes.reduce((n, s) => n + s.responseBodySize, 0),
        topics: watched.topics,
        comments: watched.comments,
      },
    }
  } catch (error) {
    await context.close()
    throw error
  }
}

function pullSide(label: string, runs: PullRun[]): PullSide {
  const clickToSynced = stat(runs.map((r) => r.clickToSyncedMs))
  const rows = median(runs.map((r) => r.rows))
  return {
    label,
    runs,
    clickToSynced,
    rows,
    rowsPerSecond: rows / (clickToSynced.medianMs / 1000),
    topics: median(runs.map((r) => r.topics)),
    comments: median(runs.map((r) => r.comments)),
  }
}

// ----------------------------------------------------------------------------------------------- 2. pages

interface Opened {
  ms: number
  cpuMs: number
  longestTaskMs: number
  inViewport: boolean
  inDomAtFirst: number
  inDomSettled: number
}

async function openPage(context: BrowserContext, path: string, attribute: string): Promise<Opened> {
  const page = await context.newPage()
  try {
    const cpu = await mainThreadCpu(page)
    const cpuBefore = await cpu()
    await page.goto(path)
    await waitFor(page, 'window.__board?.first != null', `the first [${attribute}] on ${path}`)
    const cpuMs = (await cpu()) - cpuBefore
    await page.waitForTimeout(SETTLE_MS)
    const state = (await page.evaluate('window.__board')) as {
      first: { attribute: string; at: number; count: number; inViewport: boolean }
      longTasks: { start: number; duration: number }[]
    }
    if (state.first.attribute !== attribute) throw new Error(`${path}: expected [${attribute}], saw [${state.first.attribute}]`)
    return {
      ms: state.first.at,
      cpuMs,
      longestTaskMs: Math.max(0, ...state.longTasks.filter((t) => t.start < state.first.at).map((t) => t.duration)),
      inViewport: state.first.inViewport,
      inDomAtFirst: state.first.count,
      inDomSettled: Number(await page.evaluate(`document.querySelectorAll('[${attribute}]').length`)),
    }
  } finally {
    await page.close()
  }
}

async function scrollPage(context: BrowserContext, path: string, attribute: string): Promise<PageScenario['scroll']> {
  const page = await context.newPage()
  try {
    await page.goto(path)
    await waitFor(page, 'window.__board?.first != null', `the first [${attribute}] on ${path}`)
    await page.waitForTimeout(SETTLE_MS)
    const r = await evaluate<{ intervals: number[]; maxInDom: number; distinctSeen: number; scrollHeight: number }>(page, SCROLL, {
      frames: SCROLL_FRAMES,
      attribute,
    })
    return { ...frameStats(r.intervals), maxInDom: r.maxInDom, distinctSeen: r.distinctSeen, scrollHeight: r.scrollHeight }
  } finally {
    await page.close()
  }
}

async function pagesBench(baseline: BrowserContext, board: BrowserContext): Promise<BoardPages> {
  const scenarios = [
    { label: 'feed, demo data only', context: baseline, path: '/board', attribute: 'data-topic-id' },
    { label: `feed, +${BOARD_TOPICS} topics`, context: board, path: '/board', attribute: 'data-topic-id' },
    { label: 'topic, 5 comments', context: board, path: `/board/topics/${SMALL_TOPIC_ID}`, attribute: 'data-comment-id' },
    { label: `topic, ${BIG_TOPIC_COMMENTS} comments`, context: board, path: `/board/topics/${BIG_TOPIC_ID}`, attribute: 'data-comment-id' },
  ]
  for (const s of scenarios) await s.context.addInitScript({ content: INIT }).catch(() => undefined)
  // A warm-up round (the service worker's cache, the JIT), then the scenarios interleaved, the order turning each round.
  for (const s of scenarios) await openPage(s.context, s.path, s.attribute)
  const samples = scenarios.map((): Opened[] => [])
  for (let run = 0; run < RUNS; run++) {
    for (let k = 0; k < scenarios.length; k++) {
      const i = (run + k) % scenarios.length
      const s = scenarios[i]!
      samples[i]!.push(await openPage(s.context, s.path, s.attribute))
    }
  }
  const result: PageScenario[] = []
  for (const [i, s] of scenarios.entries()) {
    const opens = samples[i]!
    result.push({
      label: s.label,
      path: s.path,
      attribute: s.attribute,
      open: stat(opens.map((o) => o.ms)),
      openCpu: stat(opens.map((o) => o.cpuMs)),
      longestTask: stat(opens.map((o) => o.longestTaskMs)),
      inViewport: opens.filter((o) => o.inViewport).length * 2 > opens.length,
      inDomAtFirst: median(opens.map((o) => o.inDomAtFirst)),
      inDomSettled: median(opens.map((o) => o.inDomSettled)),
      scroll: await scrollPage(s.context, s.path, s.attribute),
    })
  }
  const [feedBase, feed, topicBase, topic] = result as [PageScenario, PageScenario, PageScenario, PageScenario]
  return {
    scenarios: result,
    feedRatio: feed.open.medianMs / feedBase.open.medianMs,
    topicRatio: topic.open.medianMs / topicBase.open.medianMs,
    topicCpuRatio: topic.openCpu.medianMs / topicBase.openCpu.medianMs,
  }
}

// ---------------------------------------------------------------------------------------------- 3. photos

/** A JPEG that compresses like a photo: colour gradients, waves and fine noise (a 12 MP one is ~3.6 MB at quality 90). */
export async function makePhoto(width: number, height: number): Promise<Buffer> {
  const rand = random(width * 7 + height)
  const data = Buffer.alloc(width * height * 3)
  let i = 0
  for (let y = 0; y < height; y++) {
    const v = y / height
    for (let x = 0; x < width; x++) {
      const u = x / width
      const wave = 40 * Math.sin(u * 23 + Math.sin(v * 7) * 3) * Math.cos(v * 17 + u * 5)
      const noise = (rand() - 0.5) * 60
      data[i++] = Math.max(0, Math.min(255, 90 + 120 * v + wave + noise))
      data[i++] = Math.max(0, Math.min(255, 140 + 60 * u - 50 * v + wave * 0.6 + noise))
      data[i++] = Math.max(0, Math.min(255, 200 - 140 * v + wave * 0.3 + noise))
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .blur(0.6)
    .jpeg({ quality: 90 })
    .toBuffer()
}

/** The app's own compressPhoto as a script that sets window.compressPhoto. */
async function compressScript(root: string): Promise<string> {
  const bundled = await build({
    stdin: {
      contents: `import { compressPhoto } from './src/app/stores/boardPhotos'\nwindow.compressPhoto = compressPhoto\n`,
      resolveDir: root,
      loader: 'ts',
      sourcefile: 'bench-compress.ts',
    },
    bundle: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  })
  return bundled.outputFiles[0]!.text
}

const COMPRESS = `async ({ url }) => {
  const blob = await (await fetch(url)).blob()
  const start = performance.now()
  const out = await window.compressPhoto(blob)
  const ms = performance.now() - start
  const bytes = new Uint8Array(await out.blob.arrayBuffer())
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return { ms, inBytes: blob.size, bytes: out.blob.size, type: out.blob.type, width: out.width, height: out.height, base64: btoa(binary) }
}`

async function timed<T>(runs: number, fn: () => Promise<T>): Promise<{ ms: number[]; last: T }> {
  const ms: number[] = []
  let last = await fn() // warm-up
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    last = await fn()
    ms.push(performance.now() - start)
  }
  return { ms, last }
}

async function photosBench(root: string, browser: Browser, url: string): Promise<BoardPhotos> {
  const script = await compressScript(root)
  const files = await Promise.all(PHOTOS.map(async (p) => ({ ...p, data: await makePhoto(p.width, p.height) })))
  // A blank page of the server's origin, no service worker and no CSP: the bench's script and photos come from page.route.
  const context = await browser.newContext({ baseURL: url, serviceWorkers: 'block' })
  try {
    await context.route('**/__bench/**', async (route) => {
      const name = new URL(route.request().url()).pathname.split('/').pop() ?? ''
      const file = files.find((f) => `${f.width}x${f.height}.jpg` === name)
      if (file) await route.fulfill({ status: 200, contentType: 'image/jpeg', body: file.data })
      else await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>bench</title>' })
    })
    const page = await context.newPage()
    await page.goto('/__bench/blank.html')
    await page.addScriptTag({ content: script })
    type Compressed = { ms: number; inBytes: number; bytes: number; type: string; width: number; height: number; base64: string }
    const compress = (f: (typeof files)[number]) => evaluate<Compressed>(page, COMPRESS, { url: `/__bench/${f.width}x${f.height}.jpg` })
    // A warm-up each, then the sizes interleaved.
    const results: Compressed[][] = files.map(() => [])
    for (const f of files) await compress(f)
    for (let run = 0; run < PHOTO_RUNS; run++) {
      for (let k = 0; k < files.length; k++) {
        const i = (run + k) % files.length
        results[i]!.push(await compress(files[i]!))
      }
    }
    const cases: PhotoCase[] = []
    for (const [i, f] of files.entries()) {
      const out = results[i]!.at(-1)!
      const compressed = Buffer.from(out.base64, 'base64')
      const meta = await sharp(f.data).metadata()
      const raw = await timed(PHOTO_RUNS, () => reencodePhoto(f.data))
      const small = await timed(PHOTO_RUNS, () => reencodePhoto(compressed))
      cases.push({
        label: f.label,
        input: { bytes: f.data.length, width: meta.width ?? 0, height: meta.height ?? 0 },
        compress: stat(results[i]!.map((r) => r.ms)),
        output: { bytes: out.bytes, width: out.width, height: out.height },
        reencodeRaw: { ...stat(raw.ms), bytes: raw.last.data.length, width: raw.last.width, height: raw.last.height },
        reencodeCompressed: { ...stat(small.ms), bytes: small.last.data.length, width: small.last.width, height: small.last.height },
      })
    }
    return { cases, compressRatio: cases[1]!.compress.medianMs / cases[0]!.compress.medianMs }
  } finally {
    await context.close()
  }
}

// ------------------------------------------------------------------------------------------------ the run

export async function boardBench(root: string, dist: string): Promise<BoardBench> {
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)` }
  if (!existsSync(join(dist, 'index.html'))) return { skipped: `no ${join(dist, 'index.html')}: build the app first` }
  const servers: BenchServer[] = []
  let browser: Browser | undefined
  const contexts: BrowserContext[] = []
  try {
    const baselineServer = await startServer(root, undefined, dist)
    servers.push(baselineServer)
    const boardServer = await startServer(root, undefined, dist)
    servers.push(boardServer)
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
    const b = browser

    let pull: BoardPull
    let devices: { baseline: BrowserContext; board: BrowserContext } | null = null
    try {
      const inserted = await insertBoard(boardServer.config)
      const runs = { baseline: [] as PullRun[], board: [] as PullRun[] }
      const last: { baseline?: BrowserContext; board?: BrowserContext } = {}
      for (let run = 0; run < PULL_RUNS; run++) {
        for (const side of run % 2 ? (['board', 'baseline'] as const) : (['baseline', 'board'] as const)) {
          const { run: r, context } = await pullOnce(b, side === 'board' ? boardServer.url : baselineServer.url)
          contexts.push(context)
          runs[side].push(r)
          // Keep the last signed-in device of each for the pages; close the others.
          const previous = last[side]
          last[side] = context
          if (previous) await previous.close()
        }
      }
      devices = { baseline: last.baseline!, board: last.board! }
      const baseline = pullSide('demo data only', runs.baseline)
      const board = pullSide(`+${inserted.topics} topics, ${inserted.comments.toLocaleString('en')} comments`, runs.board)
      pull = {
        baseline,
        board,
        inserted,
        ratio: board.clickToSynced.medianMs / baseline.clickToSynced.medianMs,
        rowsPerSecondRatio: board.rowsPerSecond / baseline.rowsPerSecond,
      }
    } catch (error) {
      pull = failure(error)
    }

    const pages: BoardPages = devices
      ? await pagesBench(devices.baseline, devices.board).catch(failure)
      : { failed: 'no signed-in devices (the pull failed)' }
    const photos = await photosBench(root, b, boardServer.url).catch(failure)
    return { pull, pages, photos, loadavg: loadavg() }
  } finally {
    for (const context of contexts) await context.close().catch(() => undefined)
    await browser?.close()
    for (const server of servers) await server.close()
  }
}

export function printBoardSection(result: BoardBench | { failed: string }): void {
  console.log(
    `\n朋友圈 board (the built app in Chromium, 390x844 phone, real servers on SQLite; a 合兴村 member on fresh profiles; ${BOARD_TOPICS} topics and ${BOARD_COMMENTS.toLocaleString('en')} comments in 合兴村, one topic with ${BIG_TOPIC_COMMENTS})`,
  )
  if ('skipped' in result) return void console.log(`  skipped: ${result.skipped}`)
  if ('failed' in result) return void console.log(`  FAILED: ${result.failed}`)
  const pad = (s: string, n: number) => s.padEnd(n)
  const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`.padStart(9)
  const ms = (n: number) => n.toFixed(0).padStart(8)
  const x = (n: number) => `${n.toFixed(2)}×`.padStart(8)
  const kb = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(0)} KB`)

  const { pull, pages, photos } = result
  console.log(
    `  1. first pull into a fresh device: login click → the app's first sync done (lastSyncedAt), median of ${PULL_RUNS} interleaved runs`,
  )
  if ('failed' in pull) console.log(`     FAILED: ${pull.failed}`)
  else {
    console.log(
      `     board written through the server's code path in ${(pull.inserted.ms / 1000).toFixed(1)} s: ${pull.inserted.topics} topics, ${pull.inserted.comments.toLocaleString('en')} comments`,
    )
    console.log(
      `     ${pad('', 38)}${'time'.padStart(9)}${'ratio'.padStart(8)}${'rows'.padStart(8)}${'rows/s'.padStart(9)}${'pull→done'.padStart(11)}${'pages'.padStart(7)}${'bytes'.padStart(10)}${'IDB topics'.padStart(12)}${'comments'.padStart(10)}`,
    )
    for (const [side, r] of [
      [pull.baseline, 1],
      [pull.board, pull.ratio],
    ] as const) {
      const first = side.runs[0]!
      console.log(
        `     ${pad(side.label, 38)}${sec(side.clickToSynced.medianMs)}${x(r)}${String(side.rows).padStart(8)}${side.rowsPerSecond.toFixed(0).padStart(9)}${sec(median(side.runs.map((run) => run.firstPullToSyncedMs))).padStart(11)}${String(first.pages).padStart(7)}${kb(first.responseBytes).padStart(10)}${String(side.topics).padStart(12)}${String(side.comments).padStart(10)}${side === pull.baseline ? '   (baseline)' : ''}`,
      )
    }
    console.log(
      `     rows: what the pull responses held (every synced table); rows/s: rows over the median time, ${pull.rowsPerSecondRatio.toFixed(2)}× the baseline's; pull→done: first pull request sent → sync done (median). Runs:`,
    )
    for (const side of [pull.baseline, pull.board]) {
      console.log(
        `       ${pad(side.label, 36)}${side.runs.map((r) => `${(r.clickToSyncedMs / 1000).toFixed(2)} s (click→1st pull ${r.clickToFirstPullMs.toFixed(0)} ms, pull requests ${r.pullNetworkMs.toFixed(0)} ms)`).join('; ')}`,
      )
    }
  }

  console.log(
    `  2. pages: a fresh tab → the first frame with a card/comment laid out (navigation start; the app's start included); median of ${RUNS} interleaved runs after a warm-up`,
  )
  if ('failed' in pages) console.log(`     FAILED: ${pages.failed}`)
  else {
    console.log(
      `     ${pad('', 24)}${'open ms'.padStart(8)}${'ratio'.padStart(8)}${'CPU ms'.padStart(8)}${'longest'.padStart(8)}${'in DOM'.padStart(8)}${'settled'.padStart(8)}   scroll to the bottom, ${SCROLL_FRAMES} frames`,
    )
    for (const [i, s] of pages.scenarios.entries()) {
      const ratio = i === 1 ? x(pages.feedRatio) : i === 3 ? x(pages.topicRatio) : '    base'
      const f = s.scroll
      console.log(
        `     ${pad(s.label, 24)}${ms(s.open.medianMs)}${ratio}${ms(s.openCpu.medianMs)}${ms(s.longestTask.medianMs)}${String(s.inDomAtFirst).padStart(8)}${String(s.inDomSettled).padStart(8)}` +
          `   median ${f.medianMs.toFixed(1)} ms, p95 ${f.p95Ms.toFixed(1)}, max ${f.maxMs.toFixed(1)}, ${f.over50} over 50 ms; ~${((f.scrollHeight - VIEWPORT.height) / SCROLL_FRAMES).toFixed(0)} px a frame; at most ${f.maxInDom} in the DOM, ${f.distinctSeen} distinct seen${s.inViewport ? '' : '; first one below the fold'}`,
      )
    }
    const big = pages.scenarios[3]!
    console.log(
      `     the ${BIG_TOPIC_COMMENTS}-comment topic: ${big.open.medianMs.toFixed(0)} ms to the first comment (${pages.topicRatio.toFixed(2)}× the 5-comment topic; CPU ${pages.topicCpuRatio.toFixed(2)}×), ` +
        `${big.inDomSettled} comment elements in the DOM (${big.scroll.maxInDom} at most while scrolling) → ${big.scroll.maxInDom < BIG_TOPIC_COMMENTS / 2 ? 'virtualised' : 'NOT virtualised'}`,
    )
    console.log(
      `     in DOM: [data-topic-id]/[data-comment-id] elements at that first frame; settled: ${SETTLE_MS} ms later; longest: longest main-thread task before it (0: none ≥ 50 ms)`,
    )
    for (const s of pages.scenarios)
      console.log(`       runs, ${pad(s.label + ':', 24)}${s.open.runsMs.map((n) => n.toFixed(0)).join(', ')} ms`)
  }

  console.log(
    `  3. photos: the app's compressPhoto in Chromium (blob already fetched), median of ${PHOTO_RUNS} after a warm-up; the server's reencodePhoto in Node, the same`,
  )
  if ('failed' in photos) console.log(`     FAILED: ${photos.failed}`)
  else {
    for (const c of photos.cases) {
      console.log(
        `     ${pad(c.label, 6)} ${c.input.width}x${c.input.height} ${kb(c.input.bytes)} → compressPhoto ${c.compress.medianMs.toFixed(0)} ms → ${c.output.width}x${c.output.height} ${kb(c.output.bytes)} ` +
          `(${((c.output.bytes / c.input.bytes) * 100).toFixed(1)}% of the bytes)${c === photos.cases[0] ? '   (baseline)' : `   ${photos.compressRatio.toFixed(2)}× the baseline's time`}`,
      )
      console.log(
        `            server reencodePhoto: of the compressed ${c.reencodeCompressed.medianMs.toFixed(0)} ms → ${c.reencodeCompressed.width}x${c.reencodeCompressed.height} ${kb(c.reencodeCompressed.bytes)}; ` +
          `of the raw file ${c.reencodeRaw.medianMs.toFixed(0)} ms → ${c.reencodeRaw.width}x${c.reencodeRaw.height} ${kb(c.reencodeRaw.bytes)} (${(c.reencodeRaw.medianMs / c.reencodeCompressed.medianMs).toFixed(2)}×)`,
      )
    }
    for (const c of photos.cases)
      console.log(`       runs, ${c.label}: compressPhoto ${c.compress.runsMs.map((n) => n.toFixed(0)).join(', ')} ms`)
  }
  console.log(`  load average at the end: ${result.loadavg.map((n) => n.toFixed(2)).join(' ')} (compare within this run, not across runs)`)
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
  let dist = process.env.BOARD_DIST
  if (!dist) {
    dist = '/tmp/bench-board-dist'
    console.log(`building the app into ${dist}…`)
    const built = spawnSync('npx', ['vite', 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: root,
      stdio: 'inherit',
    })
    if (built.status !== 0) throw new Error(`vite build failed (${built.status})`)
  }
  const result = await boardBench(root, dist).catch(failure)
  printBoardSection(result)
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2))
}
