// 朋友圈 board (issue 6): topics posted by a branch secretary (or the admin, town-wide), comments members
// post on behalf of the households they look after, and each comment's handling to resolution within a
// deadline (群众反馈 → 党员收集 → 组织汇总 → 限时办结). Pure rules; the server applies them with its own
// clock, the app shows what they say before the server confirms.
import { line, ref, text, z } from './validation'
import { addDays, dayInShanghai, endOfShanghaiDay, isCalendarDay, monthOf } from './calendar'
import type { Viewer } from './sync'

export const TOPIC_CATEGORIES = ['affairs', 'environment', 'industry', 'livelihood', 'other'] as const
export type TopicCategory = (typeof TOPIC_CATEGORIES)[number]
export const TOPIC_CATEGORY_LABELS: Record<TopicCategory, string> = {
  affairs: '村务公开',
  environment: '人居环境',
  industry: '产业发展',
  livelihood: '民生服务',
  other: '其他',
}

export const COMMENT_CATEGORIES = ['suggestion', 'need', 'other'] as const
export type CommentCategory = (typeof COMMENT_CATEGORIES)[number]
export const COMMENT_CATEGORY_LABELS: Record<CommentCategory, string> = { suggestion: '意见建议', need: '生活需求', other: '其他' }

export const COMMENT_STATUSES = ['pending', 'accepted', 'resolved', 'rejected', 'merged'] as const
export type CommentStatus = (typeof COMMENT_STATUSES)[number]
export const COMMENT_STATUS_LABELS: Record<CommentStatus, string> = {
  pending: '待处理',
  accepted: '已受理',
  resolved: '已办结',
  rejected: '不予采纳',
  merged: '已合并',
}
/** Not a stored status: an accepted comment past its deadline, shown in red (see `displayStatus`). */
export const OVERDUE_LABEL = '已超期'

export const TOPIC_TITLE_MIN = 2
export const TOPIC_TITLE_MAX = 60
export const TOPIC_TEXT_MAX = 2000
export const TOPIC_PHOTOS_MAX = 9
/** How long a topic may stay open for comments, counted from the day it is posted. */
export const TOPIC_OPEN_DAYS_MAX = 366
/** Shown as the member types (`已输入 n/500`). */
export const COMMENT_MAX_LENGTH = 500
export const COMMENT_PHOTOS_MAX = 3
export const REPLY_MAX_LENGTH = 1000
export const REASON_MAX_LENGTH = 200
/** 限时办结: the deadline when the handler doesn't choose one. */
export const DEFAULT_DEADLINE_DAYS = 7
export const MAX_DEADLINE_DAYS = 60

/**
 * Rate limits on posting comments, per member; each window is rolling (the last 10 minutes, the last
 * 24 hours), so there is no burst at midnight. A village meeting collecting ten households' opinions
 * stays well under them; a stuck script does not.
 */
export const RATE_LIMITS = [
  { windowMs: 10 * 60_000, max: 10, message: '发言太频繁，请稍后再试（10分钟内最多10条）' },
  { windowMs: 24 * 3600_000, max: 50, message: '今天发言已达上限（24小时内最多50条），请明天再试' },
] as const

const id = z.string().check(z.regex(/^[\w-]{1,64}$/, '编号只能用字母、数字、连字符'))
const photoId = z.string().check(z.regex(/^[\w-]{1,64}$/, '照片编号不正确'))
const isoDay = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD'), z.refine(isCalendarDay, '日期不存在'))

// ---------------------------------------------------------------------------------------------- topics

