// 整改提示单 (helper D implements): issued, answered, returned, accepted; overdue ones escalated.
import type { MutationContext } from '~/server/sync/feature'
import type { RectificationAnswerArgs, RectificationDecideArgs, RectificationIssueArgs } from '~/domain/supervision'

export async function issueRectificationByAdmin(_ctx: MutationContext, _args: RectificationIssueArgs): Promise<void> {
  throw new Error('not implemented yet (issue 13)')
}
export async function answerRectification(_ctx: MutationContext, _args: RectificationAnswerArgs): Promise<void> {
  throw new Error('not implemented yet (issue 13)')
}
export async function decideRectification(_ctx: MutationContext, _args: RectificationDecideArgs): Promise<void> {
  throw new Error('not implemented yet (issue 13)')
}
