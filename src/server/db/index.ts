import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import { Kysely, Migrator, PostgresDialect } from 'kysely'
import type { Database } from './schema'
import { migrationProvider } from './migrations'
import { SqliteReadWriteDialect } from './sqliteReadWrite'

export type DatabaseKind = 'sqlite' | 'postgres'

export interface OpenDatabase {
  db: Kysely<Database>
  kind: DatabaseKind
}

export interface DatabaseOptions {
  /** postgres://… selects PostgreSQL; without it, SQLite in `dataDir`. */
  databaseUrl?: string | undefined
  dataDir: string
}

export const SQLITE_FILE = 'dangjian.sqlite'

export function openDatabase(options: DatabaseOptions): OpenDatabase {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 })
    // PostgreSQL closing an idle connection (restart, failover) must not crash the process; the pool makes a new one.
    pool.on('error', (error) => console.error('PostgreSQL connection lost:', error.message))
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), kind: 'postgres' }
  }
  mkdirSync(options.dataDir, { recursive: true })
  const sqlite = new SQLite(join(options.dataDir, SQLITE_FILE))
  sqlite.pragma('journal_mode = WAL')
  // FULL: a committed ledger entry survives a power cut (docs/architecture.md, storage).
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  // Reads outside a transaction go here, so that a push batch doesn't hold up health checks and pulls.
  const reader = new SQLite(join(options.dataDir, SQLITE_FILE))
  reader.pragma('query_only = ON')
  reader.pragma('busy_timeout = 5000')
  return { db: new Kysely<Database>({ dialect: new SqliteReadWriteDialect(sqlite, reader) }), kind: 'sqlite' }
}

export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider })
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((r) => r.status === 'Error')
  if (error || failed) {
    throw new Error(`数据库迁移失败: ${failed?.migrationName ?? ''} ${String(error)}`)
  }
}
