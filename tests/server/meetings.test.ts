import { demoPhoneOf } from '../demo-users'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, pullAll, push } from './sync-helpers'
import { checkinToken, newMeetingKey, slotOf, slotStart, TOKEN_PROBLEM_MESSAGES } from '~/domain/checkin'
import {
  attendanceOutcome,
  attendanceRates,
  attendanceRowSchema,
  leaveRowSchema,
  meetingMessageRowSchema,
  meetingRowSchema,
  type AttendanceRow,
  type LeaveRow,
  type MeetingDraft,
  type MeetingKeyRow,
  type MeetingMessageRow,
  type MeetingRow,
} from '~/domain/meetings'
import type { LedgerRow } from '~/domain/points'
import { dayInShanghai } from '~/domain/calendar'
import { parseWith, type z } from '~/domain/validation'
import type { MutationResult } from '~/domain/sync'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const iso = (ms: number) => new Date(ms).toISOString()
const codes = (results: MutationResult[]) => results.map((r) => (r.status === 'rejected' ? r.code : r.status))

// 合兴村 (b-hexing): secretary 张志强 (…101); members 王建国 (…001), 李俊杰 (…002, away), 赵德明 (…003) and so on.
const SECRETARY_ID = 'u-d2h5f8be4qmj'
const OTHER_SECRETARY = '13800000102' // 金鸡窝村
const OTHER_BRANCH_MEMBER = '13800000011' // 金鸡窝村
const HEXING_MEMBERS = [
  'u-66hr2jf7sv8n',
  'u-v3dbuda5vaig',
  'u-tzp3tuuzx4zh',
  'u-qcp2z3k59f5t',
  'u-2vdqevmh7a2b',
  'u-7d8qf7t7kckd',
  'u-2473sdhsfeka',
  'u-an3shgwtgxib',
  'u-u8qzcrmkzu7p',
  'u-2sxm9c477t5z',
]

/** A branch meeting of 合兴村 starting `startIn` from now, one hour long. */
function draft(startIn: number, over: Partial<MeetingDraft> = {}): MeetingDraft {
  const start = Date.now() + startIn
  return {
    id: `m-test-${randomUUID().slice(0, 8)}`,
    branchId: 'b-hexing',
    type: 'assembly',
    title: '支部党员大会',
    agenda: '一、学习文件\n二、讨论村集体经济项目',
    place: '合兴村党群服务中心二楼会议室',
    startsAt: iso(start),
    endsAt: iso(start + HOUR),
    audience: 'branch',
    memberIds: [],
    remoteAllowed: true,
    remoteMemberIds: [],
    videoUrl: null,
    materialIds: ['m-007'],
    backfillReason: null,
    ...over,
  }
}

