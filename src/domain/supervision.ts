// Supervision (issue 13): 组织生活预警 and 整改提示单. The warning rules (versioned like the points rules),
// the rows devices sync, the mutations' arguments and the labels. The rule engine that turns a branch's
// facts into warnings is `superviseBranch` in ./warnings; working days are ./workdays.
import { calendarDay, line, ref, text, z } from './validation'
import { weekdayOf } from './calendar'
import { MEETING_TYPE_LABELS, MEETING_TYPES, type MeetingType } from './meetings'

// ------------------------------------------------------------------------------------------ the rules

/**
 * What a rule watches:
 * - `meeting`: at least `minCount` meetings of `meetingType` held (closed with minutes) each `period`;
 *   with `perGroup`, for each party group (党小组会);
 * - `topic`: at least `minCount` 朋友圈 topics posted each `period`;
 * - `attendance` / `migrant_attendance`: the branch's (its 外出务工 members') attendance rate over the last
 *   quarter (90 days) below `threshold` percent;
 * - `quorum`: a 支部党员大会 this quarter closed without a quorum;
 * - `overdue_comments`: more than `threshold` comments past their 限时办结 deadline (0: any).
 */
export const WARNING_KINDS = ['meeting', 'topic', 'attendance', 'migrant_attendance', 'quorum', 'overdue_comments'] as const
export type WarningKind = (typeof WARNING_KINDS)[number]
export const WARNING_KIND_LABELS: Record<WarningKind, string> = {
  meeting: '会议按期召开',
  topic: '朋友圈话题',
  attendance: '参会率',
  migrant_attendance: '流动党员参会率',
  quorum: '党员大会到会人数',
  overdue_comments: '留言限时办结',
}

export const SUPERVISION_PERIODS = ['month', 'quarter', 'year'] as const
export type SupervisionPeriod = (typeof SUPERVISION_PERIODS)[number]
export const PERIOD_LABELS: Record<SupervisionPeriod, string> = { month: '每月', quarter: '每季度', year: '每年' }
/** The most meetings a period can reasonably ask for: a rule above it could never be met. */
export const MAX_COUNT_PER_PERIOD: Record<SupervisionPeriod, number> = { month: 4, quarter: 12, year: 24 }

const day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD'))

export const warningRuleSchema = z.object({
  /** Stable across versions: a change makes a new version of the same code. */
  code: z.string().check(z.regex(/^[a-z][a-z0-9-]{1,40}$/, '规则编号只能用小写字母、数字和连字符')),
  version: z.int().check(z.minimum(1)),
  name: z.string().check(z.minLength(1), z.maxLength(40)),
  kind: z.enum(WARNING_KINDS),
  /** For `meeting` rules. */
  meetingType: z.nullable(z.enum(MEETING_TYPES)),
  /** For `meeting` and `topic` rules. */
  period: z.nullable(z.enum(SUPERVISION_PERIODS)),
  minCount: z.int().check(z.minimum(1), z.maximum(24)),
  perGroup: z.boolean(),
  /** A percentage for the rate rules, a number of comments for `overdue_comments`; null otherwise. */
  threshold: z.nullable(z.int().check(z.minimum(0), z.maximum(100))),
  /** A red warning of this rule opens a 整改提示单 by itself. */
  autoNotice: z.boolean(),
  /** Switched off from `activeFrom`: nothing is raised, and the warnings it had open are cleared. */
  enabled: z.boolean(),
  activeFrom: day,
  activeTo: z.nullable(day),
})
export type WarningRule = z.infer<typeof warningRuleSchema>
export const warningRuleRowSchema = z.extend(warningRuleSchema, { id: z.string() })
export type WarningRuleRow = z.infer<typeof warningRuleRowSchema>
export const warningRuleRowId = (rule: Pick<WarningRule, 'code' | 'version'>) => `${rule.code}@${rule.version}`

