// Who may change what in the roster beyond the roles of src/domain/mutations.ts (a secretary only within
// their own branch), and the lookups every roster handler starts with.
import type { Kysely, Selectable } from 'kysely'
import type { BranchTable, Database, UserTable } from '~/server/db/schema'
import type { Viewer } from '~/domain/sync'
import { MutationRejected } from '~/server/sync/rejections'

/** The admin anywhere; a secretary only in their own branch (never the admin's account, which has none). */
export function requireManages(viewer: Viewer, branchId: string | null, message = '只能管理本支部的党员'): void {
  if (viewer.role === 'admin') return
  if (viewer.role === 'secretary' && branchId !== null && viewer.branchId === branchId) return
  throw new MutationRejected('forbidden', message)
}

export async function loadMember(trx: Kysely<Database>, id: string): Promise<Selectable<UserTable>> {
  const user = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
  if (!user) throw new MutationRejected('not_found', '找不到这名党员')
  return user
}

/** A member of a branch whose membership goes on: the admin's account and ended memberships are refused. */
export function requireCurrentMember(user: Selectable<UserTable>): asserts user is Selectable<UserTable> & { branch_id: string } {
  if (user.branch_id === null) throw new MutationRejected('forbidden', '镇党委管理员账号不能在这里修改')
  if (user.ended_at !== null) throw new MutationRejected('already_ended', '该党员的党籍关系已经终止')
}

export async function loadBranch(trx: Kysely<Database>, id: string, message = '找不到这个支部'): Promise<Selectable<BranchTable>> {
  const branch = await trx.selectFrom('branches').selectAll().where('id', '=', id).executeTakeFirst()
  if (!branch) throw new MutationRejected('not_found', message)
  return branch
}

/** Archived branches keep their history and accept no one new. */
export function requireOpenBranch(branch: Selectable<BranchTable>, message = '该支部已归档，不能再加入党员'): void {
  if (branch.archived_at !== null) throw new MutationRejected('branch_archived', message)
}
