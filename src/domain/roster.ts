// Administration (issue 12): a real town's roster. A member's full record, branches, 党小组 and 支委,
// roles, the move between branches, accounts without SMS, and the audit log's vocabulary.
import { calendarDay, line, ref, text, z } from './validation'
import { MEMBER_STATUSES, phoneSchema } from './users'
import { isCalendarDay } from './calendar'

export const GENDERS = ['male', 'female'] as const
export type Gender = (typeof GENDERS)[number]
export const GENDER_LABELS: Record<Gender, string> = { male: '男', female: '女' }

export const MEMBERSHIPS = ['full', 'probationary'] as const
export type Membership = (typeof MEMBERSHIPS)[number]
export const MEMBERSHIP_LABELS: Record<Membership, string> = { full: '正式党员', probationary: '预备党员' }

export const END_REASONS = ['transfer_out', 'deceased', 'other'] as const
export type EndReason = (typeof END_REASONS)[number]
export const END_REASON_LABELS: Record<EndReason, string> = { transfer_out: '转出', deceased: '去世', other: '其他' }

/** 支委 posts, in the order a branch committee is listed. */
export const COMMITTEE_POSTS = ['secretary', 'deputy', 'organization', 'publicity', 'discipline', 'member'] as const
export type CommitteePost = (typeof COMMITTEE_POSTS)[number]
export const COMMITTEE_POST_LABELS: Record<CommitteePost, string> = {
  secretary: '书记',
  deputy: '副书记',
  organization: '组织委员',
  publicity: '宣传委员',
  discipline: '纪检委员',
  member: '委员',
}

export const BRANCH_KINDS = ['village', 'community'] as const
export type BranchKind = (typeof BRANCH_KINDS)[number]
export const BRANCH_KIND_LABELS: Record<BranchKind, string> = { village: '村', community: '社区' }

/** The roles an admin may give a branch member (admins are created with `npm run admin`). */
export const BRANCH_ROLES = ['member', 'secretary'] as const

// ------------------------------------------------------------------------------------------ input

/**
 * A phone number as people type or paste it: full-width digits (１３８…), spaces, dashes, a +86 prefix.
 * Returns the 11 digits the rest of the system stores, or the cleaned text when it is not a number.
 */
export function normalizePhone(input: string): string {
  const cleaned = input.normalize('NFKC').replace(/[\s\-()（）]/g, '')
  return cleaned.replace(/^(\+?86)(?=1\d{10}$)/, '')
}

/** The letters of activation codes: no 0/O, 1/I/L look-alikes, so a slip read aloud is typed right. */
export const ACTIVATION_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'
export const ACTIVATION_CODE_LENGTH = 8
export const ACTIVATION_DAYS = 7

/** A code as typed: lower case, spaces or a dash in the middle, full-width letters. */
export function normalizeActivationCode(input: string): string {
  return input.normalize('NFKC').replace(/[\s-]/g, '').toUpperCase()
}

export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 128

/** Why a new password can't be used, in Chinese, or null when it can. */
export function passwordProblem(password: string, phone: string): string | null {
  if (password.length < PASSWORD_MIN) return `密码至少${PASSWORD_MIN}位`
  if (password.length > PASSWORD_MAX) return `密码不超过${PASSWORD_MAX}位`
  // As the phone itself is read: full-width digits, spaces, dashes and +86 don't make it another password.
  const digits = normalizePhone(password)
  if (/^\d+$/.test(digits) && phone.includes(digits)) return '密码不能用手机号码'
  if (/^(.)\1+$/u.test(digits)) return '密码不能是同一个字符'
  if (/^\d+$/.test(digits) && isDigitRun(digits)) return '密码太简单，不能用连续的数字'
  return null
}

/** 12345678, 87654321, 90123456: each digit one up (or one down) from the last, wrapping at 9. */
function isDigitRun(digits: string): boolean {
  const steps = new Set([...digits].slice(1).map((d, i) => (Number(d) - Number(digits[i]) + 10) % 10))
  return steps.size === 1 && (steps.has(1) || steps.has(9))
}

