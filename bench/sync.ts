// Sync over real HTTP on 127.0.0.1: push throughput (batches of 100 profile.update) and a full pull of
// 10,000 rows, on SQLite or PostgreSQL. Every loop is bounded by a deadline and an iteration cap.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { MAX_PUSH_BATCH, SCHEMA_VERSION, type Mutation, type PullReply, type PushReply } from '../src/domain/sync'
import { createDatabase } from './postgres'
import { clientId, DEMO_ADMIN, DEMO_MEMBER, insertMemberRows, signIn, startServer } from './server'

export interface RateResult {
  requests: number
  seconds: number
  perSecond: number
}

export interface PushResult {
  clients: number
  seconds: number
  batches: number
  mutations: number
  /** Applied mutations per second, all clients together. */
  mutationsPerSecond: number
  rejected: number
  /** Per-request latency of one batch of 100. */
  p50BatchMs: number
  p99BatchMs: number
}

export interface PullRun {
  ms: number
  pages: number
  rows: number
  /** Response bodies as received (the server does not compress). */
  bytes: number
  rowsPerSecond: number
}

export interface SyncBench {
  database: 'sqlite' | 'postgres'
  /** SQLite only: one-row transactions per second on this disk with the server's pragmas (WAL, synchronous=FULL). */
  commitCeiling: RateResult | null
  /** Sequential GET /api/health from the same fetch client: the floor one request costs. */
  health: RateResult
  pushSequential: PushResult
  pushConcurrent: PushResult
  /** How many health requests one push of 100 costs, sequentially: health req/s ÷ push batches/s. */
  pushBatchVsHealth: number
  /** expectedRows: every row the admin sees (members and any other synced table). */
  pull: { expectedRows: number; inserted: number; insertMs: number; runs: PullRun[]; median: PullRun }
}

const MAX_REQUESTS = 200_000

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0

/** The disk's floor for one transaction per mutation: better-sqlite3, WAL, synchronous=FULL, one row per commit. */
export function sqliteCommitCeiling(seconds: number): RateResult {
  const dir = mkdtempSync(join(tmpdir(), 'djy-bench-commit-'))
  const db = new SQLite(join(dir, 'commit.sqlite'))
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.exec('create table t (id integer primary key, v text not null)')
    const insert = db.prepare('insert into t (v) values (?)')
    const commit = db.transaction(() => insert.run('x'))
    const start = performance.now()
    const deadline = start + seconds * 1000
    let requests = 0
    while (performance.now() < deadline && requests < MAX_REQUESTS) {
      commit()
      requests++
    }
    const elapsed = (performance.now() - start) / 1000
    return { requests, seconds: elapsed, perSecond: requests / elapsed }
  } finally {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function healthRate(url: string, seconds: number): Promise<RateResult> {
  const start = performance.now()
  const deadline = start + seconds * 1000
  let requests = 0
  while (performance.now() < deadline && requests < MAX_REQUESTS) {
    const response = await fetch(`${url}/api/health`)
    await response.arrayBuffer()
    if (!response.ok) throw new Error(`health: HTTP ${response.status}`)
    requests++
  }
  const elapsed = (performance.now() - start) / 1000
  return { requests, seconds: elapsed, perSecond: requests / elapsed }
}

function batch(n: number): Mutation[] {
  const clientTime = new Date().toISOString()
  return Array.from({ length: MAX_PUSH_BATCH }, (_, i) => ({
    id: crypto.randomUUID(),
    name: 'profile.update',
    args: { status: (n + i) % 2 === 0 ? 'home' : 'away', awayCity: '杭州' },
    clientTime,
  }))
}

/** One device pushing batches back to back until the deadline. */
async function pushLoop(url: string, cookie: string, id: string, deadline: number) {
  const latencies: number[] = []
  let applied = 0
  let rejected = 0
  for (let n = 0; performance.now() < deadline && n < MAX_REQUESTS; n++) {
    const mutations = batch(n)
    const t0 = performance.now()
    const response = await fetch(`${url}/api/sync/push`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: id, schemaVersion: SCHEMA_VERSION, mutations }),
    })
    const text = await response.text()
    latencies.push(performance.now() - t0)
    if (!response.ok) throw new Error(`push: HTTP ${response.status} ${text.slice(0, 200)}`)
    const reply = JSON.parse(text) as PushReply
    if (reply.results.length !== mutations.length)
      throw new Error(`push: ${reply.results.length} results for ${mutations.length} mutations`)
    for (const r of reply.results) {
      if (r.status === 'applied') applied++
      else rejected++
    }
  }
  return { latencies, applied, rejected }
}

