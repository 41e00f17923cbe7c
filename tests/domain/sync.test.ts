import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor, MAX_SCOPE_VERSION, pushBodySchema, visibleScopes, type Viewer } from '~/domain/sync'
import { parseWith } from '~/domain/validation'

const member: Viewer = { id: 'u-1', role: 'member', branchId: 'b-hexing', townId: 't' }

describe('visible scopes', () => {
  it('gives a member the town, their branch and their own rows', () => {
    expect(visibleScopes(member, ['b-hexing', 'b-liudong'])).toEqual(['town:t', 'branch:b-hexing', 'user:u-1'])
  })

  it("gives a secretary their branch's rows and its office (warnings, notices), which members never get", () => {
    expect(visibleScopes({ ...member, role: 'secretary' }, ['b-hexing', 'b-liudong'])).toEqual([
      'town:t',
      'branch:b-hexing',
      'office:b-hexing',
      'user:u-1',
    ])
  })

  it("gives the admin every branch and every office, the town's first, in a stable order", () => {
    expect(visibleScopes({ id: 'a', role: 'admin', branchId: null, townId: 't' }, ['b2', 'b1'])).toEqual([
      'town:t',
      'branch:b1',
      'branch:b2',
      'office:t',
      'office:b1',
      'office:b2',
      'user:a',
    ])
  })
})

describe('cursor', () => {
  it('round-trips a map of scope versions', () => {
    const versions = { 'town:t': 3, 'branch:b-hexing': 120 }
    expect(decodeCursor(encodeCursor(versions))).toEqual(versions)
  })

  it('reads no cursor as a fresh start', () => {
    expect(decodeCursor(undefined)).toEqual({})
    expect(decodeCursor('')).toEqual({})
  })

  it('reads the largest version the database can hold', () => {
    expect(decodeCursor(encodeCursor({ 'town:t': MAX_SCOPE_VERSION }))).toEqual({ 'town:t': 2147483647 })
  })

  it.each([
    ['garbage', 'not base64 json!'],
    ['wrong version', btoa(JSON.stringify({ v: 2, s: {} }))],
    ['negative', btoa(JSON.stringify({ v: 1, s: { a: -1 } }))],
    ['fraction', btoa(JSON.stringify({ v: 1, s: { a: 1.5 } }))],
    // Above a 32-bit integer: PostgreSQL would fail comparing it with the version column (a 500).
    ['2³¹', btoa(JSON.stringify({ v: 1, s: { 'town:t': 2 ** 31 } }))],
    ['unsafe integer', btoa(JSON.stringify({ v: 1, s: { 'town:t': 2 ** 53 } }))],
    ['numeric text', btoa(JSON.stringify({ v: 1, s: { 'town:t': '5' } }))],
    ['array', btoa(JSON.stringify({ v: 1, s: [1, 2] }))],
  ])('refuses a %s cursor (the server answers with a reset)', (_name, cursor) => {
    expect(decodeCursor(cursor)).toBeNull()
  })
})

describe('push body', () => {
  const mutation = { id: '3f1c2a4e-1b2c-4d3e-8f9a-0b1c2d3e4f5a', name: 'profile.update', args: {}, clientTime: '2026-11-25T08:00:00.000Z' }

  it('accepts up to 100 mutations and refuses 101 with a Chinese message', () => {
    const body = (n: number) => ({ clientId: 'c_abcdefgh', schemaVersion: 1, mutations: Array.from({ length: n }, () => mutation) })
    expect(parseWith(pushBodySchema, body(100)).ok).toBe(true)
    const tooMany = parseWith(pushBodySchema, body(101))
    expect(tooMany).toMatchObject({ ok: false, message: expect.stringContaining('每批最多 100 条') })
  })

  it('normalises each client time to UTC, whatever the offset or year the phone’s clock says', () => {
    const body = (clientTime: string) => ({ clientId: 'c_abcdefgh', schemaVersion: 1, mutations: [{ ...mutation, clientTime }] })
    const timeOf = (clientTime: string) => {
      const parsed = parseWith(pushBodySchema, body(clientTime))
      return parsed.ok ? parsed.value.mutations[0]!.clientTime : parsed.message
    }
    expect(timeOf('2026-11-25T16:00:00+08:00')).toBe('2026-11-25T08:00:00.000Z')
    expect(timeOf('2026-11-25T03:00:00-05:00')).toBe('2026-11-25T08:00:00.000Z')
    // A phone whose clock reset to 1970 must still get its changes through (a 400 here would block them all).
    expect(timeOf('1970-01-01T00:00:05Z')).toBe('1970-01-01T00:00:05.000Z')
  })

  it('refuses a mutation name with a NUL or over 64 characters', () => {
    for (const name of ['profile.update\u0000', 'x'.repeat(65)]) {
      expect(parseWith(pushBodySchema, { clientId: 'c_abcdefgh', schemaVersion: 1, mutations: [{ ...mutation, name }] }).ok).toBe(false)
    }
  })

  it('refuses a mutation id that is not a UUID and a client time that is not ISO', () => {
    const bad = parseWith(pushBodySchema, {
      clientId: 'c_abcdefgh',
      schemaVersion: 1,
      mutations: [{ ...mutation, id: '42', clientTime: 'yesterday' }],
    })
    expect(bad).toMatchObject({ ok: false, message: expect.stringMatching(/UUID.*ISO/) })
  })
})
