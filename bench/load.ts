import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { buildApp } from '../src/server/app'

export interface LoadResult {
  /** 2xx responses per second over the whole run. */
  okPerSecond: number
  p50Ms: number
  p99Ms: number
  requests: number
  non2xx: number
  errors: number
  seconds: number
}

export interface LoadOptions {
  url: string
  connections: number
  seconds: number
  method?: 'GET' | 'POST'
  body?: string
  /** Bodies sent in turn instead of `body`, one per request. */
  bodies?: readonly string[]
  headers?: Record<string, string>
  /** Unmeasured run first, so the JIT has warmed the server's path. */
  warmupSeconds?: number
}

/** One autocannon run against 127.0.0.1, bounded by `seconds`. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  if (new URL(options.url).hostname !== '127.0.0.1') throw new Error(`load only targets 127.0.0.1, not ${options.url}`)
  let turn = 0
  const bodies = options.bodies
  const run = (duration: number) =>
    autocannon({
      url: options.url,
      connections: options.connections,
      duration,
      method: options.method ?? 'GET',
      body: options.body,
      headers: options.headers,
      requests: bodies?.length ? [{ setupRequest: (request) => ({ ...request, body: bodies[turn++ % bodies.length] }) }] : undefined,
    })
  if (options.warmupSeconds) await run(options.warmupSeconds)
  const r = await run(options.seconds)
  return {
    okPerSecond: r['2xx'] / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    seconds: r.duration,
  }
}

async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** The floor to compare against: a bare node:http server in this same process answering {"ok":true}. */
export async function baseline(seconds: number, connections: number, warmupSeconds = 1): Promise<LoadResult> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
  })
  const url = await listening(server)
  try {
    return await load({ url: `${url}/`, connections, seconds, warmupSeconds })
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

export interface ServerLoad {
  database: 'sqlite' | 'postgres'
  /** The bare-server run just before this database's health run. */
  baseline: LoadResult
  health: LoadResult
  /** health rps / baseline rps. */
  healthVsBaseline: number
  login: LoadResult
}

export const DEMO_LOGIN = { phone: '13800000001', password: 'dangjian2026' }

/** The real app, in this process, on a fresh data dir (SQLite) or the given PostgreSQL. */
export async function loadServer(root: string, databaseUrl: string | undefined, seconds: number): Promise<ServerLoad> {
  const dataDir = mkdtempSync(join(tmpdir(), 'djy-bench-data-'))
  const app = await buildApp({
    dataDir,
    databaseUrl,
    sessionSecret: 'bench-secret-xxxxxxxxxxxxxxxxxxxxxxxx',
    seedDemoData: true,
    seedDir: join(root, 'seeds'),
    logger: false,
  })
  try {
    const address = await app.listen({ port: 0, host: '127.0.0.1' })
    const url = address.replace('localhost', '127.0.0.1')

    const probe = (await (await fetch(`${url}/api/health`)).json()) as { database?: string }
    if (probe.database !== (databaseUrl ? 'postgres' : 'sqlite')) throw new Error(`health reports database ${String(probe.database)}`)

    const check = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(DEMO_LOGIN),
    })
    if (!check.ok) throw new Error(`demo login failed before the run: HTTP ${check.status} ${await check.text()}`)

    const base = await baseline(seconds, 20)
    const health = await load({ url: `${url}/api/health`, connections: 20, seconds, warmupSeconds: 1 })
    const login = await load({
      url: `${url}/api/auth/login`,
      connections: 10,
      seconds,
      method: 'POST',
      // The demo accounts in turn: one phone hit by 10 connections at once is throttled once 5 attempts are in
      // flight (each counts before it is checked, src/server/services/auth.ts), and the run would measure 429s.
      bodies: (JSON.parse(readFileSync(join(root, 'seeds', 'users.json'), 'utf8')) as { phone: string }[]).map((u) =>
        JSON.stringify({ ...DEMO_LOGIN, phone: u.phone }),
      ),
      headers: { 'content-type': 'application/json' },
    })
    return {
      database: databaseUrl ? 'postgres' : 'sqlite',
      baseline: base,
      health,
      healthVsBaseline: base.okPerSecond > 0 ? health.okPerSecond / base.okPerSecond : 0,
      login,
    }
  } finally {
    await app.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
