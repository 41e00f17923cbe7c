// 红黄榜 (issue 4): published monthly. Red: the top members by the month's points in each branch with no
// violation and no unexcused absence. Yellow: an unexcused absence from organisational life, a violation, or
// points below the threshold the admin sets. The lists show names and branches; only the member sees why.
import { line, z } from './validation'
import { dayInShanghai, monthOf, previousMonth } from './calendar'

export const YELLOW_REASONS = ['absence', 'violation', 'low_points'] as const
export type YellowReason = (typeof YELLOW_REASONS)[number]
export const YELLOW_REASON_LABELS: Record<YellowReason, string> = {
  absence: '本月有无故缺席组织生活',
  violation: '本月有违规违纪扣分',
  low_points: '本月积分低于公布的标准',
}

const month = z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM'))

export const honorPublishArgsSchema = z.object({
  month,
  threshold: z.int().check(z.minimum(0, '积分标准不能为负'), z.maximum(1000, '积分标准不超过1000')),
  redPerBranch: z.int().check(z.minimum(1, '每个支部至少1人'), z.maximum(20, '每个支部不超过20人')),
})
export type HonorPublishArgs = z.infer<typeof honorPublishArgsSchema>

/** Withdrawing a published month (撤回): the lists leave every device; the reason is kept with the record. */
export const honorWithdrawArgsSchema = z.object({
  month,
  reason: line({ trim: true, min: 4, max: 200, tooShort: '请写明撤回原因（至少4个字）', tooLong: '原因不超过200字' }),
})
export type HonorWithdrawArgs = z.infer<typeof honorWithdrawArgsSchema>

/** The last month that has ended (Asia/Shanghai): the one to publish. */
export const lastCompleteMonth = (now: Date) => previousMonth(monthOf(dayInShanghai(now)))

/**
 * Why a month's lists can't be published now, or null. Only a month that has ended (Asia/Shanghai): a
 * month still under way would put everyone who hasn't earned their points yet on the yellow list. And not
 * a month in which nobody earned a single point (before the town used the app): everyone would be yellow.
 */
export function honorPublishProblem(month: string, now: Date, anyPoints: boolean): string | null {
  const current = monthOf(dayInShanghai(now))
  if (month > current) return '不能发布尚未开始的月份'
  if (month === current) return '本月还没有结束，请在下月初发布本月的红黄榜'
  if (!anyPoints) return '这个月全镇还没有任何积分记录，无法评定红黄榜'
  return null
}

export interface HonorMember {
  id: string
  name: string
  branchId: string
  branchName: string
  /** The month's net points. */
  points: number
  /** Net deductions for violations this month (a corrected violation nets to zero). */
  violationPoints: number
  unexcusedAbsences: number
}

const listEntry = z.object({ name: z.string(), branchName: z.string(), points: z.int() })

/** The published lists (town scope, keyed by month): names, branches, points; never ids or phones. */
export const honorListRowSchema = z.object({
  id: z.string(),
  month: z.string(),
  threshold: z.int(),
  red: z.array(listEntry),
  yellow: z.array(z.object({ name: z.string(), branchName: z.string() })),
  publishedAt: z.string(),
})
export type HonorListRow = z.infer<typeof honorListRowSchema>

/** One member's own standing for a month (user scope, keyed by month), with the reasons. */
export const honorMarkRowSchema = z.object({
  id: z.string(),
  month: z.string(),
  list: z.nullable(z.enum(['red', 'yellow'])),
  points: z.int(),
  threshold: z.int(),
  reasons: z.array(z.enum(YELLOW_REASONS)),
})
export type HonorMarkRow = z.infer<typeof honorMarkRowSchema>

export function yellowReasons(member: HonorMember, threshold: number): YellowReason[] {
  const reasons: YellowReason[] = []
  if (member.unexcusedAbsences > 0) reasons.push('absence')
  if (member.violationPoints < 0) reasons.push('violation')
  if (member.points < threshold) reasons.push('low_points')
  return reasons
}

/** One person in the preview the admin sees before publishing: with their reasons (the lists show none). */
export interface HonorPreviewEntry {
  name: string
  branchName: string
  points: number
  list: 'red' | 'yellow'
  reasons: YellowReason[]
}

export interface HonorPreview {
  month: string
  /** How many members were evaluated. */
  evaluated: number
  red: HonorPreviewEntry[]
  yellow: HonorPreviewEntry[]
  /** Why it can't be published now, or null. */
  problem: string | null
}

/** What publishing would show, person by person with the reasons, from the same rules as `honorLists`. */
export function honorPreview(members: readonly HonorMember[], args: HonorPublishArgs, problem: string | null): HonorPreview {
  const { marks } = honorLists(members, args, '')
  const entries = members.map((m, i): HonorPreviewEntry | null => {
    const mark = marks[i]!
    return mark.list ? { name: m.name, branchName: m.branchName, points: m.points, list: mark.list, reasons: mark.reasons } : null
  })
  const sorted = entries
    .filter((e) => e !== null)
    .sort((a, b) => a.branchName.localeCompare(b.branchName, 'zh-CN') || b.points - a.points || a.name.localeCompare(b.name, 'zh-CN'))
  return {
    month: args.month,
    evaluated: members.length,
    red: sorted.filter((e) => e.list === 'red'),
    yellow: sorted.filter((e) => e.list === 'yellow'),
    problem,
  }
}

/** The month's lists and every member's mark. Ties at the last red place all make the list. */
export function honorLists(
  members: readonly HonorMember[],
  args: HonorPublishArgs,
  publishedAt: string,
): { list: HonorListRow; marks: HonorMarkRow[] } {
  const reasons = new Map(members.map((m) => [m.id, yellowReasons(m, args.threshold)]))
  const red = new Set<string>()
  const byBranch = new Map<string, HonorMember[]>()
  for (const m of members) {
    if (reasons.get(m.id)!.length > 0 || m.points <= 0) continue
    byBranch.set(m.branchId, [...(byBranch.get(m.branchId) ?? []), m])
  }
  for (const candidates of byBranch.values()) {
    const sorted = [...candidates].sort((a, b) => b.points - a.points)
    const cutoff = sorted[Math.min(args.redPerBranch, sorted.length) - 1]!.points
    for (const m of sorted) if (m.points >= cutoff) red.add(m.id)
  }
  const byName = (a: HonorMember, b: HonorMember) =>
    a.branchName.localeCompare(b.branchName, 'zh-CN') || b.points - a.points || a.name.localeCompare(b.name, 'zh-CN')
  const list: HonorListRow = {
    id: args.month,
    month: args.month,
    threshold: args.threshold,
    red: members
      .filter((m) => red.has(m.id))
      .sort(byName)
      .map((m) => ({ name: m.name, branchName: m.branchName, points: m.points })),
    yellow: members
      .filter((m) => reasons.get(m.id)!.length > 0)
      .sort(byName)
      .map((m) => ({ name: m.name, branchName: m.branchName })),
    publishedAt,
  }
  const marks: HonorMarkRow[] = members.map((m) => {
    const why = reasons.get(m.id)!
    return {
      id: args.month,
      month: args.month,
      list: red.has(m.id) ? 'red' : why.length ? 'yellow' : null,
      points: m.points,
      threshold: args.threshold,
      reasons: why,
    }
  })
  return { list, marks }
}