/** Why a rule can't stand (a period missing, a threshold out of range, a count no branch could reach), or null. */
export function warningRuleProblem(
  rule: Pick<WarningRule, 'kind' | 'meetingType' | 'period' | 'minCount' | 'perGroup' | 'threshold'>,
): string | null {
  const periodic = rule.kind === 'meeting' || rule.kind === 'topic'
  if (rule.kind === 'meeting' && !rule.meetingType) return '请选择会议类型'
  if (periodic && !rule.period) return '请选择周期'
  if (periodic && rule.period && rule.minCount > MAX_COUNT_PER_PERIOD[rule.period]) {
    return `${PERIOD_LABELS[rule.period]}最多要求 ${MAX_COUNT_PER_PERIOD[rule.period]} 次`
  }
  if (rule.perGroup && !(rule.kind === 'meeting' && rule.meetingType === 'group')) return '只有党小组会按党小组检查'
  if ((rule.kind === 'attendance' || rule.kind === 'migrant_attendance') && (rule.threshold === null || rule.threshold < 1)) {
    return '参会率门槛须在 1% 到 100% 之间'
  }
  if (rule.kind === 'overdue_comments' && (rule.threshold === null || rule.threshold > 50)) return '超期留言数须在 0 到 50 之间'
  return null
}

/** The admin changes a rule from a day forward (today or later); warnings already raised keep their version. */
export const warningRuleReviseArgsSchema = z
  .object({
    code: ref(64),
    from: calendarDay(),
    change: z.object({
      name: z.optional(line({ trim: true, min: 1, max: 40, tooShort: '请填写规则名称', tooLong: '规则名称不超过40字' })),
      period: z.optional(z.enum(SUPERVISION_PERIODS, '请选择周期')),
      minCount: z.optional(z.int().check(z.minimum(1, '次数至少为 1'), z.maximum(24, '次数不超过 24'))),
      threshold: z.optional(z.int().check(z.minimum(0, '门槛不能为负'), z.maximum(100, '门槛不超过 100'))),
      autoNotice: z.optional(z.boolean()),
      enabled: z.optional(z.boolean()),
    }),
  })
  .check(z.refine((a) => Object.keys(a.change).length > 0, { message: '没有要修改的内容', path: ['change'] }))
export type WarningRuleReviseArgs = z.infer<typeof warningRuleReviseArgsSchema>

// --------------------------------------------------------------------------------------- the warnings

export const WARNING_LEVELS = ['yellow', 'red'] as const
export type WarningLevel = (typeof WARNING_LEVELS)[number]
export const WARNING_LEVEL_LABELS: Record<WarningLevel, string> = { yellow: '黄色预警', red: '红色预警' }

export const WARNING_EVENTS = ['opened', 'escalated', 'cleared'] as const
export type WarningEvent = (typeof WARNING_EVENTS)[number]

export const warningHistoryEntrySchema = z.object({
  at: z.string(),
  event: z.enum(WARNING_EVENTS),
  level: z.enum(WARNING_LEVELS),
  /** In Chinese, for the secretary: 本季度已过半，支部党员大会尚未召开也未安排 / 已召开《…》 … */
  why: z.string(),
})
export type WarningHistoryEntry = z.infer<typeof warningHistoryEntrySchema>

/**
 * One warning: a branch, a rule and a period (and a party group for per-group rules). Synced to the
 * branch's secretaries and the admins (`office:` scopes), never to members. Kept after it clears.
 */
export const warningRowSchema = z.object({
  /** `warningId(branchId, ruleCode, period, groupId)` */
  id: z.string(),
  branchId: z.string(),
  ruleCode: z.string(),
  ruleVersion: z.int(),
  kind: z.enum(WARNING_KINDS),
  groupId: z.nullable(z.string()),
  /** The period it is about: `2026-11`, `2026-Q4` or `2026`. */
  period: z.string(),
  level: z.enum(WARNING_LEVELS),
  /** 2026年第四季度未召开支部党员大会 */
  title: z.string(),
  openedAt: z.string(),
  escalatedAt: z.nullable(z.string()),
  clearedAt: z.nullable(z.string()),
  clearReason: z.nullable(z.string()),
  history: z.array(warningHistoryEntrySchema),
  /** The 整改提示单 issued for it, if any. */
  rectificationId: z.nullable(z.string()),
})
export type WarningRow = z.infer<typeof warningRowSchema>

export const warningId = (branchId: string, ruleCode: string, period: string, groupId: string | null = null) =>
  `w:${branchId}:${ruleCode}:${period}${groupId ? `:${groupId}` : ''}`

export const isOpenWarning = (w: Pick<WarningRow, 'clearedAt'>) => w.clearedAt === null

// ---------------------------------------------------------------------------- 整改提示单 (notices)

