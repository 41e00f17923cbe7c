import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, pullAll, push } from './sync-helpers'
import { SoftAuthenticator } from './soft-authenticator'
import { attendanceOutcome, type AttendanceRow, type MeetingDraft, type MeetingMessageRow } from '~/domain/meetings'
import type { LedgerRow } from '~/domain/points'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const iso = (ms: number) => new Date(ms).toISOString()
// The relying party is the server as the browser sees it: here, the Host header of each request.
const HOST = 'dangjian.test'
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')

// 合兴村: 李俊杰 (…002) and 何文斌 (…008) work away (外出务工); 王建国 (…001) and 赵德明 (…003) are at home.
const AWAY = '13800000002'
const AWAY_WITH_PASSKEY = '13800000008'
const HOME_ALLOWED = '13800000003'
const OTHER_BRANCH_MEMBER = '13800000011'

function draft(startIn: number, over: Partial<MeetingDraft> = {}): MeetingDraft {
  const start = Date.now() + startIn
  return {
    id: `m-room-${randomUUID().slice(0, 8)}`,
    branchId: 'b-hexing',
    type: 'assembly',
    title: '支部党员大会',
    agenda: '一、学习文件\n二、讨论冬季防火',
    place: '合兴村党群服务中心',
    startsAt: iso(start),
    endsAt: iso(start + HOUR),
    audience: 'branch',
    memberIds: [],
    remoteAllowed: true,
    remoteMemberIds: ['u-tzp3tuuzx4zh'],
    videoUrl: 'https://meeting.example.cn/hexing',
    materialIds: [],
    backfillReason: null,
    ...over,
  }
}

