// Members who left (membership ended, or moved to another branch: issue 12) leave every current
// computation: the meetings still to be held and what closing them records, the rates after they left,
// rankings, the 红黄榜 and new points; closed meetings and published history keep them. SQLite and PostgreSQL.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { dayInShanghai, monthOf, previousMonth, shanghaiTime } from '~/domain/calendar'
import { attendanceRates, type AttendanceRow, type LeaveRow, type MeetingDraft, type MeetingRow } from '~/domain/meetings'
import type { HonorPreview } from '~/domain/honor'
import type { RankingReply } from '~/domain/points'
import { demoUserId } from '../demo-users'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, pullAll } from './sync-helpers'
import { JINJIWO, outcome, send } from './roster-helpers'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const iso = (ms: number) => new Date(ms).toISOString()
const LIUDONG_SECRETARY = '13800000103'

/** A 合兴村 branch meeting starting `startIn` from now, an hour long; one already begun is the admin's 补录. */
function draft(startIn: number, over: Partial<MeetingDraft> = {}): MeetingDraft {
  const start = Date.now() + startIn
  return {
    id: `m-left-${randomUUID().slice(0, 8)}`,
    branchId: 'b-hexing',
    type: 'assembly',
    title: '支部党员大会',
    agenda: '学习文件',
    place: '合兴村党群服务中心',
    startsAt: iso(start),
    endsAt: iso(start + HOUR),
    audience: 'branch',
    memberIds: [],
    remoteAllowed: true,
    remoteMemberIds: [],
    videoUrl: null,
    materialIds: [],
    backfillReason: startIn < 0 ? '会议临时提前，会后补录' : null,
    ...over,
  }
}

