// Sync over real HTTP on 127.0.0.1: push throughput (batches of 100 profile.update) and a full pull of
// 10,000 rows, on SQLite or PostgreSQL. Every loop is bounded by a deadline and an iteration cap.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { MAX_PUSH_BATCH, SCHEMA_VERSION, type Mutation, type PullReply, type PushReply } from '../src/domain/sync'
import { createDatabase } from './postgres'
import { sized } from './quick'
import { clientId, DEMO_ADMIN, insertMemberRows, signIn, startServer } from './server'

/** Demo members of four different branches: concurrent pushers that share no member lock and no branch scope. */
export const BRANCH_MEMBERS = ['13800000001', '13800000011', '13800000020', '13800000030'] as const

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
  /** Four members of four branches, each on their own device. */
  pushConcurrent: PushResult
  /** GET /api/health and a member's pull, one after another, while one device pushes batches back to back. */
  underPush: UnderPush
  /** How many health requests one push of 100 costs, sequentially: health req/s ÷ push batches/s. */
  pushBatchVsHealth: number
  /** expectedRows: every row the admin sees (members and any other synced table). */
  pull: { expectedRows: number; inserted: number; insertMs: number; runs: PullRun[]; median: PullRun }
}

export interface UnderPush {
  healthIdle: Latencies
  health: Latencies
  pull: Latencies
  pullIdle: Latencies
}

export interface Latencies {
  count: number
  p50Ms: number
  p99Ms: number
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

const latencies = (values: number[]): Latencies => {
  const sorted = [...values].sort((a, b) => a - b)
  return { count: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) }
}

/** Times `request` back to back until the deadline. */
async function timed(deadline: number, request: () => Promise<Response>): Promise<number[]> {
  const times: number[] = []
  while (performance.now() < deadline && times.length < MAX_REQUESTS) {
    const t0 = performance.now()
    const response = await request()
    await response.arrayBuffer()
    if (!response.ok) throw new Error(`${response.url}: HTTP ${response.status}`)
    times.push(performance.now() - t0)
  }
  return times
}

/**
 * What a push batch does to everyone else: health checks and a member's pull (a device already up to date),
 * idle and then while one device pushes batches of 100 back to back. On SQLite every request shares one connection.
 */
async function underPush(url: string, pusher: string, reader: string, seconds: number): Promise<UnderPush> {
  const health = () => fetch(`${url}/api/health`)
  const id = clientId('reader')
  const pullAllOnce = await pullAll(url, reader, id)
  let cursor = pullAllOnce.cursor
  const pull = async () => {
    const response = await fetch(`${url}/api/sync/pull?${new URLSearchParams({ clientId: id, cursor })}`, { headers: { cookie: reader } })
    const copy = response.clone()
    if (response.ok) cursor = ((await copy.json()) as PullReply).cursor
    return response
  }
  const idle = async (request: () => Promise<Response>) => latencies(await timed(performance.now() + (seconds * 1000) / 2, request))
  const healthIdle = await idle(health)
  const pullIdle = await idle(pull)
  const deadline = performance.now() + seconds * 1000
  const [, healthBusy, pullBusy] = await Promise.all([
    pushLoop(url, pusher, clientId('busy'), deadline),
    timed(deadline, health),
    timed(deadline, pull),
  ])
  return { healthIdle, health: latencies(healthBusy), pullIdle, pull: latencies(pullBusy) }
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
export async function pullAll(url: string, cookie: string, id = clientId('pull')): Promise<PullRun & { cursor: string }> {
  const start = performance.now()
  let cursor = ''
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
  return { ms, pages, rows, bytes, rowsPerSecond: rows / (ms / 1000), cursor }
}

export const PULL_ROWS = sized(10_000, 1_000)

/** Push: one device, then four members of four branches at once, then health and pulls while one pushes. */
export async function pushFigures(url: string, seconds: number) {
  const cookies: string[] = []
  for (const phone of BRANCH_MEMBERS) cookies.push((await signIn(url, phone)).cookie)
  const [first = '', second = ''] = cookies
  await pushRun(url, [first], sized(1, 0.3)) // warm-up: the JIT and the database's caches
  const pushSequential = await pushRun(url, [first], seconds)
  const pushConcurrent = await pushRun(url, cookies, seconds)
  return { pushSequential, pushConcurrent, underPush: await underPush(url, first, second, seconds) }
}

export async function syncBench(root: string, databaseUrl: string | undefined, seconds: number): Promise<SyncBench> {
  const server = await startServer(root, databaseUrl)
  try {
    const { url } = server
    const health = await healthRate(url, 2)

    const { pushSequential, pushConcurrent, underPush } = await pushFigures(url, seconds)

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
      underPush,
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