export const topicDraftSchema = z.object({
  id,
  /** null: a town-wide topic, posted by the admin. */
  branchId: z.nullable(ref(64, '请选择支部')),
  category: z.enum(TOPIC_CATEGORIES, '请选择话题类别'),
  title: line({
    trim: true,
    min: TOPIC_TITLE_MIN,
    max: TOPIC_TITLE_MAX,
    tooShort: `请填写标题（至少${TOPIC_TITLE_MIN}个字）`,
    tooLong: `标题不超过${TOPIC_TITLE_MAX}字`,
  }),
  text: text({ trim: true, max: TOPIC_TEXT_MAX, tooLong: `正文不超过${TOPIC_TEXT_MAX}字` }),
  /** Photo ids (uploaded separately). */
  photos: z.array(photoId).check(z.maxLength(TOPIC_PHOTOS_MAX, `照片最多${TOPIC_PHOTOS_MAX}张`)),
  /** The last day (Asia/Shanghai) comments are taken; they close at its end. */
  closesOn: isoDay,
})
export type TopicDraft = z.infer<typeof topicDraftSchema>

/** A topic as devices see it. */
export const topicRowSchema = z.object({
  id: z.string(),
  branchId: z.nullable(z.string()),
  category: z.enum(TOPIC_CATEGORIES),
  title: z.string(),
  text: z.string(),
  photos: z.array(z.string()),
  closesOn: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type TopicRow = z.infer<typeof topicRowSchema>

export type Refusal = { ok: false; code: string; message: string }
const refuse = (code: string, message: string): Refusal => ({ ok: false, code, message })

/** Who may post (and edit) a topic there: a secretary in their own branch, the admin anywhere (null = town-wide). */
export function mayPostTopic(viewer: Viewer, branchId: string | null): boolean {
  if (viewer.role === 'admin') return true
  return viewer.role === 'secretary' && branchId !== null && viewer.branchId === branchId
}

/** Why a topic can't be posted as drafted (by whom, when), or null. */
export function topicProblem(draft: Pick<TopicDraft, 'branchId' | 'closesOn'>, viewer: Viewer, now: Date): Refusal | null {
  if (!mayPostTopic(viewer, draft.branchId)) {
    return refuse('forbidden', draft.branchId === null ? '只有镇党委管理员可以发布全镇话题' : '只能在本支部发布话题')
  }
  const today = dayInShanghai(now)
  if (draft.closesOn < today) return refuse('invalid_args', '截止日期不能早于今天')
  if (draft.closesOn > addDays(today, TOPIC_OPEN_DAYS_MAX)) return refuse('invalid_args', '截止日期不能超过一年')
  return null
}

/** The last instant comments are taken: the end of `closesOn` in Asia/Shanghai. */
export function topicClosesAt(topic: Pick<TopicRow, 'closesOn'>): number {
  return endOfShanghaiDay(topic.closesOn)
}

export function isTopicOpen(topic: Pick<TopicRow, 'closesOn'>, now: Date): boolean {
  return now.getTime() <= topicClosesAt(topic)
}

/** What 朋友圈 shows under a topic: the comment count and how many were resolved. */
export function topicSummary(
  topicId: string,
  comments: readonly Pick<CommentRow, 'topicId' | 'status'>[],
): { comments: number; resolved: number } {
  let count = 0
  let resolved = 0
  for (const c of comments) {
    if (c.topicId !== topicId) continue
    count++
    if (c.status === 'resolved') resolved++
  }
  return { comments: count, resolved }
}

/** The feed, newest first (ties by id, so every device shows the same order). */
export function sortFeed<T extends Pick<TopicRow, 'id' | 'createdAt'>>(topics: readonly T[]): T[] {
  return [...topics].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
}

// -------------------------------------------------------------------------------------------- comments

export const commentDraftSchema = z.object({
  id,
  topicId: ref(),
  text: text({ trim: true, min: 1, max: COMMENT_MAX_LENGTH, tooShort: '请填写内容', tooLong: `内容不超过${COMMENT_MAX_LENGTH}字` }),
  category: z.enum(COMMENT_CATEGORIES, '请选择类别'),
  /** On behalf of one of the households the member looks after (党员中心户联系十户), or null. */
  householdId: z.nullable(ref()),
  photos: z.array(photoId).check(z.maxLength(COMMENT_PHOTOS_MAX, `照片最多${COMMENT_PHOTOS_MAX}张`)),
})
export type CommentDraft = z.infer<typeof commentDraftSchema>

/** A comment as devices see it (after `redactComment` for this viewer). */
export const commentRowSchema = z.object({
  id: z.string(),
  topicId: z.string(),
  /** The topic's branch (null for a town-wide topic), copied so handling rights and sync scope need no lookup. */
  branchId: z.nullable(z.string()),
  authorId: z.string(),
  /** Shown beside the comment: members of other branches comment on town-wide topics, and their rows aren't synced here. */
  authorName: z.string(),
  /** The author's branch when they posted: its secretary looks after the households. */
  authorBranchId: z.nullable(z.string()),
  text: z.string(),
  category: z.enum(COMMENT_CATEGORIES),
  /** The household and its head's name: only the branch's secretary, the admin and the author see them. */
  householdId: z.nullable(z.string()),
  residentName: z.nullable(z.string()),
  photos: z.array(z.string()),
  status: z.enum(COMMENT_STATUSES),
  /** Set on acceptance: the end of the deadline's day in Asia/Shanghai, as an ISO instant. */
  deadline: z.nullable(z.string()),
  handlerId: z.nullable(z.string()),
  reply: z.nullable(z.string()),
  reason: z.nullable(z.string()),
  mergedInto: z.nullable(z.string()),
  /** Member ids who liked it (点赞). */
  likedBy: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  acceptedAt: z.nullable(z.string()),
  /** When it was resolved, rejected or merged. */
  closedAt: z.nullable(z.string()),
})
export type CommentRow = z.infer<typeof commentRowSchema>

const reply = text({
  trim: true,
  min: 2,
  max: REPLY_MAX_LENGTH,
  tooShort: '请填写办理结果（至少2个字）',
  tooLong: `办理结果不超过${REPLY_MAX_LENGTH}字`,
})
const reason = text({
  trim: true,
  min: 2,
  max: REASON_MAX_LENGTH,
  tooShort: '请写明原因（至少2个字）',
  tooLong: `原因不超过${REASON_MAX_LENGTH}字`,
})

/** What a handler or the author may do to a comment. */
export const commentActionSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('accept'),
    /** 限时办结 in days from the day of acceptance; `DEFAULT_DEADLINE_DAYS` when absent. */
    days: z.optional(z.int().check(z.minimum(1, '办理期限至少1天'), z.maximum(MAX_DEADLINE_DAYS, `办理期限不超过${MAX_DEADLINE_DAYS}天`))),
    /** Who handles it; the one accepting when absent. */
    handlerId: z.optional(ref()),
  }),
  z.object({ type: z.literal('resolve'), reply }),
  z.object({ type: z.literal('reject'), reason }),
  z.object({ type: z.literal('merge'), into: ref(128, '请选择合并到的留言'), reason }),
  /** The author's edit while 待处理; the household stays (to change it, delete and post again). */
  z.object({
    type: z.literal('edit'),
    text: commentDraftSchema.shape.text,
    category: commentDraftSchema.shape.category,
    photos: commentDraftSchema.shape.photos,
  }),
])
export type CommentAction = z.infer<typeof commentActionSchema>
export const COMMENT_ACTION_LABELS: Record<CommentAction['type'], string> = {
  accept: '受理留言',
  resolve: '办结留言',
  reject: '不予采纳',
  merge: '合并留言',
  edit: '修改留言',
}

