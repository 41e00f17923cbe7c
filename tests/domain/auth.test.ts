import { describe, expect, it } from 'vitest'
import {
  AUTH_MESSAGES,
  LOGIN_LIMITS,
  loginBodySchema,
  lockRemainingMs,
  recordFailure,
  type FailureWindow,
  type ThrottleLimit,
} from '~/domain/auth'
import { describeIssues } from '~/domain/validation'

const limit: ThrottleLimit = { maxFailures: 3, windowMs: 60_000 }
const start = 1_000_000

function failuresAt(times: number[]): FailureWindow | undefined {
  return times.reduce<FailureWindow | undefined>((window, now) => recordFailure(window, limit, now), undefined)
}

describe('lockRemainingMs', () => {
  it('lets a key with no failures try now', () => {
    expect(lockRemainingMs(undefined, limit, start)).toBe(0)
  })

  it('lets a key with fewer failures than the limit try now', () => {
    expect(lockRemainingMs({ windowStart: start, failures: 2 }, limit, start + 10)).toBe(0)
  })

  it('locks a key that reached the limit until its window ends', () => {
    expect(lockRemainingMs({ windowStart: start, failures: 3 }, limit, start + 10_000)).toBe(50_000)
  })

  it('keeps a key past the limit locked for the rest of the window', () => {
    expect(lockRemainingMs({ windowStart: start, failures: 9 }, limit, start)).toBe(60_000)
  })

  it('still locks one millisecond before the window ends', () => {
    expect(lockRemainingMs({ windowStart: start, failures: 3 }, limit, start + 59_999)).toBe(1)
  })

  it('unlocks exactly when the window ends', () => {
    expect(lockRemainingMs({ windowStart: start, failures: 3 }, limit, start + 60_000)).toBe(0)
  })

  it('unlocks after the window has run out however many failures it held', () => {
    expect(lockRemainingMs({ windowStart: start, failures: 100 }, limit, start + 120_000)).toBe(0)
  })
})

describe('recordFailure', () => {
  it('starts a window at the first failure', () => {
    expect(recordFailure(undefined, limit, start)).toEqual({ windowStart: start, failures: 1 })
  })

  it('counts further failures within the window without moving its start', () => {
    expect(recordFailure({ windowStart: start, failures: 1 }, limit, start + 59_999)).toEqual({
      windowStart: start,
      failures: 2,
    })
  })

  it('starts a new window when a failure comes exactly as the old one ends', () => {
    expect(recordFailure({ windowStart: start, failures: 3 }, limit, start + 60_000)).toEqual({
      windowStart: start + 60_000,
      failures: 1,
    })
  })

  it('starts a new window when a failure comes long after the old one', () => {
    expect(recordFailure({ windowStart: start, failures: 2 }, limit, start + 500_000)).toEqual({
      windowStart: start + 500_000,
      failures: 1,
    })
  })

  it('does not change the window it is given', () => {
    const window = { windowStart: start, failures: 1 }
    recordFailure(window, limit, start + 1)
    expect(window).toEqual({ windowStart: start, failures: 1 })
  })

  it('locks a key after the limit-th failure but not before', () => {
    const twice = failuresAt([start, start + 1_000])
    expect(lockRemainingMs(twice, limit, start + 2_000)).toBe(0)
    const thrice = failuresAt([start, start + 1_000, start + 2_000])
    expect(lockRemainingMs(thrice, limit, start + 2_000)).toBe(58_000)
  })

  it('does not lock a key whose failures are spread over separate windows', () => {
    const spread = failuresAt([start, start + 30_000, start + 61_000])
    expect(spread).toEqual({ windowStart: start + 61_000, failures: 1 })
    expect(lockRemainingMs(spread, limit, start + 61_000)).toBe(0)
  })
})

describe('LOGIN_LIMITS', () => {
  it('locks a phone after fewer failures than an address that many members share', () => {
    expect(LOGIN_LIMITS.phone.maxFailures).toBeLessThan(LOGIN_LIMITS.address.maxFailures)
  })

  it('locks a phone for the rest of its window after five failures within 15 minutes', () => {
    let window: FailureWindow | undefined
    for (let i = 0; i < 4; i++) window = recordFailure(window, LOGIN_LIMITS.phone, start + i * 60_000)
    expect(lockRemainingMs(window, LOGIN_LIMITS.phone, start + 4 * 60_000)).toBe(0)
    window = recordFailure(window, LOGIN_LIMITS.phone, start + 4 * 60_000)
    expect(lockRemainingMs(window, LOGIN_LIMITS.phone, start + 4 * 60_000)).toBe(11 * 60_000)
  })
})

describe('AUTH_MESSAGES', () => {
  it('tells a throttled member in Chinese how many minutes to wait', () => {
    expect(AUTH_MESSAGES.throttled(15)).toBe('登录失败次数过多，请 15 分钟后再试')
  })
})

describe('loginBodySchema', () => {
  function messageFor(input: unknown): string {
    const result = loginBodySchema.safeParse(input)
    if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`)
    return describeIssues(result.error)
  }

  it('accepts an 11-digit phone and trims the spaces around it', () => {
    expect(loginBodySchema.parse({ phone: ' 13800000001 ', password: 'secret' })).toEqual({
      phone: '13800000001',
      password: 'secret',
    })
  })

  it('asks for an 11-digit phone number in Chinese when the phone is too short', () => {
    expect(messageFor({ phone: '1380000', password: 'secret' })).toBe('phone：请输入11位手机号码')
  })

  it('rejects an 11-digit number that does not start with 1', () => {
    expect(messageFor({ phone: '23800000001', password: 'secret' })).toBe('phone：请输入11位手机号码')
  })

  it('asks for the password in Chinese when it is empty', () => {
    expect(messageFor({ phone: '13800000001', password: '' })).toBe('password：请输入密码')
  })

  it('accepts a password of 128 characters and rejects one of 129 as too long', () => {
    expect(loginBodySchema.safeParse({ phone: '13800000001', password: 'x'.repeat(128) }).success).toBe(true)
    expect(messageFor({ phone: '13800000001', password: 'x'.repeat(129) })).toBe('password：密码过长')
  })

  it('reports every problem at once, each with its field', () => {
    expect(messageFor({ phone: '1', password: '' })).toBe('phone：请输入11位手机号码；password：请输入密码')
  })

  it('describes missing fields in Chinese, not in zod’s English defaults', () => {
    const message = messageFor({})
    expect(message).toMatch(/^phone：无效输入/)
    expect(message).toContain('；password：无效输入')
    expect(message).not.toMatch(/Invalid|expected/i)
  })
})
