import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { HttpError, validate } from '../http/errors'
import { requireUser } from './auth'
import { adminContent } from '../features/quiz/content'
import { previewHonorLists } from '../features/honor/honor'
import { honorPublishArgsSchema } from '~/domain/honor'

export function adminRoutes(app: FastifyInstance, deps: { db: Kysely<Database> }) {
  // The content the admin edits, with answer keys and withdrawn rows: online only, never synced to devices.
  app.get('/api/admin/content', async (request) => {
    const user = requireUser(request)
    if (user.role !== 'admin') throw new HttpError(403, 'forbidden', '只有镇党委管理员可以管理学习内容')
    return adminContent(deps.db)
  })

  // 红黄榜 before publishing: everyone who would be on either list, with the reasons, by the rules
  // `honor.publish` applies (the admin's device doesn't hold the members' ledgers to work it out itself).
  app.get('/api/admin/honor-preview', async (request, reply) => {
    const user = requireUser(request)
    if (user.role !== 'admin') throw new HttpError(403, 'forbidden', '只有镇党委管理员可以发布红黄榜')
    const query = (request.query ?? {}) as Record<string, unknown>
    const number = (value: unknown) => (typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : value)
    const args = validate(
      honorPublishArgsSchema,
      { month: query.month, threshold: number(query.threshold), redPerBranch: number(query.redPerBranch) },
      '查询参数',
    )
    void reply.header('cache-control', 'no-store')
    return previewHonorLists(deps.db, args, new Date().toISOString())
  })
}
