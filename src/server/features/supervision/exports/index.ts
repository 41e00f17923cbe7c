// Exports (issue 13, docs/api.md#exports): a branch's or the town's records of a period as an .xlsx, built
// on the server from the database (the complete data, which no single device holds for the town).
import writeXlsxFile from 'write-excel-file/node'
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import { rosterExport } from '~/server/features/members/import/workbook'
import { dayInShanghai } from '~/domain/calendar'
import { attendanceSheets } from './attendance'
import { commentSheets } from './comments'
import type { ExportPeriod } from './period'
import { pointsSheets } from './points'
import type { ExportContext, ExportSheet } from './sheet'
import { warningSheets } from './warnings'

export { exportPeriod, exportQuerySchema, type ExportPeriod } from './period'

interface ExportKind {
  /** What the file holds, in its name: 参会登记. */
  title: string
  /** The current roster has no period: its name says only the day it was taken. */
  periodic: boolean
  build(ctx: ExportContext): Promise<Buffer>
}

const sheets = (build: (ctx: ExportContext) => Promise<ExportSheet[]>) => async (ctx: ExportContext) =>
  writeXlsxFile(await build(ctx)).toBuffer()

export const EXPORTS = {
  attendance: { title: '参会登记', periodic: true, build: sheets(attendanceSheets) },
  points: { title: '积分明细', periodic: true, build: sheets(pointsSheets) },
  comments: { title: '朋友圈留言', periodic: true, build: sheets(commentSheets) },
  warnings: { title: '预警与整改', periodic: true, build: sheets(warningSheets) },
  members: { title: '党员名册', periodic: false, build: (ctx) => rosterExport(ctx.db, ctx.branch ? [ctx.branch.id] : null) },
} satisfies Record<string, ExportKind>
export type ExportName = keyof typeof EXPORTS

export const isExportName = (name: string): name is ExportName => Object.hasOwn(EXPORTS, name)

// Characters Windows refuses in a file name, and control characters: a branch's name never has them, but
// a name is what the browser saves the file under.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\\/:*?"<>|\u0000-\u001f\u007f]/g

export interface ExportFile {
  bytes: Buffer
  /** 新杭镇合兴村党支部_参会登记_2026年第四季度_20261203.xlsx */
  fileName: string
  /** attendance_2026-Q4_20261203.xlsx, for clients that can't read the Chinese one. */
  asciiName: string
}

export async function buildExport(
  db: Kysely<Database>,
  name: ExportName,
  branch: { id: string; name: string } | null,
  period: ExportPeriod,
  now: Date,
): Promise<ExportFile> {
  const kind = EXPORTS[name]
  const today = dayInShanghai(now)
  const bytes = await kind.build({ db, branch, period, now: now.toISOString(), today })
  const town = await db.selectFrom('towns').select('name').executeTakeFirst()
  const stamp = today.replaceAll('-', '')
  const parts = [`${town?.name ?? ''}${branch?.name ?? ''}`, kind.title, ...(kind.periodic ? [period.label] : []), stamp]
  return {
    bytes,
    fileName: `${parts.join('_').replace(UNSAFE, '_')}.xlsx`,
    asciiName: `${[name, ...(kind.periodic ? [period.key] : []), stamp].join('_')}.xlsx`,
  }
}
