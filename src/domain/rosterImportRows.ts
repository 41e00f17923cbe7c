// The rows of an imported roster (issue 12), checked before anything is written: every problem of every
// row, with its row number, its column and a Chinese message, so a town fixes its spreadsheet in one go.
// Pure: the server hands in the branches and the accounts that already have the file's phones.
import { awayNeedsCity, householdInputSchema, memberFieldsSchema, type MemberFields } from './roster'
import {
  HOUSEHOLD_COLUMNS,
  MEMBER_COLUMNS,
  ROSTER_LIMITS,
  TEMPLATE_EXAMPLE,
  cellText,
  readCount,
  readDay,
  readGender,
  readMembership,
  readName,
  readPhone,
  readStatus,
  readYesNo,
  type Cell,
  type HouseholdColumnKey,
  type MemberColumnKey,
} from './rosterImport'
import type { LocatedSheet, RosterProblem, RosterSheets } from './rosterImportSheets'

export interface RosterBranch {
  id: string
  name: string
  place: string
  archived: boolean
}

/** An account that already has one of the file's phones. */
export interface RosterAccount {
  id: string
  branchId: string | null
  centerHousehold: boolean
  ended: boolean
  /** Households it has now. */
  households: number
}

export interface RosterContext {
  branches: readonly RosterBranch[]
  /** A secretary imports into their own branch only; null for the admin. */
  ownBranchId: string | null
  /** By phone. */
  accounts: ReadonlyMap<string, RosterAccount>
}

export interface PlannedMember {
  row: number
  branchId: string
  fields: MemberFields
}

export interface PlannedHousehold {
  row: number
  memberPhone: string
  /** The existing member it joins; null when the member is imported with it. */
  memberId: string | null
  headName: string
  address: string
  people: number
}

export interface RosterPlan {
  members: PlannedMember[]
  households: PlannedHousehold[]
  problems: RosterProblem[]
  /** Rows per branch named, problems or not (what the preview counts). */
  byBranch: Map<string, number>
}

/** What preview and import answer (docs/api.md). */
export interface RosterReport {
  fileName: string
  counts: { members: number; households: number; branches: { id: string; name: string; members: number }[] }
  /** The first ROSTER_LIMITS.problems, by sheet, row and column. */
  problems: RosterProblem[]
  problemCount: number
}

/** The most households one 党员中心户 keeps (member.save's limit). */
export const HOUSEHOLDS_PER_MEMBER = 30
const PHONE = /^1\d{10}$/
const memberSchema = memberFieldsSchema.check(awayNeedsCity<MemberFields>())
const EXAMPLE_ROW = '这是模板里的示例行，请删除后再导入'

/** Every phone the checks need to know about (to look up the accounts that have them). */
export function rosterPhones(sheets: RosterSheets): string[] {
  const phones = new Set<string>()
  const add = <K extends string>(sheet: LocatedSheet<K> | null, key: K) => {
    const index = sheet?.columns[key]?.index
    if (sheet && index !== undefined) for (const { cells } of sheet.rows) phones.add(readPhone(cells[index]))
  }
  add(sheets.members, 'phone')
  add(sheets.households, 'memberPhone')
  return [...phones].filter((p) => PHONE.test(p))
}

const branchKey = (text: string) => text.normalize('NFKC').replace(/\s+/g, '')

function problemsOf<K extends string>(sheet: LocatedSheet<K>, row: number, defs: readonly { key: K; header: string }[]) {
  const problems: RosterProblem[] = []
  const keys = new Set<K>()
  const add = (key: K, message: string) => {
    keys.add(key)
    problems.push({
      sheet: sheet.sheet,
      row,
      column: sheet.columns[key]?.header ?? defs.find((d) => d.key === key)?.header ?? null,
      message,
    })
  }
  return { problems, add, has: (key: K) => keys.has(key) }
}

function cellOf<K extends string>(sheet: LocatedSheet<K>, cells: Cell[], key: K): Cell {
  const index = sheet.columns[key]?.index
  return index === undefined ? null : cells[index]
}

const quoted = (cell: Cell) => (cellText(cell) ? `（表中是“${cellText(cell).slice(0, 30)}”）` : '')

