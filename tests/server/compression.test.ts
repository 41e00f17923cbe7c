import { randomUUID } from 'node:crypto'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LightMyRequestResponse } from 'fastify'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation } from './sync-helpers'
import { COMPRESSION_THRESHOLD } from '~/server/http/compression'

/** The body as the browser would see it, after undoing Content-Encoding. */
function decoded(response: LightMyRequestResponse): string {
  const encoding = response.headers['content-encoding']
  const raw = response.rawPayload
  if (encoding === 'br') return brotliDecompressSync(raw).toString('utf8')
  if (encoding === 'gzip') return gunzipSync(raw).toString('utf8')
  if (encoding === undefined) return raw.toString('utf8')
  throw new Error(`unexpected content-encoding ${String(encoding)}`)
}

const BROWSER = 'gzip, deflate, br, zstd'

describe.each(databases)('compressed answers on %s', (kind) => {
  let server: TestServer
  let admin: string
  let member: string
  beforeAll(async () => {
    server = await startServer(kind)
    admin = await login(server.app, DEMO.admin)
    member = await login(server.app, DEMO.member)
  })
  afterAll(() => server.close())

  const pull = (headers: Record<string, string>, client = clientId()) =>
    server.app.inject({ url: `/api/sync/pull?clientId=${client}`, headers: { cookie: admin, ...headers } })

  it('sends a first pull as brotli to a browser, gzip to a gzip-only client, and as is otherwise: the same JSON', async () => {
    const client = clientId()
    const plain = await pull({}, client)
    expect(plain.statusCode).toBe(200)
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.rawPayload.length).toBeGreaterThan(COMPRESSION_THRESHOLD)
    const expected = plain.json()
    expect(expected.changes.length).toBeGreaterThan(0)

    const br = await pull({ 'accept-encoding': BROWSER }, client)
    expect(br.statusCode).toBe(200)
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers.vary).toMatch(/accept-encoding/i)
    expect(br.headers['content-type']).toMatch(/^application\/json/)
    // Private answers stay private, compressed or not.
    expect(br.headers['cache-control']).toBe('no-store')
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3)
    expect(JSON.parse(decoded(br))).toEqual(expected)

    const gzip = await pull({ 'accept-encoding': 'gzip' }, client)
    expect(gzip.headers['content-encoding']).toBe('gzip')
    expect(JSON.parse(decoded(gzip))).toEqual(expected)

    for (const acceptEncoding of ['identity', 'br;q=0, gzip;q=0, identity', 'compress']) {
      const none = await pull({ 'accept-encoding': acceptEncoding }, client)
      expect(none.headers['content-encoding'], acceptEncoding).toBeUndefined()
      expect(none.json()).toEqual(expected)
    }
  })

  it('leaves small answers alone', async () => {
    for (const [url, cookie] of [
      ['/api/health', ''],
      ['/api/me', member],
      ['/api/sync/pull?clientId=x', ''],
    ] as const) {
      const response = await server.app.inject({ url, headers: { cookie, 'accept-encoding': BROWSER } })
      expect(response.rawPayload.length, url).toBeLessThan(COMPRESSION_THRESHOLD)
      expect(response.headers['content-encoding'], url).toBeUndefined()
      expect(() => response.json(), url).not.toThrow()
    }
  })

  it('answers HEAD without a body, compressed or not', async () => {
    for (const acceptEncoding of [BROWSER, 'identity']) {
      const response = await server.app.inject({
        method: 'HEAD',
        url: `/api/sync/pull?clientId=${clientId()}`,
        headers: { cookie: admin, 'accept-encoding': acceptEncoding },
      })
      expect(response.statusCode, acceptEncoding).toBe(200)
      expect(response.rawPayload.length, acceptEncoding).toBe(0)
    }
  })

  it('still refuses a cross-site push from a browser that accepts brotli, and applies nothing', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/sync/push',
      headers: { cookie: member, 'accept-encoding': BROWSER, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      payload: { clientId: clientId(), schemaVersion: 1, mutations: [mutation('profile.update', { status: 'home' })] },
    })
    expect(response.statusCode).toBe(403)
    expect(JSON.parse(decoded(response))).toMatchObject({ error: 'cross_site' })
  })

  it('sends a photo as it is: JPEG is compressed already', async () => {
    const bytes = await sharp({
      create: { width: 320, height: 240, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
    })
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
    const photo = await server.app.inject({ url: `/api/photos/${id}`, headers: { cookie: member, 'accept-encoding': BROWSER } })
    expect(photo.statusCode).toBe(200)
    expect(photo.headers['content-type']).toBe('image/jpeg')
    expect(photo.rawPayload.length).toBeGreaterThan(COMPRESSION_THRESHOLD)
    expect(photo.headers['content-encoding']).toBeUndefined()
    expect((await sharp(photo.rawPayload).metadata()).format).toBe('jpeg')
  })

  it('sends an xlsx export as it is: it is a zip already', async () => {
    const response = await server.app.inject({
      url: '/api/admin/roster/export.xlsx',
      headers: { cookie: admin, 'accept-encoding': BROWSER },
    })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/spreadsheetml/)
    expect(response.headers['content-encoding']).toBeUndefined()
    expect(response.rawPayload.subarray(0, 2).toString('latin1')).toBe('PK')
  })

  it('keeps the event stream uncompressed and flowing', async () => {
    const address = await server.app.listen({ port: 0, host: '127.0.0.1' })
    const controller = new AbortController()
    try {
      const response = await fetch(`${address}/api/events`, {
        headers: { cookie: member, 'accept-encoding': BROWSER },
        signal: controller.signal,
      })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
      expect(response.headers.get('content-encoding')).toBeNull()
      const reader = response.body!.getReader()
      let text = ''
      while (!text.includes('event: ready')) {
        const chunk = await reader.read()
        if (chunk.done) break
        text += new TextDecoder().decode(chunk.value)
      }
      expect(text).toContain('event: ready')
    } finally {
      controller.abort()
    }
  })
})
