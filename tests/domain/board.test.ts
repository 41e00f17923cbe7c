import { describe, expect, it } from 'vitest'
import {
  COMMENT_MAX_LENGTH,
  DEFAULT_DEADLINE_DAYS,
  RATE_LIMITS,
  authorChangeProblem,
  boardStats,
  commentNotice,
  shanghaiMonthDay,
  commentActionSchema,
  commentDraftSchema,
  commentRowSchema,
  deadlineAfter,
  defaultDeadline,
  displayStatus,
  isOverdue,
  isTopicOpen,
  mayHandle,
  mayPostTopic,
  mergeTargetProblem,
  postComment,
  postingAllowed,
  redactComment,
  setLike,
  sortFeed,
  topicClosesAt,
  topicDraftSchema,
  topicProblem,
  topicRowSchema,
  topicSummary,
  transition,
  type CommentAction,
  type CommentDraft,
  type CommentRow,
  type CommentStatus,
  type PostingContext,
  type TopicDraft,
  type TopicRow,
} from '~/domain/board'
import type { Viewer } from '~/domain/sync'
import { parseWith } from '~/domain/validation'

const town = 't-tianlong'
const member: Viewer = { id: 'u-66hr2jf7sv8n', role: 'member', branchId: 'b-hexing', townId: town }
const neighbour: Viewer = { id: 'u-v3dbuda5vaig', role: 'member', branchId: 'b-hexing', townId: town }
const stranger: Viewer = { id: 'u-13800000050', role: 'member', branchId: 'b-jinjiwo', townId: town }
const secretary: Viewer = { id: 'u-d2h5f8be4qmj', role: 'secretary', branchId: 'b-hexing', townId: town }
const otherSecretary: Viewer = { id: 'u-6hufpjsd62d9', role: 'secretary', branchId: 'b-jinjiwo', townId: town }
const admin: Viewer = { id: 'u-jjv8xvrq2yab', role: 'admin', branchId: null, townId: town }

/** 2026-11-28 10:00 Beijing time. */
const NOW = new Date('2026-11-28T02:00:00.000Z')
const HOUR = 3600_000
const MIN = 60_000
const at = (ms: number) => new Date(ms)

const topicDraft: TopicDraft = {
  id: 'tp-hexing-road',
  branchId: 'b-hexing',
  category: 'environment',
  title: '村口道路硬化征求意见',
  text: '请大家说说村口道路怎么修。',
  photos: ['ph-1', 'ph-2'],
  closesOn: '2026-12-10',
}
const topic: TopicRow = { ...topicDraft, createdBy: secretary.id, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString() }
const townTopic: TopicRow = { ...topic, id: 'tp-town-market', branchId: null, createdBy: admin.id, category: 'industry' }

const households = [
  { id: 'h-1', headName: '王大伯' },
  { id: 'h-2', headName: '李阿姨' },
]
const draft: CommentDraft = {
  id: 'c-1',
  topicId: topic.id,
  text: '路灯也一起装上',
  category: 'suggestion',
  householdId: 'h-1',
  photos: ['ph-a'],
}
const ctx = (extra: Partial<PostingContext> = {}): PostingContext => ({
  author: member,
  authorName: '许光荣',
  topic,
  households,
  recentPostTimes: [],
  now: NOW,
  ...extra,
})

function posted(extra: Partial<CommentDraft> = {}, context: Partial<PostingContext> = {}): CommentRow {
  const result = postComment({ ...draft, ...extra }, ctx(context))
  if (!result.ok) throw new Error(result.message)
  return result.comment
}

function comment(status: CommentStatus, extra: Partial<CommentRow> = {}): CommentRow {
  const base = posted()
  const accepted = { deadline: new Date(defaultDeadline(NOW)).toISOString(), handlerId: secretary.id, acceptedAt: NOW.toISOString() }
  switch (status) {
    case 'pending':
      return { ...base, ...extra }
    case 'accepted':
      return { ...base, status, ...accepted, ...extra }
    case 'resolved':
      return { ...base, status, ...accepted, reply: '已修好', closedAt: NOW.toISOString(), ...extra }
    case 'rejected':
      return { ...base, status, reason: '不在本村范围', closedAt: NOW.toISOString(), ...extra }
    case 'merged':
      return { ...base, status, mergedInto: 'c-0', reason: '同一件事', closedAt: NOW.toISOString(), ...extra }
  }
}

