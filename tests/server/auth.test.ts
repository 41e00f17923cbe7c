import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { AuthService } from '~/server/services/auth'
import { openDatabase } from '~/server/db'

describe.each(databases)('accounts on %s', (kind) => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer(kind)
  })
  afterAll(() => server.close())

  it('logs a member in with an HttpOnly SameSite cookie and answers /api/me with user, role and branch', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { phone: DEMO.member, password: DEMO.password },
    })
    expect(response.statusCode).toBe(200)
    const setCookie = String(response.headers['set-cookie'])
    expect(setCookie).toMatch(/djy_session=/)
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Lax/)
    const cookie = await login(server.app, DEMO.member)
    const me = (await server.app.inject({ url: '/api/me', headers: { cookie } })).json()
    expect(me.user).toMatchObject({ phone: DEMO.member, role: 'member' })
    expect(me.branch).toEqual({ id: 'b-hexing', name: '合兴村党支部' })
    expect(me.town.name).toBe('新杭镇')
  })

  it('gives the secretary their branch and the admin the town', async () => {
    const secretary = (await server.app.inject({ url: '/api/me', headers: { cookie: await login(server.app, DEMO.secretary) } })).json()
    expect(secretary.user.role).toBe('secretary')
    expect(secretary.branch.id).toBe('b-hexing')
    const admin = (await server.app.inject({ url: '/api/me', headers: { cookie: await login(server.app, DEMO.admin) } })).json()
    expect(admin.user.role).toBe('admin')
    expect(admin.branch).toBeNull()
  })

  it('answers a wrong password and an unknown phone alike: 401 with a Chinese message, no cookie', async () => {
    for (const phone of [DEMO.secretary, '13912345678']) {
      const response = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { phone, password: 'wrong-password' } })
      expect(response.statusCode).toBe(401)
      expect(response.json()).toEqual({ error: 'wrong_credentials', message: '手机号或密码不正确' })
      expect(response.headers['set-cookie']).toBeUndefined()
    }
  })

  it('refuses /api/me without a session, with a tampered cookie, and after logout', async () => {
    expect((await server.app.inject({ url: '/api/me' })).statusCode).toBe(401)
    const cookie = await login(server.app, DEMO.member)
    const tampered = cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))
    expect((await server.app.inject({ url: '/api/me', headers: { cookie: tampered } })).statusCode).toBe(401)
    const logout = await server.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } })
    expect(logout.statusCode).toBe(200)
    expect(String(logout.headers['set-cookie'])).toMatch(/djy_session=;/)
    const after = await server.app.inject({ url: '/api/me', headers: { cookie } })
    expect(after.statusCode).toBe(401)
    expect(after.json().message).toBe('请先登录')
  })

  it('locks a phone after five wrong passwords, even for the right one, and says when to retry', async () => {
    const phone = '13800000005'
    for (let i = 0; i < 5; i++) {
      const r = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { phone, password: 'guess' + i } })
      expect(r.statusCode).toBe(401)
    }
    const locked = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { phone, password: DEMO.password } })
    expect(locked.statusCode).toBe(429)
    expect(locked.json().message).toMatch(/登录失败次数过多/)
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0)
    // Another member on the same address is not locked out by it.
    expect(
      (await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { phone: '13800000006', password: DEMO.password } }))
        .statusCode,
    ).toBe(200)
  })

  it('locks an address that tries many phones', async () => {
    const remoteAddress = '10.9.8.7'
    let last = 0
    for (let i = 0; i < 31; i++) {
      const phone = `139000000${String(i).padStart(2, '0')}`
      last = (await server.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { phone, password: 'x' } }))
        .statusCode
    }
    expect(last).toBe(429)
    const other = await server.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: '10.9.8.8',
      payload: { phone: DEMO.admin, password: DEMO.password },
    })
    expect(other.statusCode).toBe(200)
  })

  const attempt = (phone: string, password: string, remoteAddress = '127.0.0.1') =>
    server.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { phone, password } }).then((r) => r.statusCode)

  it('checks at most five of twelve wrong passwords sent at once, and locks the phone after them', async () => {
    const phone = '13800000011'
    const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(phone, `guess-${i}`, '10.1.0.1')))
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5)
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([])
    expect(await attempt(phone, DEMO.password, '10.1.0.2')).toBe(429)
  })

  it('checks at most five guesses on one phone from a burst of forty from four addresses', async () => {
    const phone = '13800000012'
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(phone, `guess-${i}`, `10.2.0.${i % 4}`)))
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5)
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([])
    expect(await attempt(phone, DEMO.password, '10.2.0.9')).toBe(429)
  })

  it('does not count right passwords against a shared address', async () => {
    const remoteAddress = '10.3.0.1'
    // More successful logins from one address (a village's shared connection) than its failure limit.
    for (let i = 0; i < 32; i++) expect(await attempt(DEMO.member, DEMO.password, remoteAddress)).toBe(200)
    expect(await attempt(DEMO.secretary, DEMO.password, remoteAddress)).toBe(200)
  })

  it('ends a session when it expires', async () => {
    const { db } = openDatabase(server.config)
    try {
      const auth = new AuthService(db)
      const now = new Date('2026-01-01T00:00:00Z')
      const result = await auth.login('13800000007', DEMO.password, '127.0.0.9', now)
      if (!result.ok) throw new Error('login failed')
      expect(await auth.sessionUser(result.token, new Date('2026-03-01T00:00:00Z'))).toMatchObject({ id: 'u-2473sdhsfeka' })
      expect(await auth.sessionUser(result.token, new Date('2026-04-02T00:00:00Z'))).toBeUndefined()
    } finally {
      await db.destroy()
    }
  })
})