export const commentActArgsSchema = z.object({ commentId: ref(), action: commentActionSchema })
export const commentDeleteArgsSchema = z.object({ commentId: ref() })
/** Sets (not toggles) the sender's like, so replaying it from the outbox is harmless. */
export const commentLikeArgsSchema = z.object({ commentId: ref(), liked: z.boolean() })

export const topicSaveArgsSchema = z.object({ topic: topicDraftSchema })
export const commentPostArgsSchema = z.object({ comment: commentDraftSchema })

/** A household a 党员中心户 looks after, synced only to that member's own devices. */
export const householdRowSchema = z.object({
  id: z.string(),
  memberId: z.string(),
  headName: z.string(),
  address: z.string(),
  people: z.int(),
})
export type HouseholdRow = z.infer<typeof householdRowSchema>

/**
 * An in-app notice to one member (their private scope): what became of their comment, or (issue 13,
 * `rectification`) a step of a 整改提示单, whose `topicId` and `commentId` are then empty.
 */
export const noticeRowSchema = z.object({
  id: z.string(),
  kind: z.enum(['comment', 'rectification']),
  /** For a `rectification` notice: the notice it is about. */
  rectificationId: z.optional(z.string()),
  topicId: z.string(),
  commentId: z.string(),
  title: z.string(),
  body: z.string(),
  createdAt: z.string(),
  readAt: z.nullable(z.string()),
})
export type NoticeRow = z.infer<typeof noticeRowSchema>
export const noticeReadArgsSchema = z.object({ noticeIds: z.array(ref(200)).check(z.minLength(1), z.maxLength(200)) })

