import { createHash, randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { verifyPassword } from '../security/password'
import { LOGIN_LIMITS, lockRemainingMs, recordFailure, type FailureWindow, type ThrottleLimit } from '../../domain/auth'
import type { Me } from '../../domain/users'

export const SESSION_DAYS = 90

export interface SessionUser {
  id: string
  role: 'member' | 'secretary' | 'admin'
  branchId: string | null
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url')

export type LoginResult =
  | { ok: true; token: string; userId: string; expiresAt: Date }
  | { ok: false; reason: 'wrong_credentials' }
  | { ok: false; reason: 'throttled'; retryAfterMs: number }

export class AuthService {
  constructor(private readonly db: Kysely<Database>) {}

  async login(phone: string, password: string, address: string, now = new Date()): Promise<LoginResult> {
    const keys: [string, ThrottleLimit][] = [
      [`phone:${phone}`, LOGIN_LIMITS.phone],
      [`address:${address}`, LOGIN_LIMITS.address],
    ]
    const windows = await this.failureWindows(keys.map(([key]) => key))
    const waitMs = Math.max(...keys.map(([key, limit]) => lockRemainingMs(windows.get(key), limit, now.getTime())))
    if (waitMs > 0) return { ok: false, reason: 'throttled', retryAfterMs: waitMs }

    const user = await this.db.selectFrom('users').select(['id', 'password_hash']).where('phone', '=', phone).executeTakeFirst()
    // An unknown phone still costs a hash check, so timing does not tell which phones have accounts.
    const valid = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH)
    if (!user || !valid) {
      await this.recordFailures(keys, windows, now)
      return { ok: false, reason: 'wrong_credentials' }
    }
    await this.db.deleteFrom('login_failures').where('key', '=', `phone:${phone}`).execute()
    const token = randomBytes(32).toString('base64url')
    const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000)
    await this.db
      .insertInto('sessions')
      .values({ id: hashToken(token), user_id: user.id, created_at: now.toISOString(), expires_at: expiresAt.toISOString() })
      .execute()
    return { ok: true, token, userId: user.id, expiresAt }
  }

  async logout(token: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', hashToken(token)).execute()
  }

  async sessionUser(token: string, now = new Date()): Promise<SessionUser | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.id', 'users.role', 'users.branch_id', 'sessions.expires_at'])
      .where('sessions.id', '=', hashToken(token))
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

  private async failureWindows(keys: string[]): Promise<Map<string, FailureWindow>> {
    const rows = await this.db.selectFrom('login_failures').selectAll().where('key', 'in', keys).execute()
    return new Map(rows.map((r) => [r.key, { windowStart: Date.parse(r.window_start), failures: r.failures }]))
  }

  private async recordFailures(keys: [string, ThrottleLimit][], windows: Map<string, FailureWindow>, now: Date) {
    for (const [key, limit] of keys) {
      const next = recordFailure(windows.get(key), limit, now.getTime())
      const values = { window_start: new Date(next.windowStart).toISOString(), failures: next.failures }
      await this.db
        .insertInto('login_failures')
        .values({ key, ...values })
        .onConflict((oc) => oc.column('key').doUpdateSet(values))
        .execute()
    }
  }
}

// A valid hash of a random password, so the unknown-phone path runs the same scrypt.
const DUMMY_HASH =
  'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='