export const RECTIFICATION_STATUSES = ['open', 'answered', 'returned', 'accepted'] as const
export type RectificationStatus = (typeof RECTIFICATION_STATUSES)[number]
export const RECTIFICATION_STATUS_LABELS: Record<RectificationStatus, string> = {
  open: '待整改',
  answered: '待审核',
  returned: '已退回',
  accepted: '已办结',
}
/** Not a stored status: open or returned past its deadline (see `rectificationOverdue`). */
export const OVERDUE_LABEL = '已超期'

export const DEFAULT_RECTIFICATION_WORKING_DAYS = 10
export const MAX_RECTIFICATION_WORKING_DAYS = 60
export const MAX_ANSWER_PHOTOS = 9

export const rectificationAnswerSchema = z.object({
  id: z.string(),
  at: z.string(),
  byId: z.string(),
  text: z.string(),
  photoIds: z.array(z.string()),
  /** The meeting held to put it right, if one was. */
  meetingId: z.nullable(z.string()),
})
export type RectificationAnswer = z.infer<typeof rectificationAnswerSchema>

export const rectificationDecisionSchema = z.object({
  at: z.string(),
  byId: z.string(),
  outcome: z.enum(['accepted', 'returned']),
  /** Required when sent back. */
  reason: z.nullable(z.string()),
})
export type RectificationDecision = z.infer<typeof rectificationDecisionSchema>

/** A 整改提示单, with its answers and decisions in order. Synced like warnings (`office:` scopes). */
export const rectificationRowSchema = z.object({
  id: z.string(),
  branchId: z.string(),
  warningId: z.nullable(z.string()),
  /** 整改〔2026〕3号: numbered per town and year by the server. */
  number: z.string(),
  requirement: z.string(),
  issuedById: z.string(),
  issuedAt: z.string(),
  workingDays: z.int(),
  /** The last day (Asia/Shanghai) to answer: `workingDays` working days after the day it was issued. */
  deadline: z.string(),
  status: z.enum(RECTIFICATION_STATUSES),
  answers: z.array(rectificationAnswerSchema),
  decisions: z.array(rectificationDecisionSchema),
  /** This is the second notice for an overdue one (`id` of the first). */
  followsId: z.nullable(z.string()),
  /** Went overdue and was escalated (a second notice issued, the branch flagged). */
  escalatedAt: z.nullable(z.string()),
  closedAt: z.nullable(z.string()),
  updatedAt: z.string(),
})
export type RectificationRow = z.infer<typeof rectificationRowSchema>

/** Overdue: still waiting for the secretary (open or returned) after its deadline day in Shanghai. */
export const rectificationOverdue = (r: Pick<RectificationRow, 'status' | 'deadline'>, today: string): boolean =>
  (r.status === 'open' || r.status === 'returned') && today > r.deadline

/** What a branch is asked to do about each kind of warning. */
const REMEDIES: Record<Exclude<WarningKind, 'meeting'>, string> = {
  topic: '在期限内发布朋友圈话题，引导党员参与讨论',
  attendance: '提高参会率：会前逐一通知党员，落实请假和远程参会',
  migrant_attendance: '提高外出务工党员的参会率：会前逐一联系，落实请假和远程参会',
  quorum: '重新召开支部党员大会并达到法定人数（到会党员超过应到人数的一半），上传会议记录',
  overdue_comments: '限期办结超期留言并答复群众',
}

/**
 * The requirement a notice for a warning starts with, fitting its kind: the app pre-fills it for the
 * admin to edit, the server sends it as is on a notice it issues by itself. A meeting warning names the
 * meeting its rule asks for (`meetingType`, from the rule), or says 会议 without it.
 */
export function rectificationRequirement(warning: Pick<WarningRow, 'title' | 'kind'>, meetingType: MeetingType | null = null): string {
  const remedy =
    warning.kind === 'meeting'
      ? `在期限内召开${meetingType ? MEETING_TYPE_LABELS[meetingType] : '会议'}并上传会议记录`
      : REMEDIES[warning.kind]
  return `针对“${warning.title}”，请支部认真查找原因，${remedy}，并在期限内提交整改情况。`
}

/** 整改〔2026〕3号 */
export const rectificationNumber = (year: string, n: number): string => `整改〔${year}〕${n}号`

