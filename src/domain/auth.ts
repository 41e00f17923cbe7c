import { z } from './validation'
import { phoneSchema } from './users'

export const loginBodySchema = z.object({
  phone: phoneSchema,
  password: z.string().check(z.minLength(1, '请输入密码'), z.maxLength(128, '密码过长')),
})
export type LoginBody = z.infer<typeof loginBodySchema>

export const AUTH_MESSAGES = {
  wrongCredentials: '手机号或密码不正确',
  throttled: (minutes: number) => `登录失败次数过多，请 ${minutes} 分钟后再试`,
  signInRequired: '请先登录',
  forbidden: '没有权限进行此操作',
} as const

export interface ThrottleLimit {
  maxFailures: number
  windowMs: number
}

/** Failed logins allowed before a key is locked; a phone is stricter than an address, which many members may share. */
export const LOGIN_LIMITS = {
  phone: { maxFailures: 5, windowMs: 15 * 60_000 },
  address: { maxFailures: 30, windowMs: 15 * 60_000 },
} satisfies Record<string, ThrottleLimit>

export interface FailureWindow {
  windowStart: number
  failures: number
}

/** How long a key must still wait, in ms (0: it may try now). */
export function lockRemainingMs(window: FailureWindow | undefined, limit: ThrottleLimit, now: number): number {
  if (!window) return 0
  const windowEnd = window.windowStart + limit.windowMs
  if (now >= windowEnd) return 0
  return window.failures >= limit.maxFailures ? windowEnd - now : 0
}

/** The window after one more failure: a window that has run out starts again. */
export function recordFailure(window: FailureWindow | undefined, limit: ThrottleLimit, now: number): FailureWindow {
  if (!window || now >= window.windowStart + limit.windowMs) return { windowStart: now, failures: 1 }
  return { windowStart: window.windowStart, failures: window.failures + 1 }
}