/** 12月5日 (Asia/Shanghai): how a deadline is said. */
export function shanghaiMonthDay(at: string | number): string {
  const [, month, day] = dayInShanghai(at).split('-')
  return `${Number(month)}月${Number(day)}日`
}

/** What the author is told when a handler changes their comment's status. */
export function commentNotice(
  comment: Pick<CommentRow, 'status' | 'deadline' | 'reply' | 'reason' | 'text'>,
): { title: string; body: string } | null {
  const excerpt = comment.text.length > 30 ? `${comment.text.slice(0, 30)}…` : comment.text
  switch (comment.status) {
    case 'accepted':
      return {
        title: '您的留言已受理',
        body: `“${excerpt}”已受理，限时${comment.deadline ? shanghaiMonthDay(comment.deadline) : ''}前办结。`,
      }
    case 'resolved':
      return { title: '您的留言已办结', body: `“${excerpt}”已办结。办理结果：${comment.reply ?? ''}` }
    case 'rejected':
      return { title: '您的留言不予采纳', body: `“${excerpt}”不予采纳。原因：${comment.reason ?? ''}` }
    case 'merged':
      return { title: '您的留言已合并办理', body: `“${excerpt}”已与同类留言合并办理。说明：${comment.reason ?? ''}` }
    case 'pending':
      return null
  }
}

/** Who handles a topic's comments: the branch's secretary for a branch topic, the admin for any. */
export function mayHandle(viewer: Viewer, topic: Pick<TopicRow, 'branchId'>): boolean {
  if (viewer.role === 'admin') return true
  return viewer.role === 'secretary' && topic.branchId !== null && viewer.branchId === topic.branchId
}

/** Whether this viewer sees who the resident is: the author, the admin, the secretary of the topic's or the author's branch. */
export function seesResident(
  comment: Pick<CommentRow, 'authorId' | 'authorBranchId'>,
  viewer: Viewer,
  topic: Pick<TopicRow, 'branchId'>,
): boolean {
  if (viewer.id === comment.authorId || viewer.role === 'admin') return true
  if (viewer.role !== 'secretary' || viewer.branchId === null) return false
  return viewer.branchId === topic.branchId || viewer.branchId === comment.authorBranchId
}

/** The comment as this viewer may read it: the resident's name and household only for those who may see them. */
export function redactComment(comment: CommentRow, viewer: Viewer, topic: Pick<TopicRow, 'branchId'>): CommentRow {
  return seesResident(comment, viewer, topic) ? comment : { ...comment, householdId: null, residentName: null }
}

export interface PostingContext {
  author: Viewer
  authorName: string
  topic: Pick<TopicRow, 'id' | 'branchId' | 'closesOn'>
  /** The households the author looks after (their ten, for a 党员中心户). */
  households: readonly { id: string; headName: string }[]
  /** When the author's recent comments were posted (the last 24 hours suffice). */
  recentPostTimes: readonly string[]
  now: Date
}

