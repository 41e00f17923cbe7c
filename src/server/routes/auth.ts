import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AUTH_MESSAGES, loginBodySchema } from '~/domain/auth'
import { activateBodySchema, passwordChangeBodySchema } from '~/domain/accounts'
import { HttpError, validate } from '../http/errors'
import { sessionIdOf, type AuthService, type SessionUser } from '../services/auth'
import { throttledError, type AccountService } from '../services/accounts'

export const SESSION_COOKIE = 'djy_session'

declare module 'fastify' {
  interface FastifyRequest {
    sessionUser: SessionUser | null
    /** The signed-in session's id, with `sessionUser`. */
    sessionId: string | null
  }
}

function sessionToken(request: FastifyRequest): string | undefined {
  const raw = request.cookies[SESSION_COOKIE]
  if (!raw) return undefined
  const unsigned = request.unsignCookie(raw)
  return unsigned.valid && unsigned.value ? unsigned.value : undefined
}

/** The signed-in user, or a 401 with a message to show. */
export function requireUser(request: FastifyRequest): SessionUser {
  if (!request.sessionUser) throw new HttpError(401, 'unauthenticated', AUTH_MESSAGES.signInRequired)
  return request.sessionUser
}

export function authRoutes(app: FastifyInstance, auth: AuthService, accounts: AccountService) {
  app.decorateRequest('sessionUser', null)
  app.decorateRequest('sessionId', null)
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return
    const token = sessionToken(request)
    request.sessionUser = token ? ((await auth.sessionUser(token)) ?? null) : null
    request.sessionId = token && request.sessionUser ? sessionIdOf(token) : null
  })

  app.post('/api/auth/login', async (request, reply) => {
    const body = validate(loginBodySchema, request.body)
    const result = await auth.login(body.phone, body.password, request.ip)
    if (!result.ok) {
      if (result.reason === 'throttled') throw throttledError(result.retryAfterMs)
      throw new HttpError(401, 'wrong_credentials', AUTH_MESSAGES.wrongCredentials)
    }
    setSessionCookie(request, reply, result.token, result.expiresAt)
    return auth.me(result.userId)
  })

  // The first sign-in with an activation code (new or reset account): sets the password, then as a login.
  app.post('/api/auth/activate', async (request, reply) => {
    const body = validate(activateBodySchema, request.body)
    const result = await accounts.activate(body, request.ip)
    setSessionCookie(request, reply, result.token, result.expiresAt)
    return auth.me(result.userId)
  })

  app.post('/api/auth/password', async (request) => {
    const user = requireUser(request)
    const body = validate(passwordChangeBodySchema, request.body)
    await accounts.changePassword(user, request.sessionId ?? '', body, request.ip)
    return { ok: true }
  })

  app.post('/api/auth/logout', async (request, reply) => {
    const token = sessionToken(request)
    if (token) await auth.logout(token)
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return { ok: true }
  })

  app.get('/api/me', async (request) => {
    const user = requireUser(request)
    const me = await auth.me(user.id)
    if (!me) throw new HttpError(401, 'unauthenticated', AUTH_MESSAGES.signInRequired)
    return me
  })
}

function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, expires: Date) {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    signed: true,
    expires,
  })
}
