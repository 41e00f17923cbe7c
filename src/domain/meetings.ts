// 三会一课 (issue 5): scheduling, attendance (on site, remote, by proxy), leave, quorum and rates.
// Pure rules; the server applies them, the app shows what they say before the server confirms.
import { instant, line, ref, text, z } from './validation'
import type { MemberRow } from './members'
import { isCurrent } from './rosterOverlay'

export const MEETING_TYPES = ['assembly', 'committee', 'group', 'lecture', 'theme_day', 'org_life', 'review'] as const
export type MeetingType = (typeof MEETING_TYPES)[number]
export const MEETING_TYPE_LABELS: Record<MeetingType, string> = {
  assembly: '支部党员大会',
  committee: '支委会',
  group: '党小组会',
  lecture: '党课',
  theme_day: '主题党日',
  // Once a year (issue 13's warning rules).
  org_life: '组织生活会',
  review: '民主评议党员',
}

export const AUDIENCES = ['branch', 'committee', 'group'] as const
export type Audience = (typeof AUDIENCES)[number]
export const AUDIENCE_LABELS: Record<Audience, string> = { branch: '全体党员', committee: '支委成员', group: '党小组成员' }

/** A check-in this long after the start still counts as on time. */
export const ON_TIME_GRACE_MS = 5 * 60_000
/** On-site check-in opens this long before the start. */
export const CHECKIN_OPENS_BEFORE_MS = 30 * 60_000
/** Below this share of the meeting a remote attendee is 部分参会. */
export const PARTIAL_SHARE = 0.5

const iso = instant('时间格式不正确')

export const meetingDraftSchema = z
  .object({
    id: z.string().check(z.regex(/^[\w-]{1,64}$/, '会议编号只能用字母、数字、连字符')),
    branchId: ref(64, '请选择支部'),
    type: z.enum(MEETING_TYPES),
    title: line({ trim: true, min: 2, max: 60, tooShort: '请填写会议名称（至少2个字）', tooLong: '会议名称不超过60字' }),
    agenda: text({ trim: true, max: 2000, tooLong: '议程不超过2000字' }),
    place: line({ trim: true, min: 1, max: 60, tooShort: '请填写会议地点', tooLong: '地点不超过60字' }),
    startsAt: iso,
    endsAt: iso,
    audience: z.enum(AUDIENCES),
    /** For a committee or party-group meeting: who is expected. A branch meeting expects the whole branch. */
    memberIds: z.array(ref()).check(z.maxLength(200)),
    remoteAllowed: z.boolean(),
    /** Besides members working away (外出务工), who the secretary allows to attend remotely. */
    remoteMemberIds: z.array(ref()).check(z.maxLength(200)),
    videoUrl: z.nullable(z.string().check(z.regex(/^https:\/\/\S{4,300}$/, '视频链接须以 https:// 开头'))),
    materialIds: z.array(ref()).check(z.maxLength(20, '附件资料不超过20份')),
    /** Only the admin may record a meeting after the fact, and only with the reason. */
    backfillReason: z.nullable(text({ trim: true, min: 4, max: 200, tooShort: '补录原因至少4个字', tooLong: '补录原因不超过200字' })),
  })
  .check(
    z.refine((m) => Date.parse(m.endsAt) > Date.parse(m.startsAt), { message: '结束时间须晚于开始时间', path: ['endsAt'] }),
    z.refine((m) => Date.parse(m.endsAt) - Date.parse(m.startsAt) <= 8 * 3600_000, { message: '一次会议不超过8小时', path: ['endsAt'] }),
    z.refine((m) => m.audience === 'branch' || m.memberIds.length > 0, { message: '请选择参会人员', path: ['memberIds'] }),
  )
export type MeetingDraft = z.infer<typeof meetingDraftSchema>

export const MEETING_STATUSES = ['scheduled', 'closed', 'cancelled'] as const
export type MeetingStatus = (typeof MEETING_STATUSES)[number]