/** The steps of a notice the other side is told of in the app (a `notices` row of kind `rectification`). */
export type RectificationNoticeEvent = 'issued' | 'answered' | 'returned' | 'accepted' | 'overdue'

const monthDay = (day: string) => `${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`
/** The start of what someone wrote, its closing punctuation dropped so a sentence can follow it. */
const excerpt = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text.replace(/[。.！!？?；;，,、\s]+$/u, ''))

/**
 * What an in-app notice says of a step: to the branch's secretaries (`branch`) or the admins (`office`).
 * `overdue` names the notice that follows the overdue one.
 */
export function rectificationNotice(
  event: RectificationNoticeEvent,
  r: Pick<RectificationRow, 'number' | 'requirement' | 'deadline' | 'answers' | 'decisions'>,
  to: 'branch' | 'office',
  context: { branchName: string; followUp?: Pick<RectificationRow, 'number' | 'deadline'> },
): { title: string; body: string } {
  switch (event) {
    case 'issued':
      return { title: `收到整改提示单（${r.number}）`, body: `${excerpt(r.requirement)}。请于${monthDay(r.deadline)}前提交整改情况。` }
    case 'answered':
      return { title: `${context.branchName}提交了整改情况`, body: `${r.number}：${excerpt(r.answers.at(-1)?.text ?? '')}` }
    case 'returned':
      return { title: `整改情况被退回（${r.number}）`, body: `退回原因：${excerpt(r.decisions.at(-1)?.reason ?? '')}。` }
    case 'accepted':
      return { title: `整改提示单已办结（${r.number}）`, body: '整改情况已审核通过，感谢支部的认真整改。' }
    case 'overdue': {
      const next = context.followUp ? `${context.followUp.number}，期限${monthDay(context.followUp.deadline)}` : ''
      return to === 'branch'
        ? { title: `整改提示单已超期（${r.number}）`, body: `期限${monthDay(r.deadline)}已过，仍未完成整改。已下发${next}，请抓紧整改。` }
        : { title: `${context.branchName}的整改提示单已超期`, body: `${r.number}期限${monthDay(r.deadline)}已过，已自动下发${next}。` }
    }
  }
}

export const rectificationIssueArgsSchema = z.object({
  id: z.string().check(z.regex(/^[\w-]{1,64}$/, '编号只能用字母、数字、连字符')),
  branchId: ref(64, '请选择支部'),
  warningId: z.nullable(ref(200)),
  requirement: text({ trim: true, min: 4, max: 1000, tooShort: '整改要求至少4个字', tooLong: '整改要求不超过1000字' }),
  workingDays: z
    .int()
    .check(
      z.minimum(1, '整改期限至少1个工作日'),
      z.maximum(MAX_RECTIFICATION_WORKING_DAYS, `整改期限不超过${MAX_RECTIFICATION_WORKING_DAYS}个工作日`),
    ),
})
export type RectificationIssueArgs = z.infer<typeof rectificationIssueArgsSchema>

/** The secretary's answer: bounded like a comment (text, up to 9 photos), and the meeting held. */
export const rectificationAnswerArgsSchema = z.object({
  id: ref(64),
  answerId: z.string().check(z.regex(/^[\w-]{1,64}$/, '编号只能用字母、数字、连字符')),
  text: text({ trim: true, min: 4, max: 2000, tooShort: '整改情况至少4个字', tooLong: '整改情况不超过2000字' }),
  photoIds: z.array(ref(64)).check(z.maxLength(MAX_ANSWER_PHOTOS, `照片不超过${MAX_ANSWER_PHOTOS}张`)),
  meetingId: z.nullable(ref(64)),
})
export type RectificationAnswerArgs = z.infer<typeof rectificationAnswerArgsSchema>

export const rectificationDecideArgsSchema = z
  .object({
    id: ref(64),
    outcome: z.enum(['accepted', 'returned']),
    reason: z.nullable(text({ trim: true, min: 4, max: 500, tooShort: '退回原因至少4个字', tooLong: '退回原因不超过500字' })),
  })
  .check(z.refine((a) => a.outcome === 'accepted' || a.reason !== null, { message: '请填写退回原因', path: ['reason'] }))
export type RectificationDecideArgs = z.infer<typeof rectificationDecideArgsSchema>

// ------------------------------------------------------------------------------- the working calendar

