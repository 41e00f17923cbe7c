// The working calendar (helper D implements): holidays and 调休 days, the current year's list seeded.
import type { MutationContext } from '~/server/sync/feature'
import type { WorkdaySetArgs } from '~/domain/supervision'

export async function setWorkday(_ctx: MutationContext, _args: WorkdaySetArgs): Promise<void> {
  throw new Error('not implemented yet (issue 13)')
}
