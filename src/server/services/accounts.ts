// Accounts without SMS (issue 12; docs/operations.md, 账号与激活码): a secretary or the admin issues a
// one-time activation code, shown once on screen or printed on a slip; the member signs in with phone +
// code and sets a password; anyone signed in changes theirs. Codes are kept only as scrypt hashes, as
// passwords are: a copy of the database doesn't hand out the week's codes (8 letters of 31 would fall to
// a fast hash in minutes).
import { randomInt } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { HttpError } from '../http/errors'
import { hashPassword, verifyPassword } from '../security/password'
import { lockMembers } from '../sync/locks'
import { recordAudit } from './audit'
import { DUMMY_HASH, endSessionsOf, type AuthService, type SessionUser } from './auth'
import { ACCOUNT_MESSAGES, type ActivateBody, type IssuedCode, type PasswordChangeBody } from '~/domain/accounts'
import { AUTH_MESSAGES } from '~/domain/auth'
import { ACTIVATION_CODE_ALPHABET, ACTIVATION_CODE_LENGTH, ACTIVATION_DAYS, passwordProblem } from '~/domain/roster'

/** Eight letters of the alphabet, each drawn by `randomInt` (no modulo bias: 31 doesn't divide 256). */
export function newActivationCode(): string {
  return Array.from({ length: ACTIVATION_CODE_LENGTH }, () => ACTIVATION_CODE_ALPHABET[randomInt(ACTIVATION_CODE_ALPHABET.length)]).join('')
}

export interface FreshCode {
  code: string
  hash: string
  expiresAt: string
}

/** A new code and its hash, made before any transaction: scrypt takes ~50 ms, no lock should wait for it. */
export async function freshCode(now: Date): Promise<FreshCode> {
  const code = newActivationCode()
  return { code, hash: await hashPassword(code), expiresAt: new Date(now.getTime() + ACTIVATION_DAYS * 86_400_000).toISOString() }
}

/** Stores a user's code, replacing the one they had (one per user), inside the caller's transaction. */
export async function saveActivationCode(
  trx: Kysely<Database>,
  userId: string,
  code: FreshCode,
  issuedBy: string,
  now: Date,
): Promise<void> {
  const values = { code_hash: code.hash, expires_at: code.expiresAt, issued_by: issuedBy, issued_at: now.toISOString() }
  await trx
    .insertInto('activation_codes')
    .values({ user_id: userId, ...values })
    .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
    .execute()
}

export function throttledError(retryAfterMs: number): HttpError {
  const seconds = Math.ceil(retryAfterMs / 1000)
  return new HttpError(429, 'throttled', AUTH_MESSAGES.throttled(Math.ceil(seconds / 60)), { 'retry-after': String(seconds) })
}

const wrongCredentials = (message: string = AUTH_MESSAGES.wrongCredentials) => new HttpError(401, 'wrong_credentials', message)