function act(row: CommentRow, action: CommentAction, actor: Viewer = secretary, now = NOW) {
  return transition(row, action, actor, now)
}

function problemOf(schema: Parameters<typeof parseWith>[0], input: unknown): string {
  const parsed = parseWith(schema, input)
  expect(parsed.ok).toBe(false)
  return parsed.ok ? '' : parsed.message
}

describe('topic drafts', () => {
  it('accepts a well-formed topic, trimming the texts', () => {
    expect(parseWith(topicDraftSchema, { ...topicDraft, title: '  村口道路硬化征求意见 ' })).toEqual({ ok: true, value: topicDraft })
    expect(parseWith(topicDraftSchema, { ...topicDraft, branchId: null }).ok).toBe(true)
    expect(parseWith(topicRowSchema, topic).ok).toBe(true)
  })

  it('refuses a short or long title, a long text, too many photos, an unknown category, an impossible date', () => {
    expect(problemOf(topicDraftSchema, { ...topicDraft, title: ' 路 ' })).toContain('至少2个字')
    expect(problemOf(topicDraftSchema, { ...topicDraft, title: '路'.repeat(61) })).toContain('不超过60字')
    expect(parseWith(topicDraftSchema, { ...topicDraft, title: '路'.repeat(60) }).ok).toBe(true)
    expect(problemOf(topicDraftSchema, { ...topicDraft, text: '字'.repeat(2001) })).toContain('不超过2000字')
    expect(parseWith(topicDraftSchema, { ...topicDraft, photos: Array.from({ length: 9 }, (_, i) => `ph-${i}`) }).ok).toBe(true)
    expect(problemOf(topicDraftSchema, { ...topicDraft, photos: Array.from({ length: 10 }, (_, i) => `ph-${i}`) })).toContain('最多9张')
    expect(problemOf(topicDraftSchema, { ...topicDraft, category: 'gossip' })).toContain('请选择话题类别')
    expect(problemOf(topicDraftSchema, { ...topicDraft, closesOn: '2026-02-30' })).toContain('日期不存在')
    expect(problemOf(topicDraftSchema, { ...topicDraft, closesOn: '2026/12/10' })).toContain('YYYY-MM-DD')
    expect(problemOf(topicDraftSchema, { ...topicDraft, photos: ['../etc/passwd'] })).toContain('照片编号')
  })

  it('lets a secretary post in their own branch and the admin anywhere, town-wide included', () => {
    expect(mayPostTopic(secretary, 'b-hexing')).toBe(true)
    expect(mayPostTopic(secretary, 'b-jinjiwo')).toBe(false)
    expect(mayPostTopic(secretary, null)).toBe(false)
    expect(mayPostTopic(member, 'b-hexing')).toBe(false)
    expect(mayPostTopic(admin, null)).toBe(true)
    expect(mayPostTopic(admin, 'b-jinjiwo')).toBe(true)
    expect(topicProblem(topicDraft, secretary, NOW)).toBeNull()
    expect(topicProblem(topicDraft, otherSecretary, NOW)).toMatchObject({ code: 'forbidden', message: '只能在本支部发布话题' })
    expect(topicProblem({ ...topicDraft, branchId: null }, secretary, NOW)).toMatchObject({
      code: 'forbidden',
      message: '只有镇党委管理员可以发布全镇话题',
    })
    expect(topicProblem(topicDraft, member, NOW)?.code).toBe('forbidden')
  })

  it('takes a closing date from today (Shanghai) to a year ahead', () => {
    // 2026-11-28T16:30Z is already 29 Nov in Shanghai.
    const lateEvening = new Date('2026-11-28T16:30:00Z')
    expect(topicProblem({ ...topicDraft, closesOn: '2026-11-28' }, secretary, NOW)).toBeNull()
    expect(topicProblem({ ...topicDraft, closesOn: '2026-11-28' }, secretary, lateEvening)).toMatchObject({
      code: 'invalid_args',
      message: '截止日期不能早于今天',
    })
    expect(topicProblem({ ...topicDraft, closesOn: '2027-11-29' }, secretary, NOW)).toBeNull()
    expect(topicProblem({ ...topicDraft, closesOn: '2027-11-30' }, secretary, NOW)?.message).toBe('截止日期不能超过一年')
  })

  it('closes comments at the end of closesOn, Shanghai time', () => {
    const t = { closesOn: '2026-12-10' }
    expect(new Date(topicClosesAt(t)).toISOString()).toBe('2026-12-10T15:59:59.999Z')
    expect(isTopicOpen(t, new Date('2026-12-10T15:59:59.999Z'))).toBe(true)
    expect(isTopicOpen(t, new Date('2026-12-10T16:00:00.000Z'))).toBe(false)
  })

  it('orders the feed newest first and counts comments and resolutions per topic', () => {
    const older = { ...topic, id: 'a', createdAt: '2026-11-01T00:00:00Z' }
    const newer = { ...topic, id: 'b', createdAt: '2026-11-02T00:00:00Z' }
    const tie = { ...topic, id: 'c', createdAt: '2026-11-02T00:00:00Z' }
    expect(sortFeed([older, newer, tie]).map((t) => t.id)).toEqual(['c', 'b', 'a'])
    const comments = [comment('resolved'), comment('pending'), comment('accepted'), { ...comment('resolved'), topicId: 'other' }]
    expect(topicSummary(topic.id, comments)).toEqual({ comments: 3, resolved: 1 })
    expect(topicSummary('none', comments)).toEqual({ comments: 0, resolved: 0 })
  })
})

