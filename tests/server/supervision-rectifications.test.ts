// 整改提示单 (issue 13) through the API on both databases: the whole lifecycle with its in-app notices, who
// may do what, bad input, and deadlines over the working calendar. Escalation, notices a red warning opens
// by itself and five at once: supervision-escalation.test.ts.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addWorkingDays, dayInShanghai } from '~/domain/calendar'
import { REJECTIONS } from '~/domain/sync'
import { loadWorkCalendar } from '~/server/features/supervision/workdays'
import { demoUserId } from '../demo-users'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, pullAll } from './sync-helpers'
import {
  answerArgs,
  at,
  ensureDefaults,
  HEXING,
  insertWarning,
  issueArgs,
  officeOf,
  outcome,
  PHONES,
  send,
  stepNotices,
  storedNotice,
  storedWarning,
  uploadPhoto,
} from './supervision-helpers'

const ADMIN = demoUserId(DEMO.admin)
const SECRETARY = demoUserId(DEMO.secretary)

describe.each(databases)('整改提示单 on %s', (kind) => {
  let server: TestServer
  const cookies = { admin: '', secretary: '', member: '', other: '' }
  let secretaries: string[]
  let admins: string[]

  beforeAll(async () => {
    server = await startServer(kind)
    await ensureDefaults(server)
    cookies.admin = await login(server.app, DEMO.admin)
    cookies.secretary = await login(server.app, DEMO.secretary)
    cookies.member = await login(server.app, DEMO.member)
    cookies.other = await login(server.app, PHONES.jinjiwoSecretary)
    ;({ secretaries, admins } = await officeOf(server))
  })
  afterAll(async () => {
    await server.close()
  })

  const as = (who: keyof typeof cookies, name: Parameters<typeof send>[2], args: unknown) => send(server.app, cookies[who], name, args)
  const keysAbout = async (cookie: string, id: string) =>
    [...(await pullAll(server.app, cookie, clientId())).rows.keys()].filter((k) => k.includes(id))

  it('goes from issued to answered, returned, answered again and accepted, telling the other side at each step', async () => {
    const warning = await insertWarning(server)
    const args = issueArgs({ warningId: warning.id })
    expect(outcome(await as('admin', 'rectification.issue', args))).toBe('applied')
    const issued = await storedNotice(server, args.id)
    const calendar = await server.withDb(loadWorkCalendar)
    expect(issued).toMatchObject({
      status: 'open',
      branchId: HEXING,
      warningId: warning.id,
      issuedById: ADMIN,
      workingDays: 10,
      followsId: null,
    })
    expect(issued.deadline).toBe(addWorkingDays(dayInShanghai(issued.issuedAt), 10, calendar))
    expect(issued.number).toMatch(/^整改〔\d{4}〕\d+号$/)
    expect((await storedWarning(server, warning.id)).rectificationId).toBe(args.id)
    expect(await stepNotices(server, args.id)).toEqual(secretaries.map((id) => `${id} issued`))

    // The branch's secretary has the notice and the in-app notice; a member and another branch's secretary nothing.
    const theirs = await pullAll(server.app, cookies.secretary, clientId())
    expect(theirs.rows.get(`rectifications/${args.id}`)).toMatchObject({ number: issued.number, status: 'open', deadline: issued.deadline })
    expect(theirs.rows.get(`notices/rn:${args.id}:issued:0:${SECRETARY}`)).toMatchObject({
      kind: 'rectification',
      rectificationId: args.id,
      topicId: '',
      commentId: '',
      title: `收到整改提示单（${issued.number}）`,
      readAt: null,
    })
    expect(await keysAbout(cookies.member, args.id)).toEqual([])
    expect(await keysAbout(cookies.other, args.id)).toEqual([])

    // Answered with a photo and the meeting held: the admins are told, and see the photo; another branch doesn't.
    const photo = await uploadPhoto(server.app, cookies.secretary)
    const first = answerArgs(args.id, { photoIds: [photo, photo], meetingId: 'demo-hexing-04' })
    expect(outcome(await as('secretary', 'rectification.answer', first))).toBe('applied')
    const answered = await storedNotice(server, args.id)
    expect(answered.status).toBe('answered')
    expect(answered.answers).toEqual([
      { id: first.answerId, at: expect.any(String), byId: SECRETARY, text: first.text, photoIds: [photo], meetingId: 'demo-hexing-04' },
    ])
    const read = (cookie: string) => server.app.inject({ url: `/api/photos/${photo}`, headers: { cookie } })
    expect((await read(cookies.admin)).statusCode).toBe(200)
    expect((await read(cookies.other)).statusCode).toBe(403)
    const office = await pullAll(server.app, cookies.admin, clientId())
    expect(office.rows.get(`notices/rn:${args.id}:answered:1:${ADMIN}`)).toMatchObject({
      kind: 'rectification',
      title: '合兴村党支部提交了整改情况',
    })
    expect(outcome(await as('secretary', 'rectification.answer', answerArgs(args.id)))).toBe('not_open')

    // Returned with a reason; answered again; accepted: closed, and the warning cleared.
    const back = { id: args.id, outcome: 'returned', reason: '会议记录不完整，请补充签到表' }
    expect(outcome(await as('admin', 'rectification.decide', back))).toBe('applied')
    expect(await storedNotice(server, args.id)).toMatchObject({
      status: 'returned',
      closedAt: null,
      decisions: [{ at: expect.any(String), byId: ADMIN, outcome: 'returned', reason: back.reason }],
    })
    expect(outcome(await as('admin', 'rectification.decide', { ...back, outcome: 'accepted' }))).toBe('not_answered')
    expect(outcome(await as('secretary', 'rectification.answer', answerArgs(args.id, { text: '已补充签到表和会议照片' })))).toBe('applied')
    expect(outcome(await as('admin', 'rectification.decide', { id: args.id, outcome: 'accepted', reason: null }))).toBe('applied')
    const closed = await storedNotice(server, args.id)
    expect(closed).toMatchObject({ status: 'accepted', closedAt: expect.any(String) })
    expect(closed.answers).toHaveLength(2)
    expect(closed.decisions.map((d) => d.outcome)).toEqual(['returned', 'accepted'])
    expect(await storedWarning(server, warning.id)).toMatchObject({
      clearedAt: closed.closedAt,
      clearReason: `整改提示单已办结（${issued.number}）`,
    })
    expect(await stepNotices(server, args.id)).toEqual([
      ...secretaries.map((id) => `${id} issued`),
      ...admins.map((id) => `${id} answered`),
      ...secretaries.map((id) => `${id} returned`),
      ...admins.map((id) => `${id} answered`),
      ...secretaries.map((id) => `${id} accepted`),
    ])
    expect(outcome(await as('secretary', 'rectification.answer', answerArgs(args.id)))).toBe('not_open')
    expect(outcome(await as('admin', 'rectification.decide', back))).toBe('not_answered')
    // Reading the notice marks it read, and it stays a notice about the 整改提示单.
    const noticeId = `rn:${args.id}:accepted:2:${SECRETARY}`
    expect(outcome(await as('secretary', 'notice.read', { noticeIds: [noticeId] }))).toBe('applied')
    const again = await pullAll(server.app, cookies.secretary, clientId())
    expect(again.rows.get(`notices/${noticeId}`)).toMatchObject({
      kind: 'rectification',
      rectificationId: args.id,
      readAt: expect.any(String),
    })
  })

  it('refuses members, other branches’ secretaries, secretaries deciding, someone else’s photo and meeting', async () => {
    const args = issueArgs()
    expect(outcome(await as('admin', 'rectification.issue', args))).toBe('applied')
    expect(await as('secretary', 'rectification.issue', issueArgs())).toMatchObject({ code: 'forbidden', message: REJECTIONS.forbidden })
    expect(await as('member', 'rectification.answer', answerArgs(args.id))).toMatchObject({ code: 'forbidden' })
    expect(await as('other', 'rectification.answer', answerArgs(args.id))).toMatchObject({
      code: 'forbidden',
      message: '只能回复本支部的整改提示单',
    })
    expect(await as('secretary', 'rectification.decide', { id: args.id, outcome: 'accepted', reason: null })).toMatchObject({
      code: 'forbidden',
    })
    const adminsPhoto = await uploadPhoto(server.app, cookies.admin)
    expect(await as('secretary', 'rectification.answer', answerArgs(args.id, { photoIds: [adminsPhoto] }))).toMatchObject({
      code: 'invalid_args',
      message: '只能附上自己拍摄上传的照片',
    })
    expect(await as('secretary', 'rectification.answer', answerArgs(args.id, { meetingId: 'demo-jinjiwo-01' }))).toMatchObject({
      code: 'invalid_args',
      message: '请选择本支部的会议',
    })
    expect(await as('admin', 'rectification.decide', { id: args.id, outcome: 'accepted', reason: null })).toMatchObject({
      code: 'not_answered',
      message: '支部尚未提交整改情况，不能审核',
    })
    expect(outcome(await as('secretary', 'rectification.answer', answerArgs('r-nowhere')))).toBe('not_found')
    expect(await storedNotice(server, args.id)).toMatchObject({ status: 'open', answers: [], decisions: [] })
    // A photo not uploaded yet is taken (the device uploads after the sync), and the upload is then the secretary's.
    const later = `p-${randomUUID()}`
    expect(outcome(await as('secretary', 'rectification.answer', answerArgs(args.id, { photoIds: [later] })))).toBe('applied')
  })

  it('refuses bad text and references with a clear message', async () => {
    const rejected = async (who: 'admin' | 'secretary', name: Parameters<typeof send>[2], args: unknown) => {
      const result = await as(who, name, args)
      return result.status === 'rejected' ? `${result.code}: ${result.message}` : 'applied'
    }
    const issue = (over: Record<string, unknown>) => rejected('admin', 'rectification.issue', issueArgs(over))
    expect(await issue({ requirement: '请召开\u0000支部党员大会' })).toMatch(/^invalid_args: .*无法保存的字符/)
    expect(await issue({ requirement: '党'.repeat(1001) })).toMatch(/整改要求不超过1000字/)
    expect(await issue({ requirement: '整改' })).toMatch(/整改要求至少4个字/)
    expect(await issue({ workingDays: 0 })).toMatch(/整改期限至少1个工作日/)
    expect(await issue({ workingDays: 61 })).toMatch(/整改期限不超过60个工作日/)
    expect(await issue({ branchId: 'b-nowhere' })).toBe('not_found: 找不到这个支部')
    const elsewhere = await insertWarning(server, 'b-jinjiwo')
    expect(await issue({ warningId: elsewhere.id })).toBe('not_found: 该支部没有这条预警')
    await server.withDb(async (db) => {
      const town = await db.selectFrom('towns').select('id').executeTakeFirstOrThrow()
      const archived = {
        name: '已撤销村党支部',
        place: '已撤销村',
        kind: 'village' as const,
        archived_at: '2026-01-01T00:00:00.000Z',
        created_on: null,
      }
      await db
        .insertInto('branches')
        .values({ id: 'b-gone', town_id: town.id, ...archived })
        .execute()
    })
    expect(await issue({ branchId: 'b-gone' })).toBe('archived: 该支部已撤销，不能下发整改提示单')

    const args = issueArgs()
    expect(await rejected('admin', 'rectification.issue', args)).toBe('applied')
    expect(await rejected('admin', 'rectification.issue', args)).toBe('duplicate_id: 这张整改提示单已经下发过')
    expect(await rejected('secretary', 'rectification.answer', answerArgs(args.id, { text: '党'.repeat(2001) }))).toMatch(
      /整改情况不超过2000字/,
    )
    expect(await rejected('secretary', 'rectification.answer', answerArgs(args.id, { text: '已改\u0000好' }))).toMatch(/无法保存的字符/)
    expect(await rejected('secretary', 'rectification.answer', answerArgs(args.id, { photoIds: Array(10).fill('p-1') }))).toMatch(
      /照片不超过9张/,
    )
    const answer = answerArgs(args.id)
    expect(await rejected('secretary', 'rectification.answer', answer)).toBe('applied')
    expect(await rejected('admin', 'rectification.decide', { id: args.id, outcome: 'returned', reason: null })).toMatch(/请填写退回原因/)
    expect(await rejected('admin', 'rectification.decide', { id: args.id, outcome: 'returned', reason: '党'.repeat(501) })).toMatch(
      /退回原因不超过500字/,
    )
    expect(await storedNotice(server, args.id)).toMatchObject({ status: 'answered', decisions: [] })
  })

  it('counts the deadline in working days over the calendar: across 国庆 and its 调休 Saturday', async () => {
    const deadlineOf = async (cookie: string, workingDays: number) => {
      const args = issueArgs({ workingDays })
      expect(outcome(await send(server.app, cookie, 'rectification.issue', args))).toBe('applied')
      return (await storedNotice(server, args.id)).deadline
    }
    // Monday 28 September: 29 and 30 September, then 8, 9, 10 (the Saturday worked), 12 … 16 October.
    await at('2026-09-28T10:00:00+08:00', async () => {
      const admin = await login(server.app, DEMO.admin)
      expect(await deadlineOf(admin, 10)).toBe('2026-10-16')
      expect(await deadlineOf(admin, 2)).toBe('2026-09-30')
      expect(await deadlineOf(admin, 3)).toBe('2026-10-08')
    })
    // Late on Friday 9 October in Shanghai (still the 9th there, the 9th in UTC too): one working day is the 调休 Saturday.
    await at('2026-10-09T23:30:00+08:00', async () => {
      const admin = await login(server.app, DEMO.admin)
      expect(await deadlineOf(admin, 1)).toBe('2026-10-10')
      expect(await deadlineOf(admin, 2)).toBe('2026-10-12')
    })
  })
})
