// The real app in this process, listening on 127.0.0.1, and the few HTTP calls the sync benches make.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { buildApp } from '../src/server/app'
import type { AppConfig } from '../src/server/config'
import { openDatabase } from '../src/server/db'
import { ChangeWriter } from '../src/server/sync/changes'
import type { MemberRow } from '../src/domain/members'
import type { Me } from '../src/domain/users'
import { uniqueUserIds } from '../tests/fixtures/town'

export interface BenchServer {
  app: FastifyInstance
  config: AppConfig
  /** http://127.0.0.1:port */
  url: string
  close(): Promise<void>
}

/** A fresh SQLite data dir (or the given PostgreSQL database), seeded with the demo data, listening on 127.0.0.1. */
export async function startServer(root: string, databaseUrl: string | undefined, staticDir?: string): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'djy-bench-sync-'))
  const config: AppConfig = {
    dataDir,
    databaseUrl,
    sessionSecret: 'bench-secret-xxxxxxxxxxxxxxxxxxxxxxxx',
    seedDemoData: true,
    seedDir: join(root, 'seeds'),
    staticDir,
    logger: false,
  }
  const app = await buildApp(config)
  try {
    const address = await app.listen({ port: 0, host: '127.0.0.1' })
    const url = address.replace('localhost', '127.0.0.1')
    if (new URL(url).hostname !== '127.0.0.1') throw new Error(`server listens on ${url}, not 127.0.0.1`)
    return {
      app,
      config,
      url,
      close: async () => {
        await app.close()
        rmSync(dataDir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await app.close()
    rmSync(dataDir, { recursive: true, force: true })
    throw error
  }
}

export const DEMO_PASSWORD = 'dangjian2026'
export const DEMO_MEMBER = '13800000001'
export const DEMO_ADMIN = '13800000901'

export interface Session {
  /** The Cookie header value. */
  cookie: string
  userId: string
}

/** Signs in over HTTP, as the app does. */
export async function signIn(url: string, phone: string, password = DEMO_PASSWORD): Promise<Session> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, password }),
  })
  if (!response.ok) throw new Error(`login ${phone} failed: HTTP ${response.status} ${await response.text()}`)
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('djy_session='))
  if (!cookie) throw new Error(`login ${phone}: no djy_session cookie`)
  const me = (await response.json()) as Me
  return { cookie: cookie.split(';')[0] ?? cookie, userId: me.user.id }
}

export function clientId(label: string): string {
  return `bench_${label}_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`
}

/**
 * Writes `count` member rows (opaque ids, as real members have) into scope branch:b-hexing with the server's own ChangeWriter,
 * in transactions of `perTransaction`, through a second connection to the same database.
 * Returns how many rows (of every synced table, and of members) the admin, who sees every branch and their own scope, now has to pull.
 */
export async function insertMemberRows(
  config: AppConfig,
  count: number,
  perTransaction = 2_000,
): Promise<{ rows: number; members: number }> {
  const { db } = openDatabase(config)
  try {
    const now = new Date().toISOString()
    const ids = uniqueUserIds(count)
    for (let start = 0; start < count; start += perTransaction) {
      await db.transaction().execute(async (trx) => {
        const writer = new ChangeWriter(trx, now)
        for (let n = start; n < Math.min(count, start + perTransaction); n++) {
          const row: MemberRow = {
            id: ids[n]!,
            name: `测试党员${n}`,
            role: 'member',
            branchId: 'b-hexing',
            status: 'home',
            awayCity: null,
            returnDate: null,
            centerHousehold: false,
            contactPhone: null,
            updatedAt: now,
          }
          await writer.put('branch:b-hexing', 'members', row.id, row)
        }
      })
    }
    const counts = await db
      .selectFrom('sync_rows')
      .select(['table_name', (eb) => eb.fn.countAll<number | string>().as('rows')])
      .where('op', '=', 'put')
      // What the demo admin pulls: every shared scope (an admin sees them all), and its own `user:` scope (which
      // holds the meetings' check-in keys) — not another user's, another admin's included.
      .where((eb) =>
        eb.or([
          eb('scope', 'not like', 'user:%'),
          eb(
            'scope',
            'in',
            eb
              .selectFrom('users')
              .select(sql<string>`'user:' || id`.as('scope'))
              .where('phone', '=', DEMO_ADMIN),
          ),
        ]),
      )
      .groupBy('table_name')
      .execute()
    const rows = counts.reduce((n, c) => n + Number(c.rows), 0)
    return { rows, members: Number(counts.find((c) => c.table_name === 'members')?.rows ?? 0) }
  } finally {
    await db.destroy()
  }
}
