// Issue 10, defects 2, 4 and 9 (the cursor): text PostgreSQL can't store, instants written with another
// offset to slip past the overlap rule, and a forged pull cursor. Each was a 500 or a rule bypassed.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Kysely } from 'kysely'
import { encodeCursor, type MutationResult } from '~/domain/sync'
import { openDatabase } from '~/server/db'
import type { Database } from '~/server/db/schema'
import { normaliseStoredInstants } from '~/server/db/utcInstants'
import { demoUserId } from '../demo-users'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, pull } from './sync-helpers'
import { serverState } from './mutation-examples'

/** Now, to the second (the offset forms below carry no milliseconds). */
const nowToSecond = () => Math.floor(Date.now() / 1000) * 1000

/** The instant `at` written as a local time with this UTC offset, e.g. `2026-05-01T06:30:00-05:00`. */
function withOffset(at: Date, offsetMinutes: number): string {
  const local = new Date(at.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 19)
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}

describe.each(databases)('hostile input on %s', (kind) => {
  let server: TestServer
  let db: Kysely<Database>
  let member: string
  let admin: string
  const memberId = demoUserId(DEMO.member)

  beforeAll(async () => {
    server = await startServer(kind)
    db = openDatabase(server.config).db
    member = await login(server.app, DEMO.member)
    admin = await login(server.app, DEMO.admin)
  })
  afterAll(async () => {
    await db.destroy()
    await server.close()
  })

  async function pushOne(cookie: string, name: string, args: unknown): Promise<{ status: number; result?: MutationResult }> {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/sync/push',
      headers: { cookie },
      payload: { clientId: clientId(), schemaVersion: 1, mutations: [mutation(name, args)] },
    })
    return {
      status: response.statusCode,
      result: response.statusCode === 200 ? (response.json() as { results: MutationResult[] }).results[0] : undefined,
    }
  }

  describe('text the database cannot store', () => {
    const comment = (text: string) => ({
      comment: { id: `c-${randomUUID()}`, topicId: 't-hexing-road', text, category: 'suggestion', householdId: null, photos: [] },
    })
    const cases: [string, string, unknown][] = [
      ['a NUL in a comment', 'comment.post', comment('路面\u0000硬化')],
      ['a lone surrogate in a comment', 'comment.post', comment('路面\ud800硬化')],
      ['a NUL in a leave reason', 'leave.request', { meetingId: 'demo-hexing-05', reason: '看病\u0000' }],
      ['a NUL in a city', 'profile.update', { status: 'away', awayCity: '杭\u0000州' }],
      ['a NUL in an id', 'comment.like', { commentId: 'c-hexing-road-1\u0000', liked: true }],
      [
        'a NUL in a record key',
        'quiz.submit',
        { quizId: 'daily:2026-05-01', answers: { ['q\u0000']: [0] }, submittedAt: new Date().toISOString() },
      ],
      ['an RTL override in a name', 'profile.update', { status: 'away', awayCity: '\u202e州杭' }],
      // As long as a push may be (1 MB bodies: a longer one is a 413 for the whole request).
      ['a 900 kB comment', 'comment.post', comment('x'.repeat(900_000))],
    ]

    it.each(cases)('refuses %s as a rejection (never a 500) and stores nothing', async (_name, name, args) => {
      const before = await serverState(db)
      const { status, result } = await pushOne(member, name, args)
      expect(status).toBe(200)
      expect(result).toMatchObject({ status: 'rejected', code: 'invalid_args' })
      expect(await serverState(db)).toEqual(before)
    })

    it('answers a push over 1 MB with a 413 in the documented shape, and stores nothing', async () => {
      const before = await serverState(db)
      const response = await server.app.inject({
        method: 'POST',
        url: '/api/sync/push',
        headers: { cookie: member },
        payload: { clientId: clientId(), schemaVersion: 1, mutations: [mutation('comment.post', comment('党'.repeat(1 << 20)))] },
      })
      expect(response.statusCode).toBe(413)
      expect(response.json()).toMatchObject({ error: expect.any(String), message: expect.stringMatching(/[\u4e00-\u9fff]/) })
      expect(await serverState(db)).toEqual(before)
    })

    it('answers a NUL in a path parameter or a query with a 400 in the documented shape', async () => {
      const room = await server.app.inject({
        method: 'POST',
        url: '/api/meetings/demo%00hexing/remote/heartbeat',
        headers: { cookie: member },
      })
      expect(room.statusCode).toBe(400)
      expect(room.json()).toMatchObject({ error: 'bad_request', message: expect.stringContaining('路径参数') })
      const ledger = await server.app.inject({
        url: `/api/points/ledger?memberId=${encodeURIComponent(`${memberId}\u0000`)}`,
        headers: { cookie: admin },
      })
      expect(ledger.statusCode).toBe(400)
      expect(ledger.json()).toMatchObject({ error: 'bad_request' })
    })
  })

  describe('instants written with another UTC offset', () => {
    it('refuses the same study session resent with Z or -05:00 as overlapping, and scores it once', async () => {
      const end = new Date(nowToSecond() - 30 * 60_000)
      const start = new Date(end.getTime() - 10 * 60_000)
      const session = (startedAt: string, endedAt: string) => ({
        sessionId: randomUUID(),
        materialId: 'm-002',
        startedAt,
        endedAt,
        activeSeconds: 590,
        completed: false,
      })
      const first = session(withOffset(start, 480), withOffset(end, 480))
      expect(first.startedAt).toMatch(/\+08:00$/)
      expect((await pushOne(member, 'study.record', first)).result).toEqual({ id: expect.any(String), status: 'applied' })
      const stored = await db
        .selectFrom('study_sessions')
        .select(['started_at', 'ended_at'])
        .where('id', '=', first.sessionId)
        .executeTakeFirstOrThrow()
      expect(stored).toEqual({ started_at: start.toISOString(), ended_at: end.toISOString() })

      const points = () => db.selectFrom('points_ledger').select('id').where('member_id', '=', memberId).execute()
      const before = (await points()).length
      for (const offset of [0, -300, 330]) {
        const forged = session(
          offset === 0 ? start.toISOString().replace('.000Z', 'Z') : withOffset(start, offset),
          withOffset(end, offset),
        )
        const { status, result } = await pushOne(member, 'study.record', forged)
        expect(status).toBe(200)
        expect(result, `offset ${offset}`).toMatchObject({ status: 'rejected', code: 'overlap' })
      }
      // A session that only overlaps by a minute, written in another zone, is caught too.
      const shifted = session(withOffset(new Date(end.getTime() - 60_000), -300), withOffset(new Date(end.getTime() + 60_000), -300))
      expect((await pushOne(member, 'study.record', { ...shifted, activeSeconds: 100 })).result).toMatchObject({
        status: 'rejected',
        code: 'overlap',
      })
      expect((await points()).length).toBe(before)
    })

    it('stores a meeting’s times in UTC, whatever offset the secretary’s phone wrote', async () => {
      const secretary = await login(server.app, DEMO.secretary)
      const starts = new Date(nowToSecond() + 3 * 86_400_000)
      const ends = new Date(starts.getTime() + 3600_000)
      const draft = {
        id: `mt-${randomUUID()}`,
        branchId: 'b-hexing',
        type: 'assembly',
        title: '时区测试会议',
        agenda: '',
        place: '村委会',
        startsAt: withOffset(starts, 480),
        endsAt: withOffset(ends, -300),
        audience: 'branch',
        memberIds: [],
        remoteAllowed: false,
        remoteMemberIds: [],
        videoUrl: null,
        materialIds: [],
        backfillReason: null,
      }
      expect((await pushOne(secretary, 'meeting.schedule', { meeting: draft })).result).toMatchObject({ status: 'applied' })
      const row = await db.selectFrom('meetings').select(['starts_at', 'ends_at']).where('id', '=', draft.id).executeTakeFirstOrThrow()
      expect(row).toEqual({ starts_at: starts.toISOString(), ends_at: ends.toISOString() })
    })

    it('rewrites instants stored with an offset before this release in UTC (migration 0008), so the rule sees them', async () => {
      const end = new Date(nowToSecond() - 3 * 3600_000)
      const start = new Date(end.getTime() - 10 * 60_000)
      const legacyId = randomUUID()
      await db
        .insertInto('study_sessions')
        .values({
          id: legacyId,
          member_id: memberId,
          material_id: 'm-003',
          started_at: withOffset(start, 480),
          ended_at: withOffset(end, 480),
          active_seconds: 600,
          completed: 0,
          day: '2026-01-01',
          received_at: new Date().toISOString(),
        })
        .execute()
      expect(await normaliseStoredInstants(db as unknown as Kysely<unknown>)).toBe(2)
      const row = await db
        .selectFrom('study_sessions')
        .select(['started_at', 'ended_at'])
        .where('id', '=', legacyId)
        .executeTakeFirstOrThrow()
      expect(row).toEqual({ started_at: start.toISOString(), ended_at: end.toISOString() })
      // Run again: nothing left to do.
      expect(await normaliseStoredInstants(db as unknown as Kysely<unknown>)).toBe(0)
      const resent = {
        sessionId: randomUUID(),
        materialId: 'm-003',
        startedAt: start.toISOString(),
        endedAt: end.toISOString(),
        activeSeconds: 600,
        completed: false,
      }
      expect((await pushOne(member, 'study.record', resent)).result).toMatchObject({ status: 'rejected', code: 'overlap' })
    })
  })

  describe('calendar days that do not exist', () => {
    // Pattern-checked days were stored and then broke date arithmetic: every answer to such an exam was a 500.
    it('refuses an exam, a rule revision and a return date on a day that does not exist, in Chinese', async () => {
      const exam = (opensOn: string, closesOn: string) => ({
        exam: {
          id: `ex-${randomUUID().slice(0, 8)}`,
          title: '日期测试考试',
          summary: '',
          questionIds: ['q-001', 'q-002'],
          passMark: 60,
          opensOn,
          closesOn,
        },
      })
      const refused: [string, string, unknown][] = [
        [admin, 'exam.save', exam('2026-12-01', '2026-12-32')],
        [admin, 'exam.save', exam('2026-11-31', '2026-12-05')],
        [admin, 'exam.save', exam('0000-00-00', '2026-12-05')],
        [admin, 'rules.revise', { code: 'daily-quiz', from: '2027-02-30', change: { name: '每日答题' } }],
        [admin, 'rules.revise', { code: 'daily-quiz', from: '2027-13-01', change: { name: '每日答题' } }],
        [member, 'profile.update', { status: 'away', awayCity: '杭州', returnDate: '2026-02-30' }],
        [member, 'profile.update', { status: 'away', awayCity: '杭州', returnDate: '9999-99-99' }],
      ]
      const before = await serverState(db)
      for (const [cookie, name, args] of refused) {
        const { status, result } = await pushOne(cookie, name, args)
        expect(status, `${name} ${JSON.stringify(args)}`).toBe(200)
        expect(result).toMatchObject({ status: 'rejected', code: 'invalid_args' })
        expect(result?.status === 'rejected' && result.message).toMatch(/日期/)
        expect(result?.status === 'rejected' && result.message).not.toMatch(/Invalid|time value/i)
      }
      expect(await serverState(db)).toEqual(before)
    })

    it('answers an exam stored with a day that does not exist (saved before the check) with a rejection, not a 500', async () => {
      const examId = `ex-${randomUUID().slice(0, 8)}`
      const saved = await pushOne(admin, 'exam.save', {
        exam: {
          id: examId,
          title: '旧的考试',
          summary: '',
          questionIds: ['q-001', 'q-002'],
          passMark: 60,
          opensOn: '2026-01-01',
          closesOn: '2099-12-30',
        },
      })
      expect(saved.result?.status).toBe('applied')
      await db.updateTable('exams').set({ closes_on: '2099-12-32' }).where('id', '=', examId).execute()
      const answer = await pushOne(member, 'quiz.submit', {
        quizId: `exam:${examId}`,
        answers: { 'q-001': [0] },
        submittedAt: new Date().toISOString(),
      })
      expect(answer.status).toBe(200)
      expect(answer.result).toMatchObject({ status: 'rejected', code: 'closed' })
    })
  })

  describe('the ledger page cursor', () => {
    it('answers a cursor holding a NUL with a 400, on every database', async () => {
      const before = Buffer.from(JSON.stringify(['\u0000', 'b', 'c'])).toString('base64url')
      const response = await server.app.inject({
        method: 'GET',
        url: `/api/points/ledger?memberId=${memberId}&before=${before}`,
        headers: { cookie: admin },
      })
      expect(response.statusCode).toBe(400)
      expect(response.json()).toMatchObject({ error: 'bad_request' })
    })
  })

  describe('a forged pull cursor', () => {
    it.each([
      ['a version above 2³¹−1', () => encodeCursor({ [`user:${memberId}`]: 2 ** 31 })],
      ['a version beyond safe integers', () => encodeCursor({ [`user:${memberId}`]: 2 ** 60 })],
      ['a version given as text', () => btoa(JSON.stringify({ v: 1, s: { [`user:${memberId}`]: '99999999999' } }))],
    ])('answers %s with a reset (the device starts afresh), never a 500', async (_name, cursor) => {
      const device = clientId()
      await pull(server.app, member, device)
      const response = await server.app.inject({
        url: `/api/sync/pull?${new URLSearchParams({ clientId: device, cursor: cursor() })}`,
        headers: { cookie: member },
      })
      expect(response.statusCode).toBe(200)
      const reply = response.json() as { reset?: boolean; changes: unknown[] }
      expect(reply.reset).toBe(true)
      expect(reply.changes.length).toBeGreaterThan(0)
    })
  })
})
