// Whatever is sent to the account routes (hostile strings, wrong types, missing or extra fields, odd
// ids), the answer is a 4xx in the documented shape with a Chinese message, never a 5xx, and no password
// or code changes. Bounded and reproducible like property.test.ts (PROPERTY_SEED, PROPERTY_RUNS).
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'

const SEED = Number(process.env.PROPERTY_SEED ?? 20_261_203)
const RUNS = Number(process.env.PROPERTY_RUNS ?? 40)

const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: fc.nat(0xffff).map((c) => String.fromCharCode(c)), maxLength: 24 }),
  fc.constantFrom('', '\u0000', '\ud800', '\u202e13800000001', '１３８００００００01', 'ABCD2345', 'abcd-2345', 'x'.repeat(200_000)),
)
const value = fc.oneof(
  hostile,
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string()),
)
const body = (keys: string[]) =>
  fc.oneof(
    fc.record(Object.fromEntries(keys.map((k) => [k, value])), { requiredKeys: [] }),
    fc.record({ ...Object.fromEntries(keys.map((k) => [k, hostile])), extra: value }),
    value,
  )

/** A path segment: the id's UTF-8 bytes percent-encoded, or a raw segment a client could send. */
const segment = fc.oneof(
  hostile.map((id) => [...Buffer.from(id)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
  fc.constantFrom('%', '%ED%A0%80', '%00', '..', '%2F', 'u-66hr2jf7sv8n%00'),
)

describe.each(databases)('account routes under hostile input on %s', (kind) => {
  let server: TestServer
  let admin: string
  let member: string
  const hashes = () => server.withDb((db) => db.selectFrom('users').select(['id', 'password_hash']).orderBy('id').execute())
  beforeAll(async () => {
    server = await startServer(kind)
    admin = await login(server.app, DEMO.admin)
    member = await login(server.app, DEMO.member)
  })
  afterAll(() => server.close())

  const answersIn4xx = (response: { statusCode: number; json: () => { error?: unknown; message?: unknown } }) => {
    expect(response.statusCode).toBeGreaterThanOrEqual(400)
    expect(response.statusCode).toBeLessThan(500)
    expect(typeof response.json().error).toBe('string')
    expect(String(response.json().message)).toMatch(/[\u4e00-\u9fff]/)
  }

  it('activate, password and activation never answer a 5xx nor change anyone’s password', async () => {
    const before = await hashes()
    await fc.assert(
      fc.asyncProperty(
        body(['phone', 'code', 'password']),
        body(['current', 'password']),
        segment,
        fc.nat(250),
        async (activation, change, id, address) => {
          answersIn4xx(
            await server.app.inject({
              method: 'POST',
              url: '/api/auth/activate',
              remoteAddress: `10.50.0.${address}`,
              payload: JSON.stringify(activation),
              headers: { 'content-type': 'application/json' },
            }),
          )
          const password = await server.app.inject({
            method: 'POST',
            url: '/api/auth/password',
            headers: { cookie: member, 'content-type': 'application/json' },
            remoteAddress: `10.51.0.${address}`,
            payload: JSON.stringify(change),
          })
          // A valid body with a wrong current password is refused too; nothing here knows the member's.
          answersIn4xx(password)
          const issue = await server.app.inject({
            method: 'POST',
            url: `/api/admin/members/${id}/activation`,
            headers: { cookie: member },
          })
          answersIn4xx(issue)
          const asAdmin = await server.app.inject({
            method: 'POST',
            url: `/api/admin/members/${id}/activation`,
            headers: { cookie: admin },
          })
          // The admin may name anyone: an id that exists (none of these do) would be a code, not an error.
          answersIn4xx(asAdmin)
        },
      ),
      { seed: SEED, numRuns: RUNS },
    )
    expect(await hashes()).toEqual(before)
  })
})