/** A meeting as devices see it (branch scope). */
export const meetingRowSchema = z.object({
  id: z.string(),
  branchId: z.string(),
  type: z.enum(MEETING_TYPES),
  title: z.string(),
  agenda: z.string(),
  place: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  audience: z.enum(AUDIENCES),
  expectedIds: z.array(z.string()),
  remoteAllowed: z.boolean(),
  remoteMemberIds: z.array(z.string()),
  videoUrl: z.nullable(z.string()),
  materialIds: z.array(z.string()),
  status: z.enum(MEETING_STATUSES),
  minutes: z.nullable(z.string()),
  backfillReason: z.nullable(z.string()),
  closedAt: z.nullable(z.string()),
})
export type MeetingRow = z.infer<typeof meetingRowSchema>

export const ATTENDANCE_MODES = ['onsite', 'remote', 'proxy'] as const
export type AttendanceMode = (typeof ATTENDANCE_MODES)[number]
export const ATTENDANCE_MODE_LABELS: Record<AttendanceMode, string> = { onsite: '现场签到', remote: '远程参会', proxy: '代签' }

export const ATTENDANCE_OUTCOMES = ['on_time', 'late', 'partial', 'excused', 'absent'] as const
export type AttendanceOutcome = (typeof ATTENDANCE_OUTCOMES)[number]
export const OUTCOME_LABELS: Record<AttendanceOutcome, string> = {
  on_time: '按时参会',
  late: '迟到',
  partial: '部分参会',
  excused: '请假',
  absent: '缺席',
}

/** One member's attendance at one meeting (branch scope; id `meeting:member`). */
export const attendanceRowSchema = z.object({
  id: z.string(),
  meetingId: z.string(),
  memberId: z.string(),
  mode: z.enum(ATTENDANCE_MODES),
  checkedInAt: z.string(),
  /** Remote only: seconds the room saw the member's heartbeat. */
  remoteSeconds: z.int(),
  /** Proxy only: the secretary who signed, and why. */
  proxyBy: z.nullable(z.string()),
  note: z.nullable(z.string()),
  /**
   * 待核实: a check-in the server did not trust by itself (it arrived long after its code, or from a phone
   * whose clock was far off), and what the secretary made of it. null (or absent, on rows synced before
   * this field): trusted as it came.
   */
  review: z.optional(z.nullable(z.enum(['pending', 'confirmed', 'refused']))),
  /** Why it was held for review, in words for the secretary. */
  reviewReason: z.optional(z.nullable(z.string())),
  reviewedBy: z.optional(z.nullable(z.string())),
  reviewedAt: z.optional(z.nullable(z.string())),
  /** The secretary's note when confirming or refusing. */
  reviewNote: z.optional(z.nullable(z.string())),
})
export type AttendanceRow = z.infer<typeof attendanceRowSchema>
export type AttendanceReview = NonNullable<AttendanceRow['review']>
export const REVIEW_LABELS: Record<AttendanceReview, string> = { pending: '待核实', confirmed: '核实通过', refused: '核实未通过' }

export const LEAVE_STATUSES = ['pending', 'approved', 'refused'] as const
export type LeaveStatus = (typeof LEAVE_STATUSES)[number]
export const LEAVE_STATUS_LABELS: Record<LeaveStatus, string> = { pending: '待审批', approved: '已批准', refused: '未批准' }

/** A leave request (branch scope; id `meeting:member`): the branch sees who is on leave, the reason too. */
export const leaveRowSchema = z.object({
  id: z.string(),
  meetingId: z.string(),
  memberId: z.string(),
  reason: z.string(),
  status: z.enum(LEAVE_STATUSES),
  requestedAt: z.string(),
  decidedBy: z.nullable(z.string()),
  decidedAt: z.nullable(z.string()),
  note: z.nullable(z.string()),
})
export type LeaveRow = z.infer<typeof leaveRowSchema>

/** A meeting's check-in key (only on secretaries' and the admin's devices; id = meeting id). */
export const meetingKeyRowSchema = z.object({ id: z.string(), key: z.string() })
export type MeetingKeyRow = z.infer<typeof meetingKeyRowSchema>