// ------------------------------------------------------------------------------------------ records

const personName = line({ trim: true, min: 1, max: 20, tooShort: '请填写姓名', tooLong: '姓名不超过20字' })

/** A day of a life (`calendarDay` keeps to this century, as instants do): YYYY-MM-DD that exists, in range. */
function lifeDay(label: string, from: string, to: string) {
  return z.string().check(
    z.regex(/^\d{4}-\d{2}-\d{2}$/, `${label}格式应为 YYYY-MM-DD`),
    z.refine((day) => isCalendarDay(day) && day >= from && day <= to, {
      message: `${label}不存在或不在合理范围`,
      when: (payload) => payload.issues.length === 0,
    }),
  )
}
const birthDate = lifeDay('出生日期', '1900-01-01', '2012-12-31')
const joinedOn = lifeDay('入党日期', '1921-07-01', '2099-12-31')

export const householdInputSchema = z.object({
  id: ref(64),
  headName: personName,
  address: line({ trim: true, min: 1, max: 60, tooShort: '请填写住址', tooLong: '住址不超过60字' }),
  people: z.int().check(z.minimum(1, '户人数至少1人'), z.maximum(20, '户人数不超过20人')),
})
export type HouseholdInput = z.infer<typeof householdInputSchema>

/** What an admin or secretary records about a member: the form, and one row of an imported roster. */
export const memberFieldsSchema = z.object({
  name: personName,
  phone: phoneSchema,
  gender: z.enum(GENDERS),
  birthDate,
  joinedPartyOn: joinedOn,
  membership: z.enum(MEMBERSHIPS),
  status: z.enum(MEMBER_STATUSES),
  awayCity: z.nullable(line({ trim: true, min: 1, max: 20, tooShort: '请填写务工城市', tooLong: '城市名称过长' })),
  centerHousehold: z.boolean(),
})
export type MemberFields = z.infer<typeof memberFieldsSchema>

/** 外出务工 needs the city: a check for any schema with the member's fields. */
export function awayNeedsCity<T extends Pick<MemberFields, 'status' | 'awayCity'>>() {
  return z.refine<T>((m) => m.status !== 'away' || Boolean(m.awayCity), { message: '外出务工须填写务工城市', path: ['awayCity'] })
}

/** `member.save`: creates the member when the id is new, else edits them (the branch changes only by `member.move`). */
export const memberSaveArgsSchema = z
  .object({
    ...memberFieldsSchema.shape,
    memberId: ref(64),
    branchId: ref(64, '请选择支部'),
    partyGroupId: z.nullable(ref(64)),
    committeePost: z.nullable(z.enum(COMMITTEE_POSTS)),
    /** The 党员中心户's households, replacing theirs; absent leaves them as they are (an edit made offline). */
    households: z.optional(z.array(householdInputSchema).check(z.maxLength(30, '联系户不超过30户'))),
  })
  .check(
    awayNeedsCity(),
    z.refine((m) => m.centerHousehold || !m.households?.length, { message: '只有党员中心户填写联系户', path: ['households'] }),
  )
export type MemberSaveArgs = z.infer<typeof memberSaveArgsSchema>

export const memberEndArgsSchema = z.object({
  memberId: ref(64),
  reason: z.enum(END_REASONS),
  /** The day membership ended (Asia/Shanghai). */
  on: calendarDay(),
  note: z.nullable(text({ trim: true, max: 200, tooLong: '说明不超过200字' })),
})
export type MemberEndArgs = z.infer<typeof memberEndArgsSchema>

/** 组织关系转接 within the town. */
export const memberMoveArgsSchema = z.object({
  memberId: ref(64),
  toBranchId: ref(64, '请选择转入的支部'),
  note: z.nullable(text({ trim: true, max: 200, tooLong: '说明不超过200字' })),
})
export type MemberMoveArgs = z.infer<typeof memberMoveArgsSchema>

