// Passkeys (WebAuthn) for remote attendance (issue 5): the phone's platform authenticator with user
// verification required, i.e. the fingerprint or face unlock. Challenges are single-use and kept in the
// database (several server instances), five minutes at most.
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { HttpError } from '../http/errors'
import { APP_NAME } from '~/domain/brand'
import { currentUserId } from '../sync/userIdAliases'

const CHALLENGE_TTL_MS = 5 * 60_000

export interface RelyingParty {
  /** e.g. https://dangjian.example.cn; the browser's origin must match. */
  origin: string
  /** The origin's host name. */
  id: string
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')

export class WebauthnService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private async storeChallenge(userId: string, purpose: string, challenge: string) {
    const id = `${userId}:${purpose}`
    const expires = new Date(this.clock().getTime() + CHALLENGE_TTL_MS).toISOString()
    await this.db
      .insertInto('webauthn_challenges')
      .values({ id, challenge, expires_at: expires })
      .onConflict((oc) => oc.column('id').doUpdateSet({ challenge, expires_at: expires }))
      .execute()
  }

  /** The stored challenge, deleted on the way out: one verification per challenge. */
  private async takeChallenge(userId: string, purpose: string): Promise<string> {
    const id = `${userId}:${purpose}`
    const row = await this.db
      .deleteFrom('webauthn_challenges')
      .where('id', '=', id)
      .returning(['challenge', 'expires_at'])
      .executeTakeFirst()
    if (!row || row.expires_at < this.clock().toISOString()) throw new HttpError(400, 'challenge_expired', '验证已超时，请重试')
    return row.challenge
  }

  async credentials(userId: string) {
    return this.db
      .selectFrom('webauthn_credentials')
      .select(['id', 'device_name as deviceName', 'created_at as createdAt', 'last_used_at as lastUsedAt'])
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute()
  }

  async registrationOptions(rp: RelyingParty, user: { id: string; name: string }) {
    const existing = await this.db
      .selectFrom('webauthn_credentials')
      .select(['id', 'transports_json'])
      .where('user_id', '=', user.id)
      .execute()
    const options = await generateRegistrationOptions({
      rpName: APP_NAME,
      rpID: rp.id,
      userName: user.name,
      userDisplayName: user.name,
      userID: new TextEncoder().encode(user.id),
      attestationType: 'none',
      excludeCredentials: existing.map((c) => ({ id: c.id, transports: JSON.parse(c.transports_json) as string[] })),
      authenticatorSelection: { authenticatorAttachment: 'platform', residentKey: 'preferred', userVerification: 'required' },
    })
    await this.storeChallenge(user.id, 'register', options.challenge)
    return options
  }

  async register(rp: RelyingParty, userId: string, response: RegistrationResponseJSON, deviceName: string) {
    const challenge = await this.takeChallenge(userId, 'register')
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    }).catch((error: Error) => {
      throw webauthnFailure(error)
    })
    if (!result.verified) throw new HttpError(400, 'webauthn_failed', '指纹/面容验证未通过')
    const { credential } = result.registrationInfo
    await this.db
      .insertInto('webauthn_credentials')
      .values({
        id: credential.id,
        user_id: userId,
        public_key: b64(credential.publicKey),
        counter: credential.counter,
        transports_json: JSON.stringify(credential.transports ?? []),
        device_name: deviceName,
        created_at: this.clock().toISOString(),
        last_used_at: null,
      })
      .execute()
    return { id: credential.id }
  }

  async remove(userId: string, credentialId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('webauthn_credentials')
      .where('id', '=', credentialId)
      .where('user_id', '=', userId)
      .executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  }

  async authenticationOptions(rp: RelyingParty, userId: string, purpose: string) {
    const credentials = await this.db
      .selectFrom('webauthn_credentials')
      .select(['id', 'transports_json'])
      .where('user_id', '=', userId)
      .execute()
    if (credentials.length === 0) throw new HttpError(409, 'no_passkey', '请先在“我的”里登记本机的指纹或面容（通行密钥）')
    const options = await generateAuthenticationOptions({
      rpID: rp.id,
      userVerification: 'required',
      allowCredentials: credentials.map((c) => ({ id: c.id, transports: JSON.parse(c.transports_json) as never[] })),
    })
    await this.storeChallenge(userId, purpose, options.challenge)
    return options
  }

  /** Verifies an assertion for `purpose`; throws a 400 unless the member's own passkey signed it with user verification. */
  async verify(rp: RelyingParty, userId: string, purpose: string, response: AuthenticationResponseJSON): Promise<void> {
    const challenge = await this.takeChallenge(userId, purpose)
    const stored = await this.db
      .selectFrom('webauthn_credentials')
      .selectAll()
      .where('id', '=', response.id)
      .where('user_id', '=', userId)
      .executeTakeFirst()
    if (!stored) throw new HttpError(400, 'webauthn_failed', '这不是您登记过的指纹或面容')
    // The handle the passkey was made with: the user's id then, which may be an id renamed since (migration 0010).
    const handle = response.response.userHandle
    if (handle && (await currentUserId(this.db, Buffer.from(handle, 'base64url').toString('utf8'))) !== userId) {
      throw new HttpError(400, 'webauthn_failed', '这不是您登记过的指纹或面容')
    }
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
      credential: {
        id: stored.id,
        publicKey: Buffer.from(stored.public_key, 'base64url'),
        counter: stored.counter,
        transports: JSON.parse(stored.transports_json) as string[],
      },
    }).catch((error: Error) => {
      throw webauthnFailure(error)
    })
    if (!result.verified) throw new HttpError(400, 'webauthn_failed', '指纹/面容验证未通过')
    await this.db
      .updateTable('webauthn_credentials')
      .set({ counter: result.authenticationInfo.newCounter, last_used_at: this.clock().toISOString() })
      .where('id', '=', stored.id)
      .execute()
  }
}

/** The library's reasons are English and technical: the member reads what to do, in Chinese. */
function webauthnFailure(error: Error): HttpError {
  const reason = error.message
  const hint = /challenge/i.test(reason)
    ? '验证已过期或已使用过，请重新验证'
    : /counter/i.test(reason)
      ? '这次验证与上次的记录不符，请重新验证'
      : /origin|rp ?id/i.test(reason)
        ? '请在本系统的网址中进行验证'
        : /user verification|user verified|user present/i.test(reason)
          ? '请用指纹或面容解锁来验证'
          : '请重新验证'
  return new HttpError(400, 'webauthn_failed', `指纹/面容验证未通过：${hint}`)
}
