// 整改提示单 (issue 13) that the server issues itself, on both databases: an overdue notice escalated once
// with a follow-up, a red warning's notice opened once, and five issuing for one warning at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays, addWorkingDays, dayInShanghai, startOfShanghaiDay } from '~/domain/calendar'
import { rectificationRequirement } from '~/domain/supervision'
import { ChangeWriter } from '~/server/sync/changes'
import { escalateOverdueRectifications, issueAutomaticRectification } from '~/server/features/supervision/rectifications'
import { loadWorkCalendar } from '~/server/features/supervision/workdays'
import { demoUserId } from '../demo-users'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, pullAll } from './sync-helpers'
import {
  answerArgs,
  at,
  ensureDefaults,
  insertWarning,
  issueArgs,
  officeOf,
  outcome,
  send,
  stepNotices,
  storedNotice,
  storedWarning,
} from './supervision-helpers'

const ADMIN = demoUserId(DEMO.admin)

describe.each(databases)('整改提示单 the server issues on %s', (kind) => {
  let server: TestServer
  const cookies = { admin: '', secretary: '' }
  let secretaries: string[]
  let admins: string[]

  beforeAll(async () => {
    server = await startServer(kind)
    await ensureDefaults(server)
    cookies.admin = await login(server.app, DEMO.admin)
    cookies.secretary = await login(server.app, DEMO.secretary)
    ;({ secretaries, admins } = await officeOf(server))
  })
  afterAll(async () => {
    await server.close()
  })

  const as = (who: keyof typeof cookies, name: Parameters<typeof send>[2], args: unknown) => send(server.app, cookies[who], name, args)
  const escalate = (now: string) =>
    server.withDb((db) => db.transaction().execute((trx) => escalateOverdueRectifications(trx, new ChangeWriter(trx, now), now)))
  /** What escalating a notice made: its follow-ups, and the in-app notices about it and them. */
  const escalatedFrom = (id: string) =>
    server.withDb(async (db) => {
      const follows = await db.selectFrom('rectifications').select(['id', 'escalated_at']).where('follows_id', '=', id).execute()
      const about = [id, ...follows.map((f) => f.id)]
      const notices = await db.selectFrom('notices').select('id').where('comment_id', 'in', about).orderBy('id').execute()
      return { follows, notices: notices.map((n) => n.id) }
    })

  it('escalates an overdue notice once: a second notice follows it, and both sides are told', async () => {
    const warning = await insertWarning(server)
    const args = issueArgs({ warningId: warning.id, workingDays: 3 })
    await at('2026-09-28T10:00:00+08:00', async () => {
      expect(outcome(await send(server.app, await login(server.app, DEMO.admin), 'rectification.issue', args))).toBe('applied')
    })
    const issued = await storedNotice(server, args.id)
    expect(issued.deadline).toBe('2026-10-08')
    // 23:59:59 on its last day in Shanghai it is not overdue yet; at midnight it is.
    await escalate('2026-10-08T15:59:59.000Z')
    expect((await storedNotice(server, args.id)).escalatedAt).toBeNull()
    await escalate('2026-10-08T16:00:00.000Z')
    expect(await storedNotice(server, args.id)).toMatchObject({ status: 'open', escalatedAt: '2026-10-08T16:00:00.000Z' })
    const follows = await server.withDb((db) => db.selectFrom('rectifications').select('id').where('follows_id', '=', args.id).execute())
    expect(follows).toHaveLength(1)
    const follow = await storedNotice(server, follows[0]!.id)
    const calendar = await server.withDb(loadWorkCalendar)
    expect(follow).toMatchObject({
      status: 'open',
      warningId: warning.id,
      issuedById: 'system',
      workingDays: 10,
      deadline: addWorkingDays('2026-10-09', 10, calendar),
      requirement: expect.stringContaining(`${issued.number}逾期未完成整改`),
    })
    expect(follow.requirement).toContain(issued.requirement)
    expect(follow.number).not.toBe(issued.number)
    expect((await storedWarning(server, warning.id)).rectificationId).toBe(follow.id)
    expect(await stepNotices(server, args.id)).toEqual(
      [...secretaries.map((id) => `${id} issued`), ...[...secretaries, ...admins].map((id) => `${id} overdue`).sort()].sort(),
    )
    const office = await pullAll(server.app, cookies.admin, clientId())
    expect(office.rows.get(`notices/rn:${args.id}:overdue:0:${ADMIN}`)).toMatchObject({ title: '合兴村党支部的整改提示单已超期' })

    // Run again (the next day's run, or the same one twice): nothing more.
    const before = await escalatedFrom(args.id)
    await escalate('2026-10-09T02:00:00.000Z')
    await escalate('2026-10-10T02:00:00.000Z')
    expect(await escalatedFrom(args.id)).toEqual(before)
    // Overdue again: a third notice follows the second, repeating the first one's requirement (not the chain).
    await escalate(new Date(startOfShanghaiDay(addDays(follow.deadline, 1))).toISOString())
    const third = (await escalatedFrom(follow.id)).follows
    expect(third).toHaveLength(1)
    expect((await storedNotice(server, third[0]!.id)).requirement).toBe(
      `${follow.number}逾期未完成整改，现再次下发，请抓紧整改。原整改要求：${issued.requirement}`,
    )
    // Answered on the latest notice only.
    for (const id of [args.id, follow.id])
      expect(await as('secretary', 'rectification.answer', answerArgs(id))).toMatchObject({ code: 'superseded' })
    expect(outcome(await as('secretary', 'rectification.answer', answerArgs(third[0]!.id)))).toBe('applied')
  })

  it('opens a notice by itself for a red warning, once, and the admin can’t issue a second', async () => {
    const warning = await insertWarning(server)
    const now = new Date().toISOString()
    const run = () =>
      server.withDb((db) => db.transaction().execute((trx) => issueAutomaticRectification(trx, new ChangeWriter(trx, now), warning, now)))
    const [first, second] = [await run(), await run()]
    const rows = await server.withDb((db) => db.selectFrom('rectifications').select('id').where('warning_id', '=', warning.id).execute())
    expect(rows).toHaveLength(1)
    expect(first.rectificationId).toBe(rows[0]!.id)
    expect(second.rectificationId).toBe(rows[0]!.id)
    expect(await storedNotice(server, rows[0]!.id)).toMatchObject({
      issuedById: 'system',
      workingDays: 10,
      requirement: rectificationRequirement(warning, 'assembly'),
    })
    expect(await stepNotices(server, rows[0]!.id)).toEqual(secretaries.map((id) => `${id} issued`))
    expect(await as('admin', 'rectification.issue', issueArgs({ warningId: warning.id }))).toMatchObject({
      code: 'already_issued',
      message: '该预警已下发整改提示单',
    })
  })

  it('issues one notice for a warning when five issue at once, and numbers every notice once', async () => {
    const warning = await insertWarning(server)
    const tabs = await Promise.all(Array.from({ length: 5 }, () => login(server.app, DEMO.admin)))
    const results = await Promise.all(
      tabs.map((cookie) => send(server.app, cookie, 'rectification.issue', issueArgs({ warningId: warning.id }))),
    )
    expect(results.map(outcome).sort()).toEqual(['already_issued', 'already_issued', 'already_issued', 'already_issued', 'applied'])
    // Five transactions of their own (the refresh's, not one admin's pushes, which take turns on the admin's lock).
    const now = new Date().toISOString()
    const same = await insertWarning(server)
    const others = await Promise.all(Array.from({ length: 5 }, () => insertWarning(server)))
    await server.withDb((db) =>
      Promise.all(
        [...Array(5).fill(same), ...others].map((w) =>
          db.transaction().execute((trx) => issueAutomaticRectification(trx, new ChangeWriter(trx, now), w, now)),
        ),
      ),
    )
    const all = await server.withDb((db) => db.selectFrom('rectifications').select(['number', 'warning_id']).execute())
    expect(all.filter((r) => r.warning_id === same.id)).toHaveLength(1)
    expect(all.filter((r) => others.some((w) => w.id === r.warning_id))).toHaveLength(5)
    expect(new Set(all.map((r) => r.number)).size).toBe(all.length)
    // Numbered in order within the year, none skipped.
    const ofThisYear = all.map((r) => /^整改〔(\d{4})〕(\d+)号$/.exec(r.number)!).filter((m) => m[1] === dayInShanghai(now).slice(0, 4))
    const numbers = ofThisYear.map((m) => Number(m[2])).sort((a, b) => a - b)
    expect(numbers).toEqual(numbers.map((_, i) => i + 1))
  })
})