describe('comment drafts', () => {
  it('limits the text to COMMENT_MAX_LENGTH after trimming, and needs some', () => {
    expect(COMMENT_MAX_LENGTH).toBe(500)
    expect(parseWith(commentDraftSchema, { ...draft, text: ` ${'字'.repeat(500)} ` }).ok).toBe(true)
    expect(problemOf(commentDraftSchema, { ...draft, text: '字'.repeat(501) })).toContain('不超过500字')
    expect(problemOf(commentDraftSchema, { ...draft, text: '   ' })).toContain('请填写内容')
  })

  it('takes up to 3 photos, one of the three categories, and an optional household', () => {
    expect(parseWith(commentDraftSchema, { ...draft, photos: ['a', 'b', 'c'], householdId: null, category: 'need' }).ok).toBe(true)
    expect(problemOf(commentDraftSchema, { ...draft, photos: ['a', 'b', 'c', 'd'] })).toContain('最多3张')
    expect(problemOf(commentDraftSchema, { ...draft, category: 'complaint' })).toContain('请选择类别')
  })

  it('posts a 待处理 comment carrying the topic branch, the author and the resident', () => {
    const row = posted()
    expect(row).toEqual({
      id: 'c-1',
      topicId: topic.id,
      branchId: 'b-hexing',
      authorId: member.id,
      authorName: '许光荣',
      authorBranchId: 'b-hexing',
      text: '路灯也一起装上',
      category: 'suggestion',
      householdId: 'h-1',
      residentName: '王大伯',
      photos: ['ph-a'],
      status: 'pending',
      deadline: null,
      handlerId: null,
      reply: null,
      reason: null,
      mergedInto: null,
      likedBy: [],
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      acceptedAt: null,
      closedAt: null,
    })
    expect(parseWith(commentRowSchema, row).ok).toBe(true)
    expect(posted({ householdId: null })).toMatchObject({ householdId: null, residentName: null })
    expect(posted({ topicId: townTopic.id }, { topic: townTopic })).toMatchObject({ branchId: null, authorBranchId: 'b-hexing' })
  })

  it('refuses a comment after the topic closed, for another member’s household, or on another topic', () => {
    const closesAt = topicClosesAt(topic)
    expect(postComment(draft, ctx({ now: at(closesAt) })).ok).toBe(true)
    expect(postComment(draft, ctx({ now: at(closesAt + 1) }))).toEqual({
      ok: false,
      code: 'topic_closed',
      message: '该话题已于2026-12-10截止留言',
    })
    expect(postComment({ ...draft, householdId: 'h-99' }, ctx())).toMatchObject({
      ok: false,
      code: 'invalid_args',
      message: '只能代自己联系的农户留言',
    })
    expect(postComment(draft, ctx({ households: [] }))).toMatchObject({ ok: false, code: 'invalid_args' })
    expect(postComment({ ...draft, topicId: 'tp-other' }, ctx())).toMatchObject({
      ok: false,
      code: 'invalid_args',
      message: '留言与话题不符',
    })
  })

  it('refuses a comment over the rate limit', () => {
    const recent = Array.from({ length: 10 }, (_, i) => new Date(NOW.getTime() - i * MIN).toISOString())
    expect(postComment(draft, ctx({ recentPostTimes: recent }))).toMatchObject({ ok: false, code: 'rate_limited' })
  })

  it('sets likes idempotently', () => {
    const row = posted()
    const liked = setLike(row, neighbour.id, true)
    expect(liked.likedBy).toEqual([neighbour.id])
    expect(setLike(liked, neighbour.id, true)).toBe(liked)
    expect(setLike(setLike(liked, member.id, true), neighbour.id, false).likedBy).toEqual([member.id])
    expect(setLike(row, neighbour.id, false)).toBe(row)
  })
})

