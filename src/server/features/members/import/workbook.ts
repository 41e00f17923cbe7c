// The roster's spreadsheets, written with write-excel-file: the template a town fills in, and the export
// of the roster as it is (the same columns, so an export is also a worked example of the template).
import writeXlsxFile, { type Cell, type Sheet } from 'write-excel-file/node'
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import { COMMITTEE_POST_LABELS, END_REASON_LABELS, type CommitteePost, type EndReason } from '~/domain/roster'
import {
  ENDED_EXTRA_HEADERS,
  EXPORT_EXTRA_HEADERS,
  HOUSEHOLD_COLUMNS,
  MEMBER_COLUMNS,
  ROSTER_SHEETS,
  TEMPLATE_EXAMPLE,
} from '~/domain/rosterImport'

const header = (text: string): Cell => ({ value: text, fontWeight: 'bold', backgroundColor: '#FCE4E4', borderStyle: 'thin' })
// A day, or the day of an instant: a date cell Excel sorts and filters.
const day = (text: string | null): Cell =>
  text ? { value: new Date(`${text.slice(0, 10)}T00:00:00Z`), type: Date, format: 'yyyy-mm-dd' } : null
const widths = (...chars: number[]) => chars.map((width) => ({ width }))

const MEMBER_WIDTHS = widths(10, 14, 18, 6, 12, 12, 18, 10, 10, 16)
const HOUSEHOLD_HEADERS = HOUSEHOLD_COLUMNS.map((c) => c.header)

const INSTRUCTIONS = [
  '填写说明',
  '1. “党员”表一行一名党员。手机号是党员登录用的账号，每人一个，不能重复。',
  '2. 支部填支部全称（如“合兴村党支部”）；支部书记只能导入本支部的党员。',
  '3. 日期写成 1970-05-01、1970/5/1 或 1970年5月1日 都可以。',
  '4. 党员类别填“正式”或“预备”；在家/外出填“在家”或“外出”，外出的须填务工城市；党员中心户填“是”或“否”。',
  '5. 党员中心户联系的群众填在“联系户”表，一户一行，用党员的手机号对应到党员。',
  '6. 导入前请删除示例行（张三及其联系户）。先“预览”检查，没有问题才能导入。',
]

/** The template: 党员 and 联系户 with their headers and an example, and how to fill them in. */
export async function rosterTemplate(exampleBranch: string): Promise<Buffer> {
  const e = TEMPLATE_EXAMPLE
  const sheets: Sheet<Buffer>[] = [
    {
      sheet: ROSTER_SHEETS.members,
      columns: MEMBER_WIDTHS,
      stickyRowsCount: 1,
      data: [
        MEMBER_COLUMNS.map((c) => header(c.header)),
        [e.name, e.phone, exampleBranch, e.gender, e.birthDate, e.joinedPartyOn, e.membership, e.status, e.awayCity, e.centerHousehold],
      ],
    },
    {
      sheet: ROSTER_SHEETS.households,
      columns: widths(14, 12, 24, 8),
      stickyRowsCount: 1,
      data: [HOUSEHOLD_HEADERS.map(header), ...e.households.map((h) => [e.phone, h.headName, h.address, h.people])],
    },
    { sheet: '填写说明', columns: widths(100), data: INSTRUCTIONS.map((text, i) => [i === 0 ? header(text) : text]) },
  ]
  return writeXlsxFile(sheets).toBuffer()
}

/** The roster of these branches (all when null), as the template's columns and more, with the ended memberships apart. */
export async function rosterExport(db: Kysely<Database>, branchIds: readonly string[] | null): Promise<Buffer> {
  let query = db
    .selectFrom('users')
    .innerJoin('branches', 'branches.id', 'users.branch_id')
    .leftJoin('party_groups', 'party_groups.id', 'users.party_group_id')
    .selectAll('users')
    .select(['branches.name as branch_name', 'party_groups.name as group_name'])
    .where('users.role', '!=', 'admin')
  if (branchIds) query = query.where('users.branch_id', 'in', branchIds.length ? branchIds : [''])
  const users = (await query.execute()).sort(
    (a, b) => a.branch_name.localeCompare(b.branch_name, 'zh-CN') || a.name.localeCompare(b.name, 'zh-CN') || a.id.localeCompare(b.id),
  )
  const row = (u: (typeof users)[number]): Cell[] => [
    u.name,
    u.phone,
    u.branch_name,
    u.gender === 'male' ? '男' : '女',
    // Rows from before issue 12 know only the year.
    u.birth_date ? day(u.birth_date) : String(u.birth_year),
    day(u.joined_party_on),
    u.membership === 'probationary' ? '预备' : '正式',
    u.status === 'away' ? '外出' : '在家',
    u.away_city,
    u.center_household === 1 ? '是' : '否',
    u.group_name,
    u.committee_post ? (COMMITTEE_POST_LABELS[u.committee_post as CommitteePost] ?? null) : null,
    u.ended_at ? '已终止' : '正常',
  ]
  const current = users.filter((u) => !u.ended_at)
  const ended = users.filter((u) => u.ended_at)
  const byId = new Map(current.map((u) => [u.id, u]))
  const households = current.length
    ? (await db.selectFrom('households').selectAll().orderBy('id').execute()).filter((h) => byId.has(h.member_id))
    : []
  const memberHeaders = [...MEMBER_COLUMNS.map((c) => c.header), ...EXPORT_EXTRA_HEADERS]
  const columns = [...MEMBER_WIDTHS, ...widths(12, 10, 10)]
  const sheets: Sheet<Buffer>[] = [
    { sheet: ROSTER_SHEETS.members, columns, stickyRowsCount: 1, data: [memberHeaders.map(header), ...current.map(row)] },
    {
      sheet: ROSTER_SHEETS.ended,
      columns: [...columns, ...widths(8, 12, 30)],
      stickyRowsCount: 1,
      data: [
        [...memberHeaders, ...ENDED_EXTRA_HEADERS].map(header),
        ...ended.map((u) => [...row(u), u.end_reason ? END_REASON_LABELS[u.end_reason as EndReason] : null, day(u.ended_at), u.end_note]),
      ],
    },
    {
      sheet: ROSTER_SHEETS.households,
      columns: widths(14, 12, 24, 8, 10),
      stickyRowsCount: 1,
      data: [
        [...HOUSEHOLD_HEADERS, '党员姓名'].map(header),
        ...households.map((h) => {
          const member = byId.get(h.member_id)
          return [member?.phone ?? null, h.head_name, h.address, h.people, member?.name ?? null]
        }),
      ],
    },
  ]
  return writeXlsxFile(sheets).toBuffer()
}
