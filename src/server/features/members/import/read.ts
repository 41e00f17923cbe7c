// A roster file (the request's bytes) read into its 党员 and 联系户 sheets, whatever a town's computer
// saved: .xlsx, or CSV in UTF-8 (with or without BOM), UTF-16 ("Unicode 文本") or GB18030/GBK, which
// Excel in China writes by default. The bytes decide, not the name or Content-Type a browser guessed.
import { parse } from 'csv-parse/sync'
import { ROSTER_LIMITS, ROSTER_MESSAGES } from '~/domain/rosterImport'
import { findRosterSheets, type RosterSheets, type SheetGrid } from '~/domain/rosterImportSheets'
import { RosterFileError } from './errors'
import { readXlsxSheets } from './xlsx'

const MAX_CSV_LINES = 20 * ROSTER_LIMITS.rows

const startsWith = (bytes: Buffer, ...prefix: number[]) => prefix.every((b, i) => bytes[i] === b)

/** Text of a CSV: by its BOM, else UTF-8 when it is valid UTF-8, else GB18030 (a superset of GBK). */
export function decodeCsv(bytes: Buffer): string {
  if (startsWith(bytes, 0xef, 0xbb, 0xbf)) return new TextDecoder('utf-8').decode(bytes.subarray(3))
  if (startsWith(bytes, 0xff, 0xfe)) return new TextDecoder('utf-16le').decode(bytes.subarray(2))
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return new TextDecoder('gb18030').decode(bytes)
  }
}

function readCsv(bytes: Buffer, name: string): SheetGrid[] {
  const text = decodeCsv(bytes)
  // NUL never appears in text: this is an image, a PDF, a Word file… renamed or chosen by mistake.
  if (text.includes('\u0000')) throw new RosterFileError(400, ROSTER_MESSAGES.notSpreadsheet)
  // 5 MB of line breaks would be millions of empty rows to build: far past any roster (5,000 rows, some blank).
  if (text.split(/\r\n|\r|\n/, MAX_CSV_LINES + 1).length > MAX_CSV_LINES) throw new RosterFileError(400, ROSTER_MESSAGES.tooManyRows)
  let grid: string[][]
  try {
    // One record per spreadsheet row (Excel keeps a quoted line break inside its cell), empty rows kept so
    // the row numbers are the ones Excel shows. Tabs too: Excel's "Unicode 文本" is tab-separated.
    grid = parse(text, { delimiter: [',', '\t'], relax_column_count: true, relax_quotes: true, skip_empty_lines: false })
  } catch {
    throw new RosterFileError(400, ROSTER_MESSAGES.broken)
  }
  return [{ name, grid, merges: [] }]
}

/** The file's 党员 and 联系户 sheets, or a RosterFileError saying in Chinese why it can't be read. */
export async function readRosterFile(bytes: Buffer, fileName: string): Promise<RosterSheets> {
  if (bytes.length === 0) throw new RosterFileError(400, ROSTER_MESSAGES.empty)
  let sheets: SheetGrid[]
  if (startsWith(bytes, 0x50, 0x4b, 0x03, 0x04)) sheets = await readXlsxSheets(bytes)
  else if (startsWith(bytes, 0xd0, 0xcf, 0x11, 0xe0)) throw new RosterFileError(400, ROSTER_MESSAGES.legacyXls)
  else if (startsWith(bytes, 0x50, 0x4b)) throw new RosterFileError(400, ROSTER_MESSAGES.broken)
  else sheets = readCsv(bytes, fileName.replace(/\.[^.]*$/, '') || 'CSV')
  if (sheets.every((s) => s.grid.every((row) => row.every((cell) => cell === null || cell === undefined || String(cell).trim() === ''))))
    throw new RosterFileError(400, ROSTER_MESSAGES.empty)
  const found = findRosterSheets(sheets)
  if (!found.ok) throw new RosterFileError(400, found.message)
  return found.sheets
}