describe('comment actions', () => {
  it('parses each action and refuses bad ones', () => {
    expect(parseWith(commentActionSchema, { type: 'accept' }).ok).toBe(true)
    expect(parseWith(commentActionSchema, { type: 'accept', days: 3, handlerId: 'u-1' }).ok).toBe(true)
    expect(problemOf(commentActionSchema, { type: 'accept', days: 0 })).toContain('至少1天')
    expect(problemOf(commentActionSchema, { type: 'accept', days: 61 })).toContain('不超过60天')
    expect(problemOf(commentActionSchema, { type: 'accept', days: 1.5 })).not.toBe('')
    expect(problemOf(commentActionSchema, { type: 'resolve', reply: ' 好 ' })).toContain('办理结果')
    expect(problemOf(commentActionSchema, { type: 'reject', reason: '' })).toContain('原因')
    expect(problemOf(commentActionSchema, { type: 'merge', into: '', reason: '同一件事' })).toContain('合并到的留言')
    expect(problemOf(commentActionSchema, { type: 'edit', text: '字'.repeat(501), category: 'other', photos: [] })).toContain('不超过500字')
    expect(parseWith(commentActionSchema, { type: 'close' }).ok).toBe(false)
  })
})

describe('the status machine', () => {
  const accept: CommentAction = { type: 'accept' }
  const resolve: CommentAction = { type: 'resolve', reply: '已安排施工队，下周开工' }
  const reject: CommentAction = { type: 'reject', reason: '不属于本村事务' }
  const merge: CommentAction = { type: 'merge', into: 'c-0', reason: '与前一条是同一件事' }
  const later = new Date(NOW.getTime() + 2 * HOUR)

  it('accepts a pending comment with the default 7-day deadline and the accepting secretary as handler', () => {
    const result = act(comment('pending'), accept, secretary, later)
    expect(result).toEqual({
      ok: true,
      comment: {
        ...comment('pending'),
        status: 'accepted',
        deadline: '2026-12-05T15:59:59.999Z',
        handlerId: secretary.id,
        acceptedAt: later.toISOString(),
        updatedAt: later.toISOString(),
      },
    })
  })

  it('accepts with a chosen deadline and handler', () => {
    const result = act(comment('pending'), { type: 'accept', days: 3, handlerId: 'u-tzp3tuuzx4zh' })
    expect(result).toMatchObject({
      ok: true,
      comment: { status: 'accepted', deadline: '2026-12-01T15:59:59.999Z', handlerId: 'u-tzp3tuuzx4zh' },
    })
  })

  it('resolves an accepted comment with a reply', () => {
    const result = act(comment('accepted'), resolve, secretary, later)
    expect(result).toEqual({
      ok: true,
      comment: {
        ...comment('accepted'),
        status: 'resolved',
        reply: '已安排施工队，下周开工',
        closedAt: later.toISOString(),
        updatedAt: later.toISOString(),
      },
    })
  })

  it.each(['pending', 'accepted'] as const)('rejects a %s comment with a reason', (status) => {
    const result = act(comment(status), reject, secretary, later)
    expect(result).toEqual({
      ok: true,
      comment: {
        ...comment(status),
        status: 'rejected',
        reason: '不属于本村事务',
        closedAt: later.toISOString(),
        updatedAt: later.toISOString(),
      },
    })
  })

  it.each(['pending', 'accepted'] as const)('merges a %s comment into another with a reason', (status) => {
    const result = act(comment(status), merge, secretary, later)
    expect(result).toEqual({
      ok: true,
      comment: {
        ...comment(status),
        status: 'merged',
        mergedInto: 'c-0',
        reason: '与前一条是同一件事',
        closedAt: later.toISOString(),
        updatedAt: later.toISOString(),
      },
    })
  })

  it('refuses to resolve a comment not yet accepted, or to accept one twice', () => {
    expect(act(comment('pending'), resolve)).toEqual({ ok: false, code: 'not_accepted', message: '请先受理留言，再填写办理结果' })
    expect(act(comment('accepted'), accept)).toEqual({ ok: false, code: 'already_accepted', message: '留言已受理' })
  })

  it.each(['resolved', 'rejected', 'merged'] as const)('refuses every handling of a %s comment', (status) => {
    for (const action of [accept, resolve, reject, merge]) {
      const result = act(comment(status), action, admin)
      expect(result).toMatchObject({ ok: false, code: 'already_closed' })
      expect(result.ok ? '' : result.message).toContain('不能再办理')
    }
  })

  it('refuses to merge a comment into itself', () => {
    expect(act(comment('pending'), { ...merge, into: 'c-1' })).toMatchObject({ ok: false, code: 'invalid_args', message: '不能合并到自己' })
  })

  it('lets the branch secretary handle their branch’s comments and the admin any; nobody else', () => {
    expect(mayHandle(secretary, topic)).toBe(true)
    expect(mayHandle(admin, topic)).toBe(true)
    expect(mayHandle(admin, townTopic)).toBe(true)
    expect(mayHandle(otherSecretary, topic)).toBe(false)
    expect(mayHandle(secretary, townTopic)).toBe(false)
    expect(mayHandle(member, topic)).toBe(false)
    for (const action of [accept, reject, merge]) {
      expect(act(comment('pending'), action, admin).ok).toBe(true)
      expect(act(comment('pending'), action, member)).toMatchObject({
        ok: false,
        code: 'forbidden',
        message: '只有本支部书记或镇党委管理员可以办理留言',
      })
      expect(act(comment('pending'), action, otherSecretary)).toMatchObject({ ok: false, code: 'forbidden' })
    }
    expect(act(comment('accepted'), resolve, member)).toMatchObject({ ok: false, code: 'forbidden' })
    const onTownTopic = posted({ topicId: townTopic.id }, { topic: townTopic })
    expect(act(onTownTopic, accept, secretary)).toMatchObject({ ok: false, code: 'forbidden', message: '全镇话题的留言由镇党委管理员办理' })
    expect(act(onTownTopic, accept, admin).ok).toBe(true)
  })

  it('lets the author edit text, category and photos while pending, and nobody after acceptance', () => {
    const edit: CommentAction = { type: 'edit', text: '路灯和垃圾桶一起装', category: 'need', photos: [] }
    const later2 = new Date(NOW.getTime() + MIN)
    expect(act(comment('pending'), edit, member, later2)).toEqual({
      ok: true,
      comment: { ...comment('pending'), text: '路灯和垃圾桶一起装', category: 'need', photos: [], updatedAt: later2.toISOString() },
    })
    expect(act(comment('pending'), edit, neighbour)).toMatchObject({ ok: false, code: 'forbidden', message: '只能修改或删除自己的留言' })
    expect(act(comment('pending'), edit, secretary)).toMatchObject({ ok: false, code: 'forbidden' })
    expect(act(comment('pending'), edit, admin)).toMatchObject({ ok: false, code: 'forbidden' })
    for (const status of ['accepted', 'resolved', 'rejected', 'merged'] as const) {
      expect(act(comment(status), edit, member)).toMatchObject({ ok: false, code: 'not_pending' })
    }
    expect(act(comment('accepted'), edit, member)).toMatchObject({ message: '留言已受理，不能再修改或删除' })
  })

  it('lets only the author delete, only while pending', () => {
    expect(authorChangeProblem(comment('pending'), member)).toBeNull()
    expect(authorChangeProblem(comment('pending'), neighbour)?.code).toBe('forbidden')
    expect(authorChangeProblem(comment('pending'), secretary)?.code).toBe('forbidden')
    expect(authorChangeProblem(comment('accepted'), member)).toMatchObject({ code: 'not_pending' })
    expect(authorChangeProblem(comment('resolved'), member)).toMatchObject({ code: 'not_pending', message: '留言已办结，不能再修改或删除' })
  })

  it('merges only into another live comment on the same topic', () => {
    const self = comment('pending')
    expect(mergeTargetProblem(self, { id: 'c-0', topicId: topic.id, status: 'accepted' })).toBeNull()
    expect(mergeTargetProblem(self, { id: 'c-0', topicId: topic.id, status: 'resolved' })).toBeNull()
    expect(mergeTargetProblem(self, undefined)?.code).toBe('not_found')
    expect(mergeTargetProblem(self, { id: 'c-1', topicId: topic.id, status: 'pending' })?.message).toBe('不能合并到自己')
    expect(mergeTargetProblem(self, { id: 'c-0', topicId: 'tp-other', status: 'pending' })?.message).toBe('只能合并到同一话题下的留言')
    expect(mergeTargetProblem(self, { id: 'c-0', topicId: topic.id, status: 'merged' })?.message).toBe('目标留言已合并，不能合并到它')
    expect(mergeTargetProblem(self, { id: 'c-0', topicId: topic.id, status: 'rejected' })?.code).toBe('invalid_args')
  })
})