function checkMember(sheet: LocatedSheet<MemberColumnKey>, row: number, cells: Cell[], context: RosterContext) {
  const { problems, add, has } = problemsOf(sheet, row, MEMBER_COLUMNS)
  const cell = (key: MemberColumnKey) => cellOf(sheet, cells, key)
  const name = readName(cell('name'))
  const phone = readPhone(cell('phone'))
  if (!cellText(cell('phone'))) add('phone', '请填写手机号')
  else if (!PHONE.test(phone)) add('phone', `手机号应为1开头的11位数字${quoted(cell('phone'))}`)
  if (name === TEMPLATE_EXAMPLE.name && phone === TEMPLATE_EXAMPLE.phone) add('name', EXAMPLE_ROW)

  const branchName = cellText(cell('branch'))
  const branch = context.branches.find((b) => [b.name, b.place].some((n) => branchKey(n) === branchKey(branchName)))
  const own = context.branches.find((b) => b.id === context.ownBranchId)
  if (!branchName) add('branch', '请填写支部')
  else if (!branch) add('branch', `没有名为“${branchName.slice(0, 30)}”的支部`)
  else if (own && branch.id !== own.id) add('branch', `只能导入本支部（${own.name}）的党员`)
  else if (branch.archived) add('branch', `${branch.name}已撤销，不能再导入党员`)

  const gender = readGender(cell('gender'))
  if (gender === null) add('gender', '请填写性别')
  else if (gender === undefined) add('gender', `性别请填“男”或“女”${quoted(cell('gender'))}`)
  const day = (key: 'birthDate' | 'joinedPartyOn', label: string) => {
    const value = readDay(cell(key))
    if (!cellText(cell(key))) add(key, `请填写${label}`)
    else if (value === null) add(key, `${label}无法识别${quoted(cell(key))}，请写成 1970-05-01 这样的日期`)
    return value
  }
  const birthDate = day('birthDate', '出生日期')
  const joinedPartyOn = day('joinedPartyOn', '入党日期')
  const membership = readMembership(cell('membership'))
  if (membership === undefined) add('membership', `党员类别请填“正式”或“预备”${quoted(cell('membership'))}`)
  const city = cellText(cell('awayCity'))
  const stated = readStatus(cell('status'))
  if (stated === undefined) add('status', `请填“在家”或“外出”${quoted(cell('status'))}`)
  // No 在家/外出 but a city: that is someone away.
  const status = stated ?? (city ? 'away' : 'home')
  const center = readYesNo(cell('centerHousehold'))
  if (center === undefined) add('centerHousehold', `党员中心户请填“是”或“否”${quoted(cell('centerHousehold'))}`)

  const candidate = {
    name,
    phone,
    gender: gender ?? undefined,
    birthDate: birthDate ?? undefined,
    joinedPartyOn: joinedPartyOn ?? undefined,
    membership: membership ?? 'full',
    status,
    awayCity: status === 'away' ? city || null : null,
    centerHousehold: center ?? false,
  }
  const parsed = memberSchema.safeParse(candidate)
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] as MemberColumnKey
      if (!has(key)) add(key, issue.message)
    }
  const member = parsed.success && branch && problems.length === 0 ? { row, branchId: branch.id, fields: parsed.data } : null
  return { phone, branch, center: candidate.centerHousehold, member, problems }
}

function checkHousehold(sheet: LocatedSheet<HouseholdColumnKey>, row: number, cells: Cell[]) {
  const { problems, add, has } = problemsOf(sheet, row, HOUSEHOLD_COLUMNS)
  const cell = (key: HouseholdColumnKey) => cellOf(sheet, cells, key)
  const memberPhone = readPhone(cell('memberPhone'))
  if (!cellText(cell('memberPhone'))) add('memberPhone', '请填写党员手机号')
  else if (!PHONE.test(memberPhone)) add('memberPhone', `党员手机号应为1开头的11位数字${quoted(cell('memberPhone'))}`)
  else if (memberPhone === TEMPLATE_EXAMPLE.phone) add('memberPhone', EXAMPLE_ROW)
  const people = readCount(cell('people'))
  if (people === null) add('people', '请填写户人数')
  else if (people === undefined) add('people', `人数请填数字，例如 4${quoted(cell('people'))}`)
  const candidate = { id: 'h', headName: readName(cell('headName')), address: cellText(cell('address')), people: people ?? undefined }
  const parsed = householdInputSchema.safeParse(candidate)
  for (const issue of parsed.error?.issues ?? []) {
    const key = issue.path[0] as HouseholdColumnKey
    if (!has(key)) add(key, key === 'headName' && issue.message === '请填写姓名' ? '请填写户主姓名' : issue.message)
  }
  return { memberPhone, value: parsed.success ? parsed.data : null, problems }
}