describe.each(databases)('三会一课 on %s', (kind) => {
  let server: TestServer
  const cookies = new Map<string, string>()
  const cookie = async (phone: string) => {
    if (!cookies.has(phone)) cookies.set(phone, await login(server.app, phone))
    return cookies.get(phone)!
  }
  const send = async (phone: string, ...mutations: unknown[]) => push(server.app, await cookie(phone), clientId(), mutations)
  const rowsOf = async (phone: string) => (await pullAll(server.app, await cookie(phone), clientId())).rows
  const schedule = (phone: string, meeting: MeetingDraft) => send(phone, mutation('meeting.schedule', { meeting }))
  const keyOf = async (meetingId: string) => ((await rowsOf(DEMO.secretary)).get(`meeting_keys/${meetingId}`) as MeetingKeyRow).key
  const checkIn = (phone: string, meetingId: string, token: string, scannedAt = Date.now()) =>
    send(phone, mutation('meeting.checkin', { meetingId, token, scannedAt: iso(scannedAt) }))
  const stored = (table: 'attendance' | 'leaves', id: string) =>
    server.withDb((db) => db.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst())
  const meetingPoints = async (memberId: string, meetingId: string) =>
    [...(await rowsOf(demoPhoneOf(memberId))).entries()]
      .filter(([key]) => key.startsWith('points/'))
      .map(([, row]) => row as LedgerRow)
      .filter((p) => p.sourceId.includes(meetingId))
      .map((p) => [p.ruleCode, p.points])

  beforeAll(async () => {
    server = await startServer(kind)
  })
  afterAll(() => server.close())

  describe('the demo meetings', () => {
    const table = <T>(rows: Map<string, unknown>, name: string) =>
      [...rows].filter(([key]) => key.startsWith(`${name}/`)).map(([, row]) => row as T)
    const today = dayInShanghai(new Date())

    it('give every branch meetings behind it, one today and one ahead, whatever day the demo is loaded', async () => {
      const meetings = await server.withDb((db) =>
        db.selectFrom('meetings').select(['id', 'branch_id', 'starts_at', 'status', 'minutes']).where('id', 'like', 'demo-%').execute(),
      )
      const branches = await server.withDb((db) => db.selectFrom('branches').select('id').execute())
      for (const { id: branchId } of branches) {
        const mine = meetings.filter((m) => m.branch_id === branchId)
        const day = (m: (typeof mine)[number]) => dayInShanghai(m.starts_at)
        expect(
          mine.filter((m) => day(m) === today && m.status === 'scheduled'),
          branchId,
        ).toHaveLength(1)
        expect(mine.filter((m) => day(m) < today && m.status === 'closed' && m.minutes).length, branchId).toBeGreaterThanOrEqual(2)
        expect(mine.filter((m) => day(m) > today && m.status === 'scheduled').length, branchId).toBeGreaterThanOrEqual(1)
      }
    })

    it('reach the branch’s devices as valid rows, with keys for the secretary and the admin only', async () => {
      const rows = await rowsOf(DEMO.member)
      const check = <T>(name: string, schema: z.ZodMiniType<T>) => {
        const list = table<T>(rows, name)
        for (const row of list) expect(parseWith(schema, row).ok, `${name} ${JSON.stringify(row)}`).toBe(true)
        return list
      }
      const meetings = check<MeetingRow>('meetings', meetingRowSchema).filter((m) => m.id.startsWith('demo-'))
      expect(meetings.map((m) => m.id).sort()).toEqual([
        'demo-hexing-01',
        'demo-hexing-02',
        'demo-hexing-03',
        'demo-hexing-04',
        'demo-hexing-05',
      ])
      const attendance = check<AttendanceRow>('attendance', attendanceRowSchema)
      const leaves = check<LeaveRow>('leaves', leaveRowSchema)
      const messages = check<MeetingMessageRow>('meeting_messages', meetingMessageRowSchema)
      expect(table(rows, 'meeting_keys')).toEqual([])

      // The record of a closed meeting: on site, remote and proxy attendance, leaves, the chat.
      const record = attendance.filter((a) => a.meetingId === 'demo-hexing-03')
      expect(new Set(record.map((a) => a.mode))).toEqual(new Set(['onsite', 'remote', 'proxy']))
      expect(record.find((a) => a.mode === 'proxy')).toMatchObject({ proxyBy: SECRETARY_ID, note: expect.stringMatching(/.{2,}/) })
      expect(record.filter((a) => a.mode === 'remote').every((a) => a.remoteSeconds > 0)).toBe(true)
      expect(
        leaves
          .filter((l) => l.meetingId === 'demo-hexing-03')
          .map((l) => l.status)
          .sort(),
      ).toEqual(['approved', 'refused'])
      expect(leaves.every((l) => l.memberId === 'u-66hr2jf7sv8n' || l.reason === '')).toBe(true)
      expect(messages.filter((m) => m.meetingId === 'demo-hexing-03').map((m) => m.name)).toContain('何文斌')
      // Today's meeting has nobody checked in yet, and a leave waiting for the secretary.
      expect(attendance.filter((a) => a.meetingId === 'demo-hexing-04')).toEqual([])
      expect(
        leaves
          .filter((l) => l.meetingId === 'demo-hexing-04')
          .map((l) => l.status)
          .sort(),
      ).toEqual(['approved', 'pending'])

      const rates = attendanceRates({ meetings, attendance, leaves, awayIds: new Set(['u-v3dbuda5vaig', 'u-an3shgwtgxib']) })
      expect(rates.away).toMatchObject({ remote: expect.any(Number), absent: 0 })
      expect(rates.away.rate).toBe(1)
      expect(rates.overall.rate).toBeGreaterThan(0.6)
      expect(rates.overall.rate).toBeLessThan(1)

      const secretaryKeys = table<MeetingKeyRow>(await rowsOf(DEMO.secretary), 'meeting_keys').map((k) => k.id)
      expect(secretaryKeys.sort()).toEqual(meetings.map((m) => m.id).sort())
      const adminKeys = table<MeetingKeyRow>(await rowsOf(DEMO.admin), 'meeting_keys')
      expect(adminKeys.filter((k) => k.id.startsWith('demo-'))).toHaveLength(21)
      expect(new Set(adminKeys.map((k) => k.key)).size).toBe(adminKeys.length)
      // The secretary's pull shows the reasons of the branch's leaves.
      expect(table<LeaveRow>(await rowsOf(DEMO.secretary), 'leaves').every((l) => l.reason.length > 0)).toBe(true)
    })

    it('give no points: the demo ledger starts empty', async () => {
      expect(await server.withDb((db) => db.selectFrom('points_ledger').select('id').execute())).toEqual([])
    })
  })

  describe('scheduling', () => {
    it('lets a secretary schedule for their branch: the branch gets the meeting, only the secretary and the admin its key', async () => {
      const meeting = draft(2 * HOUR)
      expect(codes(await schedule(DEMO.secretary, meeting))).toEqual(['applied'])

      const memberRows = await rowsOf(DEMO.member)
      expect(memberRows.get(`meetings/${meeting.id}`)).toEqual({
        id: meeting.id,
        branchId: 'b-hexing',
        type: 'assembly',
        title: '支部党员大会',
        agenda: meeting.agenda,
        place: meeting.place,
        startsAt: meeting.startsAt,
        endsAt: meeting.endsAt,
        audience: 'branch',
        expectedIds: [...HEXING_MEMBERS, SECRETARY_ID].sort(),
        remoteAllowed: true,
        remoteMemberIds: [],
        videoUrl: null,
        materialIds: ['m-007'],
        status: 'scheduled',
        minutes: null,
        backfillReason: null,
        closedAt: null,
      } satisfies MeetingRow)
      // Members never hold any meeting's key (not even the demo meetings').
      expect([...memberRows.keys()].filter((key) => key.startsWith('meeting_keys/'))).toEqual([])

      const key = await keyOf(meeting.id)
      expect(key).toMatch(/^[\w-]{43}$/)
      expect((await rowsOf(DEMO.admin)).get(`meeting_keys/${meeting.id}`)).toEqual({ id: meeting.id, key })
      // Another branch's secretary and members see neither the meeting nor its key.
      const other = await rowsOf(OTHER_SECRETARY)
      expect(other.has(`meetings/${meeting.id}`)).toBe(false)
      expect(other.has(`meeting_keys/${meeting.id}`)).toBe(false)
      expect((await rowsOf(OTHER_BRANCH_MEMBER)).has(`meetings/${meeting.id}`)).toBe(false)
    })

    it('refuses a secretary scheduling for another branch', async () => {
      const meeting = draft(2 * HOUR, { branchId: 'b-jinjiwo' })
      const [result] = await schedule(DEMO.secretary, meeting)
      expect(result).toMatchObject({ status: 'rejected', code: 'forbidden' })
      expect(
        await server.withDb((db) => db.selectFrom('meetings').select('id').where('id', '=', meeting.id).executeTakeFirst()),
      ).toBeUndefined()
      // Nor may a member schedule at all.
      expect(codes(await schedule(DEMO.member, draft(2 * HOUR)))).toEqual(['forbidden'])
    })

    it('refuses a start in the past from a secretary, and from the admin unless the admin gives the reason', async () => {
      const past = draft(-2 * HOUR)
      const bySecretary = await schedule(DEMO.secretary, { ...past, backfillReason: '当时忘了在系统里登记' })
      expect(bySecretary[0]).toMatchObject({ status: 'rejected', code: 'invalid_time', message: expect.stringContaining('不能事后补建') })
      expect(codes(await schedule(DEMO.admin, past))).toEqual(['invalid_time'])
      expect(codes(await schedule(DEMO.admin, { ...past, backfillReason: '停电导致系统无法登记，会后补录' }))).toEqual(['applied'])
      expect((await rowsOf(DEMO.member)).get(`meetings/${past.id}`)).toMatchObject({
        backfillReason: '停电导致系统无法登记，会后补录',
        status: 'scheduled',
      })
    })

    it('keeps the meeting’s key when the meeting is edited', async () => {
      const meeting = draft(3 * HOUR)
      await schedule(DEMO.secretary, meeting)
      const key = await keyOf(meeting.id)
      const moved = {
        ...meeting,
        title: '支部党员大会（改期）',
        place: '合兴村文化礼堂',
        startsAt: iso(Date.parse(meeting.startsAt) + HOUR),
        endsAt: iso(Date.parse(meeting.endsAt) + HOUR),
      }
      expect(codes(await schedule(DEMO.secretary, moved))).toEqual(['applied'])
      expect(await keyOf(meeting.id)).toBe(key)
      expect(
        await server.withDb((db) => db.selectFrom('meeting_keys').select('key').where('meeting_id', '=', meeting.id).execute()),
      ).toEqual([{ key }])
      expect((await rowsOf(DEMO.member)).get(`meetings/${meeting.id}`)).toMatchObject({
        title: '支部党员大会（改期）',
        place: '合兴村文化礼堂',
        startsAt: moved.startsAt,
      })
    })
  })

  describe('on-site check-in', () => {
    // Starts in a minute: a code shown now is from before the start, so on time.
    let soon: MeetingDraft
    let soonKey: string
    // Started twenty minutes ago (recorded by the admin): a code shown now is late.
    let started: MeetingDraft
    let startedKey: string

    beforeAll(async () => {
      soon = draft(MINUTE)
      started = draft(-20 * MINUTE, { type: 'lecture', title: '专题党课', backfillReason: '会议临时提前，会后补录' })
      expect(codes(await schedule(DEMO.secretary, soon))).toEqual(['applied'])
      expect(codes(await schedule(DEMO.admin, started))).toEqual(['applied'])
      soonKey = await keyOf(soon.id)
      startedKey = await keyOf(started.id)
    })

    it('counts a member on time by the slot of the code they scanned, and the branch sees the attendance', async () => {
      const now = Date.now()
      expect(codes(await checkIn(DEMO.member, soon.id, await checkinToken(soonKey, soon.id, now), now))).toEqual(['applied'])
      const row = (await rowsOf('13800000003')).get(`attendance/${soon.id}:u-66hr2jf7sv8n`) as AttendanceRow
      expect(row).toEqual({
        id: `${soon.id}:u-66hr2jf7sv8n`,
        meetingId: soon.id,
        memberId: 'u-66hr2jf7sv8n',
        mode: 'onsite',
        checkedInAt: iso(slotStart(slotOf(now))),
        remoteSeconds: 0,
        proxyBy: null,
        note: null,
        // Arrived at once, from a phone whose clock agrees: trusted, nothing to review.
        review: null,
        reviewReason: null,
        reviewedBy: null,
        reviewedAt: null,
        reviewNote: null,
      })
      expect(attendanceOutcome(soon, row, undefined)).toBe('on_time')
    })

    it('counts a code from a slot well after the start as late', async () => {
      expect(codes(await checkIn('13800000003', started.id, await checkinToken(startedKey, started.id, Date.now())))).toEqual(['applied'])
      const row = (await rowsOf('13800000003')).get(`attendance/${started.id}:u-tzp3tuuzx4zh`) as AttendanceRow
      expect(row.mode).toBe('onsite')
      expect(attendanceOutcome(started, row, undefined)).toBe('late')
    })

    it('accepts a code scanned with no signal and sent later, counted at the time of its slot', async () => {
      const scanned = Date.now() - 10 * MINUTE
      expect(codes(await checkIn('13800000004', soon.id, await checkinToken(soonKey, soon.id, scanned), scanned))).toEqual(['applied'])
      expect(await stored('attendance', `${soon.id}:u-qcp2z3k59f5t`)).toMatchObject({
        mode: 'onsite',
        checked_in_at: iso(slotStart(slotOf(scanned))),
      })
    })

    it('refuses a member of another branch, even with a genuine code', async () => {
      const [result] = await checkIn(OTHER_BRANCH_MEMBER, soon.id, await checkinToken(soonKey, soon.id, Date.now()))
      expect(result).toMatchObject({ status: 'rejected', code: 'forbidden' })
      expect(await stored('attendance', `${soon.id}:u-g58cv523zthc`)).toBeUndefined()
    })

    it('refuses a second check-in by the same member', async () => {
      const before = await stored('attendance', `${soon.id}:u-66hr2jf7sv8n`)
      const [result] = await checkIn(DEMO.member, soon.id, await checkinToken(soonKey, soon.id, Date.now()))
      expect(result).toMatchObject({ status: 'rejected', code: 'already_checked_in' })
      expect(await stored('attendance', `${soon.id}:u-66hr2jf7sv8n`)).toEqual(before)
    })

    it('rejects another meeting’s code, a forged code, an expired one and a clock far ahead, each with its reason', async () => {
      const now = Date.now()
      const genuine = await checkinToken(soonKey, soon.id, now)
      const alteredMac = genuine.slice(0, -1) + (genuine.endsWith('A') ? 'B' : 'A')
      const cases: [string, number, string][] = [
        [await checkinToken(startedKey, started.id, now), now, 'token_other_meeting'],
        [await checkinToken(newMeetingKey(), soon.id, now), now, 'token_forged'],
        [alteredMac, now, 'token_forged'],
        // A code from ten minutes ago (a screenshot sent home) scanned now.
        [await checkinToken(soonKey, soon.id, now - 10 * MINUTE), now, 'token_expired'],
        [genuine, now + 10 * MINUTE, 'token_clock'],
        ['https://example.com/not-a-checkin-code', now, 'token_malformed'],
      ]
      for (const [token, scannedAt, code] of cases) {
        const [result] = await checkIn('13800000005', soon.id, token, scannedAt)
        const problem = code.slice('token_'.length) as keyof typeof TOKEN_PROBLEM_MESSAGES
        expect(result, code).toEqual({ id: expect.any(String), status: 'rejected', code, message: TOKEN_PROBLEM_MESSAGES[problem] })
      }
      expect(await stored('attendance', `${soon.id}:u-2vdqevmh7a2b`)).toBeUndefined()
    })

    it('refuses a genuine code from before the check-in window opens', async () => {
      const early = Date.parse(soon.startsAt) - 40 * MINUTE
      const [result] = await checkIn('13800000005', soon.id, await checkinToken(soonKey, soon.id, early), early)
      expect(result).toMatchObject({ status: 'rejected', code: 'outside_window' })
    })
  })

  describe('leave', () => {
    let later: MeetingDraft

    beforeAll(async () => {
      later = draft(48 * HOUR, { type: 'theme_day', title: '主题党日：清理河道' })
      expect(codes(await schedule(DEMO.secretary, later))).toEqual(['applied'])
    })

    it('takes a request before the start, and the secretary’s approval', async () => {
      expect(codes(await send(DEMO.member, mutation('leave.request', { meetingId: later.id, reason: '家中老人住院，需要陪护' })))).toEqual([
        'applied',
      ])
      const pending = (await rowsOf(DEMO.secretary)).get(`leaves/${later.id}:u-66hr2jf7sv8n`) as LeaveRow
      expect(pending).toMatchObject({ status: 'pending', reason: '家中老人住院，需要陪护', decidedBy: null })
      const approve = mutation('leave.decide', { meetingId: later.id, memberId: 'u-66hr2jf7sv8n', approve: true, note: '注意身体' })
      expect(codes(await send(DEMO.secretary, approve))).toEqual(['applied'])
      expect((await rowsOf(DEMO.member)).get(`leaves/${later.id}:u-66hr2jf7sv8n`)).toEqual({
        id: `${later.id}:u-66hr2jf7sv8n`,
        meetingId: later.id,
        memberId: 'u-66hr2jf7sv8n',
        reason: '家中老人住院，需要陪护',
        status: 'approved',
        requestedAt: pending.requestedAt,
        decidedBy: SECRETARY_ID,
        decidedAt: expect.any(String),
        note: '注意身体',
      } satisfies LeaveRow)
    })

    it('refuses a secretary approving their own leave, and a member deciding anyone’s', async () => {
      expect(codes(await send(DEMO.secretary, mutation('leave.request', { meetingId: later.id, reason: '到县里参加培训' })))).toEqual([
        'applied',
      ])
      const own = await send(
        DEMO.secretary,
        mutation('leave.decide', { meetingId: later.id, memberId: SECRETARY_ID, approve: true, note: null }),
      )
      expect(own[0]).toMatchObject({ status: 'rejected', code: 'forbidden', message: expect.stringContaining('自己') })
      expect(
        codes(
          await send('13800000003', mutation('leave.decide', { meetingId: later.id, memberId: SECRETARY_ID, approve: true, note: null })),
        ),
      ).toEqual(['forbidden'])
      expect(await stored('leaves', `${later.id}:${SECRETARY_ID}`)).toMatchObject({ status: 'pending', decided_by: null })
      // Another branch's secretary cannot decide it either; the admin can.
      expect(
        codes(
          await send(OTHER_SECRETARY, mutation('leave.decide', { meetingId: later.id, memberId: SECRETARY_ID, approve: true, note: null })),
        ),
      ).toEqual(['forbidden'])
      expect(
        codes(await send(DEMO.admin, mutation('leave.decide', { meetingId: later.id, memberId: SECRETARY_ID, approve: true, note: null }))),
      ).toEqual(['applied'])
      expect(await stored('leaves', `${later.id}:${SECRETARY_ID}`)).toMatchObject({ status: 'approved', decided_by: 'u-jjv8xvrq2yab' })
    })

    it('shows a leave’s reason to the requester, the secretary and the admin, and a blank reason to other members', async () => {
      const id = `leaves/${later.id}:u-66hr2jf7sv8n`
      expect((await rowsOf(DEMO.member)).get(id)).toMatchObject({ reason: '家中老人住院，需要陪护' })
      expect((await rowsOf(DEMO.secretary)).get(id)).toMatchObject({ reason: '家中老人住院，需要陪护' })
      expect((await rowsOf(DEMO.admin)).get(id)).toMatchObject({ reason: '家中老人住院，需要陪护' })
      const another = await rowsOf('13800000003')
      expect(another.get(id)).toMatchObject({ status: 'approved', reason: '' })
      expect(another.get(`leaves/${later.id}:${SECRETARY_ID}`)).toMatchObject({ status: 'approved', reason: '' })
    })

    it('refuses a request once the meeting has started', async () => {
      const started = draft(-10 * MINUTE, { backfillReason: '会议临时提前，会后补录' })
      expect(codes(await schedule(DEMO.admin, started))).toEqual(['applied'])
      const [result] = await send(DEMO.member, mutation('leave.request', { meetingId: started.id, reason: '临时有事' }))
      expect(result).toMatchObject({ status: 'rejected', code: 'too_late' })
    })
  })

  describe('by proxy (代签)', () => {
    let meeting: MeetingDraft

    beforeAll(async () => {
      meeting = draft(MINUTE, {
        type: 'group',
        audience: 'group',
        memberIds: ['u-7d8qf7t7kckd', 'u-2473sdhsfeka', 'u-u8qzcrmkzu7p'],
        title: '第一党小组会',
      })
      expect(codes(await schedule(DEMO.secretary, meeting))).toEqual(['applied'])
    })

    it('records the secretary’s proxy check-in as 代签, with who signed and why', async () => {
      const sign = mutation('meeting.proxy', { meetingId: meeting.id, memberId: 'u-7d8qf7t7kckd', note: '老人没有智能手机，本人到会' })
      expect(codes(await send(DEMO.secretary, sign))).toEqual(['applied'])
      expect((await rowsOf('13800000007')).get(`attendance/${meeting.id}:u-7d8qf7t7kckd`)).toMatchObject({
        mode: 'proxy',
        proxyBy: SECRETARY_ID,
        note: '老人没有智能手机，本人到会',
        remoteSeconds: 0,
      })
      const again = await send(
        DEMO.secretary,
        mutation('meeting.proxy', { meetingId: meeting.id, memberId: 'u-7d8qf7t7kckd', note: '重复代签' }),
      )
      expect(codes(again)).toEqual(['already_checked_in'])
    })

    it('refuses a proxy by a member, by another branch’s secretary, for someone not expected, or without a reason', async () => {
      const proxy = (memberId: string, note = '没有手机，本人到会') => mutation('meeting.proxy', { meetingId: meeting.id, memberId, note })
      expect(codes(await send('13800000009', proxy('u-2473sdhsfeka')))).toEqual(['forbidden'])
      expect(codes(await send(OTHER_SECRETARY, proxy('u-2473sdhsfeka')))).toEqual(['forbidden'])
      expect(codes(await send(DEMO.secretary, proxy('u-66hr2jf7sv8n')))).toEqual(['forbidden'])
      expect(codes(await send(DEMO.secretary, proxy('u-2473sdhsfeka', ' ')))).toEqual(['invalid_args'])
      expect(await stored('attendance', `${meeting.id}:u-2473sdhsfeka`)).toBeUndefined()
    })
  })

  describe('closing', () => {
    // A party-group meeting: 001 checks in, 003 is signed by proxy, 004 is on approved leave,
    // 005's leave was refused and 002 does not come.
    const expected = ['u-66hr2jf7sv8n', 'u-v3dbuda5vaig', 'u-tzp3tuuzx4zh', 'u-qcp2z3k59f5t', 'u-2vdqevmh7a2b']
    let meeting: MeetingDraft

    beforeAll(async () => {
      meeting = draft(HOUR, { type: 'group', audience: 'group', memberIds: expected, title: '第二党小组会' })
      expect(codes(await schedule(DEMO.secretary, meeting))).toEqual(['applied'])
      const leave = (reason: string) => mutation('leave.request', { meetingId: meeting.id, reason })
      expect(codes(await send('13800000004', leave('去县城医院复查')))).toEqual(['applied'])
      expect(codes(await send('13800000005', leave('想在家休息')))).toEqual(['applied'])
      const decide = (memberId: string, approve: boolean) =>
        mutation('leave.decide', { meetingId: meeting.id, memberId, approve, note: null })
      expect(codes(await send(DEMO.secretary, decide('u-qcp2z3k59f5t', true), decide('u-2vdqevmh7a2b', false)))).toEqual([
        'applied',
        'applied',
      ])
      // The meeting is brought forward and began three minutes ago (the admin records why).
      const start = Date.now() - 3 * MINUTE
      meeting = { ...meeting, startsAt: iso(start), endsAt: iso(start + HOUR), backfillReason: '村里临时停电，会议提前开始' }
      expect(codes(await schedule(DEMO.admin, meeting))).toEqual(['applied'])
      const key = await keyOf(meeting.id)
      expect(codes(await checkIn(DEMO.member, meeting.id, await checkinToken(key, meeting.id, Date.now())))).toEqual(['applied'])
      expect(
        codes(
          await send(
            DEMO.secretary,
            mutation('meeting.proxy', { meetingId: meeting.id, memberId: 'u-tzp3tuuzx4zh', note: '手机坏了，本人到会' }),
          ),
        ),
      ).toEqual(['applied'])
    })

    it('needs the minutes, from the branch’s secretary, once the meeting has begun', async () => {
      const close = (minutes: string) => mutation('meeting.close', { meetingId: meeting.id, minutes })
      expect(codes(await send(DEMO.secretary, close('')))).toEqual(['invalid_args'])
      expect(codes(await send(DEMO.secretary, close('开了会')))).toEqual(['invalid_args'])
      expect(codes(await send(DEMO.member, close('会议记录：学习了文件，讨论了工作。')))).toEqual(['forbidden'])
      expect(codes(await send(OTHER_SECRETARY, close('会议记录：学习了文件，讨论了工作。')))).toEqual(['forbidden'])
      const upcoming = draft(2 * HOUR)
      await schedule(DEMO.secretary, upcoming)
      expect(
        codes(await send(DEMO.secretary, mutation('meeting.close', { meetingId: upcoming.id, minutes: '会议记录：还没开的会不能结束。' }))),
      ).toEqual(['too_early'])
      expect((await rowsOf(DEMO.member)).get(`meetings/${meeting.id}`)).toMatchObject({ status: 'scheduled', minutes: null })
    })

    it('closes with the minutes: present members earn the attendance points, unexcused absences lose points, an approved leave neither', async () => {
      const minutes = '会议记录：学习了党的二十届四中全会精神，讨论了冬季防火安排。'
      expect(codes(await send(DEMO.secretary, mutation('meeting.close', { meetingId: meeting.id, minutes })))).toEqual(['applied'])
      const row = (await rowsOf(DEMO.member)).get(`meetings/${meeting.id}`) as MeetingRow
      expect(row).toMatchObject({ status: 'closed', minutes, closedAt: expect.any(String) })

      expect(await meetingPoints('u-66hr2jf7sv8n', meeting.id)).toEqual([['meeting-attended', 2]])
      expect(await meetingPoints('u-tzp3tuuzx4zh', meeting.id)).toEqual([['meeting-attended', 2]])
      expect(await meetingPoints('u-v3dbuda5vaig', meeting.id)).toEqual([['meeting-absent', -3]])
      expect(await meetingPoints('u-2vdqevmh7a2b', meeting.id)).toEqual([['meeting-absent', -3]])
      expect(await meetingPoints('u-qcp2z3k59f5t', meeting.id)).toEqual([])
      // Not expected at this meeting: nothing.
      expect(await meetingPoints('u-7d8qf7t7kckd', meeting.id)).toEqual([])
    })

    it('refuses closing twice, and check-ins, proxies and leave decisions after closing', async () => {
      const before = await server.withDb((db) => db.selectFrom('points_ledger').select('id').orderBy('id').execute())
      const [again] = await send(
        DEMO.secretary,
        mutation('meeting.close', { meetingId: meeting.id, minutes: '会议记录：再结束一次试试看。' }),
      )
      expect(again).toMatchObject({ status: 'rejected', code: 'closed', message: '会议已结束' })
      const key = await keyOf(meeting.id)
      expect(codes(await checkIn('13800000002', meeting.id, await checkinToken(key, meeting.id, Date.now())))).toEqual(['closed'])
      expect(
        codes(
          await send(DEMO.secretary, mutation('meeting.proxy', { meetingId: meeting.id, memberId: 'u-v3dbuda5vaig', note: '会后补签' })),
        ),
      ).toEqual(['closed'])
      expect(
        codes(
          await send(
            DEMO.secretary,
            mutation('leave.decide', { meetingId: meeting.id, memberId: 'u-2vdqevmh7a2b', approve: true, note: null }),
          ),
        ),
      ).toEqual(['closed'])
      expect(codes(await schedule(DEMO.secretary, { ...meeting, title: '改一下名字' }))).toEqual(['closed'])
      expect(await server.withDb((db) => db.selectFrom('points_ledger').select('id').orderBy('id').execute())).toEqual(before)
      expect(await stored('attendance', `${meeting.id}:u-v3dbuda5vaig`)).toBeUndefined()
    })
  })

  describe('self-dealing and check-ins held for review (待核实)', () => {
    /** A push as the app sends it, with the device's clock at sending (`sentAt`), or without (an older app). */
    const pushSent = async (phone: string, sentAt: number | undefined, ...mutations: unknown[]) => {
      const response = await server.app.inject({
        method: 'POST',
        url: '/api/sync/push',
        headers: { cookie: await cookie(phone) },
        payload: { clientId: clientId(), schemaVersion: 1, mutations, ...(sentAt === undefined ? {} : { sentAt: iso(sentAt) }) },
      })
      expect(response.statusCode, response.body).toBe(200)
      return (response.json() as { results: MutationResult[] }).results
    }
    const attendanceRow = async (meetingId: string, memberId: string) =>
      (await rowsOf(DEMO.secretary)).get(`attendance/${meetingId}:${memberId}`) as AttendanceRow | undefined
    const ledgerOf = (meetingId: string, memberId: string) =>
      server.withDb((db) =>
        db
          .selectFrom('points_ledger')
          .select(['rule_code', 'points'])
          .where('source_id', '=', `meeting:${meetingId}:${memberId}`)
          .execute(),
      )
    const review = (meetingId: string, memberId: string, confirm: boolean, note: string | null = null) =>
      mutation('attendance.review', { meetingId, memberId, confirm, note })
    // 赵德明 (…003), 钱淑珍 (…004), 孙长林 (…005), 许光荣 (…010).
    const [LATE, SKEWED, ON_TIME, REFUSED] = ['u-tzp3tuuzx4zh', 'u-qcp2z3k59f5t', 'u-2vdqevmh7a2b', 'u-2sxm9c477t5z']

    let meeting: MeetingDraft
    let key: string
    beforeAll(async () => {
      // Started 40 minutes ago (recorded by the admin), so a code from a quarter of an hour ago is in its window.
      meeting = draft(-40 * MINUTE, { title: '支部党员大会（核实）', backfillReason: '会议临时提前，会后补录' })
      expect(codes(await schedule(DEMO.admin, meeting))).toEqual(['applied'])
      key = await keyOf(meeting.id)
    })

    it('refuses a secretary signing for themselves by proxy', async () => {
      const [result] = await send(
        DEMO.secretary,
        mutation('meeting.proxy', { meetingId: meeting.id, memberId: SECRETARY_ID, note: '本人到会，手机没电' }),
      )
      expect(result).toMatchObject({ status: 'rejected', code: 'forbidden', message: expect.stringContaining('不能为自己代签') })
      expect(await stored('attendance', `${meeting.id}:${SECRETARY_ID}`)).toBeUndefined()
    })

    it('holds a check-in that reaches the server long after its code for review, with the reason', async () => {
      const scanned = Date.now() - 15 * MINUTE
      const token = await checkinToken(key, meeting.id, scanned)
      // Sent by an older app (no sentAt): the late-arrival rule alone applies.
      expect(
        codes(
          await pushSent('13800000003', undefined, mutation('meeting.checkin', { meetingId: meeting.id, token, scannedAt: iso(scanned) })),
        ),
      ).toEqual(['applied'])
      const row = await attendanceRow(meeting.id, LATE)
      expect(row).toMatchObject({
        mode: 'onsite',
        review: 'pending',
        reviewReason: expect.stringContaining('才送达服务器'),
        reviewedBy: null,
      })
      // Still counted as present (late by its code's slot) until the secretary decides.
      expect(attendanceOutcome(meeting, row, undefined)).toBe('late')
    })

    it('holds a check-in from a phone whose clock is far from the server’s; one that agrees is trusted', async () => {
      const now = Date.now()
      const token = await checkinToken(key, meeting.id, now)
      const checkin = () => mutation('meeting.checkin', { meetingId: meeting.id, token, scannedAt: iso(now) })
      expect(codes(await pushSent('13800000004', now - 10 * MINUTE, checkin()))).toEqual(['applied'])
      expect(await attendanceRow(meeting.id, SKEWED)).toMatchObject({
        review: 'pending',
        reviewReason: expect.stringContaining('签到手机的时间比服务器慢 10 分钟'),
      })
      expect(codes(await pushSent('13800000005', Date.now(), checkin()))).toEqual(['applied'])
      expect(await attendanceRow(meeting.id, ON_TIME)).toMatchObject({ review: null, reviewReason: null })
      expect(await stored('attendance', `${meeting.id}:${ON_TIME}`)).toMatchObject({ review_status: null })
    })

    it('lets only the branch’s secretary or the admin review, never a member, another branch, or on their own check-in', async () => {
      expect(codes(await send('13800000009', review(meeting.id, LATE, true)))).toEqual(['forbidden'])
      expect(codes(await send(OTHER_SECRETARY, review(meeting.id, LATE, true)))).toEqual(['forbidden'])
      // The secretary's own late check-in: for the admin to review, not the secretary.
      const scanned = Date.now() - 20 * MINUTE
      const token = await checkinToken(key, meeting.id, scanned)
      expect(
        codes(await send(DEMO.secretary, mutation('meeting.checkin', { meetingId: meeting.id, token, scannedAt: iso(scanned) }))),
      ).toEqual(['applied'])
      const [own] = await send(DEMO.secretary, review(meeting.id, SECRETARY_ID, true))
      expect(own).toMatchObject({ status: 'rejected', code: 'forbidden', message: '不能核实自己的签到' })
      // A check-in that was trusted needs no review.
      expect(codes(await send(DEMO.secretary, review(meeting.id, ON_TIME, true)))).toEqual(['not_pending'])
      expect(await attendanceRow(meeting.id, LATE)).toMatchObject({ review: 'pending' })
      expect(await attendanceRow(meeting.id, SECRETARY_ID)).toMatchObject({ review: 'pending' })
    })

    it('confirms one (present, points at closing) and refuses another (absent); one still pending at closing waits for its points', async () => {
      expect(codes(await send(DEMO.secretary, review(meeting.id, LATE, true, '本人确实到会')))).toEqual(['applied'])
      expect(await attendanceRow(meeting.id, LATE)).toMatchObject({
        review: 'confirmed',
        reviewedBy: SECRETARY_ID,
        reviewNote: '本人确实到会',
        reviewedAt: expect.any(String),
      })
      // Reviewed once: not again.
      expect(codes(await send(DEMO.secretary, review(meeting.id, LATE, false)))).toEqual(['not_pending'])

      const scanned = Date.now() - 14 * MINUTE
      const token = await checkinToken(key, meeting.id, scanned)
      expect(
        codes(await send('13800000010', mutation('meeting.checkin', { meetingId: meeting.id, token, scannedAt: iso(scanned) }))),
      ).toEqual(['applied'])
      expect(codes(await send(DEMO.secretary, review(meeting.id, REFUSED, false, '当天未见本人到会')))).toEqual(['applied'])
      const refused = await attendanceRow(meeting.id, REFUSED)
      expect(refused).toMatchObject({ review: 'refused', reviewNote: '当天未见本人到会' })
      expect(attendanceOutcome(meeting, refused, undefined)).toBe('absent')

      expect(
        codes(
          await send(
            DEMO.secretary,
            mutation('meeting.close', { meetingId: meeting.id, minutes: '会议学习了文件，讨论了村集体经济项目。' }),
          ),
        ),
      ).toEqual(['applied'])
      expect(await ledgerOf(meeting.id, LATE)).toEqual([{ rule_code: 'meeting-attended', points: 2 }])
      expect(await ledgerOf(meeting.id, ON_TIME)).toEqual([{ rule_code: 'meeting-attended', points: 2 }])
      expect(await ledgerOf(meeting.id, REFUSED)).toEqual([expect.objectContaining({ rule_code: 'meeting-absent' })])
      // Still 待核实 at closing: neither points nor a deduction yet.
      expect(await ledgerOf(meeting.id, SKEWED)).toEqual([])
      expect(await ledgerOf(meeting.id, SECRETARY_ID)).toEqual([])

      // Reviewed after the meeting closed: the points follow the review, once.
      expect(codes(await send(DEMO.admin, review(meeting.id, SECRETARY_ID, true)))).toEqual(['applied'])
      expect(codes(await send(DEMO.secretary, review(meeting.id, SKEWED, false, '核实未到会')))).toEqual(['applied'])
      expect(await ledgerOf(meeting.id, SECRETARY_ID)).toEqual([{ rule_code: 'meeting-attended', points: 2 }])
      expect(await ledgerOf(meeting.id, SKEWED)).toEqual([expect.objectContaining({ rule_code: 'meeting-absent' })])
    })

    it('gives a secretary who could not sign for themselves no attendance points by closing', async () => {
      const other = draft(-30 * MINUTE, { title: '主题党日（代签）', type: 'theme_day', backfillReason: '会议临时提前，会后补录' })
      expect(codes(await schedule(DEMO.admin, other))).toEqual(['applied'])
      expect(
        codes(
          await send(
            DEMO.secretary,
            mutation('meeting.proxy', { meetingId: other.id, memberId: SECRETARY_ID, note: '本人到会，手机没电' }),
          ),
        ),
      ).toEqual(['forbidden'])
      expect(
        codes(await send(DEMO.secretary, mutation('meeting.close', { meetingId: other.id, minutes: '开展主题党日活动，学习有关文件。' }))),
      ).toEqual(['applied'])
      expect((await ledgerOf(other.id, SECRETARY_ID)).map((e) => e.rule_code)).toEqual(['meeting-absent'])
    })
  })
})