export class AccountService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly auth: AuthService,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * A code for a member (the admin: anyone; a secretary: their branch's). For an account that has a
   * password this is a reset: the password is cleared and every session ends, so only the code opens it.
   */
  async issueCode(actor: SessionUser, memberId: string): Promise<IssuedCode> {
    if (actor.role === 'member') throw new HttpError(403, 'forbidden', '只有支部书记和镇党委管理员可以发放激活码')
    const now = this.clock()
    const code = await freshCode(now)
    const issued = await this.db.transaction().execute(async (trx) => {
      // Read under the member's lock: an activation or a second reset at the same moment sees this one's result.
      await lockMembers(trx, [memberId])
      const member = await trx
        .selectFrom('users')
        .leftJoin('branches', 'branches.id', 'users.branch_id')
        .select([
          'users.id',
          'users.name',
          'users.phone',
          'users.branch_id',
          'users.password_hash',
          'users.ended_at',
          'branches.name as branch_name',
        ])
        .where('users.id', '=', memberId)
        .executeTakeFirst()
      if (!member) throw new HttpError(404, 'not_found', '没有找到这名党员')
      if (actor.role === 'secretary' && (member.branch_id === null || member.branch_id !== actor.branchId))
        throw new HttpError(403, 'forbidden', '只能为本支部的党员发放激活码')
      if (member.ended_at) throw new HttpError(409, 'member_ended', ACCOUNT_MESSAGES.memberEnded)
      const reset = member.password_hash !== ''
      if (reset) {
        await trx.updateTable('users').set({ password_hash: '' }).where('id', '=', member.id).execute()
        await endSessionsOf(trx, member.id)
      }
      await saveActivationCode(trx, member.id, code, actor.id, now)
      // The code itself is never written down: it is shown once, to the one who asked.
      await recordAudit(
        trx,
        {
          actorId: actor.id,
          action: reset ? 'account.reset' : 'account.code',
          targetId: member.id,
          branchId: member.branch_id,
          detail: { expiresAt: code.expiresAt },
        },
        now.toISOString(),
      )
      return { member, reset }
    })
    const { member, reset } = issued
    const town = await this.db.selectFrom('towns').select('name').executeTakeFirst()
    return {
      code: code.code,
      expiresAt: code.expiresAt,
      reset,
      member: { id: member.id, name: member.name, phone: member.phone, branchName: member.branch_name ?? `${town?.name ?? ''}党委` },
    }
  }

  /** The first sign-in with a code: sets the password and opens a session, as a login does. */
  async activate(body: ActivateBody, address: string): Promise<{ userId: string; token: string; expiresAt: Date }> {
    const now = this.clock()
    // The password's rules are checked first. They depend only on what was sent (the phone as typed, not
    // whether it has an account), so the answer tells nothing about the phone; and a member who picks too
    // short a password neither uses up an attempt nor has to ask for a new code.
    const problem = passwordProblem(body.password, body.phone)
    if (problem) throw new HttpError(400, 'bad_request', problem)
    const attempt = await this.auth.countAttempts(body.phone, address, now)
    if (!attempt.ok) throw throttledError(attempt.retryAfterMs)
    const row = await this.db
      .selectFrom('users')
      .innerJoin('activation_codes', 'activation_codes.user_id', 'users.id')
      .select(['users.id', 'users.ended_at', 'activation_codes.code_hash', 'activation_codes.expires_at'])
      .where('users.phone', '=', body.phone)
      .executeTakeFirst()
    // Unknown phone, no code, wrong, expired or ended: one answer, after the same scrypt run.
    const matches = await verifyPassword(body.code, row?.code_hash ?? DUMMY_HASH)
    if (!row || !matches || row.expires_at <= now.toISOString() || row.ended_at) throw wrongCredentials()
    const passwordHash = await hashPassword(body.password)
    const used = await this.db.transaction().execute(async (trx) => {
      // Taken once: of two sign-ins with one code at the same moment, the second finds it gone.
      const taken = await trx
        .deleteFrom('activation_codes')
        .where('user_id', '=', row.id)
        .where('code_hash', '=', row.code_hash)
        .executeTakeFirst()
      if (Number(taken.numDeletedRows) !== 1) return false
      await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', row.id).execute()
      await endSessionsOf(trx, row.id)
      return true
    })
    if (!used) throw wrongCredentials()
    await this.auth.forgiveAttempts(attempt.counted)
    return { userId: row.id, ...(await this.auth.startSession(row.id, now)) }
  }

  /** A new password for the signed-in user, who proves the current one; their other sessions end. */
  async changePassword(actor: SessionUser, sessionId: string, body: PasswordChangeBody, address: string): Promise<void> {
    const now = this.clock()
    const user = await this.db
      .selectFrom('users')
      .select(['id', 'phone', 'password_hash'])
      .where('id', '=', actor.id)
      .executeTakeFirstOrThrow()
    const problem = body.password === body.current ? '新密码不能和原密码一样' : passwordProblem(body.password, user.phone)
    if (problem) throw new HttpError(400, 'bad_request', problem)
    // Counted like a login on the same phone: a borrowed phone with an open session is no way to guess it.
    const attempt = await this.auth.countAttempts(user.phone, address, now)
    if (!attempt.ok) throw throttledError(attempt.retryAfterMs)
    if (!(await verifyPassword(body.current, user.password_hash || DUMMY_HASH))) throw wrongCredentials(ACCOUNT_MESSAGES.wrongCurrent)
    const passwordHash = await hashPassword(body.password)
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', user.id).execute()
      // Whoever else knew the old password is signed out everywhere; this phone stays signed in.
      await trx.deleteFrom('sessions').where('user_id', '=', user.id).where('id', '!=', sessionId).execute()
    })
    await this.auth.forgiveAttempts(attempt.counted)
  }
}