export const WORKDAY_KINDS = ['holiday', 'workday'] as const
export type WorkdayKind = (typeof WORKDAY_KINDS)[number]
export const WORKDAY_KIND_LABELS: Record<WorkdayKind, string> = { holiday: '放假', workday: '调休上班' }

/** A day that isn't what its weekday says: a public holiday off, or a weekend day worked (调休). Town scope. */
export const workdayRowSchema = z.object({
  /** The day, YYYY-MM-DD. */
  id: z.string(),
  kind: z.enum(WORKDAY_KINDS),
  /** 国庆节 */
  name: z.string(),
})
export type WorkdayRow = z.infer<typeof workdayRowSchema>

/** The admin marks a day as a holiday or a 调休 working day, or (`kind: null`) back to what its weekday says. */
export const workdaySetArgsSchema = z.object({
  day: calendarDay(),
  kind: z.nullable(z.enum(WORKDAY_KINDS)),
  name: line({ trim: true, min: 0, max: 20, tooLong: '名称不超过20字' }),
})
export type WorkdaySetArgs = z.infer<typeof workdaySetArgsSchema>

/**
 * Why a change to the working calendar can't be made, or null: the server refuses it and the app neither
 * offers nor shows it. A past day, a nameless one, or a weekday set to 调休上班 (it is worked anyway). A
 * weekend day may be a holiday: the State Council lists the weekend days inside a holiday among its 放假
 * days (元旦 2026 is 1月1日 to 3日, a Saturday), and a schedule is entered as it is published.
 */
export function workdayProblem(args: WorkdaySetArgs, today: string): string | null {
  if (args.day < today) return '不能修改过去的日期'
  if (args.kind === null) return null
  if (args.name === '') return '请填写名称，如“国庆节”'
  if (args.kind === 'workday' && weekdayOf(args.day) <= 5) return '周一至周五本来就上班，无需设为调休上班'
  return null
}

// --------------------------------------------------------------------------------- the default rules

const meetingRule = (
  code: string,
  name: string,
  meetingType: WarningRule['meetingType'],
  period: SupervisionPeriod,
  perGroup = false,
): WarningRule => ({
  code,
  version: 1,
  name,
  kind: 'meeting',
  meetingType,
  period,
  minCount: 1,
  perGroup,
  threshold: null,
  autoNotice: true,
  enabled: true,
  activeFrom: DEFAULT_RULES_FROM,
  activeTo: null,
})
const otherRule = (
  code: string,
  name: string,
  kind: WarningKind,
  threshold: number | null,
  period: SupervisionPeriod | null = null,
): WarningRule => ({
  code,
  version: 1,
  name,
  kind,
  meetingType: null,
  period,
  minCount: 1,
  perGroup: false,
  threshold,
  autoNotice: false,
  enabled: true,
  activeFrom: DEFAULT_RULES_FROM,
  activeTo: null,
})

/** The day the default rules start from: the year supervision began. */
export const DEFAULT_RULES_FROM = '2026-01-01'

/** The 三会一课 norms and the board's, as a new database starts with them (the admin revises them). */
export const DEFAULT_WARNING_RULES: readonly WarningRule[] = [
  meetingRule('assembly-quarterly', '支部党员大会每季度至少一次', 'assembly', 'quarter'),
  meetingRule('committee-monthly', '支委会每月一次', 'committee', 'month'),
  meetingRule('group-monthly', '党小组会每月一次', 'group', 'month', true),
  meetingRule('lecture-quarterly', '党课每季度至少一次', 'lecture', 'quarter'),
  meetingRule('theme-day-monthly', '主题党日每月一次', 'theme_day', 'month'),
  meetingRule('org-life-yearly', '组织生活会每年一次', 'org_life', 'year'),
  meetingRule('review-yearly', '民主评议党员每年一次', 'review', 'year'),
  otherRule('attendance-rate', '近一季度参会率不低于80%', 'attendance', 80),
  otherRule('migrant-attendance-rate', '流动党员近一季度参会率不低于60%', 'migrant_attendance', 60),
  otherRule('assembly-quorum', '支部党员大会须达到法定人数', 'quorum', null),
  otherRule('overdue-comments', '朋友圈留言限时办结，不得超期', 'overdue_comments', 0),
  otherRule('topic-monthly', '每月至少发布一个朋友圈话题', 'topic', null, 'month'),
]
