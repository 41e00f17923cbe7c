// 花名册 import and export (issue 12, docs/api.md#花名册): the template, a preview that writes nothing, the
// import (all rows or none), and the export. The admin for the town, a secretary for their own branch.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { HttpError, validate } from '../http/errors'
import type { SyncService } from '../sync/service'
import { isUniqueViolation } from '../sync/rejections'
import { requireUser } from './auth'
import { importRoster, previewRoster, RosterFileError, RosterRefused, type RosterUpload } from '../features/members/import'
import { rosterExport, rosterTemplate } from '../features/members/import/workbook'
import { dayInShanghai } from '~/domain/calendar'
import { ROSTER_LIMITS, ROSTER_MESSAGES } from '~/domain/rosterImport'
import type { Viewer } from '~/domain/sync'
import { line, ref, z } from '~/domain/validation'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

const uploadQuery = z.object({ name: z.optional(line({ trim: true, max: 120, tooLong: '文件名不超过120字' })) })
const exportQuery = z.object({ branchId: z.optional(ref(64)) })

/** An ASCII name for old clients, and the Chinese one for the rest (RFC 5987, as RFC 6266 says). */
function sendXlsx(reply: FastifyReply, fileName: string, asciiName: string, bytes: Buffer) {
  return reply
    .header('content-type', XLSX)
    .header('content-disposition', `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(fileName)}`)
    .send(bytes)
}

export async function rosterRoutes(app: FastifyInstance, deps: { db: Kysely<Database>; sync: SyncService }) {
  const manager = async (request: FastifyRequest): Promise<Viewer> => {
    const user = requireUser(request)
    if (user.role === 'member') throw new HttpError(403, 'forbidden', '只有支部书记和镇党委管理员可以管理花名册')
    return deps.sync.viewer(user)
  }

  app.get('/api/admin/roster/template.xlsx', async (request, reply) => {
    const viewer = await manager(request)
    const branches = await deps.db.selectFrom('branches').select(['id', 'name']).where('archived_at', 'is', null).orderBy('id').execute()
    const example = branches.find((b) => b.id === viewer.branchId) ?? branches[0]
    return sendXlsx(reply, '党员花名册导入模板.xlsx', 'roster-template.xlsx', await rosterTemplate(example?.name ?? '某某村党支部'))
  })

  app.get('/api/admin/roster/export.xlsx', async (request, reply) => {
    const viewer = await manager(request)
    const { branchId } = validate(exportQuery, request.query, '查询参数')
    if (viewer.role === 'secretary' && branchId !== undefined && branchId !== viewer.branchId)
      throw new HttpError(403, 'forbidden', '只能导出本支部的花名册')
    const only = viewer.role === 'secretary' ? viewer.branchId : (branchId ?? null)
    const branch = only ? await deps.db.selectFrom('branches').select('name').where('id', '=', only).executeTakeFirst() : undefined
    if (only && !branch) throw new HttpError(404, 'not_found', '没有这个支部')
    const town = await deps.db.selectFrom('towns').select('name').executeTakeFirstOrThrow()
    const today = dayInShanghai(new Date())
    const bytes = await rosterExport(deps.db, only ? [only] : null)
    return sendXlsx(reply, `${town.name}${branch?.name ?? ''}党员花名册-${today}.xlsx`, `roster-${today}.xlsx`, bytes)
  })

  // The file is the body, as the browser has it (fetch(url, {body: file})); its name in `?name=`.
  await app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers()
    scoped.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ROSTER_LIMITS.bytes }, (_request, body, done) => done(null, body))
    // Who may upload is known before the body is read: nobody else gets 5 MB read.
    scoped.addHook('onRequest', async (request) => {
      await manager(request)
    })
    scoped.setErrorHandler((error, _request, reply) => {
      if ((error as { statusCode?: number }).statusCode === 413) throw new HttpError(413, 'too_large', ROSTER_MESSAGES.tooLarge)
      if (error instanceof RosterFileError)
        throw new HttpError(error.status, error.status === 413 ? 'too_large' : 'bad_request', error.message)
      if (error instanceof RosterRefused) return reply.code(422).send({ error: 'roster_problems', message: error.message, ...error.report })
      // Two imports of the same phones, run again and still colliding: the second is told to look again.
      if (isUniqueViolation(error)) throw new HttpError(409, 'conflict', '有相同手机号的党员刚刚被导入，请重新预览')
      throw error
    })

    const upload = (request: FastifyRequest): RosterUpload => {
      const { name } = validate(uploadQuery, request.query, '查询参数')
      const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
      return { bytes, fileName: name || '花名册' }
    }

    scoped.post('/api/admin/roster/preview', async (request) => previewRoster(deps.db, await manager(request), upload(request)))

    scoped.post('/api/admin/roster/import', async (request) =>
      importRoster((change) => deps.sync.write(change), await manager(request), upload(request)),
    )
  })
}
