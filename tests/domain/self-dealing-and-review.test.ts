// Issue 10: nobody adopts their own suggestion or signs for themselves; check-ins the server can't trust
// are held for review (待核实); answers after an exam closed are bounded; 红黄榜 only for a month that ended.
import { describe, expect, it } from 'vitest'
import { transition, type CommentRow } from '~/domain/board'
import { checkinReviewReason, CLOCK_SKEW_REVIEW_MS, LATE_ARRIVAL_MS, SLOT_MS, TOKEN_GRACE_MS } from '~/domain/checkin'
import {
  attendanceOutcome,
  attendancePoints,
  attendanceRates,
  proxyProblem,
  reviewProblem,
  type AttendanceRow,
  type MeetingRow,
} from '~/domain/meetings'
import { quizTiming, type Exam, type QuizRef } from '~/domain/quiz'
import { honorPreview, honorPublishProblem, lastCompleteMonth, type HonorMember } from '~/domain/honor'
import { previousMonth } from '~/domain/calendar'
import type { Viewer } from '~/domain/sync'

const town = 't-xinhang'
const secretary: Viewer = { id: 'u-sec', role: 'secretary', branchId: 'b-hexing', townId: town }
const otherSecretary: Viewer = { id: 'u-sec2', role: 'secretary', branchId: 'b-jinjiwo', townId: town }
const admin: Viewer = { id: 'u-admin', role: 'admin', branchId: null, townId: town }
const member: Viewer = { id: 'u-member', role: 'member', branchId: 'b-hexing', townId: town }

describe('one’s own comment', () => {
  const now = new Date('2026-11-25T10:00:00+08:00')
  const comment = (over: Partial<CommentRow> = {}): CommentRow => ({
    id: 'c-1',
    topicId: 't-1',
    branchId: 'b-hexing',
    authorId: secretary.id,
    authorName: '张志强',
    authorBranchId: 'b-hexing',
    text: '村委会门口增设便民座椅。',
    category: 'suggestion',
    householdId: null,
    residentName: null,
    photos: [],
    status: 'pending',
    deadline: null,
    handlerId: null,
    reply: null,
    reason: null,
    mergedInto: null,
    likedBy: [],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    acceptedAt: null,
    closedAt: null,
    ...over,
  })

  it('is never handled by its author: not accepted, resolved, rejected nor merged', () => {
    const accepted = comment({ status: 'accepted', handlerId: admin.id, deadline: now.toISOString(), acceptedAt: now.toISOString() })
    for (const [row, action] of [
      [comment(), { type: 'accept' }],
      [accepted, { type: 'resolve', reply: '已安装。' }],
      [comment(), { type: 'reject', reason: '撤回。' }],
      [comment(), { type: 'merge', into: 'c-2', reason: '同一件事。' }],
    ] as const) {
      expect(transition(row, action, secretary, now), action.type).toMatchObject({
        ok: false,
        code: 'forbidden',
        message: expect.stringContaining('不能办理自己的留言'),
      })
    }
    // The admin's own comment on a town topic: not the admin's to handle either.
    expect(transition(comment({ branchId: null, authorId: admin.id }), { type: 'accept' }, admin, now)).toMatchObject({
      ok: false,
      code: 'forbidden',
    })
  })

  it('can’t be given to its author to handle; another handler adopts it', () => {
    expect(transition(comment(), { type: 'accept', handlerId: secretary.id }, admin, now)).toMatchObject({ ok: false, code: 'forbidden' })
    const accepted = transition(comment(), { type: 'accept' }, admin, now)
    expect(accepted).toMatchObject({ ok: true, comment: { status: 'accepted', handlerId: admin.id } })
    // The author still edits it while 待处理.
    expect(transition(comment(), { type: 'edit', text: '改一下内容', category: 'suggestion', photos: [] }, secretary, now)).toMatchObject({
      ok: true,
    })
  })
})