export const memberRoleArgsSchema = z.object({
  memberId: ref(64),
  role: z.enum(BRANCH_ROLES),
})
export type MemberRoleArgs = z.infer<typeof memberRoleArgsSchema>

export const branchSaveArgsSchema = z.object({
  branchId: z.string().check(z.regex(/^[\w-]{1,64}$/, '支部编号只能用字母、数字、连字符')),
  name: line({ trim: true, min: 2, max: 30, tooShort: '请填写支部名称', tooLong: '支部名称不超过30字' }),
  place: line({ trim: true, min: 1, max: 30, tooShort: '请填写村或社区名称', tooLong: '村（社区）名称不超过30字' }),
  kind: z.enum(BRANCH_KINDS),
})
export type BranchSaveArgs = z.infer<typeof branchSaveArgsSchema>

export const branchArchiveArgsSchema = z.object({ branchId: ref(64), archived: z.boolean() })
export type BranchArchiveArgs = z.infer<typeof branchArchiveArgsSchema>

export const groupSaveArgsSchema = z.object({
  groupId: z.string().check(z.regex(/^[\w-]{1,64}$/, '党小组编号只能用字母、数字、连字符')),
  branchId: ref(64),
  name: line({ trim: true, min: 1, max: 20, tooShort: '请填写党小组名称', tooLong: '党小组名称不超过20字' }),
  leaderId: z.nullable(ref(64)),
  memberIds: z.array(ref(64)).check(z.maxLength(300, '一个党小组不超过300人')),
})
export type GroupSaveArgs = z.infer<typeof groupSaveArgsSchema>

export const groupArchiveArgsSchema = z.object({ groupId: ref(64) })
export type GroupArchiveArgs = z.infer<typeof groupArchiveArgsSchema>

/** A 党小组 as devices see it (branch scope); its members are the member rows naming it. */
export const partyGroupRowSchema = z.object({
  id: z.string(),
  branchId: z.string(),
  name: z.string(),
  leaderId: z.nullable(z.string()),
  archivedAt: z.nullable(z.string()),
  updatedAt: z.string(),
})
export type PartyGroupRow = z.infer<typeof partyGroupRowSchema>

// ------------------------------------------------------------------------------------------ audit

export const AUDIT_ACTIONS = {
  'admin.create': '创建管理员',
  'branch.create': '新建支部',
  'branch.update': '修改支部',
  'branch.archive': '撤销（归档）支部',
  'branch.restore': '恢复支部',
  'group.save': '设置党小组',
  'group.archive': '撤销党小组',
  'member.create': '新增党员',
  'member.update': '修改党员信息',
  'member.phone': '更换登录手机号',
  'member.end': '终止党籍关系',
  'member.move': '组织关系转接',
  'member.role': '任免支部书记',
  'roster.import': '导入花名册',
  'account.code': '发放激活码',
  'account.reset': '重置密码',
} as const
export type AuditAction = keyof typeof AUDIT_ACTIONS

/** One entry of the audit log as `GET /api/admin/audit` answers it. */
export interface AuditEntry {
  id: string
  at: string
  actorId: string
  actorName: string
  action: AuditAction
  targetId: string | null
  targetName: string | null
  branchId: string | null
  /** What changed, by field (before → after) or a summary (counts of an import). */
  detail: Record<string, unknown>
}

/**
 * The 支委 post after a role change: a branch secretary is the committee's 书记 (unless they already hold
 * a post), and one removed from the role no longer holds the post 书记; other posts stay as they are.
 */
export function committeePostAfterRole(post: CommitteePost | null, role: (typeof BRANCH_ROLES)[number]): CommitteePost | null {
  if (role === 'secretary') return post ?? 'secretary'
  return post === 'secretary' ? null : post
}
