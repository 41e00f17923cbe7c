// Property-based test (fast-check) over the whole mutation registry: every mutation gets generated
// arguments, starting from a valid example (mutation-examples.ts) and then bent: a field replaced with
// something hostile (NUL, lone surrogates, RTL overrides, long and boundary-length strings, other UTC
// offsets, far years, huge numbers, wrong types), a field removed, a key added, or the whole thing replaced;
// sent by a member, a secretary or the admin. Whatever comes, the server answers without a 5xx, each
// mutation ends applied or rejected, and a rejected one changes nothing.
//
// Besides, a sweep that is not left to chance: a NUL or a lone surrogate appended to each string of each
// example, one at a time, must be refused.
//
// Bounded and reproducible: PROPERTY_RUNS runs per mutation and database (40 by default) from a fixed
// PROPERTY_SEED; a failure prints the seed and the shrunk counterexample, to replay with both set.
import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Kysely } from 'kysely'
import { MUTATIONS, type MutationName } from '~/domain/mutations'
import type { MutationResult } from '~/domain/sync'
import { ROLES, type Role } from '~/domain/users'
import { openDatabase } from '~/server/db'
import type { Database } from '~/server/db/schema'
import { databases, login, startServer, type TestServer } from './helpers'
import { clientId } from './sync-helpers'
import { exampleArgs, ROLE_PHONES, serverState } from './mutation-examples'

const SEED = Number(process.env.PROPERTY_SEED ?? 20_261_010)
const RUNS = Number(process.env.PROPERTY_RUNS ?? 40)
const NAMES = Object.keys(MUTATIONS) as MutationName[]
/** The server's body limit: a push over it is a 413 for the whole request, before any mutation is read. */
const BODY_LIMIT = 1024 * 1024

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Path = (string | number)[]

// ------------------------------------------------------------------------------------------- values

const isInstant = (value: unknown): value is string => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)

const codeUnits = fc.string({ unit: fc.nat(0xffff).map((c) => String.fromCharCode(c)), maxLength: 24 })
const hostileString: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '\u0000',
      '会议\u0000记录',
      '\ud800',
      '前\udc00后',
      '\udfff\ud800',
      '\u202e告公\u202c',
      '\u2066隔离\u2069',
      '两行\n文字',
      '\t',
      '',
      ' ',
      '   ',
      '<img src=x onerror=alert(1)>',
      "' or 1=1 --",
      '𠮷野家👍🏻',
      'u-13800000001',
      'demo-hexing-04',
      'c-hexing-road-1',
    ),
  },
  // Any UTF-16 code units, with a NUL or a lone surrogate put in somewhere.
  {
    weight: 2,
    arbitrary: fc
      .tuple(codeUnits, fc.constantFrom('\u0000', '\ud83d', '\udc4d'), fc.nat())
      .map(([s, bad, at]) => s.slice(0, at % (s.length + 1)) + bad + s.slice(at % (s.length + 1))),
  },
  { weight: 1, arbitrary: codeUnits },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  // Boundary lengths of the fields (ids 64/128/200, titles 60/80, reasons 200, agenda 2000, minutes 20 000,
  // bodies 50 000), one over, and as long as a push may be (a 1 MB string is the body limit's 413).
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        1,
        2,
        4,
        10,
        60,
        61,
        64,
        65,
        80,
        81,
        128,
        129,
        200,
        201,
        500,
        501,
        2000,
        2001,
        20_000,
        20_001,
        50_000,
        50_001,
        300_000,
        1 << 20,
      )
      .map((n) => '党'.repeat(n)),
  },
)

