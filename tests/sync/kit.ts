// Extras for the fault and convergence tests: devices whose transport can be wrapped and observed, and a
// direct look at the server's database. Built on harness.ts, which stays as it is.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import pg from 'pg'
import { inject } from 'vitest'
import { Kysely, PostgresDialect } from 'kysely'
import { AppDB } from '~/app/db'
import { SyncEngine } from '~/app/sync/engine'
import type { SyncTransport } from '~/app/sync/transport'
import { openDatabase } from '~/server/db'
import type { Database } from '~/server/db/schema'
import type { AppConfig } from '~/server/config'
import type { MemberRow } from '~/domain/members'
import { login, type TestServer } from '../server/helpers'
import { injectTransport, type Faults } from './harness'

/** One request as the server answered it, seen before any injected fault throws the reply away. */
export interface Exchange {
  method: string
  url: string
  payload: unknown
  statusCode: number
  body: string
}

/** A view of the server whose `inject` reports every answered request to `log`. */
export function observed(getServer: () => FastifyInstance, log: (exchange: Exchange) => void): () => FastifyInstance {
  return () => {
    const app = getServer()
    const inject = async (options: InjectOptions): Promise<LightMyRequestResponse> => {
      const response = await app.inject(options)
      log({
        method: String(options.method ?? 'GET'),
        url: String(options.url ?? ''),
        payload: options.payload,
        statusCode: response.statusCode,
        body: response.body,
      })
      return response
    }
    return { inject } as unknown as FastifyInstance
  }
}

let counter = 0
export const uniqueDbName = (label: string) => `${label}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2)}`

export interface RigOptions {
  faults?: Partial<Faults>
  /** Wraps the transport the engine (and its tabs, unless told otherwise) uses. */
  wrap?: (raw: SyncTransport) => SyncTransport
  log?: (exchange: Exchange) => void
}

/** A device like harness.device(), but with the raw transport exposed, an optional wrapper, and closable tabs. */
export async function rig(getServer: () => FastifyInstance, phone: string, userId: string, options: RigOptions = {}) {
  const reach = options.log ? observed(getServer, options.log) : getServer
  let cookie = await login(getServer(), phone)
  const db = new AppDB(uniqueDbName('rig'))
  const { transport: raw, faults } = injectTransport(reach, () => cookie, options.faults)
  const transport = options.wrap ? options.wrap(raw) : raw
  const engine = new SyncEngine(db, transport, userId)
  await engine.adoptUser()
  const tabs: AppDB[] = []
  return {
    phone,
    userId,
    db,
    engine,
    faults,
    raw,
    transport,
    cookie: () => cookie,
    /** Another tab of this device: the same IndexedDB through its own connection and engine. */
    tab(via: SyncTransport = transport, asUser: string = userId) {
      const tabDb = new AppDB(db.name)
      tabs.push(tabDb)
      return new SyncEngine(tabDb, via, asUser)
    },
    relogin: async () => {
      cookie = await login(getServer(), phone)
    },
    /** What is still to be sent, in order (not the acknowledged rows, which wait only for the next pull). */
    outboxIds: async () => (await db.outbox.orderBy('seq').toArray()).filter((row) => !row.acknowledged).map((row) => row.id),
    close: async () => {
      for (const tab of tabs) tab.close()
      db.close()
      await db.delete()
    },
  }
}
export type Rig = Awaited<ReturnType<typeof rig>>

/** Every row of the device's synced tables, keyed like pullAll's: `table/id`. */
export async function syncedSnapshot(db: AppDB): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  for (const [name, table] of Object.entries(db.syncedTables)) {
    for (const row of (await table.toArray()) as { id: string }[]) out[`${name}/${row.id}`] = row
  }
  return out
}

/** pullAll's rows limited to the tables this version of the app keeps, as a plain object. */
export function asSnapshot(rows: Map<string, unknown>, db: AppDB): Record<string, unknown> {
  const tables = new Set(Object.keys(db.syncedTables))
  return Object.fromEntries([...rows].filter(([key]) => tables.has(key.split('/')[0]!)))
}

/** A second connection to the server's database, to count what it applied. */
export function inspectServer(config: AppConfig) {
  const { db, kind } = config.databaseUrl ? openPostgres(config.databaseUrl) : openDatabase(config)
  return {
    db,
    kind,
    async applied(ids: readonly string[]) {
      if (ids.length === 0) return []
      return db
        .selectFrom('applied_mutations')
        .selectAll()
        .where('id', 'in', [...ids])
        .execute()
    },
    async version(scope: string): Promise<number> {
      const row = await db.selectFrom('scope_versions').select('version').where('scope', '=', scope).executeTakeFirst()
      return Number(row?.version ?? 0)
    },
    async user(id: string) {
      return db
        .selectFrom('users')
        .select(['id', 'status', 'away_city', 'return_date', 'contact_phone', 'updated_at'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    },
    close: () => db.destroy(),
  }
}
export type ServerInspector = ReturnType<typeof inspectServer>

export function memberRow(id: string, overrides: Partial<MemberRow> = {}): MemberRow {
  return {
    id,
    name: id,
    role: 'member',
    branchId: 'b-hexing',
    status: 'home',
    awayCity: null,
    returnDate: null,
    centerHousehold: false,
    contactPhone: null,
    updatedAt: '2020-01-01T00:00:00.000Z',
    ...overrides,
  }
}

/** Like openDatabase's PostgreSQL branch, but a connection the server drops never becomes an uncaught error. */
function openPostgres(url: string) {
  const pool = new pg.Pool({ connectionString: url, max: 4 })
  pool.on('error', () => {})
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), kind: 'postgres' as const }
}

/**
 * Closes the app, waits until PostgreSQL has really let go of its connections, then drops the database.
 * (pg-pool's end() resolves before its sockets are closed; a forced drop at that moment kills them, and the
 * app's pool, which has no 'error' listener, would turn that into an uncaught exception.)
 */
export async function closeServer(server: TestServer): Promise<void> {
  if (server.config.databaseUrl) {
    await server.app.close()
    const name = new URL(server.config.databaseUrl).pathname.slice(1)
    const admin = new pg.Client({ connectionString: inject('postgresUrl') ?? '' })
    await admin.connect()
    try {
      for (let i = 0; i < 100; i++) {
        const { rows } = await admin.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1', [name])
        if (Number(rows[0]!.n) === 0) break
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    } finally {
      await admin.end()
    }
  }
  await server.close()
}
