// Importing a roster (issue 12): the template's columns and their Chinese headers, finding the header row
// of a sheet a town filled in by hand, and reading its cells (dates, phones, 男/女, 是/否) as people type
// them. No I/O: the server reads the file into grids and runs these; the checks of each row are in
// rosterImportRows.ts.
import { isCalendarDay } from './calendar'
import { normalizePhone } from './roster'

export const ROSTER_SHEETS = { members: '党员', households: '联系户', ended: '已终止' } as const

export const ROSTER_LIMITS = {
  /** The request body. */
  bytes: 5 * 1024 * 1024,
  /** Data rows of one sheet (or one CSV file). */
  rows: 5000,
  /** What an .xlsx may unzip to: a few kilobytes can hold gigabytes of zeros (a zip bomb). */
  unzippedBytes: 50 * 1024 * 1024,
  /** Title rows above the header ("新杭镇党员花名册") are skipped up to this row. */
  headerSearchRows: 10,
  /** Problems sent back at most: the rest are counted. */
  problems: 2000,
} as const

export const ROSTER_MESSAGES = {
  tooLarge: '文件过大（不超过5 MB）',
  tooManyRows: '一次最多导入5000行，请分批导入',
  empty: '文件是空的，请选择填好的花名册',
  notSpreadsheet: '这不是 .xlsx 或 .csv 表格文件，请用下载的模板填写后上传',
  legacyXls: '这是旧版 Excel（.xls）文件：请在 Excel 中“另存为” .xlsx 格式后再导入',
  unzipTooLarge: '表格解压后超过50 MB，无法导入：请删去多余的工作表后再试',
  broken: '表格文件已损坏或无法读取：请在 Excel 中重新保存后再试',
  noHeader: '没有找到党员名单：表格中应有一行表头，包括“姓名”“手机号”“支部”等列（请使用下载的模板），或联系户表的“党员手机号”“户主姓名”',
  noRows: '表头下面没有内容：请把党员填在表头下面的行里',
  missingColumns: (sheet: string, headers: string[]) => `“${sheet}”表的表头缺少：${headers.join('、')}（请使用下载的模板）`,
} as const

export interface RosterColumn<K extends string = string> {
  key: K
  /** As the template writes it. */
  header: string
  /** Other headers town rosters use for the same column. */
  aliases: readonly string[]
  required: boolean
}

function column<K extends string>(key: K, header: string, aliases: string[], required = false): RosterColumn<K> {
  return { key, header, aliases, required }
}

/** The 党员 sheet, in the template's order. */
export const MEMBER_COLUMNS = [
  column('name', '姓名', ['党员姓名'], true),
  column('phone', '手机号', ['手机号码', '手机', '联系电话', '电话'], true),
  column('branch', '支部', ['所在支部', '党支部', '支部名称', '所在党支部'], true),
  column('gender', '性别', [], true),
  column('birthDate', '出生日期', ['出生年月日', '生日'], true),
  column('joinedPartyOn', '入党日期', ['入党时间', '入党年月日'], true),
  column('membership', '党员类别(正式/预备)', ['党员类型', '类别']),
  column('status', '在家/外出', ['在家或外出', '外出情况']),
  column('awayCity', '务工城市', ['外出务工城市', '务工地点', '外出地点']),
  column('centerHousehold', '党员中心户(是/否)', ['是否党员中心户', '中心户']),
] as const
export type MemberColumnKey = (typeof MEMBER_COLUMNS)[number]['key']

/** The 联系户 sheet (or CSV): the households of 党员中心户, each naming its member by phone. */
export const HOUSEHOLD_COLUMNS = [
  column('memberPhone', '党员手机号', ['中心户手机号', '党员手机', '党员手机号码'], true),
  column('headName', '户主姓名', ['户主', '群众姓名'], true),
  column('address', '住址', ['地址', '家庭住址', '住址(门牌)'], true),
  column('people', '人数', ['户人数', '家庭人数', '人口']),
] as const
export type HouseholdColumnKey = (typeof HOUSEHOLD_COLUMNS)[number]['key']

/** What the export adds to the template's columns (the import ignores them). */
export const EXPORT_EXTRA_HEADERS = ['党小组', '支委职务', '党籍状态'] as const
export const ENDED_EXTRA_HEADERS = ['原因', '日期', '说明'] as const

/** The template's example: a row left in by mistake is refused rather than imported as a person. */
export const TEMPLATE_EXAMPLE = {
  name: '张三',
  phone: '13800000000',
  gender: '男',
  birthDate: '1970-05-01',
  joinedPartyOn: '1995-07-01',
  membership: '正式',
  status: '外出',
  awayCity: '杭州',
  centerHousehold: '是',
  households: [
    { headName: '李四', address: '一组12号', people: 4 },
    { headName: '王五', address: '一组15号', people: 3 },
  ],
} as const

// ------------------------------------------------------------------------------------------ cells

/** A cell as read: text from a CSV or a text cell, a number, a boolean, a date cell of an .xlsx, or empty. */
export type Cell = string | number | boolean | Date | null | undefined

