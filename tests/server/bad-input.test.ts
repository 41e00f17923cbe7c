import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, startServer, type TestServer } from './helpers'

describe.each(databases)('bad input on %s', (kind) => {
  let server: TestServer
  const countRows = () =>
    server.withDb(async (db) => {
      const sessions = await db
        .selectFrom('sessions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
      const failures = await db
        .selectFrom('login_failures')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
      return { sessions: Number(sessions.n), failures: Number(failures.n) }
    })
  beforeAll(async () => {
    server = await startServer(kind)
  })
  afterAll(() => server.close())

  const cases: [string, { payload: string; contentType?: string }, number, RegExp][] = [
    ['malformed JSON', { payload: '{"phone": "138' }, 400, /不是有效的 JSON/],
    ['an empty JSON body', { payload: '' }, 400, /不是有效的 JSON|请求内容有误/],
    ['a phone of the wrong shape', { payload: JSON.stringify({ phone: '12345', password: 'x' }) }, 400, /手机号码/],
    ['a missing password', { payload: JSON.stringify({ phone: DEMO.member }) }, 400, /password/],
    ['wrong types', { payload: JSON.stringify({ phone: 13800000001, password: ['a'] }) }, 400, /phone/],
    [
      'a password longer than any real one',
      { payload: JSON.stringify({ phone: DEMO.member, password: 'x'.repeat(500) }) },
      400,
      /密码过长/,
    ],
    ['a body over the size limit', { payload: JSON.stringify({ phone: DEMO.member, password: 'x'.repeat(2_000_000) }) }, 413, /过大/],
    ['form data instead of JSON', { payload: 'phone=1&password=2', contentType: 'application/x-www-form-urlencoded' }, 415, /JSON/],
  ]

  it.each(cases)('answers %s with a readable error and writes nothing', async (_name, request, status, message) => {
    const before = await countRows()
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': request.contentType ?? 'application/json' },
      payload: request.payload,
    })
    expect(response.statusCode).toBe(status)
    expect(response.json().message).toMatch(message)
    expect(await countRows()).toEqual(before)
  })

  it('answers an unknown API path with a JSON 404', async () => {
    const response = await server.app.inject({ url: '/api/nothing-here' })
    expect(response.statusCode).toBe(404)
    expect(response.json()).toEqual({ error: 'not_found', message: '请求的资源不存在' })
  })

  it('sends security headers on every response', async () => {
    for (const url of ['/api/health', '/api/nothing-here']) {
      const response = await server.app.inject({ url })
      expect(response.headers['content-security-policy']).toMatch(/default-src 'self'/)
      expect(response.headers['content-security-policy']).toMatch(/script-src 'self'/)
      expect(response.headers['x-content-type-options']).toBe('nosniff')
      expect(response.headers['x-frame-options']).toBeDefined()
    }
  })
})