describe('代签 and 核实 (review)', () => {
  const meeting = { branchId: 'b-hexing' }

  it('refuses a secretary signing for themselves, and anyone outside the branch', () => {
    expect(proxyProblem(secretary, meeting, secretary.id)).toContain('不能为自己代签')
    expect(proxyProblem(secretary, meeting, 'u-other')).toBeNull()
    expect(proxyProblem(otherSecretary, meeting, 'u-other')).toContain('只有本支部书记')
    expect(proxyProblem(member, meeting, 'u-other')).toContain('只有本支部书记')
    expect(proxyProblem(admin, meeting, 'u-other')).toBeNull()
  })

  it('lets the branch’s secretary or the admin review a held check-in, never their own, never twice', () => {
    const held = { memberId: 'u-other', review: 'pending' as const }
    expect(reviewProblem(secretary, meeting, held)).toBeNull()
    expect(reviewProblem(admin, meeting, held)).toBeNull()
    expect(reviewProblem(member, meeting, held)).toMatchObject({ code: 'forbidden' })
    expect(reviewProblem(otherSecretary, meeting, held)).toMatchObject({ code: 'forbidden' })
    expect(reviewProblem(secretary, meeting, { ...held, memberId: secretary.id })).toMatchObject({
      code: 'forbidden',
      message: '不能核实自己的签到',
    })
    expect(reviewProblem(secretary, meeting, { ...held, review: 'confirmed' })).toMatchObject({ code: 'not_pending' })
    expect(reviewProblem(secretary, meeting, { ...held, review: null })).toMatchObject({ code: 'not_pending' })
    expect(reviewProblem(secretary, meeting, undefined)).toMatchObject({ code: 'not_found' })
  })

  it('counts a held check-in as present until refused, and its points wait for the review', () => {
    const m: Pick<MeetingRow, 'id' | 'branchId' | 'startsAt' | 'endsAt' | 'expectedIds' | 'status'> = {
      id: 'm-1',
      branchId: 'b-hexing',
      startsAt: '2026-11-25T09:00:00+08:00',
      endsAt: '2026-11-25T10:00:00+08:00',
      expectedIds: ['a', 'b', 'c'],
      status: 'closed',
    }
    const row = (memberId: string, review: AttendanceRow['review']) => ({
      meetingId: m.id,
      memberId,
      mode: 'onsite' as const,
      checkedInAt: m.startsAt,
      remoteSeconds: 0,
      review,
    })
    expect(attendanceOutcome(m, row('a', 'pending'), undefined)).toBe('on_time')
    expect(attendanceOutcome(m, row('b', 'refused'), undefined)).toBe('absent')
    expect(attendanceOutcome(m, row('b', 'refused'), { status: 'approved' })).toBe('excused')
    expect(attendancePoints('on_time', 'pending')).toBeNull()
    expect(attendancePoints('on_time', 'confirmed')).toBe('meeting.attended')
    expect(attendancePoints('late', null)).toBe('meeting.attended')
    expect(attendancePoints('absent', 'refused')).toBe('meeting.absent')
    const rates = attendanceRates({
      meetings: [m],
      attendance: [row('a', 'pending'), row('b', 'refused'), row('c', 'confirmed')],
      leaves: [],
      awayIds: new Set(),
    })
    expect(rates.overall).toMatchObject({ expected: 3, present: 2, absent: 1 })
  })
})

describe('when a check-in is held for review', () => {
  const slot = Date.parse('2026-11-25T09:00:00+08:00')
  const limit = slot + SLOT_MS + TOKEN_GRACE_MS + LATE_ARRIVAL_MS

  it('holds one arriving more than 10 minutes after its code’s slot and grace, not one a moment earlier', () => {
    expect(checkinReviewReason(slot, slot + 5_000, null)).toBeNull()
    expect(checkinReviewReason(slot, limit, null)).toBeNull()
    expect(checkinReviewReason(slot, limit + 1, null)).toContain('才送达服务器')
    expect(checkinReviewReason(slot, slot + 2 * 3600_000 + 5 * 60_000, 0)).toBe('扫码 2 小时 5 分钟后才送达服务器')
  })

  it('holds one from a phone whose clock is more than 2 minutes off either way; without the clock, only lateness counts', () => {
    expect(checkinReviewReason(slot, slot + 5_000, CLOCK_SKEW_REVIEW_MS)).toBeNull()
    expect(checkinReviewReason(slot, slot + 5_000, -CLOCK_SKEW_REVIEW_MS - 1)).toContain('慢')
    expect(checkinReviewReason(slot, slot + 5_000, 25 * 60_000)).toBe('签到手机的时间比服务器快 25 分钟')
    expect(checkinReviewReason(slot, slot + 5_000, null)).toBeNull()
  })
})

