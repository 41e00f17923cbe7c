import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { HttpError } from '../http/errors'
import { requireUser } from './auth'
import { adminContent } from '../services/content'

export function adminRoutes(app: FastifyInstance, deps: { db: Kysely<Database> }) {
  // The content the admin edits, with answer keys and withdrawn rows: online only, never synced to devices.
  app.get('/api/admin/content', async (request) => {
    const user = requireUser(request)
    if (user.role !== 'admin') throw new HttpError(403, 'forbidden', '只有镇党委管理员可以管理学习内容')
    return adminContent(deps.db)
  })
}