/** A message in a meeting's live chat (即时沟通), kept with the meeting's record (branch scope). */
export const meetingMessageRowSchema = z.object({
  id: z.string(),
  meetingId: z.string(),
  memberId: z.string(),
  name: z.string(),
  text: z.string(),
  sentAt: z.string(),
})
export type MeetingMessageRow = z.infer<typeof meetingMessageRowSchema>
export const chatMessageSchema = z.object({
  text: text({ trim: true, min: 1, max: 500, tooShort: '请输入内容', tooLong: '一条消息不超过500字' }),
})

export const meetingScheduleArgsSchema = z.object({ meeting: meetingDraftSchema })
export const meetingCheckinArgsSchema = z.object({
  meetingId: ref(),
  token: line({ min: 10, max: 200 }),
  scannedAt: iso,
})
export const meetingProxyArgsSchema = z.object({
  meetingId: ref(),
  memberId: ref(),
  note: text({ trim: true, min: 2, max: 200, tooShort: '请写明代签原因（至少2个字）', tooLong: '代签原因不超过200字' }),
})
export const leaveRequestArgsSchema = z.object({
  meetingId: ref(),
  reason: text({ trim: true, min: 2, max: 200, tooShort: '请写明请假原因（至少2个字）', tooLong: '原因不超过200字' }),
})
export const leaveDecideArgsSchema = z.object({
  meetingId: ref(),
  memberId: ref(),
  approve: z.boolean(),
  note: z.nullable(text({ max: 200, tooLong: '说明不超过200字' })),
})
export const attendanceReviewArgsSchema = z.object({
  meetingId: ref(),
  memberId: ref(),
  /** true: 核实通过 (present as checked in); false: refused, the member counts as absent. */
  confirm: z.boolean(),
  note: z.nullable(line({ trim: true, max: 200, tooLong: '说明不超过200字' })),
})
export const meetingCloseArgsSchema = z.object({
  meetingId: ref(),
  minutes: text({ trim: true, min: 10, max: 20_000, tooShort: '会议记录至少10个字', tooLong: '会议记录不超过2万字' }),
})

/** Why a meeting can't be scheduled as drafted, or null. `now` is the server's clock. */
export function schedulingProblem(
  draft: Pick<MeetingDraft, 'startsAt' | 'backfillReason'>,
  role: 'secretary' | 'admin',
  now: Date,
): string | null {
  if (Date.parse(draft.startsAt) > now.getTime()) return null
  if (role !== 'admin') return '会议开始时间须晚于现在；不能事后补建会议'
  if (!draft.backfillReason) return '补录已开过的会议须写明原因'
  return null
}

type Actor = { id: string; role: 'member' | 'secretary' | 'admin'; branchId: string | null }

/** A secretary acts for their own branch; the admin for any. */
export function mayManageBranch(viewer: Actor, branchId: string): boolean {
  return viewer.role === 'admin' || (viewer.role === 'secretary' && viewer.branchId === branchId)
}

/**
 * Why this secretary can't 代签 this member, or null. Nobody signs for themselves: a secretary who did
 * would then earn the attendance points by closing the meeting (as nobody approves their own leave).
 */
export function proxyProblem(viewer: Actor, meeting: Pick<MeetingRow, 'branchId'>, memberId: string): string | null {
  if (!mayManageBranch(viewer, meeting.branchId)) return '只有本支部书记可以代签'
  if (memberId === viewer.id) return '不能为自己代签，请扫码签到或请支部其他同志核实'
  return null
}

/** Why this viewer can't review (核实) this check-in, or null: the branch's secretary or the admin, never on their own. */
export function reviewProblem(
  viewer: Actor,
  meeting: Pick<MeetingRow, 'branchId'>,
  attendance: Pick<AttendanceRow, 'memberId' | 'review'> | undefined,
): { code: string; message: string } | null {
  if (!mayManageBranch(viewer, meeting.branchId)) return { code: 'forbidden', message: '只有本支部书记可以核实签到' }
  if (!attendance) return { code: 'not_found', message: '找不到这条签到记录' }
  if (attendance.memberId === viewer.id) return { code: 'forbidden', message: '不能核实自己的签到' }
  if (attendance.review !== 'pending')
    return { code: 'not_pending', message: attendance.review ? `这条签到已${REVIEW_LABELS[attendance.review]}` : '这条签到不需要核实' }
  return null
}