describe('answers after the close (time travel)', () => {
  const exam: Pick<Exam, 'opensOn' | 'closesOn'> = { opensOn: '2026-11-10', closesOn: '2026-11-20' }
  const timing = (ref: QuizRef, submittedAt: string, now: string) =>
    quizTiming(ref, ref.kind === 'exam' ? exam : null, submittedAt, now, 30)
  const examRef: QuizRef = { kind: 'exam', examId: 'e-1' }
  const written = '2026-11-19T20:00:00+08:00'

  it('takes an exam answer written before the close that arrives within 3 days of it, and refuses it after', () => {
    expect(timing(examRef, written, '2026-11-23T23:59:00+08:00')).toEqual({ day: '2026-11-19' })
    expect(timing(examRef, written, '2026-11-24T00:01:00+08:00')).toMatchObject({
      code: 'closed',
      message: expect.stringContaining('2026-11-20结束'),
    })
    // However far back the phone's clock was set.
    expect(timing(examRef, '2026-11-12T08:00:00+08:00', '2026-12-01T10:00:00+08:00')).toMatchObject({ code: 'closed' })
  })

  it('bounds a 每周一答 the same way: 3 days after its Sunday', () => {
    const week: QuizRef = { kind: 'weekly', weekStart: '2026-11-16' }
    const sunday = '2026-11-22T20:00:00+08:00'
    expect(timing(week, sunday, '2026-11-25T22:00:00+08:00')).toEqual({ day: '2026-11-22' })
    expect(timing(week, sunday, '2026-11-26T08:00:00+08:00')).toMatchObject({ code: 'closed', message: expect.stringContaining('超过3天') })
  })
})

describe('红黄榜: which month may be published', () => {
  const now = new Date('2026-12-03T10:00:00+08:00')

  it('defaults to the last month that has ended, in Shanghai', () => {
    expect(lastCompleteMonth(now)).toBe('2026-11')
    // 1 January 00:30 in Shanghai is still 31 December in UTC: the month to publish is December.
    expect(lastCompleteMonth(new Date('2026-12-31T16:30:00Z'))).toBe('2026-12')
    expect(previousMonth('2026-01')).toBe('2025-12')
  })

  it('refuses a month not yet begun, one not yet over, and one in which nobody earned a point', () => {
    expect(honorPublishProblem('2027-01', now, true)).toBe('不能发布尚未开始的月份')
    expect(honorPublishProblem('2026-12', now, true)).toContain('本月还没有结束')
    expect(honorPublishProblem('2026-11', now, false)).toContain('没有任何积分记录')
    expect(honorPublishProblem('2026-11', now, true)).toBeNull()
  })

  it('previews everyone on either list with their reasons, as publishing would decide', () => {
    const m = (id: string, points: number, extra: Partial<HonorMember> = {}): HonorMember => ({
      id,
      name: id,
      branchId: 'b',
      branchName: '合兴村党支部',
      points,
      violationPoints: 0,
      unexcusedAbsences: 0,
      ...extra,
    })
    const preview = honorPreview(
      [m('甲', 30), m('乙', 12), m('丙', 4), m('丁', 20, { unexcusedAbsences: 1 }), m('戊', 15)],
      { month: '2026-11', threshold: 10, redPerBranch: 2 },
      null,
    )
    expect(preview.red.map((e) => [e.name, e.points])).toEqual([
      ['甲', 30],
      ['戊', 15],
    ])
    expect(preview.yellow.map((e) => [e.name, e.reasons])).toEqual([
      ['丁', ['absence']],
      ['丙', ['low_points']],
    ])
    expect(preview).toMatchObject({ month: '2026-11', evaluated: 5, problem: null })
  })
})
