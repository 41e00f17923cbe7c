import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type TestServer } from './helpers'

describe('serving the built PWA', () => {
  let server: TestServer
  let dist: string
  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'djy-dist-'))
    mkdirSync(join(dist, 'assets'))
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>智慧党建云</title><div id="app"></div>')
    writeFileSync(join(dist, 'assets', 'index-Ab12Cd34.js'), 'console.log(1)')
    writeFileSync(join(dist, 'sw.js'), 'self.x = 1')
    writeFileSync(join(dist, 'manifest.webmanifest'), '{"name":"智慧党建云"}')
    server = await startServer('sqlite', { staticDir: dist, seedDemoData: false })
  })
  afterAll(async () => {
    await server.close()
    rmSync(dist, { recursive: true, force: true })
  })

  it('caches hashed assets for a year as immutable', async () => {
    const response = await server.app.inject({ url: '/assets/index-Ab12Cd34.js' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable')
  })

  it.each(['/', '/sw.js', '/manifest.webmanifest'])('never caches %s', async (url) => {
    const response = await server.app.inject({ url })
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toBe('no-cache')
  })

  it('answers an app route with the shell, and an unknown API path with JSON', async () => {
    const page = await server.app.inject({ url: '/meetings', headers: { accept: 'text/html' } })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<div id="app">')
    expect(page.headers['cache-control']).toBe('no-cache')
    const api = await server.app.inject({ url: '/api/meetings', headers: { accept: 'text/html' } })
    expect(api.statusCode).toBe(404)
    expect(api.json().error).toBe('not_found')
  })
})
