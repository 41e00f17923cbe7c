import type { FastifyInstance } from 'fastify'
import type { DatabaseKind } from '../db'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { APP_VERSION } from '../version'

export function healthRoutes(app: FastifyInstance, deps: { db: Kysely<Database>; kind: DatabaseKind }) {
  app.get('/api/health', async () => {
    await sql`select 1`.execute(deps.db)
    return { ok: true, database: deps.kind, version: APP_VERSION }
  })
}
