import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useSessionStore } from '~/app/stores/session'
import { ApiError } from '~/app/api/client'
import { META_KEYS } from '~/app/constants'
import type { AppDB } from '~/app/db'
import { onStorageProblem } from '~/app/db/instance'
import { demoMe, freshDB, json, requests, settle, stubFetch } from './helpers'

const PENDING_LOGOUT = 'pendingLogout'

let db: AppDB

beforeEach(() => {
  db = freshDB()
  setActivePinia(createPinia())
})

afterEach(async () => {
  vi.unstubAllGlobals()
  await db.delete()
})

/** Signs the demo member in against a server that accepts them. */
async function signIn() {
  stubFetch(() => json(200, demoMe))
  await useSessionStore().login('13800000001', 'dangjian2026')
}

/** A new page load: a fresh Pinia over the same database. */
function reopen() {
  setActivePinia(createPinia())
  return useSessionStore()
}

describe('session store', () => {
  it('remembers the member in Dexie on login and finds them again after a reload while offline', async () => {
    const fetchMock = stubFetch(() => json(200, demoMe))
    const first = useSessionStore()
    await first.login('13800000001', 'dangjian2026')
    expect(requests(fetchMock)).toEqual(['POST /api/auth/login'])
    expect(JSON.parse(String(fetchMock.mock.calls[0]?.[1]?.body))).toEqual({ phone: '13800000001', password: 'dangjian2026' })
    expect(first.signedIn).toBe(true)
    expect(await db.getMeta(META_KEYS.me)).toEqual(demoMe)

    const offline = stubFetch(() => 'offline')
    const session = reopen()
    expect(session.signedIn).toBe(false)
    await session.restore()
    expect(session.restored).toBe(true)
    expect(session.me).toEqual(demoMe)

    await vi.waitFor(() => expect(requests(offline)).toEqual(['GET /api/me']))
    await settle()
    expect(session.signedIn).toBe(true)
    expect(await db.getMeta(META_KEYS.me)).toEqual(demoMe)
  })

  it('forgets the member when /api/me answers 401 during restore', async () => {
    await signIn()
    const fetchMock = stubFetch(() => json(401, { error: 'unauthenticated', message: '请先登录' }))
    const session = reopen()
    await session.restore()
    expect(session.me).toEqual(demoMe)

    await vi.waitFor(async () => expect(await db.getMeta(META_KEYS.me)).toBeUndefined())
    expect(session.signedIn).toBe(false)
    expect(requests(fetchMock)).toEqual(['GET /api/me'])
  })

  it('keeps the member signed in when the network fails during refresh', async () => {
    await signIn()
    const fetchMock = stubFetch(() => 'offline')
    const session = useSessionStore()
    await session.refresh()
    expect(requests(fetchMock)).toEqual(['GET /api/me'])
    expect(session.me).toEqual(demoMe)
    expect(await db.getMeta(META_KEYS.me)).toEqual(demoMe)
  })

  it('keeps the member signed in when the server fails with a 500 during refresh', async () => {
    await signIn()
    stubFetch(() => json(500, { error: 'internal', message: '服务器错误' }))
    const session = useSessionStore()
    await session.refresh()
    expect(session.me).toEqual(demoMe)
    expect(await db.getMeta(META_KEYS.me)).toEqual(demoMe)
  })

  it('stores what the server says now when refresh succeeds', async () => {
    await signIn()
    const moved: typeof demoMe = { ...demoMe, user: { ...demoMe.user, status: 'away', awayCity: '杭州' } }
    stubFetch(() => json(200, moved))
    const session = useSessionStore()
    await session.refresh()
    expect(session.me).toEqual(moved)
    expect(await db.getMeta(META_KEYS.me)).toEqual(moved)
  })

  it('ignores a remembered member that no longer matches the schema', async () => {
    await db.setMeta(META_KEYS.me, { user: { id: 'u-1' } })
    const fetchMock = stubFetch(() => 'offline')
    const session = useSessionStore()
    await session.restore()
    expect(session.restored).toBe(true)
    expect(session.signedIn).toBe(false)
    await settle()
    // Nobody to check with the server, and no pending logout to send.
    expect(requests(fetchMock)).toEqual([])
  })

  it('signs out locally while offline and sends the pending logout on the next online refresh', async () => {
    await signIn()
    stubFetch(() => 'offline')
    const session = useSessionStore()
    await session.logout()
    expect(session.signedIn).toBe(false)
    expect(await db.getMeta(META_KEYS.me)).toBeUndefined()
    expect(await db.getMeta(PENDING_LOGOUT)).toBe(true)

    const online = stubFetch(() => json(200, { ok: true }))
    await reopen().refresh()
    expect(requests(online)).toEqual(['POST /api/auth/logout'])
    expect(await db.getMeta(PENDING_LOGOUT)).toBeUndefined()
  })

  it('keeps the logout pending while the network is still down', async () => {
    await signIn()
    stubFetch(() => 'offline')
    const session = useSessionStore()
    await session.logout()
    await session.refresh()
    expect(await db.getMeta(PENDING_LOGOUT)).toBe(true)
  })

  it('posts to /api/auth/logout when signing out online and leaves nothing pending', async () => {
    await signIn()
    const fetchMock = stubFetch(() => json(200, { ok: true }))
    const session = useSessionStore()
    await session.logout()
    expect(requests(fetchMock)).toEqual(['POST /api/auth/logout'])
    expect(session.signedIn).toBe(false)
    expect(await db.getMeta(META_KEYS.me)).toBeUndefined()
    expect(await db.getMeta(PENDING_LOGOUT)).toBeUndefined()
  })

  it('drops a pending logout on a new login, so the new session is not ended by it', async () => {
    await signIn()
    stubFetch(() => 'offline')
    await useSessionStore().logout()
    expect(await db.getMeta(PENDING_LOGOUT)).toBe(true)

    await signIn()
    expect(await db.getMeta(PENDING_LOGOUT)).toBeUndefined()
  })

  it('rejects a wrong password with the server’s message and remembers nobody', async () => {
    stubFetch(() => json(401, { error: 'wrong_credentials', message: '手机号或密码不正确' }))
    const session = useSessionStore()
    const failure = await session.login('13800000001', 'wrong').catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ApiError)
    expect(failure).toMatchObject({ status: 401, code: 'wrong_credentials', message: '手机号或密码不正确' })
    expect(session.signedIn).toBe(false)
    expect(await db.getMeta(META_KEYS.me)).toBeUndefined()
  })

  it('stays signed in for the visit and reports a full disk when the member cannot be remembered', async () => {
    const problems: string[] = []
    const stop = onStorageProblem((p) => problems.push(p))
    vi.spyOn(db, 'setMeta').mockRejectedValue(Object.assign(new Error('full'), { name: 'QuotaExceededError' }))
    try {
      await signIn()
      expect(useSessionStore().me?.user.name).toBe('王建国')
      expect(problems).toEqual(['quota'])
      expect(await db.meta.get(META_KEYS.me)).toBeUndefined()
    } finally {
      stop()
    }
  })

  it('keeps the changes still waiting under an id the server renamed (ids no longer embed phones)', async () => {
    await signIn()
    const oldId = demoMe.user.id
    await db.outbox.add({
      id: 'm-1',
      userId: oldId,
      name: 'profile.update',
      args: { memberId: oldId, status: 'home' },
      clientTime: '2026-11-02T08:00:00.000Z',
    })
    await db.rejected.put({
      id: 'm-0',
      userId: oldId,
      name: 'comment.like',
      args: {},
      clientTime: '2026-11-02T07:00:00.000Z',
      code: 'not_found',
      message: '操作的对象不存在',
      rejectedAt: '2026-11-02T07:01:00.000Z',
    })
    await db.outbox.add({
      id: 'm-other',
      userId: 'u-someoneelse1',
      name: 'profile.update',
      args: { status: 'home' },
      clientTime: '2026-11-02T08:00:00.000Z',
    })
    const renamed = { ...demoMe, user: { ...demoMe.user, id: 'u-newopaqueid' } }
    stubFetch(() => json(200, renamed))
    const session = reopen()
    await session.restore()
    await vi.waitFor(() => expect(session.me?.user.id).toBe('u-newopaqueid'))
    expect((await db.outbox.toArray()).map((r) => [r.id, r.userId])).toEqual([
      ['m-1', 'u-newopaqueid'],
      ['m-other', 'u-someoneelse1'],
    ])
    expect((await db.rejected.toArray()).map((r) => r.userId)).toEqual(['u-newopaqueid'])
  })
})
