// Roster files made in the tests, as a town's computer would save them, and the upload of one.
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate'
import writeXlsxFile, { type Cell, type Row } from 'write-excel-file/node'
import type { FastifyInstance } from 'fastify'
import { HOUSEHOLD_COLUMNS, MEMBER_COLUMNS } from '~/domain/rosterImport'

export const MEMBER_HEADERS = MEMBER_COLUMNS.map((c) => c.header)
export const HOUSEHOLD_HEADERS = HOUSEHOLD_COLUMNS.map((c) => c.header)

export interface MemberCells {
  name: Cell
  phone: Cell
  branch: Cell
  gender: Cell
  birthDate: Cell
  joinedPartyOn: Cell
  membership: Cell
  status: Cell
  awayCity: Cell
  center: Cell
}

/** A member row in the template's column order: a good one unless told otherwise. */
export function memberRow(phone: Cell, overrides: Partial<MemberCells> = {}): Row {
  const cells: MemberCells = {
    name: '测试党员',
    phone,
    branch: '合兴村党支部',
    gender: '男',
    birthDate: '1970-05-01',
    joinedPartyOn: '1995-07-01',
    membership: '正式',
    status: '在家',
    awayCity: null,
    center: '否',
    ...overrides,
  }
  return [
    cells.name,
    cells.phone,
    cells.branch,
    cells.gender,
    cells.birthDate,
    cells.joinedPartyOn,
    cells.membership,
    cells.status,
    cells.awayCity,
    cells.center,
  ]
}

export interface SheetSpec {
  name: string
  rows: Row[]
}

/** An .xlsx with these sheets (write-excel-file, as the server writes its own). */
export function xlsx(...sheets: SheetSpec[]): Promise<Buffer> {
  return writeXlsxFile(sheets.map((s) => ({ sheet: s.name, data: s.rows }))).toBuffer()
}

/** The usual roster: 党员 with a header, and 联系户 when households are given. */
export function rosterXlsx(members: Row[], households: Row[] = []): Promise<Buffer> {
  return xlsx(
    { name: '党员', rows: [MEMBER_HEADERS, ...members] },
    ...(households.length ? [{ name: '联系户', rows: [HOUSEHOLD_HEADERS, ...households] }] : []),
  )
}

/** The same workbook with one sheet's XML rewritten (formulas, odd cells a spreadsheet app writes). */
export function editSheetXml(file: Buffer, sheetPath: string, edit: (xml: string) => string): Buffer {
  const files = unzipSync(file)
  const xml = files[sheetPath]
  if (!xml) throw new Error(`no ${sheetPath}`)
  files[sheetPath] = strToU8(edit(strFromU8(xml)))
  return Buffer.from(zipSync(files))
}

/** CSV text with CRLF line ends, as Excel writes it. */
export function csv(rows: (string | number | null)[][]): string {
  const quote = (cell: string | number | null) => {
    const text = cell === null ? '' : String(cell)
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
  }
  return `${rows.map((r) => r.map(quote).join(',')).join('\r\n')}\r\n`
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

export function upload(
  app: FastifyInstance,
  cookie: string | undefined,
  what: 'preview' | 'import',
  body: Buffer | string,
  options: { name?: string; type?: string } = {},
) {
  const name = options.name ?? '花名册.xlsx'
  return app.inject({
    method: 'POST',
    url: `/api/admin/roster/${what}?name=${encodeURIComponent(name)}`,
    headers: { ...(cookie ? { cookie } : {}), 'content-type': options.type ?? (name.endsWith('.csv') ? 'text/csv' : XLSX_TYPE) },
    payload: body,
  })
}

export interface ReportBody {
  fileName: string
  counts: { members: number; households: number; branches: { id: string; name: string; members: number }[] }
  problems: { sheet: string; row: number; column: string | null; message: string }[]
  problemCount: number
  imported?: { members: number; households: number }
  error?: string
  message?: string
}
