// Several tabs (and several people) pushing at the same moment: every per-member rule still holds, on
// SQLite and on PostgreSQL (where each request gets a connection of its own from the pool). Each test
// sends its pushes with Promise.all over app.inject and then checks what the database kept.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql, type Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import { demoUserId } from '../demo-users'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, pullAll } from './sync-helpers'
import { checkinToken } from '~/domain/checkin'
import { dailyQuizQuestionIds } from '~/domain/quiz'
import { addDays, dayInShanghai, shanghaiTime } from '~/domain/calendar'
import type { MutationResult } from '~/domain/sync'
import type { LeaveRow, MeetingDraft } from '~/domain/meetings'
import type { CommentRow } from '~/domain/board'
import { questionFromRow } from '~/server/features/quiz/content'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const TABS = 5
const iso = (ms: number) => new Date(ms).toISOString()
const codeOf = (r: MutationResult) => (r.status === 'rejected' ? r.code : r.status)
const count = (codes: string[], code: string) => codes.filter((c) => c === code).length

describe.each(databases)('concurrent pushes on %s', (kind) => {
  let server: TestServer
  const today = dayInShanghai(new Date())
  const yesterday = addDays(today, -1)
  /** An instant on a Shanghai day, `minutes` after 08:00 there. */
  const at = (day: string, minutes: number) => shanghaiTime(day, '08:00') + minutes * MINUTE

  /** `n` sessions of one person: a cookie and a device each, as `n` browser tabs. */
  async function tabs(phone: string, n = TABS) {
    return Promise.all(Array.from({ length: n }, async () => ({ cookie: await login(server.app, phone), client: clientId() })))
  }
  /** One push; the status is kept, so a 5xx fails the test's own assertion rather than throwing. */
  async function send(tab: { cookie: string; client: string }, mutations: unknown[]) {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/sync/push',
      headers: { cookie: tab.cookie },
      payload: { clientId: tab.client, schemaVersion: 1, mutations },
    })
    return {
      status: response.statusCode,
      codes: response.statusCode === 200 ? (response.json() as { results: MutationResult[] }).results.map(codeOf) : [],
    }
  }
  /** Sends each tab's mutations at once; every reply must be a 200. Returns every mutation's result code. */
  async function all(sends: [tab: { cookie: string; client: string }, mutations: unknown[]][]) {
    const replies = await Promise.all(sends.map(([tab, mutations]) => send(tab, mutations)))
    expect(replies.map((r) => r.status)).toEqual(sends.map(() => 200))
    return replies.flatMap((r) => r.codes)
  }
  const db = <T>(fn: (d: Kysely<Database>) => Promise<T>) => server.withDb(fn)
  /** The member's ledger sum per rule on a day. */
  const ledgerOn = (memberId: string, day: string) =>
    db(async (d) => {
      const rows = await d
        .selectFrom('points_ledger')
        .select(['rule_code', 'points'])
        .where('member_id', '=', memberId)
        .where('day', '=', day)
        .execute()
      const sums: Record<string, number> = {}
      for (const r of rows) sums[r.rule_code] = (sums[r.rule_code] ?? 0) + r.points
      return sums
    })
  /** The kept yearly and monthly totals agree with the ledger they sum. */
  const expectTotalsAgree = (memberId: string) =>
    db(async (d) => {
      const ledger = await d.selectFrom('points_ledger').select(['day', 'points']).where('member_id', '=', memberId).execute()
      const totals = await d.selectFrom('points_totals').select(['period', 'points']).where('member_id', '=', memberId).execute()
      for (const total of totals) {
        expect(
          ledger.filter((e) => e.day.startsWith(total.period)).reduce((sum, e) => sum + e.points, 0),
          `${memberId} ${total.period}`,
        ).toBe(total.points)
      }
    })

  const studyMaterial = 'cc-article'
  const session = (start: number, minutes: number, activeSeconds: number) =>
    mutation('study.record', {
      sessionId: randomUUID(),
      materialId: studyMaterial,
      startedAt: iso(start),
      endedAt: iso(start + minutes * MINUTE),
      activeSeconds,
      completed: true,
    })

  /** A meeting of `branchId` that the admin recorded as started twenty minutes ago. */
  async function startedMeeting(branchId: string): Promise<{ id: string; key: string }> {
    const start = Date.now() - 20 * MINUTE
    const meeting: MeetingDraft = {
      id: `m-cc-${randomUUID().slice(0, 8)}`,
      branchId,
      type: 'assembly',
      title: '支部党员大会',
      agenda: '学习文件',
      place: '党群服务中心',
      startsAt: iso(start),
      endsAt: iso(start + HOUR),
      audience: 'branch',
      memberIds: [],
      remoteAllowed: false,
      remoteMemberIds: [],
      videoUrl: null,
      materialIds: [],
      backfillReason: '会议临时提前，会后补录',
    }
    const [admin] = await tabs(DEMO.admin, 1)
    expect(await all([[admin!, [mutation('meeting.schedule', { meeting })]]])).toEqual(['applied'])
    const { key } = await db((d) =>
      d.selectFrom('meeting_keys').select('key').where('meeting_id', '=', meeting.id).executeTakeFirstOrThrow(),
    )
    return { id: meeting.id, key }
  }
  const checkIn = async (meeting: { id: string; key: string }) =>
    mutation('meeting.checkin', {
      meetingId: meeting.id,
      token: await checkinToken(meeting.key, meeting.id, Date.now()),
      scannedAt: new Date().toISOString(),
    })

  beforeAll(async () => {
    server = await startServer(kind)
    const now = new Date().toISOString()
    await server.withDb((d) =>
      d
        .insertInto('materials')
        .values({
          id: studyMaterial,
          column_name: 'library',
          course_id: null,
          lesson: null,
          category: '党章党规',
          kind: 'article',
          title: '并发测试文章',
          summary: '',
          body: '正文',
          media_file: null,
          duration_seconds: null,
          status: 'published',
          published_at: now,
          updated_at: now,
        })
        .execute(),
    )
  })
  afterAll(() => server?.close())

  it('accepts exactly one of five overlapping study sessions sent from five tabs at once', async () => {
    const phone = '13800000013'
    const member = demoUserId(phone)
    const open = await tabs(phone)
    // Ten minutes each, two minutes apart: every pair overlaps.
    const codes = await all(open.map((tab, i) => [tab, [session(at(yesterday, 60 + 2 * i), 10, 300)]]))
    expect(count(codes, 'applied')).toBe(1)
    expect(count(codes, 'overlap')).toBe(TABS - 1)
    // This test's material only: the demo's members have study sessions of their own (issue 13's overview).
    const sessions = await db((d) =>
      d.selectFrom('study_sessions').select('id').where('member_id', '=', member).where('material_id', '=', studyMaterial).execute(),
    )
    expect(sessions).toHaveLength(1)
    expect(await ledgerOn(member, yesterday)).toEqual({ 'article-read': 1, 'reading-time': 1 })
    await expectTotalsAgree(member)
  })

  it('keeps the daily caps (articles 6, reading time 8) when five tabs send three sessions each', async () => {
    const phone = '13800000015'
    const member = demoUserId(phone)
    const open = await tabs(phone)
    // Fifteen sessions that never overlap, ten active minutes each: 15 articles and 30 reading points uncapped.
    const codes = await all(open.map((tab, i) => [tab, [0, 1, 2].map((j) => session(at(yesterday, (3 * i + j) * 15), 12, 600))]))
    expect(codes).toEqual(Array(15).fill('applied'))
    expect(await ledgerOn(member, yesterday)).toEqual({ 'article-read': 6, 'reading-time': 8 })
    await expectTotalsAgree(member)
  })

  it('grades one answer to a quiz sent from five tabs: the others are already_submitted, never a 5xx', async () => {
    const phone = '13800000030'
    const member = demoUserId(phone)
    const questions = (await db((d) => d.selectFrom('questions').selectAll().where('status', '=', 'published').execute())).map(
      questionFromRow,
    )
    const drawn = dailyQuizQuestionIds(
      member,
      today,
      questions.map((q) => q.id),
    )
    const answers = Object.fromEntries(drawn.map((id) => [id, questions.find((q) => q.id === id)!.answer]))
    const open = await tabs(phone)
    const codes = await all(
      open.map((tab) => [tab, [mutation('quiz.submit', { quizId: `daily:${today}`, answers, submittedAt: new Date().toISOString() })]]),
    )
    expect(count(codes, 'applied')).toBe(1)
    expect(count(codes, 'already_submitted')).toBe(TABS - 1)
    expect(await db((d) => d.selectFrom('quiz_attempts').select('id').where('member_id', '=', member).execute())).toHaveLength(1)
    expect(await ledgerOn(member, today)).toEqual({ 'daily-quiz': drawn.length })
    await expectTotalsAgree(member)
  })

  it('records one check-in per member and meeting when five tabs scan and the secretary signs for them at once', async () => {
    const phone = '13800000021'
    const member = demoUserId(phone)
    const meeting = await startedMeeting('b-liudong')
    const open = await tabs(phone)
    const [secretary] = await tabs('13800000103', 1)
    const codes = await all([
      ...(await Promise.all(open.map(async (tab) => [tab, [await checkIn(meeting)]] as [typeof tab, unknown[]]))),
      [secretary!, [mutation('meeting.proxy', { meetingId: meeting.id, memberId: member, note: '手机没电，书记代签' })]],
    ])
    expect(count(codes, 'applied')).toBe(1)
    expect(count(codes, 'already_checked_in')).toBe(TABS)
    expect(
      await db((d) =>
        d.selectFrom('attendance').select('id').where('meeting_id', '=', meeting.id).where('member_id', '=', member).execute(),
      ),
    ).toHaveLength(1)
  })

  it('keeps every like, one per member, while the secretary handles the comment at the same moment', async () => {
    const [author] = await tabs('13800000010', 1)
    const comment = {
      id: `c-${randomUUID()}`,
      topicId: 't-hexing-road',
      text: '村口的路灯坏了两盏，晚上看不清。',
      category: 'need',
      householdId: null,
      photos: [],
    }
    expect(await all([[author!, [mutation('comment.post', { comment })]]])).toEqual(['applied'])
    const likers = ['13800000003', '13800000004', '13800000005', '13800000006']
    const sameMember = await tabs('13800000009')
    const others = await Promise.all(likers.map(async (phone) => (await tabs(phone, 1))[0]!))
    const [secretary] = await tabs(DEMO.secretary, 1)
    const like = () => [mutation('comment.like', { commentId: comment.id, liked: true })]
    const codes = await all([
      ...sameMember.map((tab) => [tab, like()] as [typeof tab, unknown[]]),
      ...others.map((tab) => [tab, like()] as [typeof tab, unknown[]]),
      [secretary!, [mutation('comment.act', { commentId: comment.id, action: { type: 'accept', days: 3 } })]],
    ])
    expect(codes).toEqual(Array(TABS + likers.length + 1).fill('applied'))
    const row = await db((d) =>
      d.selectFrom('board_comments').select(['liked_by_json', 'status']).where('id', '=', comment.id).executeTakeFirstOrThrow(),
    )
    const likedBy = JSON.parse(row.liked_by_json) as string[]
    expect([...likedBy].sort()).toEqual(['13800000009', ...likers].map(demoUserId).sort())
    expect(row.status).toBe('accepted')
    // What devices pull agrees with the table.
    const pulled = (await pullAll(server.app, author!.cookie, clientId())).rows.get(`comments/${comment.id}`) as CommentRow
    expect({ status: pulled.status, likedBy: [...pulled.likedBy].sort() }).toEqual({ status: 'accepted', likedBy: [...likedBy].sort() })
  })

  it('keeps the comment rate limit (10 in 10 minutes) when five tabs post four comments each', async () => {
    const phone = '13800000007'
    const member = demoUserId(phone)
    const open = await tabs(phone)
    const written = Date.now() - 5 * MINUTE
    const post = (i: number) => ({
      id: randomUUID(),
      name: 'comment.post',
      args: {
        comment: {
          id: `c-${randomUUID()}`,
          topicId: 't-town-tea',
          text: `第${i + 1}条意见。`,
          category: 'suggestion',
          householdId: null,
          photos: [],
        },
      },
      clientTime: iso(written + i * 1000),
    })
    const codes = await all(open.map((tab, i) => [tab, [0, 1, 2, 3].map((j) => post(4 * i + j))]))
    expect(count(codes, 'applied')).toBe(10)
    expect(count(codes, 'rate_limited')).toBe(10)
    expect(await db((d) => d.selectFrom('board_comments').select('id').where('author_id', '=', member).execute())).toHaveLength(10)
  })

  it('keeps one leave per member and meeting, and the device sees the decision the server kept', async () => {
    const phone = '13800000031'
    const member = demoUserId(phone)
    const [secretaryTab] = await tabs('13800000104', 1)
    const start = Date.now() + 2 * HOUR
    const meeting: MeetingDraft = {
      id: `m-cc-${randomUUID().slice(0, 8)}`,
      branchId: 'b-dongting',
      type: 'committee',
      title: '支委会',
      agenda: '研究工作',
      place: '村委会',
      startsAt: iso(start),
      endsAt: iso(start + HOUR),
      audience: 'branch',
      memberIds: [],
      remoteAllowed: false,
      remoteMemberIds: [],
      videoUrl: null,
      materialIds: [],
      backfillReason: null,
    }
    expect(await all([[secretaryTab!, [mutation('meeting.schedule', { meeting })]]])).toEqual(['applied'])
    const open = await tabs(phone)
    const request = (i: number) => [mutation('leave.request', { meetingId: meeting.id, reason: `外出务工，无法参加（第${i + 1}次）` })]
    // Five first requests at once: one row, the others update it.
    expect(await all(open.map((tab, i) => [tab, request(i)]))).toEqual(Array(TABS).fill('applied'))
    const leaves = () =>
      db((d) => d.selectFrom('leaves').selectAll().where('meeting_id', '=', meeting.id).where('member_id', '=', member).execute())
    expect(await leaves()).toHaveLength(1)
    // Requests sent again while the secretary approves: whatever order, the decision stands and devices see the kept row.
    const codes = await all([
      ...open.map((tab, i) => [tab, request(TABS + i)] as [typeof tab, unknown[]]),
      [secretaryTab!, [mutation('leave.decide', { meetingId: meeting.id, memberId: member, approve: true, note: null })]],
    ])
    expect(codes.every((c) => c === 'applied' || c === 'already_decided')).toBe(true)
    const [kept] = await leaves()
    expect(kept).toMatchObject({ status: 'approved', decided_by: demoUserId('13800000104') })
    const pulled = (await pullAll(server.app, open[0]!.cookie, clientId())).rows.get(`leaves/${kept!.id}`) as LeaveRow
    expect({ status: pulled.status, reason: pulled.reason }).toEqual({ status: kept!.status, reason: kept!.reason })
  })

  it('keeps the yearly cap when two admin tabs adjust one member’s points at once', async () => {
    const member = demoUserId('13800000033')
    const year = today.slice(0, 4)
    const earlier = today === `${year}-01-01` ? `${year}-12-31` : `${year}-01-01`
    // 95 of the yearly 100 volunteer points already earned this year.
    await db((d) =>
      d
        .insertInto('points_ledger')
        .values(
          [50, 45].map((points, i) => ({
            id: `volunteer:adjust:cc-${i}`,
            member_id: member,
            rule_code: 'volunteer',
            rule_version: 1,
            source_id: `adjust:cc-${i}`,
            day: earlier,
            points,
            reason: '往年志愿服务',
            created_by: null,
            created_at: new Date().toISOString(),
          })),
        )
        .execute(),
    )
    const admins = await tabs(DEMO.admin, 2)
    const adjust = () =>
      mutation('points.adjust', { adjustmentId: randomUUID(), memberId: member, kind: 'volunteer', amount: 3, reason: '参加防汛志愿服务' })
    const codes = await all(admins.map((tab) => [tab, [adjust(), adjust(), adjust()]]))
    expect(codes.every((c) => c === 'applied' || c === 'cap_reached')).toBe(true)
    const year_total = await db(async (d) =>
      (
        await d
          .selectFrom('points_ledger')
          .select('points')
          .where('member_id', '=', member)
          .where('rule_code', '=', 'volunteer')
          .where('day', 'like', `${year}-%`)
          .execute()
      ).reduce((sum, r) => sum + r.points, 0),
    )
    expect(year_total).toBe(100)
  })

  it('awards attendance once and keeps every cap while a secretary closes a meeting during the members’ own pushes', async () => {
    const present = '13800000040'
    const arriving = '13800000042'
    const presentId = demoUserId(present)
    const arrivingId = demoUserId(arriving)
    const meeting = await startedMeeting('b-xinhang')
    const [presentTab] = await tabs(present, 1)
    expect(await all([[presentTab!, [await checkIn(meeting)]]])).toEqual(['applied'])
    const studying = await tabs(present)
    const [arrivingTab] = await tabs(arriving, 1)
    const [secretary] = await tabs('13800000105', 1)
    const codes = await all([
      [secretary!, [mutation('meeting.close', { meetingId: meeting.id, minutes: '会议记录：学习了文件，讨论了工作。' })]],
      ...studying.map(
        (tab, i) => [tab, [0, 1, 2].map((j) => session(at(yesterday, (3 * i + j) * 15), 12, 600))] as [typeof tab, unknown[]],
      ),
      [arrivingTab!, [await checkIn(meeting)]],
    ])
    expect(codes[0]).toBe('applied')
    expect(codes.slice(1, -1)).toEqual(Array(15).fill('applied'))
    expect(['applied', 'closed']).toContain(codes.at(-1))

    const meetingEntries = (memberId: string) =>
      db((d) =>
        d
          .selectFrom('points_ledger')
          .select(['rule_code', 'points'])
          .where('member_id', '=', memberId)
          .where('source_id', 'like', `meeting:${meeting.id}:%`)
          .execute(),
      )
    expect(await meetingEntries(presentId)).toEqual([{ rule_code: 'meeting-attended', points: 2 }])
    // Yesterday's study, capped. The meeting's own entry is dated on the meeting's day, which just after
    // midnight in Shanghai is yesterday too (a failure seen at 00:15): it is checked above, not here.
    const studied = Object.entries(await ledgerOn(presentId, yesterday)).filter(([code]) => !code.startsWith('meeting-'))
    expect(Object.fromEntries(studied)).toEqual({ 'article-read': 6, 'reading-time': 8 })
    // The member checking in as the meeting closed is either counted present or refused: never checked in and absent.
    const attendance = await db((d) =>
      d.selectFrom('attendance').select('id').where('meeting_id', '=', meeting.id).where('member_id', '=', arrivingId).execute(),
    )
    expect(await meetingEntries(arrivingId)).toEqual([
      attendance.length === 1 ? { rule_code: 'meeting-attended', points: 2 } : { rule_code: 'meeting-absent', points: -3 },
    ])
    expect(attendance.length === 1).toBe(codes.at(-1) === 'applied')
    await expectTotalsAgree(presentId)
    await expectTotalsAgree(arrivingId)
  })

  it('keeps each batch whole: two batches pushed at once take consecutive versions of the scope they share', async () => {
    const authors = await Promise.all(['13800000016', '13800000017'].map(async (phone) => ({ phone, tab: (await tabs(phone, 1))[0]! })))
    const post = (phone: string, i: number) =>
      mutation('comment.post', {
        comment: {
          id: `c-${phone}-${i}-${randomUUID().slice(0, 8)}`,
          topicId: 't-jinjiwo-water',
          text: `第${i + 1}条：水压不够。`,
          category: 'need',
          householdId: null,
          photos: [],
        },
      })
    const codes = await all(authors.map(({ phone, tab }) => [tab, Array.from({ length: 8 }, (_, i) => post(phone, i))]))
    expect(codes).toEqual(Array(16).fill('applied'))
    for (const { phone } of authors) {
      const versions = await db(async (d) =>
        (
          await d
            .selectFrom('sync_rows')
            .select('version')
            .where('table_name', '=', 'comments')
            .where('row_id', 'like', `c-${phone}-%`)
            .execute()
        ).map((r) => Number(r.version)),
      )
      expect(versions).toHaveLength(8)
      expect(Math.max(...versions) - Math.min(...versions)).toBe(7)
    }
  })

  it('gives other requests a turn between the mutations of a long batch', async () => {
    const [tab] = await tabs('13800000045', 1)
    const batch = Array.from({ length: 100 }, () => mutation('notice.read', { noticeIds: ['n-none'] }))
    let done = false
    let turns = 0
    const spin = () => {
      if (done) return
      turns++
      setImmediate(spin)
    }
    setImmediate(spin)
    const reply = await send(tab!, batch)
    done = true
    expect(reply.codes).toEqual(Array(100).fill('applied'))
    // Without a yield between mutations, SQLite runs the whole batch without the event loop turning once.
    expect(turns).toBeGreaterThanOrEqual(99)
  })
})