async function pushRun(url: string, cookies: string[], seconds: number): Promise<PushResult> {
  const start = performance.now()
  const deadline = start + seconds * 1000
  const loops = await Promise.all(cookies.map((cookie, i) => pushLoop(url, cookie, clientId(`push${i}`), deadline)))
  const elapsed = (performance.now() - start) / 1000
  const latencies = loops.flatMap((l) => l.latencies).sort((a, b) => a - b)
  const mutations = loops.reduce((n, l) => n + l.applied, 0)
  return {
    clients: cookies.length,
    seconds: elapsed,
    batches: latencies.length,
    mutations,
    mutationsPerSecond: mutations / elapsed,
    rejected: loops.reduce((n, l) => n + l.rejected, 0),
    p50BatchMs: percentile(latencies, 50),
    p99BatchMs: percentile(latencies, 99),
  }
}

/** Pulls every page as a fresh device would; bounded by a page cap. */
export async function pullAll(url: string, cookie: string, id = clientId('pull')): Promise<PullRun> {
  const start = performance.now()
  let cursor: string | undefined
  let pages = 0
  let rows = 0
  let bytes = 0
  for (let hasMore = true; hasMore;) {
    if (pages >= 10_000) throw new Error('pull: more than 10,000 pages')
    const query = new URLSearchParams({ clientId: id, ...(cursor ? { cursor } : {}) })
    const response = await fetch(`${url}/api/sync/pull?${query}`, { headers: { cookie } })
    const body = await response.arrayBuffer()
    if (!response.ok) throw new Error(`pull: HTTP ${response.status}`)
    const reply = JSON.parse(new TextDecoder().decode(body)) as PullReply
    pages++
    bytes += body.byteLength
    rows += reply.changes.length
    cursor = reply.cursor
    hasMore = reply.hasMore
  }
  const ms = performance.now() - start
  return { ms, pages, rows, bytes, rowsPerSecond: rows / (ms / 1000) }
}

export const PULL_ROWS = 10_000

export async function syncBench(root: string, databaseUrl: string | undefined, seconds: number): Promise<SyncBench> {
  const server = await startServer(root, databaseUrl)
  try {
    const { url } = server
    const health = await healthRate(url, 2)

    // Push: one device, then four, each signed in on its own.
    const cookies = [(await signIn(url, DEMO_MEMBER)).cookie]
    await pushRun(url, cookies, 1) // warm-up: the JIT and the database's caches
    const pushSequential = await pushRun(url, cookies, seconds)
    while (cookies.length < 4) cookies.push((await signIn(url, DEMO_MEMBER)).cookie)
    const pushConcurrent = await pushRun(url, cookies, seconds)

    // Pull: 10,000 more rows for the admin, then every page, as a new device each time.
    const insertStart = performance.now()
    const { rows: expectedRows } = await insertMemberRows(server.config, PULL_ROWS)
    const insertMs = performance.now() - insertStart
    const { cookie: admin } = await signIn(url, DEMO_ADMIN)
    await pullAll(url, admin) // warm-up
    const runs: PullRun[] = []
    for (let i = 0; i < 3; i++) runs.push(await pullAll(url, admin))
    const wrong = runs.find((r) => r.rows !== expectedRows)
    if (wrong) throw new Error(`pull returned ${wrong.rows} rows, expected ${expectedRows}`)
    const median = [...runs].sort((a, b) => a.ms - b.ms)[1] as PullRun

    const batchesPerSecond = pushSequential.batches / pushSequential.seconds
    return {
      database: databaseUrl ? 'postgres' : 'sqlite',
      commitCeiling: databaseUrl ? null : sqliteCommitCeiling(1),
      health,
      pushSequential,
      pushConcurrent,
      pushBatchVsHealth: batchesPerSecond > 0 ? health.perSecond / batchesPerSecond : 0,
      pull: { expectedRows, inserted: PULL_ROWS, insertMs, runs, median },
    }
  } finally {
    await server.close()
  }
}

/** syncBench on SQLite, or on a fresh database of the given PostgreSQL cluster (that URL's own database when it may not create one). */
export async function syncBenchOn(root: string, postgresUrl: string | undefined, seconds: number): Promise<SyncBench & { note?: string }> {
  if (!postgresUrl) return syncBench(root, undefined, seconds)
  let fresh: Awaited<ReturnType<typeof createDatabase>>
  try {
    fresh = await createDatabase(postgresUrl, 'djy_bench_sync')
  } catch (error) {
    return { ...(await syncBench(root, postgresUrl, seconds)), note: `could not create a database, used the given one: ${String(error)}` }
  }
  try {
    return await syncBench(root, fresh.url, seconds)
  } finally {
    await fresh.drop()
  }
}
