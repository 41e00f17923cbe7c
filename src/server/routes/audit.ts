// 操作记录 (issue 12): the audit log, online only. The admin reads all of it, a secretary their branch's.
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { badRequest, HttpError, validate } from '../http/errors'
import { requireUser } from './auth'
import { AUDIT_PAGE_MAX, decodeAuditCursor, readAuditLog } from '../features/members/auditLog'
import { ref, z } from '~/domain/validation'

const DEFAULT_LIMIT = 50

const auditQuerySchema = z.object({
  before: z.optional(z.string().check(z.maxLength(400, 'before 过长'))),
  limit: z.optional(z.string().check(z.regex(/^\d{1,3}$/, `limit 应为 1 到 ${AUDIT_PAGE_MAX} 的整数`))),
  targetId: z.optional(ref(64)),
})

export function auditRoutes(app: FastifyInstance, deps: { db: Kysely<Database> }) {
  app.get('/api/admin/audit', async (request) => {
    const user = requireUser(request)
    if (user.role === 'member') throw new HttpError(403, 'forbidden', '只有支部书记和镇党委管理员可以查看操作记录')
    const query = validate(auditQuerySchema, request.query, '查询参数')
    const limit = query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit)
    if (limit < 1 || limit > AUDIT_PAGE_MAX) throw badRequest(`查询参数有误：limit 应为 1 到 ${AUDIT_PAGE_MAX} 的整数`)
    const before = query.before === undefined ? undefined : decodeAuditCursor(query.before)
    if (before === null) throw badRequest('查询参数有误：before 不是有效的翻页位置')
    return readAuditLog(deps.db, user, { before, limit, targetId: query.targetId })
  })
}