describe('deadlines in Asia/Shanghai', () => {
  const iso = (ms: number) => new Date(ms).toISOString()

  it('ends the 7th day after the day of acceptance, at 24:00 Beijing time', () => {
    expect(DEFAULT_DEADLINE_DAYS).toBe(7)
    // 23:30 on 28 Nov in Shanghai = 15:30 UTC: still 28 Nov, so 5 Dec.
    expect(iso(defaultDeadline(new Date('2026-11-28T15:30:00Z')))).toBe('2026-12-05T15:59:59.999Z')
    // 08:00 the same Shanghai day: the same deadline.
    expect(iso(defaultDeadline(new Date('2026-11-28T00:00:00Z')))).toBe('2026-12-05T15:59:59.999Z')
    // 00:00 on 29 Nov in Shanghai (16:00 UTC on the 28th): a day later.
    expect(iso(defaultDeadline(new Date('2026-11-28T16:00:00Z')))).toBe('2026-12-06T15:59:59.999Z')
    expect(iso(defaultDeadline(new Date('2026-11-28T15:59:59.999Z')))).toBe('2026-12-05T15:59:59.999Z')
  })

  it('is never shorter than the days asked for, and crosses months and years', () => {
    const acceptedAt = new Date('2026-11-28T15:59:59.999Z')
    expect(defaultDeadline(acceptedAt) - acceptedAt.getTime()).toBeGreaterThanOrEqual(7 * 24 * HOUR)
    expect(iso(deadlineAfter(new Date('2026-12-28T03:00:00Z'), 7))).toBe('2027-01-04T15:59:59.999Z')
    expect(iso(deadlineAfter(new Date('2028-02-27T03:00:00Z'), 3))).toBe('2028-03-01T15:59:59.999Z')
    expect(iso(deadlineAfter(new Date('2026-11-28T03:00:00Z'), 1))).toBe('2026-11-29T15:59:59.999Z')
  })

  it('counts a comment overdue only while accepted and past its deadline', () => {
    const accepted = comment('accepted', { deadline: '2026-12-05T15:59:59.999Z' })
    expect(isOverdue(accepted, new Date('2026-12-05T15:59:59.999Z'))).toBe(false)
    expect(isOverdue(accepted, new Date('2026-12-05T16:00:00.000Z'))).toBe(true)
    expect(displayStatus(accepted, new Date('2026-12-05T16:00:00.000Z'))).toEqual({ key: 'overdue', label: '已超期' })
    expect(displayStatus(accepted, NOW)).toEqual({ key: 'accepted', label: '已受理' })
    const afterwards = new Date('2027-01-01T00:00:00Z')
    for (const status of ['pending', 'resolved', 'rejected', 'merged'] as const) {
      const row = comment(status, { deadline: '2026-12-05T15:59:59.999Z' })
      expect(isOverdue(row, afterwards)).toBe(false)
    }
    expect(displayStatus(comment('resolved'), afterwards)).toEqual({ key: 'resolved', label: '已办结' })
  })
})

