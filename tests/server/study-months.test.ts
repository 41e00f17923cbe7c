// study_months (issue 13): the last day each member studied in each month, kept with every study session,
// is what supervision's facts read; a day after the moment computed as of is looked up in the sessions.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dayInShanghai, monthOf } from '~/domain/calendar'
import { loadBranchFacts } from '~/server/features/supervision/facts'
import { noteStudyDays } from '~/server/features/study/studyMonths'
import { demoUserId } from '../demo-users'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, push } from './sync-helpers'

describe.each(databases)('study_months on %s', (kind) => {
  let server: TestServer
  const member = demoUserId(DEMO.member) // 合兴村
  beforeAll(async () => {
    server = await startServer(kind)
  })
  afterAll(() => server.close())

  const lastDay = (month: string) =>
    server.withDb((db) =>
      db
        .selectFrom('study_months')
        .select('last_day')
        .where('member_id', '=', member)
        .where('month', '=', month)
        .executeTakeFirst()
        .then((r) => r?.last_day),
    )

  it('keeps the day of a session the member records, in the same transaction', async () => {
    const cookie = await login(server.app, DEMO.member)
    const ended = new Date(Date.now() - 60_000)
    const session = mutation('study.record', {
      sessionId: randomUUID(),
      materialId: 'm-001',
      startedAt: new Date(ended.getTime() - 5 * 60_000).toISOString(),
      endedAt: ended.toISOString(),
      activeSeconds: 240,
      completed: false,
    })
    const [result] = await push(server.app, cookie, clientId(), [session])
    expect(result).toMatchObject({ status: 'applied' })
    const day = dayInShanghai(ended)
    expect(await lastDay(monthOf(day))).toBe(day)
  })

  it('keeps the latest day of each month, whatever order sessions come in', async () => {
    await server.withDb(async (db) => {
      await noteStudyDays(db, [
        { member_id: member, day: '2025-05-20' },
        { member_id: member, day: '2025-05-03' },
      ])
      await noteStudyDays(db, [{ member_id: member, day: '2025-05-11' }])
    })
    expect(await lastDay('2025-05')).toBe('2025-05-20')
  })

  it('counts, as of a day in the past, the last day studied up to it, not a later one of that month', async () => {
    await server.withDb(async (db) => {
      const sessions = ['2025-06-05', '2025-06-20'].map((day) => ({
        id: randomUUID(),
        member_id: member,
        material_id: 'm-001',
        started_at: `${day}T02:00:00.000Z`,
        ended_at: `${day}T02:10:00.000Z`,
        active_seconds: 600,
        completed: 0,
        day,
        received_at: `${day}T02:10:00.000Z`,
      }))
      await db.insertInto('study_sessions').values(sessions).execute()
      await noteStudyDays(db, sessions)
    })
    const daysAsOf = async (now: string) => {
      const [hexing] = await server.withDb((db) => loadBranchFacts(db, now, ['b-hexing']))
      return hexing!.studyDays.filter((s) => s.memberId === member && s.day.startsWith('2025-06')).map((s) => s.day)
    }
    expect(await daysAsOf('2025-06-10T04:00:00.000Z')).toEqual(['2025-06-05'])
    expect(await daysAsOf('2025-06-25T04:00:00.000Z')).toEqual(['2025-06-20'])
    expect(await daysAsOf('2025-07-15T04:00:00.000Z')).toEqual(['2025-06-20'])
    expect(await daysAsOf('2025-05-31T04:00:00.000Z')).toEqual([])
  })
})
