import { describe, expect, it } from 'vitest'
import {
  CLOCK_TOLERANCE_MS,
  SLOT_MS,
  TOKEN_GRACE_MS,
  checkinToken,
  newMeetingKey,
  parseCheckinToken,
  slotOf,
  slotStart,
  verifyCheckinToken,
} from '~/domain/checkin'

// Fixed keys and times: no randomness or Date.now() in what the assertions depend on.
const KEY_A = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8' // bytes 0..31, base64url
const KEY_B = 'ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8' // bytes 32..63, base64url
const MEETING_A = 'm-2026-11-28-assembly'
const MEETING_B = 'm-2026-11-28-lecture'
/** 2026-11-28T01:00:00Z, the start of a slot (divisible by 30 000). */
const T0 = Date.UTC(2026, 10, 28, 1, 0, 0)

/** Swaps one character of the mac for another base64url character. */
function tamper(token: string): string {
  const parts = token.split('.')
  const mac = parts[3]!
  parts[3] = (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1)
  return parts.join('.')
}

describe('slots', () => {
  it('are 30 s long and start on multiples of 30 s; a scan is good for its slot plus 60 s, give or take 60 s of clock', () => {
    expect([SLOT_MS, TOKEN_GRACE_MS, CLOCK_TOLERANCE_MS]).toEqual([30_000, 60_000, 60_000])
    expect(T0 % 30_000).toBe(0)
    expect(slotOf(T0 + 30_000)).toBe(slotOf(T0) + 1)
    expect(slotOf(T0 + 29_999)).toBe(slotOf(T0))
    expect(slotOf(T0)).toBe(T0 / SLOT_MS)
    expect(slotStart(slotOf(T0 + 12_345))).toBe(T0)
  })
})

describe('the token shown on the secretary’s phone', () => {
  it('is stable within a slot', async () => {
    const first = await checkinToken(KEY_A, MEETING_A, T0)
    expect(await checkinToken(KEY_A, MEETING_A, T0 + 1)).toBe(first)
    expect(await checkinToken(KEY_A, MEETING_A, T0 + 29_999)).toBe(first)
  })

  it('changes every slot (30 s), mac included', async () => {
    const tokens = await Promise.all([0, 1, 2, 3].map((i) => checkinToken(KEY_A, MEETING_A, T0 + i * 30_000)))
    expect(new Set(tokens).size).toBe(4)
    expect(new Set(tokens.map((t) => parseCheckinToken(t)!.mac)).size).toBe(4)
    expect(tokens.map((t) => parseCheckinToken(t)!.slot)).toEqual([0, 1, 2, 3].map((i) => slotOf(T0) + i))
  })

  it('differs between meetings and between keys in the same slot', async () => {
    const a = await checkinToken(KEY_A, MEETING_A, T0)
    expect(parseCheckinToken(await checkinToken(KEY_A, MEETING_B, T0))!.mac).not.toBe(parseCheckinToken(a)!.mac)
    expect(await checkinToken(KEY_B, MEETING_A, T0)).not.toBe(a)
  })

  it('reads back as `DJY1.<meeting>.<slot>.<22-character mac>`', async () => {
    const token = await checkinToken(KEY_A, MEETING_A, T0 + 7_000)
    expect(token).toMatch(/^DJY1\.m-2026-11-28-assembly\.\d+\.[\w-]{22}$/)
    expect(parseCheckinToken(token)).toEqual({ meetingId: MEETING_A, slot: slotOf(T0), mac: token.split('.')[3] })
    // What a scanner hands over may carry surrounding whitespace.
    expect(parseCheckinToken(`  ${token}\n`)).toEqual(parseCheckinToken(token))
  })

  it('works with freshly generated keys (32 random bytes)', async () => {
    const key = newMeetingKey()
    expect(key).toMatch(/^[\w-]{43}$/)
    expect(newMeetingKey()).not.toBe(key)
    const token = await checkinToken(key, MEETING_A, T0)
    expect(await verifyCheckinToken(token, MEETING_A, key, T0 + 1_000, T0 + 2_000)).toEqual({ ok: true, slotStartedAt: T0 })
  })
})

describe('parseCheckinToken', () => {
  const mac = 'abcdefghijklmnopqrstuv' // 22 characters
  it.each([
    ['empty', ''],
    ['junk', 'hello world'],
    ['a URL', 'https://example.com/checkin?x=1'],
    ['wrong prefix', `DJY2.${MEETING_A}.59000.${mac}`],
    ['lower-case prefix', `djy1.${MEETING_A}.59000.${mac}`],
    ['missing part', `DJY1.${MEETING_A}.${mac}`],
    ['extra part', `DJY1.${MEETING_A}.59000.${mac}.x`],
    ['mac too short', `DJY1.${MEETING_A}.59000.${mac.slice(1)}`],
    ['mac too long', `DJY1.${MEETING_A}.59000.${mac}w`],
    ['mac with a bad character', `DJY1.${MEETING_A}.59000.${mac.slice(1)}+`],
    ['empty meeting id', `DJY1..59000.${mac}`],
    ['meeting id too long', `DJY1.${'m'.repeat(65)}.59000.${mac}`],
    ['meeting id with a bad character', `DJY1.m/1.59000.${mac}`],
    ['slot not a number', `DJY1.${MEETING_A}.59e3.${mac}`],
    ['negative slot', `DJY1.${MEETING_A}.-59000.${mac}`],
    ['slot too long', `DJY1.${MEETING_A}.${'1'.repeat(13)}.${mac}`],
  ])('rejects %s', (_, text) => {
    expect(parseCheckinToken(text)).toBeNull()
  })

  it('accepts the longest meeting id and slot it allows', () => {
    expect(parseCheckinToken(`DJY1.${'m'.repeat(64)}.${'9'.repeat(12)}.${mac}`)).toEqual({
      meetingId: 'm'.repeat(64),
      slot: 999_999_999_999,
      mac,
    })
  })
})

