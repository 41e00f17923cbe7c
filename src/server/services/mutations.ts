import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import type { MutationArgs, MutationName } from '../../domain/mutations'
import type { Viewer } from '../../domain/sync'
import { REJECTIONS } from '../../domain/sync'
import { applyProfileUpdate, mayUpdateProfile } from '../../domain/members'
import type { ChangeWriter } from './changes'
import { memberRowFromUser, memberScope } from './members'

/** A permanent, expected refusal: answered as `rejected` with the code and message, never as a 5xx. */
export class MutationRejected extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export interface MutationContext {
  trx: Kysely<Database>
  viewer: Viewer
  writer: ChangeWriter
  /** The server's receipt time. */
  now: string
}

type Handlers = { [N in MutationName]: (ctx: MutationContext, args: MutationArgs<N>) => Promise<void> }

export const MUTATION_HANDLERS: Handlers = {
  async 'profile.update'({ trx, viewer, writer, now }, args) {
    const targetId = args.memberId ?? viewer.id
    const user = await trx.selectFrom('users').selectAll().where('id', '=', targetId).executeTakeFirst()
    if (!user) throw new MutationRejected('not_found', REJECTIONS.not_found)
    if (!mayUpdateProfile(viewer, { id: user.id, branchId: user.branch_id })) {
      throw new MutationRejected('forbidden', '不能修改其他党员的信息')
    }
    const next = applyProfileUpdate(memberRowFromUser(user), args, now)
    await trx
      .updateTable('users')
      .set({
        status: next.status,
        away_city: next.awayCity,
        return_date: next.returnDate,
        contact_phone: next.contactPhone,
        updated_at: now,
      })
      .where('id', '=', user.id)
      .execute()
    await writer.put(memberScope(user, viewer.townId), 'members', user.id, next)
  },
}