describe('who sees the resident', () => {
  const row = comment('pending')
  const hidden = { ...row, householdId: null, residentName: null }

  it('shows the household to the author, the branch secretary and the admin', () => {
    expect(redactComment(row, member, topic)).toEqual(row)
    expect(redactComment(row, secretary, topic)).toEqual(row)
    expect(redactComment(row, admin, topic)).toEqual(row)
  })

  it('hides it from other members of the branch, other branches and their secretaries', () => {
    expect(redactComment(row, neighbour, topic)).toEqual(hidden)
    expect(redactComment(row, stranger, topic)).toEqual(hidden)
    expect(redactComment(row, otherSecretary, topic)).toEqual(hidden)
  })

  it('on a town-wide topic, shows it to the author’s branch secretary only among secretaries', () => {
    const onTown = posted({ topicId: townTopic.id }, { topic: townTopic })
    expect(redactComment(onTown, secretary, townTopic).residentName).toBe('王大伯')
    expect(redactComment(onTown, admin, townTopic).residentName).toBe('王大伯')
    expect(redactComment(onTown, member, townTopic).residentName).toBe('王大伯')
    expect(redactComment(onTown, otherSecretary, townTopic)).toMatchObject({ householdId: null, residentName: null })
    expect(redactComment(onTown, stranger, townTopic)).toMatchObject({ householdId: null, residentName: null })
    expect(redactComment(onTown, neighbour, townTopic)).toMatchObject({ householdId: null, residentName: null })
  })
})

