// Shared by the accounts tests: issuing a code through the route and signing in with it.
import type { FastifyInstance } from 'fastify'
import type { IssuedCode } from '~/domain/accounts'

export async function issueCode(app: FastifyInstance, cookie: string, memberId: string): Promise<IssuedCode> {
  const response = await app.inject({ method: 'POST', url: `/api/admin/members/${memberId}/activation`, headers: { cookie } })
  if (response.statusCode !== 200) throw new Error(`issue ${memberId}: ${response.statusCode} ${response.body}`)
  return response.json()
}

export function activate(app: FastifyInstance, body: { phone: string; code: string; password: string }, remoteAddress = '127.0.0.1') {
  return app.inject({ method: 'POST', url: '/api/auth/activate', remoteAddress, payload: body })
}

export function changePassword(
  app: FastifyInstance,
  cookie: string,
  body: { current: string; password: string },
  remoteAddress = '127.0.0.1',
) {
  return app.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie }, remoteAddress, payload: body })
}

/** The session cookie a response set, as a request header. */
export function cookieOf(response: { cookies: { name: string; value: string }[] }): string {
  const cookie = response.cookies.find((c) => c.name === 'djy_session')
  if (!cookie) throw new Error('no session cookie')
  return `${cookie.name}=${cookie.value}`
}

export const WRONG_CREDENTIALS = { error: 'wrong_credentials', message: '手机号或密码不正确' }