/** `at` written as local time with an offset in minutes, `2026-05-01T06:30:00.000-05:00`. */
function withOffset(at: Date, offsetMinutes: number): string {
  const local = new Date(at.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23)
  const abs = Math.abs(offsetMinutes)
  return `${local}${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}
const offsets = fc.integer({ min: -12 * 4, max: 14 * 4 }).map((quarters) => quarters * 15)
const nearNow = fc.integer({ min: -40 * 86_400_000, max: 40 * 86_400_000 }).map((delta) => new Date(Date.now() + delta))
const hostileInstant: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(nearNow, offsets).map(([at, offset]) => withOffset(at, offset)),
  fc
    .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom(
    '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z',
    '2026-05-01T19:30:00',
    '2026-05-01',
    '2026-02-30T00:00:00Z',
    '2026-05-01T19:30:00+24:00',
    'yesterday',
    '1746099000000',
  ),
)
const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    1,
    9,
    10,
    100,
    101,
    1000,
    86_400,
    86_401,
    2 ** 31 - 1,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 53,
    -(2 ** 53),
    Number.MAX_SAFE_INTEGER + 2,
    1e308,
    -1e308,
    0.5,
    1e-9,
    -0,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
)
const wrongType: fc.Arbitrary<Json> = fc.constantFrom(null, true, false, [], {}, [1, 2], ['a'], { a: 1 }, { type: 'accept' }, '1', 1)
const hostile: fc.Arbitrary<Json> = fc.oneof(
  hostileString,
  hostileInstant,
  hostileNumber,
  wrongType,
  fc.array(hostileString, { maxLength: 3 }),
)

/** Mostly something of the same kind as what is there (so it reaches the field's own checks), sometimes anything. */
function hostileFor(current: Json): fc.Arbitrary<Json> {
  const sameKind = isInstant(current)
    ? hostileInstant
    : typeof current === 'string'
      ? hostileString
      : typeof current === 'number'
        ? hostileNumber
        : hostile
  return fc.oneof({ weight: 3, arbitrary: sameKind }, { weight: 1, arbitrary: hostile })
}

// ------------------------------------------------------------------------------------------ variants

/** Every path in an example: each place a value can be replaced, and (for object keys) removed. */
function pathsOf(value: Json, path: Path = []): Path[] {
  const inner = Array.isArray(value)
    ? value.flatMap((item, i) => pathsOf(item, [...path, i]))
    : value !== null && typeof value === 'object'
      ? Object.entries(value).flatMap(([key, item]) => pathsOf(item, [...path, key]))
      : []
  return [path, ...inner]
}

const valueAt = (root: Json, path: Path): Json => path.reduce<Json>((at, key) => (at as Record<string | number, Json>)[key]!, root)

function edit(root: Json, path: Path, change: (parent: Record<string | number, Json>, key: string | number) => void): Json {
  if (path.length === 0) return root
  const copy = structuredClone(root)
  let parent = copy as Record<string | number, Json>
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>
  change(parent, path.at(-1)!)
  return copy
}

type Variant =
  | { kind: 'as is' }
  | { kind: 'replace'; path: Path; value: Json }
  | { kind: 'remove'; path: Path }
  | { kind: 'add key'; path: Path; key: string; value: Json }
  | { kind: 'same instants, other offset'; offset: number }
  | { kind: 'whole'; value: Json }

function variants(example: Json): fc.Arbitrary<Variant> {
  const paths = pathsOf(example).filter((p) => p.length > 0)
  const containers = pathsOf(example).filter((p) => {
    const v = valueAt(example, p)
    return v !== null && typeof v === 'object' && !Array.isArray(v)
  })
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant<Variant>({ kind: 'as is' }) },
    {
      weight: 8,
      arbitrary: fc
        .constantFrom(...paths)
        .chain((path) => hostileFor(valueAt(example, path)).map((value): Variant => ({ kind: 'replace', path, value }))),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), path: fc.constantFrom(...paths) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('add key' as const),
        path: fc.constantFrom(...containers),
        key: fc.constantFrom('extra', 'id', 'role', 'toString', 'constructor', '__proto__', '\u0000'),
        value: hostile,
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('same instants, other offset' as const), offset: offsets }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('whole' as const), value: hostile }) },
  )
}

function apply(example: Json, variant: Variant): Json {
  switch (variant.kind) {
    case 'as is':
      return example
    case 'replace':
      return edit(example, variant.path, (parent, key) => (parent[key] = variant.value))
    case 'remove':
      return edit(example, variant.path, (parent, key) => (Array.isArray(parent) ? parent.splice(Number(key), 1) : delete parent[key]))
    case 'add key': {
      const copy = structuredClone(example) as Record<string, Json>
      const target = variant.path.reduce<Record<string | number, Json>>((at, key) => at[key] as Record<string | number, Json>, copy)
      Object.defineProperty(target, variant.key, { value: variant.value, enumerable: true, configurable: true, writable: true })
      return copy
    }
    case 'same instants, other offset':
      return JSON.parse(JSON.stringify(example), (_key, value: unknown) =>
        isInstant(value) ? withOffset(new Date(value), variant.offset) : value,
      ) as Json
    case 'whole':
      return variant.value
  }
}

const clientTimes: fc.Arbitrary<string> = fc.oneof(
  fc.constant('now'),
  fc.tuple(nearNow, offsets).map(([at, offset]) => withOffset(at, offset)),
  fc.constantFrom('1970-01-01T00:00:00.000Z', '2099-12-31T23:59:59.999+14:00'),
)

// ----------------------------------------------------------------------------------------- the test

describe.each(databases)('every mutation with generated arguments on %s', (kind) => {
  let server: TestServer
  let db: Kysely<Database>
  const cookies = {} as Record<Role, string>
  const clients = {} as Record<Role, string>

  beforeAll(async () => {
    server = await startServer(kind)
    db = openDatabase(server.config).db
    for (const role of ROLES) {
      cookies[role] = await login(server.app, ROLE_PHONES[role])
      clients[role] = clientId()
    }
  })
  afterAll(async () => {
    await db.destroy()
    await server.close()
  })

  it('covers every mutation in the registry', () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(25)
    for (const name of NAMES) expect(() => exampleArgs(name)).not.toThrow()
  })

  /** Pushes one mutation and checks what holds for any input; returns its result (undefined: the request was refused whole). */
  async function sendChecked(
    name: MutationName,
    role: Role,
    args: Json,
    clientTime: string,
    label: string,
  ): Promise<MutationResult | undefined> {
    const payload = JSON.stringify({ clientId: clients[role], schemaVersion: 1, mutations: [{ id: randomUUID(), name, args, clientTime }] })
    const before = await serverState(db)
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/sync/push',
      headers: { cookie: cookies[role], 'content-type': 'application/json' },
      payload,
    })
    const context = `${name} as ${role}, ${label}: ${response.statusCode} ${response.body.slice(0, 300)}`
    expect(response.statusCode, context).toBeLessThan(500)
    if (response.statusCode !== 200) {
      // Only the request as a whole may be refused, for what the protocol says: too large, or a key JSON
      // parsing refuses (`__proto__`). In the documented shape, in Chinese, having written nothing.
      expect(Buffer.byteLength(payload) > BODY_LIMIT || payload.includes('"__proto__"'), context).toBe(true)
      expect(response.json(), context).toEqual({ error: expect.any(String), message: expect.stringMatching(/[\u4e00-\u9fff]/) })
      expect(await serverState(db), context).toEqual(before)
      return undefined
    }
    const [result] = (response.json() as { results: MutationResult[] }).results
    expect(['applied', 'rejected'], context).toContain(result?.status)
    if (result?.status === 'rejected') {
      expect(result.message, context).toMatch(/[\u4e00-\u9fff]/)
      expect(await serverState(db), context).toEqual(before)
    }
    return result
  }

  it.each(NAMES)('%s: a NUL or a lone surrogate in any of its strings is refused', async (name) => {
    const example = exampleArgs(name) as Json
    const strings = pathsOf(example).filter((path) => typeof valueAt(example, path) === 'string')
    expect(strings.length, `${name} has string fields to try`).toBeGreaterThan(0)
    for (const path of strings) {
      for (const bad of ['\u0000', '\ud800', '\udfff']) {
        const role = MUTATIONS[name].roles.at(-1)!
        // The field's own value with one bad character added: nothing else about it is wrong.
        const args = edit(exampleArgs(name) as Json, path, (parent, key) => (parent[key] = `${String(parent[key])}${bad}`))
        const result = await sendChecked(name, role, args, new Date().toISOString(), `${JSON.stringify(bad)} at ${path.join('.')}`)
        expect(result?.status, `${name}: ${JSON.stringify(bad)} at ${path.join('.')} as ${role}`).toBe('rejected')
      }
    }
  })

  it.each(NAMES)('%s: never a 5xx, always applied or rejected, and a rejection changes nothing', async (name) => {
    const example = exampleArgs(name) as Json
    const property = fc.asyncProperty(fc.constantFrom(...ROLES), variants(example), clientTimes, async (role, variant, clientTime) => {
      // Fresh ids where the mutation creates something, so a valid variant can apply rather than repeat.
      const args = apply(exampleArgs(name) as Json, variant)
      await sendChecked(name, role, args, clientTime === 'now' ? new Date().toISOString() : clientTime, variant.kind)
    })
    await fc.assert(property, { seed: SEED, numRuns: RUNS, endOnFailure: true })
  })
})