/** A new comment (待处理), or why it can't be posted: the topic closed, a household not the author's, too many posts. */
export function postComment(draft: CommentDraft, ctx: PostingContext): { ok: true; comment: CommentRow } | Refusal {
  if (draft.topicId !== ctx.topic.id) return refuse('invalid_args', '留言与话题不符')
  if (!isTopicOpen(ctx.topic, ctx.now)) return refuse('topic_closed', `该话题已于${ctx.topic.closesOn}截止留言`)
  const household = draft.householdId === null ? null : ctx.households.find((h) => h.id === draft.householdId)
  if (household === undefined) return refuse('invalid_args', '只能代自己联系的农户留言')
  const rate = postingAllowed(ctx.recentPostTimes, ctx.now)
  if (!rate.ok) return rate
  const at = ctx.now.toISOString()
  return {
    ok: true,
    comment: {
      id: draft.id,
      topicId: draft.topicId,
      branchId: ctx.topic.branchId,
      authorId: ctx.author.id,
      authorName: ctx.authorName,
      authorBranchId: ctx.author.branchId,
      text: draft.text,
      category: draft.category,
      householdId: household?.id ?? null,
      residentName: household?.headName ?? null,
      photos: draft.photos,
      status: 'pending',
      deadline: null,
      handlerId: null,
      reply: null,
      reason: null,
      mergedInto: null,
      likedBy: [],
      createdAt: at,
      updatedAt: at,
      acceptedAt: null,
      closedAt: null,
    },
  }
}

/** Why this actor can't edit or delete the comment, or null: only the author, and only while 待处理. */
export function authorChangeProblem(comment: Pick<CommentRow, 'authorId' | 'status'>, actor: Viewer): Refusal | null {
  if (actor.id !== comment.authorId) return refuse('forbidden', '只能修改或删除自己的留言')
  if (comment.status !== 'pending') return refuse('not_pending', `留言${COMMENT_STATUS_LABELS[comment.status]}，不能再修改或删除`)
  return null
}

export const OWN_COMMENT_MESSAGE = '不能办理自己的留言，请由镇党委管理员或其他书记办理'

/** Whether this viewer may handle (受理, 办结, 不予采纳, 合并) this comment: its topic's handler, and never its author. */
export function mayHandleComment(viewer: Viewer, comment: Pick<CommentRow, 'branchId' | 'authorId'>): boolean {
  return mayHandle(viewer, comment) && viewer.id !== comment.authorId
}

/**
 * The status machine. 待处理 → 已受理 (deadline, handler) → 已办结 (reply); 待处理 or 已受理 → 不予采纳 (reason)
 * or 已合并 (into another comment, reason). 已办结, 不予采纳 and 已合并 are final. Handling is for
 * `mayHandle` on the comment's topic, never for its author (`mayHandleComment`); editing is for the author
 * while 待处理 (then nobody edits).
 * Whether a merge target exists and belongs to the same topic is `mergeTargetProblem`'s to say.
 */