describe.each(databases)('the mutation record on %s', (kind) => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer(kind)
  })
  afterAll(() => server?.close())

  it('keeps the validated arguments, and what a refused request sent cut to 16 KB', async () => {
    const cookie = await login(server.app, DEMO.member)
    const device = clientId()
    const applied = mutation('profile.update', { status: 'away', awayCity: '  杭州 ', returnDate: null })
    const refused = mutation('profile.update', { status: 'away', awayCity: '杭'.repeat(20_000), returnDate: null })
    const unknown = mutation('no.such', { x: 1 })
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/sync/push',
      headers: { cookie },
      payload: { clientId: device, schemaVersion: 1, mutations: [applied, refused, unknown] },
    })
    expect((response.json() as { results: MutationResult[] }).results.map(codeOf)).toEqual(['applied', 'invalid_args', 'unknown_mutation'])
    const records = await server.withDb((d) =>
      d
        .selectFrom('applied_mutations')
        .select(['id', 'args', sql<number>`length(args)`.as('length')])
        .where('id', 'in', [applied.id, refused.id, unknown.id])
        .execute(),
    )
    const byId = new Map(records.map((r) => [r.id, r]))
    expect(JSON.parse(byId.get(applied.id)!.args!)).toMatchObject({ status: 'away', awayCity: '杭州', returnDate: null })
    expect(Number(byId.get(refused.id)!.length)).toBe(16_384)
    expect(byId.get(refused.id)!.args!.startsWith('{"status":"away","awayCity":"杭杭')).toBe(true)
    expect(JSON.parse(byId.get(unknown.id)!.args!)).toEqual({ x: 1 })
  })
})