/** A cell's text as a person reads it: trimmed, and empty for an empty cell. */
export function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return ''
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? '' : cell.toISOString().slice(0, 10)
  return String(cell).trim()
}

/** Full-width letters and digits made plain, spaces (ideographic ones too) removed: for words such as 男, 是, 正式. */
function word(cell: Cell): string {
  return cellText(cell).normalize('NFKC').replace(/\s+/g, '').toLowerCase()
}

/**
 * A person's name: trimmed, and the spaces rosters put inside two-character names to line them up with
 * three-character ones ("王  伟") taken out.
 */
export function readName(cell: Cell): string {
  return cellText(cell).replace(/(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])/g, '')
}

/** A phone as typed (full-width digits, spaces, dashes, +86), or as a number cell. */
export function readPhone(cell: Cell): string {
  if (typeof cell === 'number' && Number.isInteger(cell)) return String(cell)
  return normalizePhone(cellText(cell))
}

// Excel counts days from 1900-01-00 and believes 1900 was a leap year: serial 60 is 1900-02-29, which
// never was, and every later serial is one day ahead of a plain count from 1899-12-31.
const EXCEL_EPOCH = Date.UTC(1899, 11, 30)
const DAY_MS = 86_400_000
const LAST_SERIAL = 2_958_465 // 9999-12-31

function excelSerialDay(serial: number): string | null {
  const days = Math.floor(serial + 1e-7)
  if (days < 1 || days > LAST_SERIAL || days === 60) return null
  return new Date(EXCEL_EPOCH + (days < 60 ? days + 1 : days) * DAY_MS).toISOString().slice(0, 10)
}

function ymd(year: string, month: string, day: string): string | null {
  const text = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`
  return isCalendarDay(text) ? text : null
}

/**
 * A day as rosters hold it: a date cell, an Excel serial number (a date cell formatted as a number), or
 * text: 2024-1-5, 2024/01/05, 2024.1.5, 2024年1月5日, 20240105 (full-width digits too, a time after it ignored).
 * `YYYY-MM-DD`, or null when it is no day.
 */
export function readDay(cell: Cell): string | null {
  if (cell instanceof Date) {
    const ms = cell.getTime()
    // A date cell comes as UTC midnight, give or take Excel's floating point.
    return Number.isNaN(ms) ? null : new Date(Math.round(ms / 1000) * 1000).toISOString().slice(0, 10)
  }
  if (typeof cell === 'number') {
    if (Number.isInteger(cell) && cell >= 1000_01_01 && cell <= 9999_12_31) {
      const digits = String(cell)
      return ymd(digits.slice(0, 4), digits.slice(4, 6), digits.slice(6, 8))
    }
    return excelSerialDay(cell)
  }
  const text = cellText(cell)
    .normalize('NFKC')
    .replace(/\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$/, '')
    .replace(/\s+/g, '')
  const match =
    /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text) ??
    /^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$/.exec(text) ??
    /^(\d{4})(\d{2})(\d{2})$/.exec(text)
  return match ? ymd(match[1] ?? '', match[2] ?? '', match[3] ?? '') : null
}

const GENDER_WORDS: Record<string, 'male' | 'female'> = { 男: 'male', 男性: 'male', m: 'male', 女: 'female', 女性: 'female', f: 'female' }
const MEMBERSHIP_WORDS: Record<string, 'full' | 'probationary'> = {
  正式: 'full',
  正式党员: 'full',
  预备: 'probationary',
  预备党员: 'probationary',
}
const STATUS_WORDS: Record<string, 'home' | 'away'> = {
  在家: 'home',
  在本地: 'home',
  本地: 'home',
  外出: 'away',
  外出务工: 'away',
  外出打工: 'away',
  务工: 'away',
}
const YES_WORDS = new Set(['是', 'y', 'yes', '√', '✓', '✔', '1', 'true'])
const NO_WORDS = new Set(['否', 'n', 'no', '×', '✗', '0', 'false'])

/** Undefined: the cell says something else. Null: the cell is empty. */
type Reading<T> = T | null | undefined

function readWord<T>(cell: Cell, words: Record<string, T>): Reading<T> {
  const key = word(cell)
  if (key === '') return null
  return Object.hasOwn(words, key) ? words[key] : undefined
}

export const readGender = (cell: Cell): Reading<'male' | 'female'> => readWord(cell, GENDER_WORDS)
export const readMembership = (cell: Cell): Reading<'full' | 'probationary'> => readWord(cell, MEMBERSHIP_WORDS)
export const readStatus = (cell: Cell): Reading<'home' | 'away'> => readWord(cell, STATUS_WORDS)

export function readYesNo(cell: Cell): Reading<boolean> {
  if (typeof cell === 'boolean') return cell
  const key = word(cell)
  if (key === '') return null
  return YES_WORDS.has(key) ? true : NO_WORDS.has(key) ? false : undefined
}

/** A count of people: 4, "4", "4人". */
export function readCount(cell: Cell): Reading<number> {
  if (typeof cell === 'number') return Number.isInteger(cell) ? cell : undefined
  const key = word(cell)
  if (key === '') return null
  const match = /^(\d{1,3})[人口]?$/.exec(key)
  return match ? Number(match[1]) : undefined
}