export function transition(
  comment: CommentRow,
  action: CommentAction,
  actor: Viewer,
  now: Date,
): { ok: true; comment: CommentRow } | Refusal {
  const at = now.toISOString()
  if (action.type === 'edit') {
    const problem = authorChangeProblem(comment, actor)
    if (problem) return problem
    return { ok: true, comment: { ...comment, text: action.text, category: action.category, photos: action.photos, updatedAt: at } }
  }
  if (!mayHandle(actor, comment))
    return refuse('forbidden', comment.branchId === null ? '全镇话题的留言由镇党委管理员办理' : '只有本支部书记或镇党委管理员可以办理留言')
  // Nobody handles their own comment: whoever adopts a suggestion gives its author points (as nobody approves their own leave).
  if (actor.id === comment.authorId) return refuse('forbidden', OWN_COMMENT_MESSAGE)
  if (comment.status === 'resolved' || comment.status === 'rejected' || comment.status === 'merged') {
    return refuse('already_closed', `留言${COMMENT_STATUS_LABELS[comment.status]}，不能再办理`)
  }
  switch (action.type) {
    case 'accept': {
      if (comment.status !== 'pending') return refuse('already_accepted', '留言已受理')
      if (action.handlerId === comment.authorId) return refuse('forbidden', '留言人不能办理自己的留言，请另选办理人')
      const deadline = new Date(deadlineAfter(now, action.days ?? DEFAULT_DEADLINE_DAYS)).toISOString()
      return {
        ok: true,
        comment: { ...comment, status: 'accepted', deadline, handlerId: action.handlerId ?? actor.id, acceptedAt: at, updatedAt: at },
      }
    }
    case 'resolve':
      if (comment.status !== 'accepted') return refuse('not_accepted', '请先受理留言，再填写办理结果')
      return { ok: true, comment: { ...comment, status: 'resolved', reply: action.reply, closedAt: at, updatedAt: at } }
    case 'reject':
      return { ok: true, comment: { ...comment, status: 'rejected', reason: action.reason, closedAt: at, updatedAt: at } }
    case 'merge':
      if (action.into === comment.id) return refuse('invalid_args', '不能合并到自己')
      return {
        ok: true,
        comment: { ...comment, status: 'merged', mergedInto: action.into, reason: action.reason, closedAt: at, updatedAt: at },
      }
  }
}

/** Why `comment` can't be merged into `target`, or null: the target must be another live comment on the same topic. */
export function mergeTargetProblem(
  comment: Pick<CommentRow, 'id' | 'topicId'>,
  target: Pick<CommentRow, 'id' | 'topicId' | 'status'> | undefined,
): Refusal | null {
  if (!target) return refuse('not_found', '要合并到的留言不存在')
  if (target.id === comment.id) return refuse('invalid_args', '不能合并到自己')
  if (target.topicId !== comment.topicId) return refuse('invalid_args', '只能合并到同一话题下的留言')
  if (target.status === 'merged' || target.status === 'rejected')
    return refuse('invalid_args', `目标留言${COMMENT_STATUS_LABELS[target.status]}，不能合并到它`)
  return null
}

/** The comment with `memberId`'s like set or cleared. */
export function setLike(comment: CommentRow, memberId: string, liked: boolean): CommentRow {
  const has = comment.likedBy.includes(memberId)
  if (has === liked) return comment
  return { ...comment, likedBy: liked ? [...comment.likedBy, memberId] : comment.likedBy.filter((m) => m !== memberId) }
}

// ------------------------------------------------------------------------------------------- deadlines

/**
 * The deadline `days` days after acceptance: the end (23:59:59.999 +08:00) of the Shanghai calendar day
 * that many days after the day of acceptance. So a deadline is always a day's end, easy to say
 * ("12月5日前办结"), and never shorter than `days` × 24 hours: accepted on 28 Nov at 23:30, a 7-day
 * deadline ends on 5 Dec at 24:00, Beijing time, like one accepted at 08:00 the same day.
 */
export function deadlineAfter(acceptedAt: Date, days: number): number {
  return endOfShanghaiDay(addDays(dayInShanghai(acceptedAt), days))
}

/** 限时办结 by default: the end of the 7th day after the day of acceptance, Asia/Shanghai. */
export function defaultDeadline(acceptedAt: Date): number {
  return deadlineAfter(acceptedAt, DEFAULT_DEADLINE_DAYS)
}

/** 已超期: accepted, not resolved, and past its deadline. */
export function isOverdue(comment: Pick<CommentRow, 'status' | 'deadline'>, now: Date): boolean {
  return comment.status === 'accepted' && comment.deadline !== null && now.getTime() > Date.parse(comment.deadline)
}

/** The status to show: the stored one, or 已超期. */
export function displayStatus(
  comment: Pick<CommentRow, 'status' | 'deadline'>,
  now: Date,
): { key: CommentStatus | 'overdue'; label: string } {
  return isOverdue(comment, now)
    ? { key: 'overdue', label: OVERDUE_LABEL }
    : { key: comment.status, label: COMMENT_STATUS_LABELS[comment.status] }
}

// ------------------------------------------------------------------------------------------ rate limit

