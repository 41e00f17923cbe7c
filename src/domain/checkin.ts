// On-site check-in with no signal on either phone (issue 5). The secretary's phone shows a QR code that
// changes every 30 s: an HMAC over (meeting, time slot) with the meeting's key, which only the branch's
// secretaries (and the admin) receive. The member's phone stores what it scanned; the server verifies it.

export const SLOT_MS = 30_000
/** A scanned token is good for its slot plus this: long enough to scan, too short to forward a screenshot. */
export const TOKEN_GRACE_MS = 60_000
/** Phones' clocks disagree; this much either way is tolerated between the two phones and the server. */
export const CLOCK_TOLERANCE_MS = 60_000
const PREFIX = 'DJY1'

export const slotOf = (at: number) => Math.floor(at / SLOT_MS)
export const slotStart = (slot: number) => slot * SLOT_MS

function base64url(bytes: Uint8Array): string {
  let text = ''
  for (const b of bytes) text += String.fromCharCode(b)
  return btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

/** A new per-meeting key (32 random bytes), base64url. */
export function newMeetingKey(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)))
}

async function mac(key: string, meetingId: string, slot: number): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey('raw', fromBase64url(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const signature = await crypto.subtle.sign('HMAC', cryptoKey, new TextEncoder().encode(`${meetingId}|${slot}`))
  // 16 bytes are plenty against guessing within a 90-second window, and keep the QR code small.
  return base64url(new Uint8Array(signature).slice(0, 16))
}

/** The text in the QR code for a meeting at a moment: `DJY1.<meeting>.<slot>.<mac>`. */
export async function checkinToken(key: string, meetingId: string, at: number): Promise<string> {
  const slot = slotOf(at)
  return `${PREFIX}.${meetingId}.${slot}.${await mac(key, meetingId, slot)}`
}

export interface ParsedToken {
  meetingId: string
  slot: number
  mac: string
}

/** Reads a scanned text; null when it isn't one of our check-in codes. */
export function parseCheckinToken(text: string): ParsedToken | null {
  const match = /^DJY1\.([\w-]{1,64})\.(\d{1,12})\.([\w-]{22})$/.exec(text.trim())
  return match ? { meetingId: match[1]!, slot: Number(match[2]), mac: match[3]! } : null
}

export type TokenProblem = 'malformed' | 'other_meeting' | 'forged' | 'expired' | 'clock'

export const TOKEN_PROBLEM_MESSAGES: Record<TokenProblem, string> = {
  malformed: '这不是本系统的签到码',
  other_meeting: '这是另一场会议的签到码',
  forged: '签到码无效',
  expired: '签到码已过期（请扫描现场实时显示的签到码）',
  clock: '签到时间与手机时间不符，请检查手机时间',
}

/**
 * Checks a token the member scanned at `scannedAt` (the member's clock) against the meeting and its key,
 * with the server's `now`. Returns the slot's start time (for on time / late) or the problem.
 */
export async function verifyCheckinToken(
  token: string,
  meetingId: string,
  key: string,
  scannedAt: number,
  now: number,
): Promise<{ ok: true; slotStartedAt: number } | { ok: false; problem: TokenProblem }> {
  const parsed = parseCheckinToken(token)
  if (!parsed) return { ok: false, problem: 'malformed' }
  if (parsed.meetingId !== meetingId) return { ok: false, problem: 'other_meeting' }
  const expected = await mac(key, meetingId, parsed.slot)
  if (!timingSafeEqual(expected, parsed.mac)) return { ok: false, problem: 'forged' }
  if (scannedAt > now + CLOCK_TOLERANCE_MS) return { ok: false, problem: 'clock' }
  const start = slotStart(parsed.slot)
  // The scan must fall within the slot plus the grace, allowing for the two phones' clocks.
  if (scannedAt < start - CLOCK_TOLERANCE_MS || scannedAt > start + SLOT_MS + TOKEN_GRACE_MS + CLOCK_TOLERANCE_MS)
    return { ok: false, problem: 'expired' }
  return { ok: true, slotStartedAt: start }
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/**
 * A check-in that reaches the server this long after its code's slot (and the grace) ended is held for
 * the secretary's review. With a signal the app sends a check-in within seconds of the scan, and ten
 * minutes cover a weak signal and the app's retries; later than that, the scan may have been of a
 * forwarded screenshot on a phone whose clock was set back. (A member at a venue with no signal at all
 * is held too: the secretary, who was in the room, confirms it with one tap.)
 */
export const LATE_ARRIVAL_MS = 10 * 60_000
/**
 * A device whose clock, when it sent the check-in, was this far from the server's is held for review: the
 * code's own check tolerates a minute between the phones, and a slow upload adds up to another.
 */
export const CLOCK_SKEW_REVIEW_MS = 2 * 60_000

/** 3 分钟, 2 小时 5 分钟, 3 天 */
function durationText(ms: number): string {
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60_000))
  if (minutes >= 48 * 60) return `${Math.round(minutes / 1440)} 天`
  if (minutes < 60) return `${minutes} 分钟`
  return `${Math.floor(minutes / 60)} 小时${minutes % 60 ? ` ${minutes % 60} 分钟` : ''}`
}

/**
 * Why a verified check-in should not be trusted without the secretary's review (待核实), or null.
 * `receivedAt` is the server's clock; `clockSkewMs` the device's clock minus the server's when it sent the
 * check-in, or null when the device didn't say (an older app: only the late-arrival rule applies).
 */
export function checkinReviewReason(slotStartedAt: number, receivedAt: number, clockSkewMs: number | null): string | null {
  if (receivedAt - (slotStartedAt + SLOT_MS + TOKEN_GRACE_MS) > LATE_ARRIVAL_MS)
    return `扫码 ${durationText(receivedAt - slotStartedAt)}后才送达服务器`
  if (clockSkewMs !== null && Math.abs(clockSkewMs) > CLOCK_SKEW_REVIEW_MS) {
    return `签到手机的时间比服务器${clockSkewMs < 0 ? '慢' : '快'} ${durationText(clockSkewMs)}`
  }
  return null
}
