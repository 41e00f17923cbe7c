import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { buildApp } from '~/server/app'
import { openDatabase } from '~/server/db'
import type { Database } from '~/server/db/schema'
import { PROJECT_ROOT, type AppConfig } from '~/server/config'

export type DatabaseName = 'sqlite' | 'postgres'

/** The databases this run can test on: SQLite always, PostgreSQL when the global setup found one. */
export const databases: DatabaseName[] = inject('postgresUrl') ? ['sqlite', 'postgres'] : ['sqlite']

export interface TestServer {
  app: FastifyInstance
  config: AppConfig
  /** Closes the app and throws its database away. */
  close(): Promise<void>
  /** Closes the app only; `reopen` starts a new one on the same data (a restart). */
  reopen(): Promise<FastifyInstance>
  /** Runs `fn` on a connection of its own to the server's database (to look behind the API). */
  withDb<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('postgresUrl') ?? '' })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** A server on a fresh database of the given kind, seeded with the demo data unless told otherwise. */
export async function startServer(kind: DatabaseName, overrides: Partial<AppConfig> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'djy-test-'))
  let databaseUrl: string | undefined
  let dbName: string | undefined
  if (kind === 'postgres') {
    dbName = `djy_test_${randomBytes(6).toString('hex')}`
    await withAdmin((c) => c.query(`create database ${dbName}`))
    const url = new URL(inject('postgresUrl') ?? '')
    url.pathname = `/${dbName}`
    databaseUrl = url.toString()
  }
  const config: AppConfig = {
    dataDir,
    databaseUrl,
    sessionSecret: 'test-secret-that-is-long-enough-000',
    seedDemoData: true,
    seedDir: join(PROJECT_ROOT, 'seeds'),
    logger: false,
    // No refresh of warnings and overviews behind the test's back (a second after its pushes); tests of it turn it on.
    supervisionTriggers: false,
    ...overrides,
  }
  let app = await buildApp(config)
  return {
    get app() {
      return app
    },
    config,
    async withDb(fn) {
      const { db } = openDatabase(config)
      try {
        return await fn(db)
      } finally {
        await db.destroy()
      }
    },
    async reopen() {
      await app.close()
      app = await buildApp(config)
      return app
    },
    async close() {
      await app.close()
      if (dbName) await withAdmin((c) => c.query(`drop database if exists ${dbName} with (force)`))
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export const DEMO = {
  password: 'dangjian2026',
  member: '13800000001',
  secretary: '13800000101',
  admin: '13800000901',
} as const

/** Logs in and returns the cookie header value for later requests. */
export async function login(app: FastifyInstance, phone: string, password: string = DEMO.password): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { phone, password } })
  if (response.statusCode !== 200) throw new Error(`login ${phone} failed: ${response.statusCode} ${response.body}`)
  const cookie = response.cookies.find((c) => c.name === 'djy_session')
  if (!cookie) throw new Error('no session cookie')
  return `${cookie.name}=${cookie.value}`
}
