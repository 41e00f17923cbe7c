import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { activate, changePassword, issueCode, WRONG_CREDENTIALS } from './accounts-helpers'
import { demoUserId } from '../demo-users'
import { AccountService } from '~/server/services/accounts'
import { AuthService } from '~/server/services/auth'
import { ACTIVATION_DAYS } from '~/domain/roster'

describe.each(databases)('changing a password on %s', (kind) => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer(kind)
  })
  afterAll(() => server.close())

  const me = (cookie: string) => server.app.inject({ url: '/api/me', headers: { cookie } })
  const loginStatus = (phone: string, password: string) =>
    server.app
      .inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.30.9.9', payload: { phone, password } })
      .then((r) => r.statusCode)

  it('sets the new password, keeps this session and ends the others', async () => {
    const phone = '13800000011'
    const here = await login(server.app, phone)
    const elsewhere = await login(server.app, phone)
    const response = await changePassword(server.app, here, { current: DEMO.password, password: 'xin-mima-2026' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ ok: true })
    expect((await me(here)).statusCode).toBe(200)
    expect((await me(elsewhere)).statusCode).toBe(401)
    expect(await loginStatus(phone, DEMO.password)).toBe(401)
    expect(await loginStatus(phone, 'xin-mima-2026')).toBe(200)
  })

  it('refuses a wrong current password (401), a weak or unchanged new one (400), and no session (401)', async () => {
    const phone = '13800000012'
    const cookie = await login(server.app, phone)
    const wrong = await changePassword(server.app, cookie, { current: 'not-my-password', password: 'xin-mima-2026' })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.json()).toEqual({ error: 'wrong_credentials', message: '原密码不正确' })
    // A wrong current password doesn't sign the session out.
    expect((await me(cookie)).statusCode).toBe(200)
    for (const [password, message] of [
      ['short', '密码至少8位'],
      ['13800000012', '密码不能用手机号码'],
      [DEMO.password, '新密码不能和原密码一样'],
      ['x'.repeat(129), '请求内容有误：password：密码不超过128位'],
    ] as const) {
      const response = await changePassword(server.app, cookie, { current: DEMO.password, password })
      expect(response.statusCode).toBe(400)
      expect(response.json()).toEqual({ error: 'bad_request', message })
    }
    const anonymous = await server.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      payload: { current: DEMO.password, password: 'xin-mima-2026' },
    })
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.json().error).toBe('unauthenticated')
    expect(await loginStatus(phone, DEMO.password)).toBe(200)
  })

  it('throttles guesses of the current password like logins, concurrent ones included', async () => {
    const phone = '13800000013'
    const cookie = await login(server.app, phone)
    const statuses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        changePassword(server.app, cookie, { current: `guess-${i}-x`, password: 'xin-mima-2026' }, '10.31.0.1').then((r) => r.statusCode),
      ),
    )
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5)
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([])
    expect((await changePassword(server.app, cookie, { current: DEMO.password, password: 'xin-mima-2026' }, '10.31.0.2')).statusCode).toBe(
      429,
    )
    expect(await loginStatus(phone, DEMO.password)).toBe(429)
  })

  it('signs out every session of an ended account, which can no longer sign in', async () => {
    const phone = '13800000014'
    const cookie = await login(server.app, phone)
    await server.withDb((db) =>
      db.updateTable('users').set({ ended_at: '2026-11-01', end_reason: 'deceased' }).where('phone', '=', phone).execute(),
    )
    expect(await loginStatus(phone, DEMO.password)).toBe(401)
    expect((await me(cookie)).statusCode).toBe(401)
  })

  it('keeps a code for exactly ACTIVATION_DAYS days (a fake clock)', async () => {
    const phone = '13800000015'
    const issuedAt = new Date('2026-12-01T02:00:00.000Z')
    let now = issuedAt
    await server.withDb(async (db) => {
      const accounts = new AccountService(db, new AuthService(db), () => now)
      const admin = { id: demoUserId(DEMO.admin), role: 'admin' as const, branchId: null }
      const issued = await accounts.issueCode(admin, demoUserId(phone))
      expect(issued.expiresAt).toBe('2026-12-08T02:00:00.000Z')
      const body = { phone, code: issued.code, password: 'xin-mima-2026' }
      now = new Date(issuedAt.getTime() + ACTIVATION_DAYS * 86_400_000)
      await expect(accounts.activate(body, '10.32.0.1')).rejects.toMatchObject({ statusCode: 401, code: 'wrong_credentials' })
      now = new Date(issuedAt.getTime() + ACTIVATION_DAYS * 86_400_000 - 1)
      await expect(accounts.activate(body, '10.32.0.1')).resolves.toMatchObject({ userId: demoUserId(phone) })
    })
  })

  it('a reset by the admin of a member who then activates: the new password works, the old does not', async () => {
    const phone = '13800000016'
    const admin = await login(server.app, DEMO.admin)
    const issued = await issueCode(server.app, admin, demoUserId(phone))
    expect(await loginStatus(phone, DEMO.password)).toBe(401)
    expect((await activate(server.app, { phone, code: issued.code, password: 'xin-mima-2026' })).statusCode).toBe(200)
    expect((await activate(server.app, { phone, code: issued.code, password: 'xin-mima-2027' })).json()).toEqual(WRONG_CREDENTIALS)
    expect(await loginStatus(phone, 'xin-mima-2026')).toBe(200)
  })
})