describe('verifyCheckinToken', () => {
  const verify = (token: string, scannedAt: number, now = scannedAt + 10 * 60_000, meetingId = MEETING_A, key = KEY_A) =>
    verifyCheckinToken(token, meetingId, key, scannedAt, now)
  /** The last moment a scan of the slot starting at T0 is accepted: slot 30 s + grace 60 s + clock tolerance 60 s. */
  const LAST = T0 + 150_000

  it('accepts a token scanned in its slot, with the slot’s start for on time / late', async () => {
    const token = await checkinToken(KEY_A, MEETING_A, T0 + 12_000)
    expect(await verify(token, T0 + 12_500, T0 + 13_000)).toEqual({ ok: true, slotStartedAt: T0 })
    // The member syncs hours later: the server's now is far after the scan, which is fine.
    expect(await verify(token, T0 + 12_500, T0 + 6 * 3600_000)).toEqual({ ok: true, slotStartedAt: T0 })
  })

  it('accepts a scan within the slot plus the grace', async () => {
    const token = await checkinToken(KEY_A, MEETING_A, T0)
    expect(await verify(token, T0 + 90_000)).toEqual({ ok: true, slotStartedAt: T0 })
    expect(await verify(token, LAST)).toEqual({ ok: true, slotStartedAt: T0 })
  })

  it('rejects a scan after the slot plus grace plus clock tolerance as expired', async () => {
    const token = await checkinToken(KEY_A, MEETING_A, T0)
    expect(await verify(token, LAST + 1)).toEqual({ ok: false, problem: 'expired' })
    expect(await verify(token, T0 + 3600_000)).toEqual({ ok: false, problem: 'expired' })
  })

  it('rejects a token scanned long before its slot as expired (a secretary’s clock far ahead)', async () => {
    const token = await checkinToken(KEY_A, MEETING_A, T0)
    expect(await verify(token, T0 - 60_000)).toEqual({ ok: true, slotStartedAt: T0 })
    expect(await verify(token, T0 - 60_000 - 1)).toEqual({ ok: false, problem: 'expired' })
  })

  it('rejects a token for another meeting as other_meeting', async () => {
    const token = await checkinToken(KEY_B, MEETING_B, T0)
    expect(await verify(token, T0 + 1_000)).toEqual({ ok: false, problem: 'other_meeting' })
    // Even when checked against that meeting's own key: the meeting is what is wrong.
    expect(await verify(token, T0 + 1_000, T0 + 2_000, MEETING_A, KEY_B)).toEqual({ ok: false, problem: 'other_meeting' })
  })

  it('rejects another meeting’s token relabelled with this meeting’s id as forged', async () => {
    const other = await checkinToken(KEY_B, MEETING_B, T0)
    const relabelled = other.replace(`.${MEETING_B}.`, `.${MEETING_A}.`)
    expect(relabelled).not.toBe(other)
    expect(await verify(relabelled, T0 + 1_000)).toEqual({ ok: false, problem: 'forged' })
  })

  it('rejects a token for this meeting signed with another meeting’s key as forged', async () => {
    const token = await checkinToken(KEY_B, MEETING_A, T0)
    expect(await verify(token, T0 + 1_000)).toEqual({ ok: false, problem: 'forged' })
  })

  it('rejects a tampered mac, and a slot moved to a later one, as forged', async () => {
    const token = await checkinToken(KEY_A, MEETING_A, T0)
    expect(await verify(tamper(token), T0 + 1_000)).toEqual({ ok: false, problem: 'forged' })
    const moved = token.replace(`.${slotOf(T0)}.`, `.${slotOf(T0) + 10}.`)
    expect(await verify(moved, T0 + 300_000 + 1_000)).toEqual({ ok: false, problem: 'forged' })
  })

  it('rejects junk as malformed', async () => {
    expect(await verify('not a check-in code', T0)).toEqual({ ok: false, problem: 'malformed' })
  })

  it('rejects a scan time far ahead of the server’s now as clock', async () => {
    const token = await checkinToken(KEY_A, MEETING_A, T0)
    const scannedAt = T0 + 1_000
    expect(await verify(token, scannedAt, scannedAt - 60_000)).toEqual({ ok: true, slotStartedAt: T0 })
    expect(await verify(token, scannedAt, scannedAt - 60_000 - 1)).toEqual({ ok: false, problem: 'clock' })
    expect(await verify(token, scannedAt, scannedAt - 3600_000)).toEqual({ ok: false, problem: 'clock' })
  })

  describe('replays', () => {
    it('passes the same token for two different members within the grace (no member notion here: the server refuses the same member twice)', async () => {
      const token = await checkinToken(KEY_A, MEETING_A, T0 + 5_000)
      const first = await verify(token, T0 + 6_000, T0 + 7_000)
      const second = await verify(token, T0 + 50_000, T0 + 51_000)
      expect(first).toEqual({ ok: true, slotStartedAt: T0 })
      expect(second).toEqual(first)
    })

    it('fails for the same token scanned after the grace (a screenshot forwarded to someone at home)', async () => {
      const token = await checkinToken(KEY_A, MEETING_A, T0 + 5_000)
      expect(await verify(token, T0 + 6_000)).toEqual({ ok: true, slotStartedAt: T0 })
      expect(await verify(token, LAST + 1_000)).toEqual({ ok: false, problem: 'expired' })
      expect(await verify(token, T0 + 30 * 60_000)).toEqual({ ok: false, problem: 'expired' })
    })
  })
})