describe('statistics', () => {
  /** Beijing time. */
  const nov = (day: number, hour = 10, minute = 0) => new Date(Date.UTC(2026, 10, day, hour - 8, minute)).toISOString()
  const dec = (day: number, hour = 10, minute = 0) => new Date(Date.UTC(2026, 11, day, hour - 8, minute)).toISOString()
  const topics = [
    { category: 'environment' as const, createdAt: nov(2) },
    { category: 'industry' as const, createdAt: nov(20) },
    // 00:30 on 1 Dec in Shanghai, still 30 Nov in UTC.
    { category: 'other' as const, createdAt: dec(1, 0, 30) },
  ]
  const resolvedIn = (createdAt: string, hours: number, deadline: string, category: CommentRow['category'] = 'suggestion') =>
    comment('resolved', {
      createdAt,
      category,
      acceptedAt: createdAt,
      deadline,
      closedAt: new Date(Date.parse(createdAt) + hours * HOUR).toISOString(),
    })
  const comments = [
    resolvedIn(nov(3), 10, dec(1)), // in time
    resolvedIn(nov(4), 30, nov(4, 23), 'need'), // late
    comment('accepted', { createdAt: nov(5), deadline: nov(12) }), // overdue in December
    comment('accepted', { createdAt: nov(6), deadline: dec(31) }),
    comment('pending', { createdAt: nov(7), category: 'other' }),
    comment('rejected', { createdAt: nov(8), acceptedAt: nov(9) }), // accepted, then not adopted
    comment('merged', { createdAt: nov(9) }),
    comment('pending', { createdAt: dec(1, 0, 30), category: 'need' }),
    resolvedIn(dec(2), 5, dec(9)),
  ]
  const now = new Date(dec(10))

  it('counts everything without a month', () => {
    expect(boardStats(topics, comments, { now })).toEqual({
      topics: 3,
      topicsByCategory: { affairs: 0, environment: 1, industry: 1, livelihood: 0, other: 1 },
      comments: 9,
      byCategory: { suggestion: 6, need: 2, other: 1 },
      accepted: 6,
      resolved: 3,
      resolvedWithinDeadline: 2,
      overdue: 1,
      rejected: 1,
      merged: 1,
      averageHoursToResolve: 15,
    })
  })

  it('filters by the month in Shanghai', () => {
    const november = boardStats(topics, comments, { now, month: '2026-11' })
    expect(november).toMatchObject({
      topics: 2,
      comments: 7,
      byCategory: { suggestion: 5, need: 1, other: 1 },
      accepted: 5,
      resolved: 2,
      resolvedWithinDeadline: 1,
      overdue: 1,
      averageHoursToResolve: 20,
    })
    const december = boardStats(topics, comments, { now, month: '2026-12' })
    expect(december).toMatchObject({
      topics: 1,
      topicsByCategory: { other: 1 },
      comments: 2,
      byCategory: { suggestion: 1, need: 1, other: 0 },
      accepted: 1,
      resolved: 1,
      resolvedWithinDeadline: 1,
      overdue: 0,
      averageHoursToResolve: 5,
    })
  })

  it('gives null average and zeros when nothing was resolved', () => {
    expect(boardStats([], [], { now })).toMatchObject({ topics: 0, comments: 0, resolved: 0, averageHoursToResolve: null })
    expect(boardStats(topics, comments, { now, month: '2026-10' })).toMatchObject({ topics: 0, comments: 0, averageHoursToResolve: null })
    expect(boardStats([], [comment('pending')], { now }).averageHoursToResolve).toBeNull()
  })

  it('counts overdue at the given now', () => {
    expect(boardStats([], comments, { now: new Date(nov(12)) }).overdue).toBe(0)
    expect(boardStats([], comments, { now: new Date(Date.parse(nov(12)) + 1) }).overdue).toBe(1)
  })
})

