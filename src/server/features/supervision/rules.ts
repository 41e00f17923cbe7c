// The warning rules (helper D implements): revised from a day forward, like the points rules.
import type { MutationContext } from '~/server/sync/feature'
import type { WarningRuleReviseArgs } from '~/domain/supervision'

export async function reviseWarningRule(_ctx: MutationContext, _args: WarningRuleReviseArgs): Promise<void> {
  throw new Error('not implemented yet (issue 13)')
}
