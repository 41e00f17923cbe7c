// An .xlsx roster read into grids (read-excel-file), after a guard it lacks: read-excel-file inflates
// every .xml entry whole into memory, so a 5 MB upload could unzip to gigabytes (a zip bomb). Here the
// archive is unpacked first with fflate, whose unzipSync sizes each output by the size the archive
// declares and never writes past it, refusing archives that declare more than ROSTER_LIMITS.unzippedBytes;
// read-excel-file then reads a stored copy of only those bytes (its own unzipper reads the local headers,
// which could declare other sizes than the central directory checked here).
import { strFromU8, unzipSync, zipSync, type Unzipped } from 'fflate'
import readXlsxFile from 'read-excel-file/node'
import { ROSTER_LIMITS, ROSTER_MESSAGES, type Cell } from '~/domain/rosterImport'
import type { CellRange, SheetGrid } from '~/domain/rosterImportSheets'
import { RosterFileError } from './errors'

/** Only what read-excel-file reads (as its own filter): no images, printer settings or macros. */
const wanted = (name: string) => name.endsWith('.xml') || name.endsWith('.xml.rels')

function unpack(bytes: Buffer): Unzipped {
  let declared = 0
  try {
    return unzipSync(bytes, {
      filter(file) {
        if (!wanted(file.name)) return false
        declared += file.compression === 0 ? file.size : file.originalSize
        if (declared > ROSTER_LIMITS.unzippedBytes) throw new RosterFileError(400, ROSTER_MESSAGES.unzipTooLarge)
        return true
      },
    })
  } catch (error) {
    if (error instanceof RosterFileError) throw error
    throw new RosterFileError(400, ROSTER_MESSAGES.broken)
  }
}

/** Column letters and row number of a cell reference (`AB12`), 0-based. */
function cellAt(ref: string): { row: number; column: number } | null {
  const match = /^\$?([A-Z]{1,3})\$?(\d{1,7})$/.exec(ref)
  if (!match) return null
  const column = [...(match[1] ?? '')].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1
  return { row: Number(match[2]) - 1, column }
}

// Attributes are found by name in any order; the XML was written by a spreadsheet, and a missing or odd
// part only means no merges are known for a sheet (its cells then read as read-excel-file reads them).
const attribute = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1]

/** Each sheet's merged areas, by sheet name (read-excel-file returns a merged area's value in its first cell only). */
function mergesBySheet(files: Unzipped): Map<string, CellRange[]> {
  const text = (path: string) => (files[path] ? strFromU8(files[path]) : '')
  const targets = new Map<string, string>()
  for (const tag of text('xl/_rels/workbook.xml.rels').match(/<Relationship\b[^>]*>/g) ?? []) {
    const id = attribute(tag, 'Id')
    const target = attribute(tag, 'Target')
    if (id && target) targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target}`)
  }
  const merges = new Map<string, CellRange[]>()
  for (const tag of text('xl/workbook.xml').match(/<sheet\b[^>]*>/g) ?? []) {
    const name = attribute(tag, 'name')
    const path = targets.get(attribute(tag, 'r:id') ?? '')
    if (!name || !path) continue
    const ranges = [...text(path).matchAll(/<mergeCell\b[^>]*\sref="([A-Z$0-9]+):([A-Z$0-9]+)"/g)].flatMap((m) => {
      const from = cellAt(m[1] ?? '')
      const to = cellAt(m[2] ?? '')
      return from && to ? [{ top: from.row, left: from.column, bottom: to.row, right: to.column }] : []
    })
    merges.set(unescapeXml(name), ranges)
  }
  return merges
}

const unescapeXml = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] ?? '')

/** Cells of the grids read-excel-file would build: it pads every row to its last cell and every gap between rows. */
const GRID_CELLS = 10_000_000

/** The grid a sheet's XML spans (its last row by its last column), from the cell references, without parsing it. */
function gridCells(xml: string): number {
  let rows = 0
  let columns = 0
  for (const match of xml.matchAll(/<(?:row|c)\b[^>]*?\sr="([A-Z]{0,3})(\d+)"/g)) {
    rows = Math.max(rows, Number(match[2]))
    if (match[1]) columns = Math.max(columns, cellAt(`${match[1]}1`)?.column ?? 0)
  }
  return rows * (columns + 1)
}

/** Every sheet of an .xlsx, as grids from row 1 and column A. */
export async function readXlsxSheets(bytes: Buffer): Promise<SheetGrid[]> {
  const files = unpack(bytes)
  if (!files['xl/workbook.xml']) throw new RosterFileError(400, ROSTER_MESSAGES.notSpreadsheet)
  // A cell at XFD1048576 would have read-excel-file build a grid of 17 billion cells: far past any roster.
  for (const [path, data] of Object.entries(files))
    if (path.startsWith('xl/worksheets/') && path.endsWith('.xml') && gridCells(strFromU8(data)) > GRID_CELLS)
      throw new RosterFileError(400, ROSTER_MESSAGES.tooManyRows)
  const checked = Buffer.from(zipSync(files, { level: 0 }))
  let sheets: Awaited<ReturnType<typeof readXlsxFile>>
  try {
    sheets = await readXlsxFile(checked)
  } catch {
    throw new RosterFileError(400, ROSTER_MESSAGES.broken)
  }
  const merges = mergesBySheet(files)
  return sheets.map((s) => ({ name: s.sheet, grid: s.data as Cell[][], merges: merges.get(s.sheet) ?? [] }))
}
