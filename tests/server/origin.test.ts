import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, pullAll } from './sync-helpers'
import { demoUserId } from '../demo-users'

const EVIL = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }
const HOST = 'dangjian.test:8080'

describe.each(databases)('cross-site writes on %s', (kind) => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer(kind, { publicOrigin: 'https://dangjian.example.cn/' })
  })
  afterAll(() => server.close())

  const pushProfile = (cookie: string, headers: Record<string, string>, status: 'home' | 'away') =>
    server.app.inject({
      method: 'POST',
      url: '/api/sync/push',
      headers: { cookie, host: HOST, ...headers },
      payload: {
        clientId: clientId(),
        schemaVersion: 1,
        mutations: [mutation('profile.update', status === 'away' ? { status, awayCity: '杭州', returnDate: '2027-02-01' } : { status })],
      },
    })
  const myStatus = async (cookie: string) => {
    const { members } = await pullAll(server.app, cookie, clientId())
    return members.find((m) => m.id === demoUserId(DEMO.member))?.status
  }

  it('refuses a push from another site and applies nothing', async () => {
    const cookie = await login(server.app, DEMO.member)
    const before = await myStatus(cookie)
    const response = await pushProfile(cookie, EVIL, before === 'away' ? 'home' : 'away')
    expect(response.statusCode).toBe(403)
    expect(response.json()).toMatchObject({ error: 'cross_site' })
    expect(response.json().message).toMatch(/其他网站/)
    expect(await myStatus(cookie)).toBe(before)
  })

  it('refuses a write from a sibling subdomain (same-site is not this site) and an Origin alone from elsewhere', async () => {
    const cookie = await login(server.app, DEMO.member)
    const sibling = await pushProfile(cookie, { origin: 'https://blog.dangjian.test:8080', 'sec-fetch-site': 'same-site' }, 'away')
    expect(sibling.statusCode).toBe(403)
    // An older browser without Sec-Fetch-Site still sends Origin; `null` comes from sandboxed frames.
    for (const origin of ['https://evil.example', 'null']) expect((await pushProfile(cookie, { origin }, 'away')).statusCode).toBe(403)
  })

  it('refuses a cross-site sign-out and other body-less posts: the session stays valid', async () => {
    const cookie = await login(server.app, DEMO.member)
    const logout = await server.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, host: HOST, ...EVIL } })
    expect(logout.statusCode).toBe(403)
    expect(logout.headers['set-cookie']).toBeUndefined()
    expect((await server.app.inject({ url: '/api/me', headers: { cookie } })).statusCode).toBe(200)
    for (const url of ['/api/meetings/m-any/remote/heartbeat', '/api/webauthn/register/options', '/api/auth/login']) {
      const response = await server.app.inject({ method: 'POST', url, headers: { cookie, host: HOST, ...EVIL } })
      expect(response.statusCode, url).toBe(403)
      expect(response.json().error).toBe('cross_site')
    }
  })

  it('accepts writes from its own page, from PUBLIC_ORIGIN, and from clients that send neither header', async () => {
    const cookie = await login(server.app, DEMO.member)
    const own = await pushProfile(cookie, { origin: `http://${HOST}`, 'sec-fetch-site': 'same-origin' }, 'away')
    expect(own.statusCode).toBe(200)
    expect(await myStatus(cookie)).toBe('away')
    // An older browser: Origin without Sec-Fetch-Site.
    expect((await pushProfile(cookie, { origin: `http://${HOST}` }, 'home')).statusCode).toBe(200)
    // Behind a proxy that rewrites the host, the configured public origin.
    expect((await pushProfile(cookie, { origin: 'https://dangjian.example.cn', 'sec-fetch-site': 'same-origin' }, 'away')).statusCode).toBe(
      200,
    )
    expect((await pushProfile(cookie, { origin: 'https://dangjian.example.cn' }, 'home')).statusCode).toBe(200)
    expect((await pushProfile(cookie, {}, 'away')).statusCode).toBe(200)
    expect(await myStatus(cookie)).toBe('away')
    const logout = await server.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie, host: HOST, origin: `http://${HOST}`, 'sec-fetch-site': 'same-origin' },
    })
    expect(logout.statusCode).toBe(200)
  })

  it('leaves reads alone, whatever site asks', async () => {
    const cookie = await login(server.app, DEMO.member)
    const me = await server.app.inject({ url: '/api/me', headers: { cookie, host: HOST, ...EVIL } })
    expect(me.statusCode).toBe(200)
    expect((await server.app.inject({ url: '/api/health', headers: EVIL })).statusCode).toBe(200)
  })
})
