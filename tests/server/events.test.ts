import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, push } from './sync-helpers'
import { buildApp } from '~/server/app'
import { sessionIdOf } from '~/server/services/auth'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** An event stream read from a real socket (inject cannot stream). */
async function openEvents(app: FastifyInstance, cookie: string) {
  const address = app.server.listening
    ? `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
    : await app.listen({ port: 0, host: '127.0.0.1' })
  const controller = new AbortController()
  const response = await fetch(`${address}/api/events`, { headers: { cookie }, signal: controller.signal })
  expect(response.status).toBe(200)
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  const read = async (deadline: number) => {
    const chunk = await Promise.race([reader.read(), sleep(Math.max(0, deadline - Date.now())).then(() => null)])
    if (chunk && !chunk.done) text += decoder.decode(chunk.value)
    return chunk
  }
  return {
    async waitFor(event: string) {
      const deadline = Date.now() + 10_000
      while (!text.includes(`event: ${event}\n`)) {
        const chunk = await read(deadline)
        if (!chunk || chunk.done) throw new Error(`no "${event}" event; got: ${text}`)
      }
    },
    /** Where the text read so far ends: for `waitForText` to look only at what comes after. */
    mark: () => text.length,
    async waitForText(needle: string, from: number) {
      const deadline = Date.now() + 10_000
      while (!text.slice(from).includes(needle)) {
        const chunk = await read(deadline)
        if (!chunk || chunk.done) throw new Error(`no "${needle}"; got: ${text.slice(from)}`)
      }
    },
    /** Everything sent from now on, and whether the server ended the stream (false: still open after 10 s). */
    async rest(): Promise<{ text: string; ended: boolean }> {
      const from = text.length
      const deadline = Date.now() + 10_000
      for (;;) {
        const chunk = await read(deadline)
        if (!chunk) return { text: text.slice(from), ended: false }
        if (chunk.done) return { text: text.slice(from), ended: true }
      }
    },
    close: () => controller.abort(),
  }
}

const cookieToken = (cookie: string) => {
  // djy_session=<token>.<signature>, URL-encoded
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1))
  return value.slice(0, value.lastIndexOf('.'))
}

describe.each(databases)('the event stream after sign-out on %s', (kind) => {
  let server: TestServer
  let member: string
  beforeAll(async () => {
    server = await startServer(kind)
    member = await login(server.app, DEMO.member)
  })
  afterAll(() => server.close())

  it('ends a stream when its session signs out, and sends it no poke afterwards', async () => {
    const secretary = await login(server.app, DEMO.secretary)
    const events = await openEvents(server.app, secretary)
    try {
      await events.waitFor('ready')
      expect((await server.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: secretary } })).statusCode).toBe(200)
      await push(server.app, member, clientId(), [mutation('profile.update', { status: 'away', awayCity: '宁波' })])
      const rest = await events.rest()
      expect(rest.ended).toBe(true)
      expect(rest.text).not.toContain('event: poke')
    } finally {
      events.close()
    }
  })

  it('ends a stream before its next poke when the session was ended elsewhere (another instance)', async () => {
    const secretary = await login(server.app, DEMO.secretary)
    const events = await openEvents(server.app, secretary)
    try {
      await events.waitFor('ready')
      await server.withDb((db) =>
        db
          .deleteFrom('sessions')
          .where('id', '=', sessionIdOf(cookieToken(secretary)))
          .execute(),
      )
      await push(server.app, member, clientId(), [mutation('profile.update', { status: 'home' })])
      const rest = await events.rest()
      expect(rest.ended).toBe(true)
      expect(rest.text).not.toContain('event: poke')
    } finally {
      events.close()
    }
  })

  it('keeps poking a stream whose session is still signed in', async () => {
    const secretary = await login(server.app, DEMO.secretary)
    const events = await openEvents(server.app, secretary)
    try {
      await events.waitFor('ready')
      await push(server.app, member, clientId(), [mutation('profile.update', { status: 'away', awayCity: '杭州' })])
      await events.waitFor('poke')
    } finally {
      events.close()
    }
  })

  it('pokes the admin for a branch created after the stream opened, without a reconnect', async () => {
    const admin = await login(server.app, DEMO.admin)
    const events = await openEvents(server.app, admin)
    const branchId = `b-live-${kind}`
    try {
      await events.waitFor('ready')
      let from = events.mark()
      const branch = { branchId, name: `新开${kind}支部`, place: '新开村', kind: 'village' }
      const created = await push(server.app, admin, clientId(), [mutation('branch.save', branch)])
      expect(created[0]).toMatchObject({ status: 'applied' })
      // The town's poke comes after the stream has read its scopes again.
      await events.waitForText('"scopes":["town:', from)
      from = events.mark()
      const member = {
        memberId: `u-live-${kind}`,
        branchId,
        name: '新党员',
        phone: kind === 'sqlite' ? '13711110001' : '13711110002',
        gender: 'female',
        birthDate: '1980-01-01',
        joinedPartyOn: '2005-07-01',
        membership: 'full',
        status: 'home',
        awayCity: null,
        centerHousehold: false,
        partyGroupId: null,
        committeePost: null,
      }
      const added = await push(server.app, admin, clientId(), [mutation('member.save', member)])
      expect(added[0]).toMatchObject({ status: 'applied' })
      await events.waitForText(`branch:${branchId}`, from)
    } finally {
      events.close()
    }
  })

  if (kind === 'postgres')
    it('ends the stream on one instance when the session signs out on another', async () => {
      const other = await buildApp(server.config)
      try {
        const secretary = await login(server.app, DEMO.secretary)
        const events = await openEvents(other, secretary)
        try {
          await events.waitFor('ready')
          expect((await server.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: secretary } })).statusCode).toBe(
            200,
          )
          await push(server.app, member, clientId(), [mutation('profile.update', { status: 'home' })])
          const rest = await events.rest()
          expect(rest.ended).toBe(true)
          expect(rest.text).not.toContain('event: poke')
        } finally {
          events.close()
        }
      } finally {
        await other.close()
      }
    })
})