/**
 * Who a branch-wide meeting expects: the branch's current members at the moment it is scheduled or closed,
 * so never the admin, nor anyone whose membership ended (issue 12). Sorted, as the server stores it.
 */
export function branchAudience(members: readonly Pick<MemberRow, 'id' | 'branchId' | 'role' | 'endedAt'>[], branchId: string): string[] {
  return members
    .filter((m) => m.branchId === branchId && m.role !== 'admin' && isCurrent(m))
    .map((m) => m.id)
    .sort()
}

/**
 * A meeting still to be held no longer expects a member who left its branch (membership ended, or moved):
 * closing it must record no absence for them. null when they were not on it. Closed meetings keep them.
 */
export function withoutMember<M extends Pick<MeetingRow, 'expectedIds' | 'remoteMemberIds'>>(meeting: M, memberId: string): M | null {
  if (!meeting.expectedIds.includes(memberId) && !meeting.remoteMemberIds.includes(memberId)) return null
  return {
    ...meeting,
    expectedIds: meeting.expectedIds.filter((id) => id !== memberId),
    remoteMemberIds: meeting.remoteMemberIds.filter((id) => id !== memberId),
  }
}

/**
 * The device's view of a scheduled meeting once the leavers it knows of are off it, as the server will
 * have it (`withoutMember` at member.end and member.move). A member the device has no row for is kept:
 * a missing row is not yet synced, not proof of leaving.
 */
export function withoutLeavers<M extends Pick<MeetingRow, 'branchId' | 'status' | 'expectedIds' | 'remoteMemberIds'>>(
  meeting: M,
  members: ReadonlyMap<string, Pick<MemberRow, 'branchId' | 'endedAt'>>,
): M {
  if (meeting.status !== 'scheduled') return meeting
  const left = (id: string) => {
    const member = members.get(id)
    return member !== undefined && (!isCurrent(member) || member.branchId !== meeting.branchId)
  }
  return meeting.expectedIds.some(left) || meeting.remoteMemberIds.some(left)
    ? {
        ...meeting,
        expectedIds: meeting.expectedIds.filter((id) => !left(id)),
        remoteMemberIds: meeting.remoteMemberIds.filter((id) => !left(id)),
      }
    : meeting
}

/** Who may attend remotely: members working away, and those the secretary allowed, if the meeting allows it at all. */
export function mayAttendRemotely(
  meeting: Pick<MeetingRow, 'remoteAllowed' | 'remoteMemberIds' | 'expectedIds'>,
  member: { id: string; status: 'home' | 'away' },
): boolean {
  if (!meeting.remoteAllowed || !meeting.expectedIds.includes(member.id)) return false
  return member.status === 'away' || meeting.remoteMemberIds.includes(member.id)
}

/** Whether an on-site check-in at `at` falls in the meeting's window: from 30 minutes before the start to the end. */
export function inCheckinWindow(meeting: Pick<MeetingRow, 'startsAt' | 'endsAt'>, at: number): boolean {
  return at >= Date.parse(meeting.startsAt) - CHECKIN_OPENS_BEFORE_MS && at <= Date.parse(meeting.endsAt)
}

export function meetingSeconds(meeting: Pick<MeetingRow, 'startsAt' | 'endsAt'>): number {
  return Math.round((Date.parse(meeting.endsAt) - Date.parse(meeting.startsAt)) / 1000)
}

/**
 * How a member's attendance counts once the meeting is closed. A check-in the secretary refused on review
 * counts as none; one still 待核实 counts as it came (present) until reviewed (its points wait: `attendancePoints`).
 */
export function attendanceOutcome(
  meeting: Pick<MeetingRow, 'startsAt' | 'endsAt'>,
  attendance: (Pick<AttendanceRow, 'mode' | 'checkedInAt' | 'remoteSeconds'> & Partial<Pick<AttendanceRow, 'review'>>) | undefined,
  leave: Pick<LeaveRow, 'status'> | undefined,
): AttendanceOutcome {
  if (!attendance || attendance.review === 'refused') return leave?.status === 'approved' ? 'excused' : 'absent'
  if (attendance.mode === 'remote' && attendance.remoteSeconds < meetingSeconds(meeting) * PARTIAL_SHARE) return 'partial'
  if (attendance.mode === 'proxy') return 'on_time'
  return Date.parse(attendance.checkedInAt) <= Date.parse(meeting.startsAt) + ON_TIME_GRACE_MS ? 'on_time' : 'late'
}