/** Checks every row of the roster against the town as it is: the plan to write, or the problems. */
export function planRoster(sheets: RosterSheets, context: RosterContext): RosterPlan {
  const problems: RosterProblem[] = [...(sheets.members?.problems ?? []), ...(sheets.households?.problems ?? [])]
  const members: PlannedMember[] = []
  const inFile = new Map<string, { rows: number[]; center: boolean }>()
  const byBranch = new Map<string, number>()
  const memberSheet = sheets.members
  if (memberSheet) {
    const phoneColumn = memberSheet.columns.phone?.header ?? '手机号'
    for (const { row, cells } of memberSheet.rows) {
      const checked = checkMember(memberSheet, row, cells, context)
      problems.push(...checked.problems)
      if (checked.member) members.push(checked.member)
      if (checked.branch) byBranch.set(checked.branch.id, (byBranch.get(checked.branch.id) ?? 0) + 1)
      if (!PHONE.test(checked.phone)) continue
      const seen = inFile.get(checked.phone) ?? { rows: [], center: checked.center }
      seen.rows.push(row)
      inFile.set(checked.phone, seen)
      if (context.accounts.has(checked.phone))
        problems.push({
          sheet: memberSheet.sheet,
          row,
          column: phoneColumn,
          message: '该手机号已有账号，不能重复导入（修改已有党员请到党员名单）',
        })
    }
    for (const { rows } of inFile.values())
      if (rows.length > 1)
        for (const row of rows)
          problems.push({
            sheet: memberSheet.sheet,
            row,
            column: phoneColumn,
            message: `手机号与第${rows.filter((r) => r !== row).join('、')}行重复`,
          })
  }

  const households: PlannedHousehold[] = []
  const householdSheet = sheets.households
  if (householdSheet) {
    const phoneColumn = householdSheet.columns.memberPhone?.header ?? '党员手机号'
    const counts = new Map<string, number>()
    for (const { row, cells } of householdSheet.rows) {
      const checked = checkHousehold(householdSheet, row, cells)
      const owner = checked.problems.some((p) => p.column === phoneColumn) ? null : ownerProblem(checked.memberPhone, inFile, context)
      if (owner) checked.problems.push({ sheet: householdSheet.sheet, row, column: phoneColumn, message: owner })
      const count = (counts.get(checked.memberPhone) ?? context.accounts.get(checked.memberPhone)?.households ?? 0) + 1
      counts.set(checked.memberPhone, count)
      if (count === HOUSEHOLDS_PER_MEMBER + 1)
        checked.problems.push({
          sheet: householdSheet.sheet,
          row,
          column: phoneColumn,
          message: `每名党员中心户最多联系${HOUSEHOLDS_PER_MEMBER}户`,
        })
      problems.push(...checked.problems)
      if (checked.value && checked.problems.length === 0) {
        const memberId = inFile.has(checked.memberPhone) ? null : (context.accounts.get(checked.memberPhone)?.id ?? null)
        households.push({ row, memberPhone: checked.memberPhone, memberId, ...pickHousehold(checked.value) })
      }
    }
  }
  return { members, households, problems: sortProblems(problems, sheets), byBranch }
}

function pickHousehold(h: { headName: string; address: string; people: number }) {
  return { headName: h.headName, address: h.address, people: h.people }
}

/** Why a household can't join the member with this phone, or null. */
function ownerProblem(phone: string, inFile: ReadonlyMap<string, { center: boolean }>, context: RosterContext): string | null {
  const notCenter = '该党员不是党员中心户（请在党员表的“党员中心户”填“是”），不能填写联系户'
  const imported = inFile.get(phone)
  if (imported) return imported.center ? null : notCenter
  const account = context.accounts.get(phone)
  if (!account || account.branchId === null) return `找不到手机号为${phone}的党员：应在党员表中，或已在系统中`
  if (context.ownBranchId !== null && account.branchId !== context.ownBranchId) return '只能为本支部的党员导入联系户'
  if (account.ended) return '该党员已终止党籍关系，不能填写联系户'
  return account.centerHousehold ? null : notCenter
}

/** By sheet, row, and column as the spreadsheet has them: the order a person works through them. */
function sortProblems(problems: RosterProblem[], sheets: RosterSheets): RosterProblem[] {
  const located = [sheets.members, sheets.households]
  const sheetAt = (p: RosterProblem) => located.findIndex((s) => s?.sheet === p.sheet)
  const columnAt = (p: RosterProblem) => {
    const columns: ({ index: number; header: string } | undefined)[] = Object.values(located[sheetAt(p)]?.columns ?? {})
    return columns.find((c) => c?.header === p.column)?.index ?? Number.MAX_SAFE_INTEGER
  }
  return problems.sort((a, b) => sheetAt(a) - sheetAt(b) || a.row - b.row || columnAt(a) - columnAt(b))
}

/** The answer to a preview (and to an import refused), counts included. */
export function rosterReport(sheets: RosterSheets, plan: RosterPlan, context: RosterContext, fileName: string): RosterReport {
  const { byBranch } = plan
  return {
    fileName,
    counts: {
      members: sheets.members?.rows.length ?? 0,
      households: sheets.households?.rows.length ?? 0,
      branches: context.branches
        .filter((b) => byBranch.has(b.id))
        .map((b) => ({ id: b.id, name: b.name, members: byBranch.get(b.id) ?? 0 })),
    },
    problems: plan.problems.slice(0, ROSTER_LIMITS.problems),
    problemCount: plan.problems.length,
  }
}
