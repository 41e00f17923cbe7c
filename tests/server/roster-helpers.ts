// What the roster's server tests share (issue 12): the demo people they act on, a member form's
// arguments, and one mutation pushed with its result.
import { randomInt } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Selectable } from 'kysely'
import type { UserTable } from '~/server/db/schema'
import type { MutationName } from '~/domain/mutations'
import type { MemberSaveArgs } from '~/domain/roster'
import type { MutationResult } from '~/domain/sync'
import type { AuditPage } from '~/server/features/members/auditLog'
import { newUserId } from '~/server/services/userIds'
import { demoUserId } from '../demo-users'
import { clientId, mutation, push } from './sync-helpers'

/** 合兴村 (b-hexing) and 金鸡窝村 (b-jinjiwo) in the demo data. */
export const HEXING = {
  secretary: demoUserId('13800000101'),
  members: ['13800000001', '13800000002', '13800000003', '13800000004', '13800000005', '13800000006'].map(demoUserId),
}
export const JINJIWO = { secretaryPhone: '13800000102', secretary: demoUserId('13800000102'), member: demoUserId('13800000011') }
export const ADMIN_ID = demoUserId('13800000901')

/** A phone no demo account has. */
export const freshPhone = () => `139${String(randomInt(100_000_000)).padStart(8, '0')}`

/** A new member's form for 合兴村, with `over` on top. */
export function memberForm(over: Partial<MemberSaveArgs> = {}): MemberSaveArgs {
  return {
    memberId: newUserId(),
    branchId: 'b-hexing',
    name: '林小红',
    phone: freshPhone(),
    gender: 'female',
    birthDate: '1986-04-09',
    joinedPartyOn: '2012-07-01',
    membership: 'full',
    status: 'home',
    awayCity: null,
    centerHousehold: false,
    partyGroupId: null,
    committeePost: null,
    ...over,
  }
}

/** The member form as it stands for a user in the database: what an edit starts from. */
export function formOf(user: Selectable<UserTable>): MemberSaveArgs {
  return {
    memberId: user.id,
    branchId: user.branch_id ?? '',
    name: user.name,
    phone: user.phone,
    gender: user.gender,
    birthDate: user.birth_date ?? `${user.birth_year}-01-01`,
    joinedPartyOn: user.joined_party_on,
    membership: user.membership,
    status: user.status,
    awayCity: user.away_city,
    centerHousehold: user.center_household === 1,
    partyGroupId: user.party_group_id,
    committeePost: null,
  }
}

/** Pushes one mutation from a device of its own and returns its result. */
export async function send(app: FastifyInstance, cookie: string, name: MutationName, args: unknown): Promise<MutationResult> {
  const [result] = await push(app, cookie, clientId(), [mutation(name, args)])
  if (!result) throw new Error('no result')
  return result
}

/** The result as `applied` or the rejection's code. */
export const outcome = (result: MutationResult) => (result.status === 'applied' ? 'applied' : result.code)

export async function readAudit(app: FastifyInstance, cookie: string, query: Record<string, string> = {}) {
  const response = await app.inject({ url: `/api/admin/audit?${new URLSearchParams(query)}`, headers: { cookie } })
  return { status: response.statusCode, body: response.json() as AuditPage & { error?: string; message?: string } }
}
