// Finding the roster in a workbook (issue 12): which sheet holds the 党员 and which the 联系户, where
// their header row is (title rows above it are skipped), which column is which, and what merged cells
// mean. Pure: the server hands in the grids it read from the .xlsx or .csv.
import {
  HOUSEHOLD_COLUMNS,
  MEMBER_COLUMNS,
  ROSTER_LIMITS,
  ROSTER_MESSAGES,
  ROSTER_SHEETS,
  cellText,
  type Cell,
  type HouseholdColumnKey,
  type MemberColumnKey,
  type RosterColumn,
} from './rosterImport'

/** A merged area, by 0-based row and column indices of the grid, inclusive. */
export interface CellRange {
  top: number
  left: number
  bottom: number
  right: number
}

/** One sheet as read: rows of cells from row 1 and column A, and its merged areas. */
export interface SheetGrid {
  name: string
  grid: Cell[][]
  merges: readonly CellRange[]
}

/** What is wrong, where: the row number and the column header as the spreadsheet shows them. */
export interface RosterProblem {
  sheet: string
  row: number
  column: string | null
  message: string
}

export interface LocatedSheet<K extends string> {
  sheet: string
  /** Each recognised column: where it is and its header as written in the file. */
  columns: Partial<Record<K, { index: number; header: string }>>
  /** The rows under the header that hold anything, with their numbers as the spreadsheet shows them. */
  rows: { row: number; cells: Cell[] }[]
  /** What is wrong with the sheet's layout (cells merged across columns). */
  problems: RosterProblem[]
}

export interface RosterSheets {
  members: LocatedSheet<MemberColumnKey> | null
  households: LocatedSheet<HouseholdColumnKey> | null
}

/** A header as compared: full-width forms made plain, no spaces or required-marks, without a note in brackets. */
export function headerKey(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\s*:]/g, '')
    .replace(/\(.*?\)/g, '')
    .toLowerCase()
}

/** A column's letter as Excel shows it: 0 → A, 26 → AA. */
export function columnLetter(index: number): string {
  let name = ''
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name
  return name
}

function matchColumns<K extends string>(row: readonly Cell[], defs: readonly RosterColumn<K>[]): LocatedSheet<K>['columns'] {
  const columns: LocatedSheet<K>['columns'] = {}
  row.forEach((cell, index) => {
    const header = cellText(cell)
    if (!header) return
    const key = headerKey(header)
    const def = defs.find((d) => !columns[d.key] && [d.header, ...d.aliases].some((name) => headerKey(name) === key))
    if (def) columns[def.key] = { index, header }
  })
  return columns
}

/** At most this many cells are filled from merged areas: a crafted sheet can't make the server fill millions. */
const MERGE_FILL_CELLS = 1_000_000

/** Copies each merged area's value into all its cells: a 支部 merged down the rows of its members counts for each. */
function fillMerges(grid: Cell[][], merges: readonly CellRange[]): Cell[][] {
  if (merges.length === 0) return grid
  const filled = grid.map((row) => [...row])
  // Areas are cut to the cells the sheet has (a merge may claim all 16,384 columns of a million rows).
  const width = filled.reduce((most, row) => Math.max(most, row.length), 0)
  let budget = MERGE_FILL_CELLS
  for (const m of merges) {
    const bottom = Math.min(m.bottom, filled.length - 1)
    const right = Math.min(m.right, width - 1)
    budget -= Math.max(0, bottom - m.top + 1) * Math.max(0, right - m.left + 1)
    if (budget < 0) break
    const value = filled[m.top]?.[m.left] ?? null
    for (let r = m.top; r <= bottom; r++)
      for (let c = m.left; c <= right; c++) {
        const row = filled[r] as Cell[]
        while (row.length <= c) row.push(null)
        row[c] = value
      }
  }
  return filled
}

/**
 * The sheet's header row (the first of the top rows naming every `identity` column) and its data rows;
 * null when there is none.
 */
