import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { activate, cookieOf, issueCode, WRONG_CREDENTIALS } from './accounts-helpers'
import { demoUserId } from '../demo-users'
import { ACTIVATION_CODE_ALPHABET, ACTIVATION_DAYS } from '~/domain/roster'

const NEW_PASSWORD = 'hongqi-2026'

describe.each(databases)('activation codes on %s', (kind) => {
  let server: TestServer
  let admin: string
  let secretary: string
  beforeAll(async () => {
    server = await startServer(kind)
    admin = await login(server.app, DEMO.admin)
    secretary = await login(server.app, DEMO.secretary)
  })
  afterAll(() => server.close())

  const me = (cookie: string) => server.app.inject({ url: '/api/me', headers: { cookie } })
  const auditOf = (targetId: string) =>
    server.withDb((db) => db.selectFrom('audit_log').selectAll().where('target_id', '=', targetId).orderBy('at').execute())

  it('resets a member of the secretary’s branch: a code shown once, the password gone, every session ended', async () => {
    const phone = '13800000004'
    const memberSession = await login(server.app, phone)
    const before = Date.now()
    const issued = await issueCode(server.app, secretary, demoUserId(phone))
    expect(issued.code).toMatch(new RegExp(`^[${ACTIVATION_CODE_ALPHABET}]{8}$`))
    expect(issued.reset).toBe(true)
    expect(issued.member).toEqual({ id: demoUserId(phone), name: '钱淑珍', phone, branchName: '合兴村党支部' })
    const validMs = Date.parse(issued.expiresAt) - before
    expect(validMs).toBeGreaterThanOrEqual(ACTIVATION_DAYS * 86_400_000 - 1000)
    expect(validMs).toBeLessThanOrEqual(ACTIVATION_DAYS * 86_400_000 + 60_000)

    expect((await me(memberSession)).statusCode).toBe(401)
    const oldPassword = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { phone, password: DEMO.password } })
    expect(oldPassword.json()).toEqual(WRONG_CREDENTIALS)
    // Only a hash is kept, and the log says who reset whom, never the code.
    const stored = await server.withDb((db) =>
      db.selectFrom('activation_codes').selectAll().where('user_id', '=', demoUserId(phone)).execute(),
    )
    expect(stored).toHaveLength(1)
    expect(stored[0]?.code_hash).toMatch(/^scrypt\$/)
    expect(stored[0]?.code_hash).not.toContain(issued.code)
    expect(stored[0]?.issued_by).toBe(demoUserId(DEMO.secretary))
    const audit = await auditOf(demoUserId(phone))
    expect(audit.map((a) => [a.action, a.actor_id, a.branch_id])).toEqual([['account.reset', demoUserId(DEMO.secretary), 'b-hexing']])
    expect(audit[0]?.detail_json).not.toContain(issued.code)
  })

  it('signs in with the code as typed (full-width digits, lower case, spaces), once, and sets the password', async () => {
    const phone = '13800000006'
    const issued = await issueCode(server.app, admin, demoUserId(phone))
    const typed = {
      phone: '+86 １３８ ００００ ０００６',
      code: `${issued.code.slice(0, 4).toLowerCase()} ${issued.code.slice(4)}`,
      password: NEW_PASSWORD,
    }
    const response = await activate(server.app, typed)
    expect(response.statusCode).toBe(200)
    const setCookie = String(response.headers['set-cookie'])
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Lax/)
    const cookie = cookieOf(response)
    expect(response.json()).toEqual((await me(cookie)).json())
    expect(response.json().user).toMatchObject({ id: demoUserId(phone), phone, role: 'member' })

    const again = await activate(server.app, { ...typed, password: 'another-pass-1' })
    expect(again.statusCode).toBe(401)
    expect(again.json()).toEqual(WRONG_CREDENTIALS)
    expect(
      (await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { phone, password: NEW_PASSWORD } })).statusCode,
    ).toBe(200)
    expect(
      await server.withDb((db) => db.selectFrom('activation_codes').select('user_id').where('user_id', '=', demoUserId(phone)).execute()),
    ).toEqual([])
  })

  it('gives a new account (no password yet) a code without ending anything, audited as account.code', async () => {
    const id = 'u-newmember001'
    await server.withDb((db) =>
      db
        .insertInto('users')
        .values({
          id,
          phone: '13912340001',
          name: '新党员',
          role: 'member',
          branch_id: 'b-hexing',
          gender: 'female',
          birth_year: 1990,
          joined_party_on: '2020-07-01',
          status: 'home',
          away_city: null,
          return_date: null,
          center_household: 0,
          password_hash: '',
          contact_phone: null,
          created_at: '2026-01-01T00:00:00.000Z',
          updated_at: '2026-01-01T00:00:00.000Z',
          birth_date: null,
          party_group_id: null,
          committee_post: null,
          ended_at: null,
          end_reason: null,
          end_note: null,
        })
        .execute(),
    )
    // Not activated: no password opens it, not even an empty one.
    const blank = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { phone: '13912340001', password: 'x' } })
    expect(blank.json()).toEqual(WRONG_CREDENTIALS)
    const first = await issueCode(server.app, secretary, id)
    expect(first.reset).toBe(false)
    // A second code replaces the first.
    const second = await issueCode(server.app, secretary, id)
    expect(second.reset).toBe(false)
    expect((await activate(server.app, { phone: '13912340001', code: first.code, password: NEW_PASSWORD })).json()).toEqual(
      WRONG_CREDENTIALS,
    )
    expect((await activate(server.app, { phone: '13912340001', code: second.code, password: NEW_PASSWORD })).statusCode).toBe(200)
    expect((await auditOf(id)).map((a) => a.action)).toEqual(['account.code', 'account.code'])
  })

  it('refuses members, other branches’ secretaries and a secretary asking for the admin (403), unknown ids (404), no session (401)', async () => {
    const target = `/api/admin/members/${demoUserId('13800000005')}/activation`
    const member = await login(server.app, DEMO.member)
    const otherSecretary = await login(server.app, '13800000102')
    for (const [cookie, url, status] of [
      [member, target, 403],
      [member, `/api/admin/members/${demoUserId(DEMO.member)}/activation`, 403],
      [otherSecretary, target, 403],
      [secretary, `/api/admin/members/${demoUserId(DEMO.admin)}/activation`, 403],
      [secretary, '/api/admin/members/u-nobody/activation', 404],
      [admin, `/api/admin/members/${'x'.repeat(65)}/activation`, 400],
      ['', target, 401],
    ] as const) {
      const response = await server.app.inject({ method: 'POST', url, headers: cookie ? { cookie } : {} })
      expect(response.statusCode, `${url} as ${cookie.slice(0, 20)}`).toBe(status)
      expect(response.json().message).toMatch(/[\u4e00-\u9fff]/)
    }
    // None of them reset anything.
    expect((await me(await login(server.app, '13800000005'))).statusCode).toBe(200)
  })

  it('refuses codes for an ended membership (409), and an ended account neither activates nor signs in', async () => {
    const phone = '13800000008'
    const id = demoUserId(phone)
    const issued = await issueCode(server.app, admin, id)
    await server.withDb((db) =>
      db.updateTable('users').set({ ended_at: '2026-11-01', end_reason: 'transfer_out', role: 'member' }).where('id', '=', id).execute(),
    )
    const refused = await server.app.inject({ method: 'POST', url: `/api/admin/members/${id}/activation`, headers: { cookie: admin } })
    expect(refused.statusCode).toBe(409)
    expect(refused.json()).toEqual({ error: 'member_ended', message: '该党员已终止党籍关系，不能发放激活码' })
    expect((await activate(server.app, { phone, code: issued.code, password: NEW_PASSWORD })).json()).toEqual(WRONG_CREDENTIALS)
    // Its old password (cleared by the reset) or any other doesn't open it either.
    const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { phone, password: DEMO.password } })
    expect(login.json()).toEqual(WRONG_CREDENTIALS)
  })

  it('answers a wrong code, an unknown phone and an expired code alike: 401 wrong_credentials, no cookie', async () => {
    const phone = '13800000009'
    const issued = await issueCode(server.app, admin, demoUserId(phone))
    const wrong = issued.code.startsWith('A') ? `B${issued.code.slice(1)}` : `A${issued.code.slice(1)}`
    for (const body of [
      { phone, code: wrong, password: NEW_PASSWORD },
      { phone: '13912349999', code: issued.code, password: NEW_PASSWORD },
    ]) {
      const response = await activate(server.app, body, '10.20.0.1')
      expect(response.statusCode).toBe(401)
      expect(response.json()).toEqual(WRONG_CREDENTIALS)
      expect(response.headers['set-cookie']).toBeUndefined()
    }
    await server.withDb((db) =>
      db
        .updateTable('activation_codes')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('user_id', '=', demoUserId(phone))
        .execute(),
    )
    expect((await activate(server.app, { phone, code: issued.code, password: NEW_PASSWORD }, '10.20.0.2')).json()).toEqual(
      WRONG_CREDENTIALS,
    )
  })

  it('checks the new password’s rules before the code, without using up the code or an attempt', async () => {
    const phone = '13800000007'
    const issued = await issueCode(server.app, admin, demoUserId(phone))
    for (const [password, message] of [
      ['short', '密码至少8位'],
      ['13800000007', '密码不能用手机号码'],
      ['１３８０００００００７', '密码不能用手机号码'],
      ['138 0000 0007', '密码不能用手机号码'],
      ['00000007', '密码不能用手机号码'],
      ['aaaaaaaa', '密码不能是同一个字符'],
      ['12345678', '密码太简单，不能用连续的数字'],
    ] as const) {
      // Also with a wrong code: the answer can't tell whether the phone or code was right.
      for (const code of [issued.code, 'ZZZZZZZZ']) {
        const response = await activate(server.app, { phone, code, password }, '10.21.0.1')
        expect(response.statusCode).toBe(400)
        expect(response.json()).toEqual({ error: 'bad_request', message })
      }
    }
    const malformed = await activate(server.app, { phone, code: 'O0I1L', password: NEW_PASSWORD })
    expect(malformed.statusCode).toBe(400)
    expect(malformed.json().message).toMatch(/激活码是8位字母和数字/)
    expect((await activate(server.app, { phone: '1234', code: issued.code, password: NEW_PASSWORD })).json().message).toMatch(
      /11位手机号码/,
    )
    // After all those 400s the phone isn't locked, and the code still works.
    expect((await activate(server.app, { phone, code: issued.code, password: NEW_PASSWORD })).statusCode).toBe(200)
  })

  it('checks at most five of twelve guesses sent at once, then locks the phone even for the right code', async () => {
    const phone = '13800000010'
    const issued = await issueCode(server.app, admin, demoUserId(phone))
    const guesses = Array.from({ length: 12 }, (_, i) => `${ACTIVATION_CODE_ALPHABET.slice(i, i + 7)}Z`)
    const statuses = await Promise.all(
      guesses.map((code) => activate(server.app, { phone, code, password: NEW_PASSWORD }, '10.22.0.1').then((r) => r.statusCode)),
    )
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5)
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([])
    const locked = await activate(server.app, { phone, code: issued.code, password: NEW_PASSWORD }, '10.22.0.2')
    expect(locked.statusCode).toBe(429)
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0)
    // Login shares the count: guessing codes is no way around the login's limit.
    expect(
      (await server.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.22.0.3', payload: { phone, password: 'x' } }))
        .statusCode,
    ).toBe(429)
  })

  it('lets one of two concurrent sign-ins with the same code through', async () => {
    const phone = '13800000002'
    const issued = await issueCode(server.app, admin, demoUserId(phone))
    const [a, b] = await Promise.all([
      activate(server.app, { phone, code: issued.code, password: 'first-pass-1' }, '10.23.0.1'),
      activate(server.app, { phone, code: issued.code, password: 'second-pass-2' }, '10.23.0.2'),
    ])
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 401])
    const winner = a.statusCode === 200 ? 'first-pass-1' : 'second-pass-2'
    expect((await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { phone, password: winner } })).statusCode).toBe(200)
  })

  it('refuses an activation from another site’s page before reading it', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/auth/activate',
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      payload: { phone: DEMO.member, code: 'ABCDEFGH', password: NEW_PASSWORD },
    })
    expect(response.statusCode).toBe(403)
    expect(response.json().error).toBe('cross_site')
  })
})