/**
 * The points event a closed meeting gives a member: present (on time or late) +, unexcused absence −;
 * partial and excused neither; and nothing yet while the check-in is 待核实 (given on review).
 */
export function attendancePoints(
  outcome: AttendanceOutcome,
  review: AttendanceRow['review'],
): 'meeting.attended' | 'meeting.absent' | null {
  if (review === 'pending') return null
  if (outcome === 'on_time' || outcome === 'late') return 'meeting.attended'
  return outcome === 'absent' ? 'meeting.absent' : null
}

/** Whether the outcome counts as present for rates and the quorum. */
export const isPresent = (outcome: AttendanceOutcome) => outcome === 'on_time' || outcome === 'late' || outcome === 'partial'

/** 支部党员大会 needs more than half of the expected (voting) members present. */
export function quorum(expected: number, present: number): { needed: number; met: boolean } {
  const needed = Math.floor(expected / 2) + 1
  return { needed, met: present >= needed }
}

export interface RateInput {
  meetings: readonly Pick<MeetingRow, 'id' | 'branchId' | 'startsAt' | 'endsAt' | 'expectedIds' | 'status'>[]
  attendance: readonly (Pick<AttendanceRow, 'meetingId' | 'memberId' | 'mode' | 'checkedInAt' | 'remoteSeconds'> &
    Partial<Pick<AttendanceRow, 'review'>>)[]
  leaves: readonly Pick<LeaveRow, 'meetingId' | 'memberId' | 'status'>[]
  /** Members working away (外出务工): their rate is shown on its own. */
  awayIds: ReadonlySet<string>
}

export interface Rate {
  expected: number
  present: number
  onsite: number
  remote: number
  excused: number
  absent: number
  /** Present / expected, 0–1; null when nobody was expected. */
  rate: number | null
}

const emptyRate = (): Rate => ({ expected: 0, present: 0, onsite: 0, remote: 0, excused: 0, absent: 0, rate: null })

/** Attendance rates over closed meetings: overall, per meeting, per member, and for migrant members alone. */
export function attendanceRates(input: RateInput): {
  overall: Rate
  away: Rate
  byMeeting: Map<string, Rate>
  byMember: Map<string, Rate>
} {
  const key = (meetingId: string, memberId: string) => `${meetingId}|${memberId}`
  const attendance = new Map(input.attendance.map((a) => [key(a.meetingId, a.memberId), a]))
  const leaves = new Map(input.leaves.map((l) => [key(l.meetingId, l.memberId), l]))
  const overall = emptyRate()
  const away = emptyRate()
  const byMeeting = new Map<string, Rate>()
  const byMember = new Map<string, Rate>()
  for (const meeting of input.meetings) {
    if (meeting.status !== 'closed') continue
    const forMeeting = emptyRate()
    byMeeting.set(meeting.id, forMeeting)
    for (const memberId of meeting.expectedIds) {
      const a = attendance.get(key(meeting.id, memberId))
      const outcome = attendanceOutcome(meeting, a, leaves.get(key(meeting.id, memberId)))
      const forMember = byMember.get(memberId) ?? emptyRate()
      byMember.set(memberId, forMember)
      for (const rate of [overall, forMeeting, forMember, ...(input.awayIds.has(memberId) ? [away] : [])]) {
        rate.expected++
        if (isPresent(outcome)) {
          rate.present++
          if (a?.mode === 'remote') rate.remote++
          else rate.onsite++
        } else if (outcome === 'excused') rate.excused++
        else rate.absent++
      }
    }
  }
  for (const rate of [overall, away, ...byMeeting.values(), ...byMember.values()])
    rate.rate = rate.expected ? rate.present / rate.expected : null
  return { overall, away, byMeeting, byMember }
}