export function locateSheet<K extends string>(
  sheet: SheetGrid,
  defs: readonly RosterColumn<K>[],
  identity: readonly K[],
): LocatedSheet<K> | null {
  const grid = fillMerges(sheet.grid, sheet.merges)
  const searched = Math.min(grid.length, ROSTER_LIMITS.headerSearchRows)
  for (let headerIndex = 0; headerIndex < searched; headerIndex++) {
    const columns = matchColumns(grid[headerIndex] ?? [], defs)
    if (!identity.every((key) => columns[key])) continue
    const rows = grid
      .map((cells, index) => ({ row: index + 1, cells }))
      .slice(headerIndex + 1)
      .filter((r) => r.cells.some((cell) => cellText(cell) !== ''))
    const headerAt = (index: number) => cellText(grid[headerIndex]?.[index]) || `${columnLetter(index)}列`
    // A cell merged across columns holds one value for two fields: which one was meant is anyone's guess.
    const problems = sheet.merges
      .filter((m) => m.right > m.left && m.bottom > headerIndex)
      .map((m) => ({
        sheet: sheet.name,
        row: Math.max(m.top, headerIndex + 1) + 1,
        column: headerAt(m.left),
        message: `${columnLetter(m.left)}${m.top + 1}:${columnLetter(m.right)}${m.bottom + 1} 合并了几列的单元格，请取消合并，每格只填一项`,
      }))
    return { sheet: sheet.name, columns, rows, problems }
  }
  return null
}

function missingRequired<K extends string>(located: LocatedSheet<K>, defs: readonly RosterColumn<K>[]): string[] {
  return defs.filter((d) => d.required && !located.columns[d.key]).map((d) => d.header)
}

function pick<K extends string>(
  sheets: readonly SheetGrid[],
  preferred: string,
  defs: readonly RosterColumn<K>[],
  identity: readonly K[],
  skip: (name: string) => boolean,
): LocatedSheet<K> | null {
  const ordered = [...sheets.filter((s) => s.name.trim() === preferred), ...sheets.filter((s) => s.name.trim() !== preferred)]
  for (const sheet of ordered) {
    if (skip(sheet.name.trim())) continue
    const located = locateSheet(sheet, defs, identity)
    if (located) return located
  }
  return null
}

/**
 * The 党员 sheet and the 联系户 sheet of a workbook (a CSV is one sheet, either of them): by name first,
 * else the first sheet with the right header. A reason the file can't be read at all, in Chinese, otherwise.
 */
export function findRosterSheets(sheets: readonly SheetGrid[]): { ok: true; sheets: RosterSheets } | { ok: false; message: string } {
  // An export's 已终止 sheet has the members' headers; it is history, never imported.
  const members = pick(sheets, ROSTER_SHEETS.members, MEMBER_COLUMNS, ['name', 'phone'], (name) => name === ROSTER_SHEETS.ended)
  const households = pick(
    sheets,
    ROSTER_SHEETS.households,
    HOUSEHOLD_COLUMNS,
    ['memberPhone', 'headName'],
    (name) => name === members?.sheet,
  )
  if (!members && !households) return { ok: false, message: ROSTER_MESSAGES.noHeader }
  for (const [located, defs] of [
    [members, MEMBER_COLUMNS],
    [households, HOUSEHOLD_COLUMNS],
  ] as const) {
    if (!located) continue
    const missing = missingRequired<string>(located, defs)
    if (missing.length) return { ok: false, message: ROSTER_MESSAGES.missingColumns(located.sheet, missing) }
    if (located.rows.length > ROSTER_LIMITS.rows) return { ok: false, message: ROSTER_MESSAGES.tooManyRows }
  }
  if ((members?.rows.length ?? 0) + (households?.rows.length ?? 0) === 0) return { ok: false, message: ROSTER_MESSAGES.noRows }
  return { ok: true, sheets: { members, households } }
}