describe.each(databases)('members who left, in every current computation, on %s', (kind) => {
  let server: TestServer
  let admin: string
  let secretary: string
  const today = dayInShanghai(new Date())

  beforeAll(async () => {
    server = await startServer(kind)
    admin = await login(server.app, DEMO.admin)
    secretary = await login(server.app, DEMO.secretary)
  })
  afterAll(() => server.close())

  const schedule = async (cookie: string, meeting: MeetingDraft) => outcome(await send(server.app, cookie, 'meeting.schedule', { meeting }))
  const close = async (meetingId: string) =>
    outcome(await send(server.app, admin, 'meeting.close', { meetingId, minutes: '会议记录：传达学习上级文件精神。' }))
  const end = async (memberId: string) =>
    outcome(await send(server.app, secretary, 'member.end', { memberId, reason: 'transfer_out', on: today, note: null }))
  const move = async (memberId: string, toBranchId = 'b-jinjiwo') =>
    outcome(await send(server.app, admin, 'member.move', { memberId, toBranchId, note: null }))
  const stored = (meetingId: string) =>
    server.withDb(async (db) => {
      const row = await db.selectFrom('meetings').selectAll().where('id', '=', meetingId).executeTakeFirstOrThrow()
      return { expected: JSON.parse(row.expected_ids_json) as string[], remote: JSON.parse(row.remote_member_ids_json) as string[] }
    })
  /** Who closing the meeting gave points, and by which rule. */
  const pointsAt = (meetingId: string) =>
    server.withDb((db) =>
      db.selectFrom('points_ledger').select(['member_id', 'rule_code']).where('source_id', 'like', `meeting:${meetingId}:%`).execute(),
    )

  describe('meetings', () => {
    it('takes an ended member off the meetings still to be held: no absence at closing; a closed meeting keeps them', async () => {
      const [ended, stays] = [demoUserId('13800000005'), demoUserId('13800000006')]
      const past = draft(-3 * HOUR)
      expect(await schedule(admin, past)).toBe('applied')
      expect(await close(past.id)).toBe('applied')
      expect(await pointsAt(past.id)).toContainEqual({ member_id: ended, rule_code: 'meeting-absent' })
      const started = draft(-10 * MINUTE)
      const committee = draft(24 * HOUR, { type: 'committee', audience: 'committee', memberIds: [ended, stays], remoteMemberIds: [ended] })
      expect(await schedule(admin, started)).toBe('applied')
      expect(await schedule(secretary, committee)).toBe('applied')
      const device = clientId()
      const before = await pullAll(server.app, secretary, device)

      expect(await end(ended)).toBe('applied')
      expect((await stored(started.id)).expected).not.toContain(ended)
      expect((await stored(started.id)).expected).toContain(stays)
      expect(await stored(committee.id)).toEqual({ expected: [stays], remote: [] })
      expect((await stored(past.id)).expected).toContain(ended)
      // The branch's devices get the meetings as they are now; the closed one is not sent again.
      const { rows } = await pullAll(server.app, secretary, device, before.cursor)
      expect((rows.get(`meetings/${started.id}`) as MeetingRow).expectedIds).not.toContain(ended)
      expect(rows.get(`meetings/${committee.id}`)).toMatchObject({ expectedIds: [stays], remoteMemberIds: [] })
      expect(rows.has(`meetings/${past.id}`)).toBe(false)

      expect(await close(started.id)).toBe('applied')
      const points = await pointsAt(started.id)
      expect(points.map((p) => p.member_id)).not.toContain(ended)
      expect(points).toContainEqual({ member_id: stays, rule_code: 'meeting-absent' })
      expect(await pointsAt(past.id)).toContainEqual({ member_id: ended, rule_code: 'meeting-absent' })

      // Rates, from what devices hold: the ended member counts at the meeting before, not at the one after.
      const all = (await pullAll(server.app, admin, clientId())).rows
      const table = <T>(name: string) => [...all].filter(([key]) => key.startsWith(`${name}/`)).map(([, row]) => row as T)
      const rates = attendanceRates({
        meetings: table<MeetingRow>('meetings').filter((m) => m.id === past.id || m.id === started.id),
        attendance: table<AttendanceRow>('attendance'),
        leaves: table<LeaveRow>('leaves'),
        awayIds: new Set(),
      })
      expect(rates.byMember.get(ended)).toMatchObject({ expected: 1, absent: 1 })
      expect(rates.byMember.get(stays)).toMatchObject({ expected: 2, absent: 2 })
      expect(rates.byMeeting.get(started.id)!.expected).toBe(rates.byMeeting.get(past.id)!.expected - 1)
    })

    it('takes a moved member off the old branch’s meetings still to be held; their past absence stays theirs', async () => {
      const moved = demoUserId('13800000007')
      const past = draft(-3 * HOUR)
      const started = draft(-10 * MINUTE, { remoteMemberIds: [moved] })
      expect(await schedule(admin, past)).toBe('applied')
      expect(await close(past.id)).toBe('applied')
      expect(await schedule(admin, started)).toBe('applied')
      expect(await move(moved)).toBe('applied')
      expect(await stored(started.id)).toMatchObject({ remote: [] })
      expect((await stored(started.id)).expected).not.toContain(moved)
      expect((await stored(past.id)).expected).toContain(moved)
      expect(await close(started.id)).toBe('applied')
      expect((await pointsAt(started.id)).map((p) => p.member_id)).not.toContain(moved)
      expect(await pointsAt(past.id)).toContainEqual({ member_id: moved, rule_code: 'meeting-absent' })
    })

    it('expects at closing only the branch’s current members, whatever the stored list still says', async () => {
      const member = demoUserId('13800000008')
      const started = draft(-10 * MINUTE)
      expect(await schedule(admin, started)).toBe('applied')
      // As if the membership had ended by another way than member.end (an import, an older server).
      await server.withDb((db) => db.updateTable('users').set({ ended_at: today, end_reason: 'other' }).where('id', '=', member).execute())
      expect((await stored(started.id)).expected).toContain(member)
      expect(await close(started.id)).toBe('applied')
      expect((await stored(started.id)).expected).not.toContain(member)
      expect((await pointsAt(started.id)).map((p) => p.member_id)).not.toContain(member)
    })

    it('schedules for current members only: a branch meeting leaves the ended member out, a chosen list naming them is refused', async () => {
      const ended = demoUserId('13800000009')
      expect(await end(ended)).toBe('applied')
      const branch = draft(24 * HOUR)
      expect(await schedule(secretary, branch)).toBe('applied')
      expect((await stored(branch.id)).expected).not.toContain(ended)
      expect((await stored(branch.id)).expected).toContain(demoUserId(DEMO.member))
      const [refused] = [
        await send(server.app, secretary, 'meeting.schedule', { meeting: draft(HOUR, { audience: 'group', memberIds: [ended] }) }),
      ]
      expect(refused).toMatchObject({ status: 'rejected', code: 'forbidden', message: '参会人员须是本支部党员' })
    })
  })

  describe('points, rankings and the 红黄榜', () => {
    const volunteer = (memberId: string, amount: number) =>
      send(server.app, admin, 'points.adjust', {
        adjustmentId: randomUUID(),
        memberId,
        kind: 'volunteer',
        amount,
        reason: '参加村里环境整治',
      })
    const ranking = async (cookie: string, scope: 'branch' | 'town') => {
      const response = await server.app.inject({ url: `/api/points/ranking?scope=${scope}&period=year`, headers: { cookie } })
      expect(response.statusCode, response.body).toBe(200)
      return (response.json() as RankingReply).rows
    }
    const nameOf = async (id: string) =>
      (await server.withDb((db) => db.selectFrom('users').select('name').where('id', '=', id).executeTakeFirstOrThrow())).name

    it('ranks current members only; a moved member ranks in the new branch with their points', async () => {
      const [ended, stays, moved] = [demoUserId('13800000020'), demoUserId('13800000021'), demoUserId('13800000022')]
      for (const [id, amount] of [
        [ended, 6],
        [stays, 3],
        [moved, 7],
      ] as const)
        expect(outcome(await volunteer(id, amount))).toBe('applied')
      expect(outcome(await send(server.app, admin, 'member.end', { memberId: ended, reason: 'deceased', on: today, note: null }))).toBe(
        'applied',
      )
      expect(await move(moved)).toBe('applied')
      const [endedName, staysName, movedName] = await Promise.all([ended, stays, moved].map(nameOf))

      const town = await ranking(admin, 'town')
      expect(town.map((r) => r.name)).not.toContain(endedName)
      expect(town.find((r) => r.name === movedName)).toMatchObject({ branchName: '金鸡窝村党支部', points: 7 })
      const oldBranch = (await ranking(await login(server.app, LIUDONG_SECRETARY), 'branch')).map((r) => r.name)
      expect(oldBranch).toContain(staysName)
      expect(oldBranch).not.toContain(endedName)
      expect(oldBranch).not.toContain(movedName)
      const newBranch = await ranking(await login(server.app, JINJIWO.secretaryPhone), 'branch')
      expect(newBranch.find((r) => r.name === movedName)).toMatchObject({ points: 7 })
      // Their ledger stays theirs; an ended member earns nothing new, but the past entries stay.
      const ledger = await server.withDb((db) =>
        db.selectFrom('points_ledger').select('member_id').where('member_id', 'in', [ended, moved]).execute(),
      )
      expect(ledger).toHaveLength(2)
      expect(await volunteer(ended, 1)).toMatchObject({ status: 'rejected', code: 'already_ended' })
    })

    it('leaves an ended member out of the 红黄榜 preview; a moved member is on their new branch’s list', async () => {
      const [ended, moved] = [demoUserId('13800000023'), demoUserId('13800000024')]
      const month = previousMonth(monthOf(today))
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(new Date(shanghaiTime(`${month}-15`, '10:00')))
      try {
        for (const [id, amount] of [
          [ended, 9],
          [moved, 8],
        ] as const)
          expect(outcome(await volunteer(id, amount))).toBe('applied')
      } finally {
        vi.useRealTimers()
      }
      const preview = async () => {
        const response = await server.app.inject({
          url: `/api/admin/honor-preview?month=${month}&threshold=0&redPerBranch=2`,
          headers: { cookie: admin },
        })
        expect(response.statusCode, response.body).toBe(200)
        const shown = response.json() as HonorPreview
        return [...shown.red, ...shown.yellow].map((e) => ({ name: e.name, branchName: e.branchName, list: e.list }))
      }
      const [endedName, movedName] = await Promise.all([ended, moved].map(nameOf))
      expect(await preview()).toContainEqual({ name: endedName, branchName: '流洞社区党支部', list: 'red' })

      expect(outcome(await send(server.app, admin, 'member.end', { memberId: ended, reason: 'other', on: today, note: null }))).toBe(
        'applied',
      )
      expect(await move(moved)).toBe('applied')
      const after = await preview()
      expect(after.map((e) => e.name)).not.toContain(endedName)
      expect(after).toContainEqual({ name: movedName, branchName: '金鸡窝村党支部', list: 'red' })
    })
  })

  it('refuses an ended member as the handler of a comment', async () => {
    const author = await login(server.app, DEMO.member)
    const id = `c-${randomUUID()}`
    const comment = { id, topicId: 't-hexing-road', text: '村口的路灯坏了两盏。', category: 'need', householdId: null, photos: [] }
    expect(outcome(await send(server.app, author, 'comment.post', { comment }))).toBe('applied')
    const ended = demoUserId('13800000004')
    expect(await end(ended)).toBe('applied')
    const accept = (handlerId: string) =>
      send(server.app, secretary, 'comment.act', { commentId: id, action: { type: 'accept', handlerId } })
    expect(await accept(ended)).toMatchObject({ status: 'rejected', code: 'invalid_args' })
    expect(outcome(await accept(demoUserId('13800000003')))).toBe('applied')
  })
})