describe('the posting rate limit', () => {
  const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString()
  const [burst, daily] = RATE_LIMITS

  it('allows 10 comments in 10 minutes and refuses the 11th until the oldest ages out', () => {
    expect(burst).toMatchObject({ windowMs: 10 * MIN, max: 10 })
    const nine = Array.from({ length: 9 }, (_, i) => ago(i * MIN))
    expect(postingAllowed(nine, NOW)).toEqual({ ok: true })
    const ten = [...nine, ago(9 * MIN + 30_000)]
    expect(postingAllowed(ten, NOW)).toEqual({
      ok: false,
      code: 'rate_limited',
      message: burst.message,
      retryAt: new Date(NOW.getTime() + 30_000).toISOString(),
    })
    expect(postingAllowed(ten, new Date(NOW.getTime() + 30_000))).toEqual({ ok: true })
    expect(postingAllowed(ten, new Date(NOW.getTime() + 29_999)).ok).toBe(false)
  })

  it('no longer counts a post exactly 10 minutes old', () => {
    const ten = [...Array.from({ length: 9 }, (_, i) => ago(i * MIN)), ago(10 * MIN)]
    expect(postingAllowed(ten, NOW)).toEqual({ ok: true })
    const eleven = [...ten, ago(10 * MIN - 1)]
    expect(postingAllowed(eleven, NOW).ok).toBe(false)
  })

  it('allows 50 in 24 hours and refuses the 51st with the daily message', () => {
    expect(daily).toMatchObject({ windowMs: 24 * HOUR, max: 50 })
    const spread = (n: number) => Array.from({ length: n }, (_, i) => ago(HOUR + i * 20 * MIN))
    expect(postingAllowed(spread(49), NOW)).toEqual({ ok: true })
    const fifty = spread(50)
    const refused = postingAllowed(fifty, NOW)
    expect(refused).toMatchObject({ ok: false, code: 'rate_limited', message: daily.message })
    // The oldest of the fifty was posted 1 h + 49 × 20 min ago; it ages out 24 h after.
    expect(refused.ok ? null : refused.retryAt).toBe(new Date(Date.parse(fifty[49]!) + 24 * HOUR).toISOString())
    expect(postingAllowed([...spread(49), ago(24 * HOUR)], NOW)).toEqual({ ok: true })
  })

  it('when both limits are hit, says when both allow again', () => {
    const posts = [
      ...Array.from({ length: 40 }, (_, i) => ago(2 * HOUR + i * MIN)),
      ...Array.from({ length: 10 }, (_, i) => ago(i * 30_000)),
    ]
    const refused = postingAllowed(posts, NOW)
    expect(refused).toMatchObject({ ok: false, message: daily.message })
    expect(refused.ok ? null : Date.parse(refused.retryAt)).toBe(NOW.getTime() - 2 * HOUR - 39 * MIN + 24 * HOUR)
  })
})

describe('notices to the author', () => {
  it('says the deadline as a Beijing-time day, on the right side of midnight', () => {
    // 15:59:59.999Z is 23:59:59.999 in Shanghai: still 5 December there.
    expect(shanghaiMonthDay('2026-12-05T15:59:59.999Z')).toBe('12月5日')
    expect(shanghaiMonthDay('2026-12-05T16:00:00.000Z')).toBe('12月6日')
  })

  it('tells the author each change with what they need: the deadline, the reply, the reason', () => {
    const accepted = transition(posted(), { type: 'accept', days: 3 }, secretary, NOW)
    if (!accepted.ok) throw new Error(accepted.message)
    expect(commentNotice(accepted.comment)).toEqual({ title: '您的留言已受理', body: '“路灯也一起装上”已受理，限时12月1日前办结。' })
    const resolved = transition(accepted.comment, { type: 'resolve', reply: '已安装两盏路灯' }, secretary, NOW)
    if (!resolved.ok) throw new Error(resolved.message)
    expect(commentNotice(resolved.comment)?.body).toContain('办理结果：已安装两盏路灯')
    expect(commentNotice(comment('rejected'))).toMatchObject({
      title: '您的留言不予采纳',
      body: expect.stringContaining('原因：不在本村范围'),
    })
    expect(commentNotice(comment('merged'))?.title).toBe('您的留言已合并办理')
    expect(commentNotice(comment('pending'))).toBeNull()
  })

  it('quotes a long comment by its first 30 characters', () => {
    const long = posted({ text: '一'.repeat(40) })
    const notice = commentNotice({ ...long, status: 'rejected', reason: '重复' })
    expect(notice?.body.startsWith(`“${'一'.repeat(30)}…”`)).toBe(true)
  })
})