describe.each(databases)('the remote room and passkeys on %s', (kind) => {
  let server: TestServer
  const cookies = new Map<string, string>()
  const cookie = async (phone: string) => {
    if (!cookies.has(phone)) cookies.set(phone, await login(server.app, phone))
    return cookies.get(phone)!
  }
  const post = async (phone: string, url: string, payload: unknown = {}) =>
    server.app.inject({ method: 'POST', url, headers: { cookie: await cookie(phone), host: HOST }, payload: payload as object })
  const send = async (phone: string, ...mutations: unknown[]) => push(server.app, await cookie(phone), clientId(), mutations)
  const rowsOf = async (phone: string) => (await pullAll(server.app, await cookie(phone), clientId())).rows
  const attendanceIn = (meetingId: string) =>
    server.withDb((db) => db.selectFrom('attendance').selectAll().where('meeting_id', '=', meetingId).execute())
  const remote = (meetingId: string, step: 'options' | 'verify' | 'heartbeat') => `/api/meetings/${meetingId}/remote/${step}`

  // Starts in ten minutes: the room is open (from 30 minutes before) for the refusals.
  let upcoming: MeetingDraft
  // Began five minutes ago (recorded by the admin): where 何文斌 joins with his passkey.
  let started: MeetingDraft
  const passkey = new SoftAuthenticator(HOST)

  beforeAll(async () => {
    server = await startServer(kind)
    upcoming = draft(10 * MINUTE)
    started = draft(-5 * MINUTE, { backfillReason: '会议临时提前，会后补录' })
    expect((await send(DEMO.secretary, mutation('meeting.schedule', { meeting: upcoming })))[0]?.status).toBe('applied')
    expect((await send(DEMO.admin, mutation('meeting.schedule', { meeting: started })))[0]?.status).toBe('applied')
  })
  afterAll(() => server.close())

  describe('passkey registration', () => {
    it('asks for the phone’s own authenticator with fingerprint or face required', async () => {
      const response = await post(AWAY_WITH_PASSKEY, '/api/webauthn/register/options')
      expect(response.statusCode).toBe(200)
      const options = response.json()
      expect(options).toMatchObject({
        challenge: expect.stringMatching(/^[\w-]{16,}$/),
        rp: { id: HOST },
        user: { name: '何文斌' },
        authenticatorSelection: { authenticatorAttachment: 'platform', userVerification: 'required' },
      })
      expect(options.pubKeyCredParams.map((p: { alg: number }) => p.alg)).toContain(-7)
    })

    it('refuses a registration that is not a genuine authenticator’s answer', async () => {
      await post(AWAY_WITH_PASSKEY, '/api/webauthn/register/options')
      const junk = {
        id: 'abc',
        rawId: 'abc',
        type: 'public-key',
        response: { clientDataJSON: 'e30', attestationObject: 'AAAA' },
        clientExtensionResults: {},
      }
      const response = await post(AWAY_WITH_PASSKEY, '/api/webauthn/register/verify', { response: junk, deviceName: '我的手机' })
      expect(response.statusCode).toBe(400)
      expect(response.json()).toMatchObject({ error: 'webauthn_failed' })
      // Not JSON of the right shape at all: a 400 too.
      expect((await post(AWAY_WITH_PASSKEY, '/api/webauthn/register/verify', { response: 'x' })).statusCode).toBe(400)
      expect(
        (await server.app.inject({ url: '/api/webauthn/credentials', headers: { cookie: await cookie(AWAY_WITH_PASSKEY) } })).json(),
      ).toEqual([])
    })

    it('registers a passkey the authenticator made for this challenge, and lists it', async () => {
      const { challenge } = (await post(AWAY_WITH_PASSKEY, '/api/webauthn/register/options')).json() as { challenge: string }
      const response = await post(AWAY_WITH_PASSKEY, '/api/webauthn/register/verify', {
        response: passkey.register(challenge),
        deviceName: '华为手机',
      })
      expect(response.statusCode).toBe(200)
      expect(response.json()).toEqual({ id: b64(passkey.credentialId) })
      const list = await server.app.inject({ url: '/api/webauthn/credentials', headers: { cookie: await cookie(AWAY_WITH_PASSKEY) } })
      expect(list.json()).toEqual([
        { id: b64(passkey.credentialId), deviceName: '华为手机', createdAt: expect.any(String), lastUsedAt: null },
      ])
    })
  })

  describe('joining remotely', () => {
    it('is closed to a member at home the secretary did not allow, and to another branch', async () => {
      for (const phone of [DEMO.member, OTHER_BRANCH_MEMBER]) {
        const response = await post(phone, remote(upcoming.id, 'options'))
        expect(response.statusCode, phone).toBe(403)
        expect(response.json()).toMatchObject({ error: 'forbidden' })
      }
    })

    it('asks a member working away, or one the secretary allowed, to register a passkey first', async () => {
      for (const phone of [AWAY, HOME_ALLOWED]) {
        const response = await post(phone, remote(upcoming.id, 'options'))
        expect(response.statusCode, phone).toBe(409)
        expect(response.json()).toMatchObject({ error: 'no_passkey', message: expect.stringContaining('我的') })
      }
    })

    it('counts nobody present on a made-up assertion', async () => {
      const fake = {
        id: 'ZmFrZQ',
        rawId: 'ZmFrZQ',
        type: 'public-key',
        response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' },
        clientExtensionResults: {},
      }
      // Without a passkey there is no challenge to answer.
      expect((await post(AWAY, remote(upcoming.id, 'verify'), { response: fake })).statusCode).toBe(400)
      // With a passkey and a challenge: an unknown credential, then the right credential with junk inside.
      await post(AWAY_WITH_PASSKEY, remote(started.id, 'options'))
      expect((await post(AWAY_WITH_PASSKEY, remote(started.id, 'verify'), { response: fake })).statusCode).toBe(400)
      await post(AWAY_WITH_PASSKEY, remote(started.id, 'options'))
      const junk = { ...fake, id: b64(passkey.credentialId), rawId: b64(passkey.credentialId) }
      const response = await post(AWAY_WITH_PASSKEY, remote(started.id, 'verify'), { response: junk })
      expect(response.statusCode).toBe(400)
      expect(response.json()).toMatchObject({ error: 'webauthn_failed' })
      expect(await attendanceIn(upcoming.id)).toEqual([])
      expect(await attendanceIn(started.id)).toEqual([])
    })

    it('refuses an assertion made without fingerprint or face', async () => {
      const { challenge } = (await post(AWAY_WITH_PASSKEY, remote(started.id, 'options'))).json() as { challenge: string }
      const response = await post(AWAY_WITH_PASSKEY, remote(started.id, 'verify'), {
        response: passkey.assert(challenge, { userVerified: false }),
      })
      expect(response.statusCode).toBe(400)
      expect(await attendanceIn(started.id)).toEqual([])
    })

    it('refuses a heartbeat from a member who has not joined', async () => {
      const response = await post(DEMO.member, remote(started.id, 'heartbeat'))
      expect(response.statusCode).toBe(409)
      expect(response.json()).toMatchObject({ error: 'not_joined' })
    })

    it('counts the member present remotely after their own passkey signed this meeting’s challenge, once', async () => {
      const options = (await post(AWAY_WITH_PASSKEY, remote(started.id, 'options'))).json() as {
        challenge: string
        userVerification: string
        allowCredentials: { id: string }[]
      }
      expect(options).toMatchObject({ userVerification: 'required', allowCredentials: [{ id: b64(passkey.credentialId) }] })
      const assertion = passkey.assert(options.challenge)
      const joined = await post(AWAY_WITH_PASSKEY, remote(started.id, 'verify'), { response: assertion })
      expect(joined.statusCode).toBe(200)
      expect(joined.json()).toEqual({ joined: true })
      // The same assertion again: its challenge is spent.
      const replayed = await post(AWAY_WITH_PASSKEY, remote(started.id, 'verify'), { response: assertion })
      expect(replayed.statusCode).toBe(400)
      expect((replayed.json() as { message: string }).message).toMatch(/^[^A-Za-z]+$/)
      // Signed for an older challenge (asked twice, answered the first): the library's reason is English;
      // what the member reads says what to do, in Chinese.
      const first = (await post(AWAY_WITH_PASSKEY, remote(started.id, 'options'))).json() as { challenge: string }
      await post(AWAY_WITH_PASSKEY, remote(started.id, 'options'))
      const stale = await post(AWAY_WITH_PASSKEY, remote(started.id, 'verify'), { response: passkey.assert(first.challenge) })
      expect(stale.statusCode).toBe(400)
      expect(stale.json()).toEqual({ error: 'webauthn_failed', message: '指纹/面容验证未通过：验证已过期或已使用过，请重新验证' })

      const row = (await rowsOf(DEMO.member)).get(`attendance/${started.id}:u-an3shgwtgxib`) as AttendanceRow
      expect(row).toMatchObject({ mode: 'remote', memberId: 'u-an3shgwtgxib', remoteSeconds: 0, proxyBy: null })
      const beat = await post(AWAY_WITH_PASSKEY, remote(started.id, 'heartbeat'))
      expect(beat.statusCode).toBe(200)
      expect(beat.json()).toEqual({ seconds: expect.any(Number) })

      // Rejoining after a dropped connection keeps the one attendance row.
      const again = (await post(AWAY_WITH_PASSKEY, remote(started.id, 'options'))).json() as { challenge: string }
      expect((await post(AWAY_WITH_PASSKEY, remote(started.id, 'verify'), { response: passkey.assert(again.challenge) })).statusCode).toBe(
        200,
      )
      expect((await attendanceIn(started.id)).map((a) => [a.member_id, a.mode])).toEqual([['u-an3shgwtgxib', 'remote']])
    })

    it('counts a gap once when several tabs beat at the same moment', async () => {
      const id = `${started.id}:u-an3shgwtgxib`
      const lastBeat = new Date(Date.now() - 60_000).toISOString()
      await server.withDb((db) =>
        db.updateTable('attendance').set({ remote_seconds: 0, last_heartbeat_at: lastBeat }).where('id', '=', id).execute(),
      )
      const beats = await Promise.all(Array.from({ length: 5 }, () => post(AWAY_WITH_PASSKEY, remote(started.id, 'heartbeat'))))
      expect(beats.map((b) => b.statusCode)).toEqual([200, 200, 200, 200, 200])
      const [row] = await server.withDb((db) => db.selectFrom('attendance').select('remote_seconds').where('id', '=', id).execute())
      // About a minute, once: each beat sets the total from the row it read, so beats at once can't add the gap twice.
      expect(row!.remote_seconds).toBeGreaterThanOrEqual(60)
      expect(row!.remote_seconds).toBeLessThan(90)
    })
  })

  describe('chat (即时沟通)', () => {
    it('returns the message and sends it to the branch’s devices', async () => {
      const response = await post(DEMO.member, `/api/meetings/${started.id}/messages`, { text: '  远程的同志声音清楚吗？ ' })
      expect(response.statusCode).toBe(200)
      const message = response.json() as MeetingMessageRow
      expect(message).toEqual({
        id: expect.any(String),
        meetingId: started.id,
        memberId: 'u-66hr2jf7sv8n',
        name: '王建国',
        text: '远程的同志声音清楚吗？',
        sentAt: expect.any(String),
      })
      expect((await rowsOf(AWAY_WITH_PASSKEY)).get(`meeting_messages/${message.id}`)).toEqual(message)
      expect((await rowsOf(OTHER_BRANCH_MEMBER)).has(`meeting_messages/${message.id}`)).toBe(false)
    })

    it('refuses a member of another branch, and an empty message', async () => {
      const response = await post(OTHER_BRANCH_MEMBER, `/api/meetings/${started.id}/messages`, { text: '我也想说两句' })
      expect(response.statusCode).toBe(403)
      expect((await post(DEMO.member, `/api/meetings/${started.id}/messages`, { text: '   ' })).statusCode).toBe(400)
      expect((await post(DEMO.member, '/api/meetings/no-such-meeting/messages', { text: '有人吗' })).statusCode).toBe(404)
      const texts = await server.withDb((db) =>
        db.selectFrom('meeting_messages').select('text').where('meeting_id', '=', started.id).execute(),
      )
      expect(texts).toEqual([{ text: '远程的同志声音清楚吗？' }])
    })
  })

  describe('after the meeting is closed', () => {
    beforeAll(async () => {
      const close = mutation('meeting.close', { meetingId: started.id, minutes: '会议记录：学习文件，安排冬季防火。' })
      expect((await send(DEMO.secretary, close))[0]?.status).toBe('applied')
    })

    it('counts a few minutes in the room as partial attendance, with neither points nor a deduction', async () => {
      const row = (await rowsOf(DEMO.member)).get(`attendance/${started.id}:u-an3shgwtgxib`) as AttendanceRow
      expect(attendanceOutcome(started, row, undefined)).toBe('partial')
      const points = [...(await rowsOf(AWAY_WITH_PASSKEY)).entries()]
        .filter(([key]) => key.startsWith('points/'))
        .map(([, r]) => r as LedgerRow)
      expect(points.filter((p) => p.sourceId.includes(started.id))).toEqual([])
    })

    it('closes the chat, the room and its heartbeat', async () => {
      const chat = await post(DEMO.member, `/api/meetings/${started.id}/messages`, { text: '会开完了吗？' })
      expect(chat.statusCode).toBe(409)
      expect(chat.json()).toMatchObject({ error: 'closed' })
      expect((await post(AWAY_WITH_PASSKEY, remote(started.id, 'options'))).statusCode).toBe(409)
      const before = await attendanceIn(started.id)
      expect((await post(AWAY_WITH_PASSKEY, remote(started.id, 'heartbeat'))).statusCode).toBe(409)
      expect(await attendanceIn(started.id)).toEqual(before)
    })
  })
})
