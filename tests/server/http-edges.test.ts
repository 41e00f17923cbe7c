import { randomUUID } from 'node:crypto'
import { connect } from 'node:net'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId } from './sync-helpers'

const CHINESE = /[\u4e00-\u9fff]/

describe.each(databases)('HTTP edge cases on %s', (kind) => {
  let server: TestServer
  let member: string
  beforeAll(async () => {
    server = await startServer(kind)
    member = await login(server.app, DEMO.member)
  })
  afterAll(() => server.close())

  it('answers an unparseable Host on the passkey routes with a 400 in the documented shape', async () => {
    for (const host of ['exa mple', '[::1']) {
      for (const url of ['/api/webauthn/register/options', '/api/meetings/m-none/remote/options']) {
        const response = await server.app.inject({ method: 'POST', url, headers: { cookie: member, host } })
        expect(response.statusCode, `${host} ${url}`).toBeLessThan(500)
        expect(response.json()).toMatchObject({ error: expect.any(String), message: expect.stringMatching(CHINESE) })
      }
      const options = await server.app.inject({ method: 'POST', url: '/api/webauthn/register/options', headers: { cookie: member, host } })
      expect(options.statusCode).toBe(400)
      expect(options.json()).toEqual({ error: 'bad_request', message: '请求的主机名（Host）无法识别' })
    }
  })

  it('answers path parameters over 100 characters, and malformed paths, in Chinese, never with a raw 414', async () => {
    const cases: [string, string, number][] = [
      ['GET', `/api/photos/${'a'.repeat(150)}`, 400],
      ['GET', `/api/photos/${'a'.repeat(5000)}`, 400],
      ['POST', `/api/meetings/${'m'.repeat(300)}/remote/heartbeat`, 400],
      // A passkey id may be long: it reaches the route, which knows no such passkey.
      ['DELETE', `/api/webauthn/credentials/${'c'.repeat(300)}`, 404],
      ['GET', '/api/photos/%E0%A4%A', 400],
    ]
    for (const [method, url, status] of cases) {
      const response = await server.app.inject({ method: method as 'GET', url, headers: { cookie: member } })
      expect(response.statusCode, url.slice(0, 60)).toBe(status)
      expect(response.json(), url.slice(0, 60)).toEqual({
        error: status === 404 ? 'not_found' : 'bad_request',
        message: expect.stringMatching(CHINESE),
      })
    }
  })

  it('marks private API answers no-store, errors included, and leaves health alone', async () => {
    const urls = [
      `/api/sync/pull?clientId=${clientId()}`,
      '/api/me',
      '/api/points/ranking?scope=branch&period=year',
      '/api/webauthn/credentials',
    ]
    for (const url of urls) {
      const response = await server.app.inject({ url, headers: { cookie: member } })
      expect(response.statusCode, url).toBe(200)
      expect(response.headers['cache-control'], url).toBe('no-store')
    }
    const login = await server.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { phone: DEMO.member, password: DEMO.password },
    })
    expect(login.headers['cache-control']).toBe('no-store')
    for (const url of ['/api/me', '/api/nothing-here'])
      expect((await server.app.inject({ url })).headers['cache-control'], url).toBe('no-store')
    expect((await server.app.inject({ url: '/api/health' })).headers['cache-control']).toBeUndefined()
  })

  it('serves a private photo for revalidation only (private, no-cache), with a 304 after the access check', async () => {
    const bytes = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 30, b: 30 } } })
      .jpeg()
      .toBuffer()
    const id = `p-${randomUUID()}`
    const put = await server.app.inject({
      method: 'PUT',
      url: `/api/photos/${id}`,
      headers: {
        cookie: member,
        'content-type': 'application/octet-stream',
        'content-range': `bytes 0-${bytes.length - 1}/${bytes.length}`,
      },
      payload: bytes,
    })
    expect(put.statusCode).toBe(201)
    expect(put.headers['cache-control']).toBe('no-store')
    const photo = await server.app.inject({ url: `/api/photos/${id}`, headers: { cookie: member } })
    expect(photo.statusCode).toBe(200)
    expect(photo.headers['cache-control']).toBe('private, no-cache')
    const etag = String(photo.headers.etag)
    const again = await server.app.inject({ url: `/api/photos/${id}`, headers: { cookie: member, 'if-none-match': etag } })
    expect(again.statusCode).toBe(304)
    expect(again.rawPayload.length).toBe(0)
    // Signed out, the browser's copy is no use: revalidating is refused.
    expect((await server.app.inject({ url: `/api/photos/${id}`, headers: { 'if-none-match': etag } })).statusCode).toBe(401)
  })

  it('answers requests Node cannot read, and one without Host, in the documented shape in Chinese', async () => {
    const own = await startServer(kind)
    await own.app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = own.app.server.address() as { port: number }
    const raw = (request: Buffer) =>
      new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1')
        let received = ''
        socket.on('data', (chunk: Buffer) => (received += chunk.toString()))
        socket.once('close', () => resolve(received))
        socket.write(request)
      })
    try {
      const unreadable = [
        // A raw (not percent-encoded) non-ASCII byte in the path.
        Buffer.concat([Buffer.from('GET /api/photos/'), Buffer.from([0xc3, 0xa9]), Buffer.from(' HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')]),
        Buffer.from('GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\nBroken header line\r\n\r\n'),
        Buffer.from('GET /api/me HTTP/1.1\r\nConnection: close\r\n\r\n'),
      ]
      for (const request of unreadable) {
        const answer = await raw(request)
        expect(answer, request.toString()).toMatch(/^HTTP\/1\.1 400/)
        expect(answer).toMatch(/\r\ncontent-type: application\/json/i)
        const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: string; message: string }
        expect(body.error).toBe('bad_request')
        expect(body.message).toMatch(CHINESE)
      }
    } finally {
      await own.close()
    }
  })

  it('answers a request that arrives while the server shuts down with 503 shutting_down in Chinese, and Retry-After', async () => {
    const own = await startServer(kind)
    const signal = () => {
      let fire!: () => void
      const fired = new Promise<void>((resolve) => (fire = resolve))
      return { fire, fired }
    }
    const loginArrived = signal()
    const loginMayGoOn = signal()
    const closing = signal()
    const refused = signal()
    // A login held in flight, so the server has to wait for it while it closes.
    own.app.addHook('preHandler', async (request) => {
      if (request.url === '/api/auth/login') {
        loginArrived.fire()
        await loginMayGoOn.fired
      }
    })
    own.app.addHook('preClose', async () => closing.fire())
    own.app.addHook('onSend', async (_request, reply) => {
      if (reply.statusCode === 503) refused.fire()
    })
    await own.app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = own.app.server.address() as { port: number }

    // One keep-alive connection: the login, then (after close began) another request on it.
    const socket = connect(port, '127.0.0.1')
    let received = ''
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()))
    const socketClosed = new Promise((resolve) => socket.once('close', resolve))
    const body = JSON.stringify({ phone: DEMO.member, password: DEMO.password })
    socket.write(
      `POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
    await loginArrived.fired
    const closed = own.close()
    await closing.fired
    socket.write('GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    await refused.fired
    loginMayGoOn.fire()
    await socketClosed
    await closed

    expect(received).toMatch(/^HTTP\/1\.1 200/)
    const late = received.slice(received.indexOf('HTTP/1.1 503'))
    expect(late).toMatch(/^HTTP\/1\.1 503/)
    expect(late).toMatch(/\r\nretry-after: 5\r\n/i)
    expect(late).toMatch(/\r\ncontent-type: application\/json/i)
    expect(JSON.parse(late.slice(late.indexOf('\r\n\r\n') + 4))).toEqual({ error: 'shutting_down', message: '服务器正在重启，请稍后再试' })
  })
})
