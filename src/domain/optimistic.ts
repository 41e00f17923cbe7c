// What the app shows before the server confirms: confirmed rows with the pending mutations replayed on top.
// Tables on the device hold only what the server sent, so undoing a rejected mutation is just dropping it.
import { applyProfileUpdate, type MemberRow } from './members'
import { MUTATIONS } from './mutations'

export interface PendingMutation {
  userId: string
  name: string
  args: unknown
  clientTime: string
}

export function withPendingMembers(confirmed: readonly MemberRow[], pending: readonly PendingMutation[]): MemberRow[] {
  const rows = new Map(confirmed.map((row) => [row.id, row]))
  for (const mutation of pending) {
    if (mutation.name !== 'profile.update') continue
    const args = MUTATIONS['profile.update'].args.safeParse(mutation.args)
    if (!args.success) continue
    const target = rows.get(args.data.memberId ?? mutation.userId)
    if (target) rows.set(target.id, applyProfileUpdate(target, args.data, mutation.clientTime))
  }
  return [...rows.values()]
}

/** Ids of the rows that differ from the server's because a mutation is still waiting. */
export function pendingMemberIds(pending: readonly PendingMutation[]): Set<string> {
  const ids = new Set<string>()
  for (const mutation of pending) {
    if (mutation.name !== 'profile.update') continue
    const memberId = (mutation.args as { memberId?: unknown } | null)?.memberId
    ids.add(typeof memberId === 'string' ? memberId : mutation.userId)
  }
  return ids
}
