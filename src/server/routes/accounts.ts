import type { FastifyInstance } from 'fastify'
import { validate } from '../http/errors'
import { requireUser } from './auth'
import type { AccountService } from '../services/accounts'
import { ref, z } from '~/domain/validation'

const memberParams = z.object({ id: ref(64) })

/** Accounts the admin and secretaries manage (docs/api.md, 账号与激活码). Online only: a code is shown once. */
export function accountRoutes(app: FastifyInstance, deps: { accounts: AccountService }) {
  // A new code for a member's first sign-in, or a reset (their password cleared, their sessions ended).
  app.post('/api/admin/members/:id/activation', async (request) => {
    const user = requireUser(request)
    const { id } = validate(memberParams, request.params, '路径参数')
    return deps.accounts.issueCode(user, id)
  })
}
