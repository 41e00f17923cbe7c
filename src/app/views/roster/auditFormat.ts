// The audit log's detail, said in words: `{ phone: ['138…', '139…'] }` becomes 手机号：138… → 139…, and ids
// become the names this device knows. The detail is free-form JSON (src/domain/roster.ts AuditEntry):
// known fields get a label and their values' Chinese names; anything else is still shown, as it came.
import {
  BRANCH_KIND_LABELS,
  COMMITTEE_POST_LABELS,
  END_REASON_LABELS,
  GENDER_LABELS,
  MEMBERSHIP_LABELS,
  type AuditEntry,
} from '~/domain/roster'
import { MEMBER_STATUS_LABELS, ROLE_LABELS } from '~/domain/users'
import { sayDay, sayWhen } from './rosterFormat'

export interface NameLookup {
  branch: (id: string) => string | undefined
  group: (id: string) => string | undefined
  member: (id: string) => string | undefined
}

const LABELS: Record<string, string> = {
  name: '姓名',
  phone: '手机号',
  loginPhone: '手机号',
  gender: '性别',
  birthDate: '出生日期',
  joinedPartyOn: '入党日期',
  membership: '党员类别',
  status: '状态',
  awayCity: '务工城市',
  centerHousehold: '党员中心户',
  households: '联系户',
  partyGroupId: '党小组',
  committeePost: '支委职务',
  role: '身份',
  branchId: '支部',
  fromBranchId: '原支部',
  toBranchId: '转入支部',
  reason: '原因',
  endReason: '原因',
  on: '日期',
  note: '说明',
  place: '村（社区）',
  kind: '类型',
  archived: '归档',
  leaderId: '组长',
  memberIds: '成员',
  added: '加入',
  removed: '移出',
  members: '成员人数',
  archivedAt: '归档时间',
  created: '新增',
  updated: '更新',
  rows: '行数',
  count: '人数',
  expiresAt: '有效期至',
  fileName: '文件',
  branches: '各支部',
  town: '镇',
  townCreated: '新建镇',
}

const ENUMS: Record<string, Record<string, string>> = {
  gender: GENDER_LABELS,
  membership: MEMBERSHIP_LABELS,
  status: MEMBER_STATUS_LABELS,
  committeePost: COMMITTEE_POST_LABELS,
  role: ROLE_LABELS,
  reason: END_REASON_LABELS,
  endReason: END_REASON_LABELS,
  kind: BRANCH_KIND_LABELS,
}

// Lists of members are values of their own, never a before → after pair.
const LISTS = new Set(['memberIds', 'added', 'removed'])
/** Actions whose detail is the new record: [null, value] pairs read as the value alone. */
const CREATIONS = new Set(['member.create', 'branch.create'])

function sayValue(key: string, value: unknown, names: NameLookup): string {
  if (value === null || value === undefined || value === '') return '无'
  if (typeof value === 'boolean') return value ? '是' : '否'
  if (Array.isArray(value)) return value.map((v) => sayValue(LISTS.has(key) ? 'memberId' : key, v, names)).join('、')
  // An import's members per branch, { 'b-…': 25 }: 新杭村党支部 25人.
  if (key === 'branches' && typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .map(([id, count]) => `${names.branch(id) ?? id} ${String(count)}人`)
      .join('、')
  if (typeof value === 'object') return JSON.stringify(value)
  if (typeof value === 'number') return `${value}${key === 'households' ? '户' : key === 'members' ? '人' : ''}`
  const text = String(value)
  const lookup = /branchid$/i.test(key)
    ? names.branch
    : key === 'partyGroupId'
      ? names.group
      : /(leader|member)Id$/.test(key)
        ? names.member
        : null
  if (lookup) return lookup(text) ?? text
  if (ENUMS[key]?.[text]) return ENUMS[key][text]
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return sayDay(text)
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) return sayWhen(text)
  return text
}

const isChange = (key: string, value: unknown): value is [unknown, unknown] => !LISTS.has(key) && Array.isArray(value) && value.length === 2

/** One line per field of the detail: 姓名：王建国 → 王建军, or 原因：去世. */
export function describeDetail(entry: Pick<AuditEntry, 'action' | 'detail'>, names: NameLookup): string[] {
  const detail = entry.detail ?? {}
  // Either { field: [before, after] } or { before: {…}, after: {…} }: both read as before → after.
  const before = detail.before && typeof detail.before === 'object' ? (detail.before as Record<string, unknown>) : null
  const after = detail.after && typeof detail.after === 'object' ? (detail.after as Record<string, unknown>) : null
  const fields: [string, unknown][] =
    before || after
      ? [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].map((k) => [k, [before?.[k], after?.[k]]])
      : Object.entries(detail)
  // A group's or a branch's name is its 名称, a member's their 姓名.
  const labelOf = (key: string) => (key === 'name' && !entry.action.startsWith('member.') ? '名称' : (LABELS[key] ?? key))
  return fields.flatMap(([key, value]) => {
    const label = labelOf(key)
    if (isChange(key, value)) {
      const [was, now] = value
      // A new record's fields (and any new name) read as their values alone.
      if (CREATIONS.has(entry.action) || ((was === null || was === undefined) && key === 'name'))
        return [`${label}：${sayValue(key, now, names)}`]
      return [`${label}：${sayValue(key, was, names)} → ${sayValue(key, now, names)}`]
    }
    // An empty note says nothing.
    return value === null || value === undefined ? [] : [`${label}：${sayValue(key, value, names)}`]
  })
}
