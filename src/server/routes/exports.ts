// Exports (issue 13, docs/api.md#exports): `GET /api/exports/<name>.xlsx?branchId=…&quarter=2026-Q4`. A
// secretary exports their own branch; the admin any branch, archived ones too, or the whole town. Reads only.
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { HttpError, validate } from '../http/errors'
import { requireUser } from './auth'
import { buildExport, EXPORTS, exportPeriod, exportQuerySchema, isExportName } from '../features/supervision/exports'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** RFC 5987's encoding, which also escapes the few characters encodeURIComponent leaves and it doesn't allow. */
const rfc5987 = (s: string) => encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

export function exportRoutes(app: FastifyInstance, deps: { db: Kysely<Database> }) {
  app.get<{ Params: { file: string } }>('/api/exports/:file', async (request, reply) => {
    const user = requireUser(request)
    if (user.role === 'member') throw new HttpError(403, 'forbidden', '只有支部书记和镇党委管理员可以导出报表')
    const name = /^([a-z]{1,20})\.xlsx$/.exec(request.params.file)?.[1]
    if (!name || !isExportName(name))
      throw new HttpError(
        404,
        'not_found',
        `没有这种报表，可导出：${Object.keys(EXPORTS)
          .map((n) => `${n}.xlsx`)
          .join('、')}`,
      )
    const query = validate(exportQuerySchema, request.query, '查询参数')
    const now = new Date()
    const period = exportPeriod(query, now)
    if (typeof period === 'string') throw new HttpError(400, 'bad_request', `查询参数有误：${period}`)
    if (user.role === 'secretary' && (query.branchId === undefined || query.branchId !== user.branchId))
      throw new HttpError(403, 'forbidden', '支部书记只能导出本支部的报表')
    // The admin may name an archived branch: its history stays exportable.
    const branch =
      query.branchId === undefined
        ? null
        : ((await deps.db.selectFrom('branches').select(['id', 'name']).where('id', '=', query.branchId).executeTakeFirst()) ?? null)
    if (query.branchId !== undefined && !branch) throw new HttpError(404, 'not_found', '没有这个支部')
    const file = await buildExport(deps.db, name, branch, period, now)
    return reply
      .header('content-type', XLSX)
      .header('content-disposition', `attachment; filename="${file.asciiName}"; filename*=UTF-8''${rfc5987(file.fileName)}`)
      .header('cache-control', 'no-store')
      .send(file.bytes)
  })
}
