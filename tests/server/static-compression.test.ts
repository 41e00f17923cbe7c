import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { precompressDir } from '../../scripts/precompress'
import { startServer, type TestServer } from './helpers'

const BROWSER = 'gzip, deflate, br, zstd'
// Text as the build writes it: big enough to be worth compressing, and the same on every line.
const script = `export const greetings = [${Array.from({ length: 200 }, (_, i) => `'你好，第 ${i} 位党员'`).join(', ')}]\n`
const shell = `<!doctype html><title>智慧党建云</title><div id="app"></div>${'<link rel="modulepreload" href="/assets/x.js">'.repeat(40)}`
const manifest = JSON.stringify({
  name: '智慧党建云',
  icons: Array.from({ length: 60 }, (_, i) => ({ src: `/icons/icon-${i}.png`, sizes: '192x192' })),
})

describe('serving the build precompressed', () => {
  let server: TestServer
  let dist: string
  let written: string[]
  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'djy-dist-'))
    mkdirSync(join(dist, 'assets'))
    mkdirSync(join(dist, 'icons'))
    writeFileSync(join(dist, 'index.html'), shell)
    writeFileSync(join(dist, 'assets', 'index-Ab12Cd34.js'), script)
    writeFileSync(join(dist, 'assets', 'tiny-Ab12Cd34.css'), 'a{color:red}')
    writeFileSync(join(dist, 'sw.js'), script)
    writeFileSync(join(dist, 'manifest.webmanifest'), manifest)
    const png = await sharp({
      create: { width: 96, height: 96, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
    })
      .png()
      .toBuffer()
    writeFileSync(join(dist, 'icons', 'icon-192.png'), png)
    written = await precompressDir(dist)
    server = await startServer('sqlite', { staticDir: dist, seedDemoData: false })
  })
  afterAll(async () => {
    await server.close()
    rmSync(dist, { recursive: true, force: true })
  })

  const get = (url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') =>
    server.app.inject({ method, url, headers })

  it('writes .br and .gz beside text files only, and only when worth it', () => {
    expect(written).toEqual(
      [
        'assets/index-Ab12Cd34.js.br',
        'assets/index-Ab12Cd34.js.gz',
        'index.html.br',
        'index.html.gz',
        'manifest.webmanifest.br',
        'manifest.webmanifest.gz',
        'sw.js.br',
        'sw.js.gz',
      ].sort(),
    )
    expect(existsSync(join(dist, 'icons', 'icon-192.png.br'))).toBe(false)
  })

  it('serves a hashed asset from its .br, with its own type and a year of caching', async () => {
    const response = await get('/assets/index-Ab12Cd34.js', { 'accept-encoding': BROWSER })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-encoding']).toBe('br')
    expect(response.headers['content-type']).toMatch(/^(application|text)\/javascript/)
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(response.headers.vary).toMatch(/accept-encoding/i)
    expect(Number(response.headers['content-length'])).toBe(response.rawPayload.length)
    expect(response.rawPayload.length).toBeLessThan(Buffer.byteLength(script) / 4)
    expect(brotliDecompressSync(response.rawPayload).toString('utf8')).toBe(script)
  })

  it('serves the .gz to a gzip-only client and the file itself to one that accepts neither', async () => {
    const gzip = await get('/assets/index-Ab12Cd34.js', { 'accept-encoding': 'gzip' })
    expect(gzip.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gzip.rawPayload).toString('utf8')).toBe(script)
    for (const headers of [{}, { 'accept-encoding': 'identity' }] as Record<string, string>[]) {
      const plain = await get('/assets/index-Ab12Cd34.js', headers)
      expect(plain.headers['content-encoding']).toBeUndefined()
      expect(plain.body).toBe(script)
      expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    }
  })

  it.each(['/', '/meetings', '/study/materials/abc'])('answers %s with the shell from index.html.br, never cached', async (url) => {
    const response = await get(url, { accept: 'text/html', 'accept-encoding': BROWSER })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-encoding']).toBe('br')
    expect(response.headers['content-type']).toMatch(/^text\/html/)
    expect(response.headers['cache-control']).toBe('no-cache')
    expect(response.headers.vary).toMatch(/accept-encoding/i)
    expect(brotliDecompressSync(response.rawPayload).toString('utf8')).toBe(shell)
  })

  it.each([
    ['/sw.js', /javascript/, script],
    ['/manifest.webmanifest', /^application\/manifest\+json/, manifest],
  ])('serves %s compressed and never cached', async (url, type, text) => {
    const response = await get(url, { 'accept-encoding': BROWSER })
    expect(response.headers['content-encoding']).toBe('br')
    expect(response.headers['content-type']).toMatch(type)
    expect(response.headers['cache-control']).toBe('no-cache')
    expect(brotliDecompressSync(response.rawPayload).toString('utf8')).toBe(text)
  })

  it('sends an image as it is', async () => {
    const response = await get('/icons/icon-192.png', { 'accept-encoding': BROWSER })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('image/png')
    expect(response.headers['content-encoding']).toBeUndefined()
    expect((await sharp(response.rawPayload).metadata()).format).toBe('png')
  })

  it('answers HEAD with the headers of what GET would send, and no body', async () => {
    const response = await get('/assets/index-Ab12Cd34.js', { 'accept-encoding': BROWSER }, 'HEAD')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-encoding']).toBe('br')
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(response.rawPayload.length).toBe(0)
  })

  it('serves a small file without a compressed copy, whatever the browser accepts', async () => {
    const response = await get('/assets/tiny-Ab12Cd34.css', { 'accept-encoding': BROWSER })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/css/)
    const body = response.headers['content-encoding'] === 'br' ? brotliDecompressSync(response.rawPayload).toString() : response.body
    expect(body).toBe('a{color:red}')
  })
})
