// Accounts without SMS (issue 12): one-time activation codes, the first sign-in, changing a password.
// The alphabet, lengths and passwordProblem are in ./roster (the data model's contract); this file holds
// the request bodies and messages both the server and the app use.
import { z } from './validation'
import { SHANGHAI_OFFSET_MS } from './calendar'
import { ACTIVATION_CODE_ALPHABET, ACTIVATION_CODE_LENGTH, PASSWORD_MAX, normalizeActivationCode, normalizePhone } from './roster'

export const ACCOUNT_MESSAGES = {
  badCode: `激活码是${ACTIVATION_CODE_LENGTH}位字母和数字，请对照激活单输入`,
  wrongCurrent: '原密码不正确',
  memberEnded: '该党员已终止党籍关系，不能发放激活码',
  passwordsDiffer: '两次输入的新密码不一样',
  needsNetwork: '需要联网才能使用，请连接网络后再试',
} as const

/** Whether a code, once normalised, could have been issued: right length, only letters of the alphabet. */
export function isActivationCode(code: string): boolean {
  return code.length === ACTIVATION_CODE_LENGTH && [...code].every((c) => ACTIVATION_CODE_ALPHABET.includes(c))
}

/** A code as a slip prints it and a person reads it aloud: two groups of four. */
export function formatActivationCode(code: string): string {
  return `${code.slice(0, 4)} ${code.slice(4)}`
}

/** When a code stops working, as the slip and the command print it: `2026年12月10日 22:00`, Beijing time. */
export function formatCodeExpiry(expiresAt: string): string {
  const local = new Date(Date.parse(expiresAt) + SHANGHAI_OFFSET_MS).toISOString()
  return `${Number(local.slice(0, 4))}年${Number(local.slice(5, 7))}月${Number(local.slice(8, 10))}日 ${local.slice(11, 16)}`
}

/** A phone as typed (full-width digits, spaces, +86), stored as its 11 digits. */
const typedPhone = z
  .string()
  .check(z.maxLength(40, '请输入11位手机号码'), z.overwrite(normalizePhone), z.regex(/^1\d{10}$/, '请输入11位手机号码'))

const newPassword = z.string().check(z.minLength(1, '请输入新密码'), z.maxLength(PASSWORD_MAX, `密码不超过${PASSWORD_MAX}位`))

/** `POST /api/auth/activate`: the rest of the password rules (passwordProblem) need the phone, so the server checks them. */
export const activateBodySchema = z.object({
  phone: typedPhone,
  code: z
    .string()
    .check(
      z.maxLength(40, ACCOUNT_MESSAGES.badCode),
      z.overwrite(normalizeActivationCode),
      z.refine(isActivationCode, ACCOUNT_MESSAGES.badCode),
    ),
  password: newPassword,
})
export type ActivateBody = z.infer<typeof activateBodySchema>

/** `POST /api/auth/password`. */
export const passwordChangeBodySchema = z.object({
  current: z.string().check(z.minLength(1, '请输入原密码'), z.maxLength(PASSWORD_MAX, '原密码不正确')),
  password: newPassword,
})
export type PasswordChangeBody = z.infer<typeof passwordChangeBodySchema>

/** `POST /api/admin/members/:id/activation`: the code, shown once, and who it is for (the slip prints them). */
export const issuedCodeSchema = z.object({
  code: z.string(),
  expiresAt: z.string(),
  /** The account had a password, which the code replaced (its sessions ended). */
  reset: z.boolean(),
  member: z.object({ id: z.string(), name: z.string(), phone: z.string(), branchName: z.string() }),
})
export type IssuedCode = z.infer<typeof issuedCodeSchema>