/**
 * Whether a member may post another comment now, given when their recent comments were posted. A post
 * counts in a window while it is younger than the window (a post exactly 10 minutes old no longer does).
 * When refused, `retryAt` is when the window next allows one.
 */
export function postingAllowed(recentPostTimes: readonly string[], now: Date): { ok: true } | (Refusal & { retryAt: string }) {
  const t = now.getTime()
  const times = recentPostTimes.map((s) => Date.parse(s)).sort((a, b) => a - b)
  let refusal: (Refusal & { retryAt: string }) | null = null
  for (const limit of RATE_LIMITS) {
    const inWindow = times.filter((p) => p > t - limit.windowMs)
    if (inWindow.length < limit.max) continue
    // Once the oldest (n − max + 1) posts have left the window, the count is below the limit.
    const retryAt = inWindow[inWindow.length - limit.max]! + limit.windowMs
    if (!refusal || retryAt > Date.parse(refusal.retryAt))
      refusal = { ...refuse('rate_limited', limit.message), retryAt: new Date(retryAt).toISOString() }
  }
  return refusal ?? { ok: true }
}

// ------------------------------------------------------------------------------------------ statistics

export interface BoardStats {
  topics: number
  topicsByCategory: Record<TopicCategory, number>
  comments: number
  byCategory: Record<CommentCategory, number>
  /** Ever accepted (including those since resolved, rejected or merged after acceptance). */
  accepted: number
  resolved: number
  /** Resolved no later than their deadline. */
  resolvedWithinDeadline: number
  /** Accepted, unresolved and past the deadline at `now`. */
  overdue: number
  rejected: number
  merged: number
  /** From posting to resolution, over the resolved comments; null when none. */
  averageHoursToResolve: number | null
}

/**
 * Figures for a branch or the town (pass that branch's or all topics and comments). With `month`
 * (YYYY-MM), only the topics and comments posted that month (Asia/Shanghai) count, with what has become
 * of those comments since: a cohort, so each month's figures add up.
 */
export function boardStats(
  topics: readonly Pick<TopicRow, 'category' | 'createdAt'>[],
  comments: readonly Pick<CommentRow, 'category' | 'status' | 'deadline' | 'createdAt' | 'acceptedAt' | 'closedAt'>[],
  options: { now: Date; month?: string },
): BoardStats {
  const inMonth = (at: string) => options.month === undefined || monthOf(dayInShanghai(at)) === options.month
  const stats: BoardStats = {
    topics: 0,
    topicsByCategory: Object.fromEntries(TOPIC_CATEGORIES.map((c) => [c, 0])) as Record<TopicCategory, number>,
    comments: 0,
    byCategory: Object.fromEntries(COMMENT_CATEGORIES.map((c) => [c, 0])) as Record<CommentCategory, number>,
    accepted: 0,
    resolved: 0,
    resolvedWithinDeadline: 0,
    overdue: 0,
    rejected: 0,
    merged: 0,
    averageHoursToResolve: null,
  }
  for (const topic of topics) {
    if (!inMonth(topic.createdAt)) continue
    stats.topics++
    stats.topicsByCategory[topic.category]++
  }
  let resolveMs = 0
  for (const c of comments) {
    if (!inMonth(c.createdAt)) continue
    stats.comments++
    stats.byCategory[c.category]++
    if (c.acceptedAt !== null) stats.accepted++
    if (c.status === 'rejected') stats.rejected++
    if (c.status === 'merged') stats.merged++
    if (isOverdue(c, options.now)) stats.overdue++
    if (c.status === 'resolved' && c.closedAt !== null) {
      stats.resolved++
      resolveMs += Date.parse(c.closedAt) - Date.parse(c.createdAt)
      if (c.deadline !== null && Date.parse(c.closedAt) <= Date.parse(c.deadline)) stats.resolvedWithinDeadline++
    }
  }
  if (stats.resolved > 0) stats.averageHoursToResolve = resolveMs / stats.resolved / 3600_000
  return stats
}
