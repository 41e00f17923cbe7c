import { createHash, randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { verifyPassword } from '../security/password'
import { LOGIN_LIMITS, lockRemainingMs, type ThrottleLimit } from '~/domain/auth'
import type { Me } from '~/domain/users'

export const SESSION_DAYS = 90

export interface SessionUser {
  id: string
  role: 'member' | 'secretary' | 'admin'
  branchId: string | null
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url')

/** The id a session is stored under (a hash of its token, which the server never keeps). */
export const sessionIdOf = hashToken

export type LoginResult =
  | { ok: true; token: string; userId: string; expiresAt: Date }
  | { ok: false; reason: 'wrong_credentials' }
  | { ok: false; reason: 'throttled'; retryAfterMs: number }

/** An attempt counted against the keys of a phone and an address (login, activation, a password change). */
export interface CountedAttempt {
  key: string
  windowStart: string
}
export type AttemptResult = { ok: true; counted: CountedAttempt[] } | { ok: false; reason: 'throttled'; retryAfterMs: number }

/**
 * Ends every session of a user (a reset, an ended membership, a changed phone): their next request is
 * refused, on every instance, since sessions are rows.
 */
export async function endSessionsOf(db: Kysely<Database>, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute()
}

export class AuthService {
  /** What to do when a session of this process signs out (end its event streams), by session id. */
  private readonly endListeners = new Map<string, Set<() => void>>()

  constructor(private readonly db: Kysely<Database>) {}

  async login(phone: string, password: string, address: string, now = new Date()): Promise<LoginResult> {
    const attempt = await this.countAttempts(phone, address, now)
    if (!attempt.ok) return attempt

    const user = await this.db.selectFrom('users').select(['id', 'password_hash', 'ended_at']).where('phone', '=', phone).executeTakeFirst()
    // An unknown phone (or one not activated yet: no hash) still costs a hash check, so timing does not
    // tell which phones have accounts.
    const valid = await verifyPassword(password, user?.password_hash || DUMMY_HASH)
    // A wrong one stays counted as a failure. An ended membership is a deactivated account (issue 12).
    if (!user || !valid || user.ended_at !== null) return { ok: false, reason: 'wrong_credentials' }
    await this.forgiveAttempts(attempt.counted)
    return { ok: true, userId: user.id, ...(await this.startSession(user.id, now)) }
  }

  /**
   * Counts one attempt at a phone's secret (a password, an activation code) before it is checked, by one
   * atomic statement per key: a burst of concurrent guesses cannot all read the same old count. The
   * address first, so a locked address does not also use up the phone's attempts.
   */
  async countAttempts(phone: string, address: string, now = new Date()): Promise<AttemptResult> {
    const counted: CountedAttempt[] = []
    for (const [key, limit] of [
      [`address:${address}`, LOGIN_LIMITS.address],
      [`phone:${phone}`, LOGIN_LIMITS.phone],
    ] as const) {
      const attempt = await this.countAttempt(key, limit, now)
      // Locked when the failures before this attempt had reached the limit (src/domain/auth.ts).
      const waitMs = lockRemainingMs(
        { windowStart: Date.parse(attempt.window_start), failures: attempt.failures - 1 },
        limit,
        now.getTime(),
      )
      if (waitMs > 0) return { ok: false, reason: 'throttled', retryAfterMs: waitMs }
      counted.push({ key, windowStart: attempt.window_start })
    }
    return { ok: true, counted }
  }

  /**
   * The right secret: the phone starts afresh, and the address gets back the attempt (it was no failure);
   * only in the window it was counted in.
   */
  async forgiveAttempts(counted: CountedAttempt[]): Promise<void> {
    const [addressAttempt, phoneAttempt] = counted
    if (phoneAttempt) await this.db.deleteFrom('login_failures').where('key', '=', phoneAttempt.key).execute()
    if (addressAttempt) {
      await this.db
        .updateTable('login_failures')
        .set((eb) => ({ failures: eb('failures', '-', 1) }))
        .where('key', '=', addressAttempt.key)
        .where('window_start', '=', addressAttempt.windowStart)
        .where('failures', '>', 0)
        .execute()
    }
  }

  /** A new session for someone who proved who they are (login, activation): its token goes into the cookie. */
  async startSession(userId: string, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url')
    const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000)
    await this.db
      .insertInto('sessions')
      .values({ id: hashToken(token), user_id: userId, created_at: now.toISOString(), expires_at: expiresAt.toISOString() })
      .execute()
    return { token, expiresAt }
  }

  async logout(token: string): Promise<void> {
    const id = hashToken(token)
    await this.db.deleteFrom('sessions').where('id', '=', id).execute()
    for (const listener of this.endListeners.get(id) ?? []) listener()
  }

  /** Calls `listener` when the session signs out through this process; returns the unsubscribe. */
  onSessionEnd(sessionId: string, listener: () => void): () => void {
    const listeners = this.endListeners.get(sessionId) ?? new Set()
    this.endListeners.set(sessionId, listeners.add(listener))
    return () => {
      listeners.delete(listener)
      if (listeners.size === 0 && this.endListeners.get(sessionId) === listeners) this.endListeners.delete(sessionId)
    }
  }

  /** Whether a session is still signed in (another instance may have ended it). */
  async sessionActive(sessionId: string, now = new Date()): Promise<boolean> {
    const row = await this.db.selectFrom('sessions').select('expires_at').where('id', '=', sessionId).executeTakeFirst()
    return !!row && row.expires_at > now.toISOString()
  }

  async sessionUser(token: string, now = new Date()): Promise<SessionUser | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.id', 'users.role', 'users.branch_id', 'sessions.expires_at'])
      .where('sessions.id', '=', hashToken(token))
      // A deactivated account's sessions are ended with it; this holds even for one that slipped through.
      .where('users.ended_at', 'is', null)
      .executeTakeFirst()
    if (!row || row.expires_at <= now.toISOString()) return undefined
    return { id: row.id, role: row.role, branchId: row.branch_id }
  }

  async me(userId: string): Promise<Me | undefined> {
    const row = await this.db
      .selectFrom('users')
      .leftJoin('branches', 'branches.id', 'users.branch_id')
      .select([
        'users.id',
        'users.phone',
        'users.name',
        'users.role',
        'users.status',
        'users.away_city',
        'users.center_household',
        'branches.id as branch_id',
        'branches.name as branch_name',
      ])
      .where('users.id', '=', userId)
      .executeTakeFirst()
    const town = await this.db.selectFrom('towns').select(['id', 'name']).executeTakeFirst()
    if (!row || !town) return undefined
    return {
      user: {
        id: row.id,
        phone: row.phone,
        name: row.name,
        role: row.role,
        status: row.status,
        awayCity: row.away_city,
        centerHousehold: row.center_household === 1,
      },
      branch: row.branch_id && row.branch_name ? { id: row.branch_id, name: row.branch_name } : null,
      town,
    }
  }

  /** Counts one attempt on a key and returns its window after it: a window that has run out starts again (as recordFailure). */
  private async countAttempt(key: string, limit: ThrottleLimit, now: Date): Promise<{ window_start: string; failures: number }> {
    const start = now.toISOString()
    const expired = new Date(now.getTime() - limit.windowMs).toISOString()
    return this.db
      .insertInto('login_failures')
      .values({ key, window_start: start, failures: 1 })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => {
          const windowOver = eb('login_failures.window_start', '<=', expired)
          return {
            failures: eb
              .case()
              .when(windowOver)
              .then(1)
              .else(eb('login_failures.failures', '+', 1))
              .end(),
            window_start: eb.case().when(windowOver).then(start).else(eb.ref('login_failures.window_start')).end(),
          }
        }),
      )
      .returning(['window_start', 'failures'])
      .executeTakeFirstOrThrow()
  }
}

// A valid hash of a random password, so the unknown-phone path runs the same scrypt.
export const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='
