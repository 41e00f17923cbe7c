// A 党员中心户's households, replaced from the member form. Their rows live in the member's own `user:`
// scope, written the way the board publishes them (features/board/rows.ts).
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import type { HouseholdInput } from '~/domain/roster'
import type { ChangeWriter } from '~/server/sync/changes'
import { MutationRejected } from '~/server/sync/rejections'
import { householdRow } from '../board/rows'

/**
 * Makes `next` the member's households: removed ones are deleted (comments made on their behalf keep
 * the resident's name), changed and new ones sent. Returns the counts before and after, or null when
 * nothing changed.
 */
export async function replaceHouseholds(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  memberId: string,
  next: readonly HouseholdInput[],
): Promise<[number, number] | null> {
  const ids = next.map((h) => h.id)
  if (new Set(ids).size !== ids.length) throw new MutationRejected('invalid_args', '联系户编号重复')
  if (ids.length > 0) {
    const taken = await trx
      .selectFrom('households')
      .select('id')
      .where('id', 'in', ids)
      .where('member_id', '!=', memberId)
      .executeTakeFirst()
    if (taken) throw new MutationRejected('invalid_args', '联系户编号已被其他党员使用，请重新添加')
  }
  const current = new Map(
    (await trx.selectFrom('households').selectAll().where('member_id', '=', memberId).execute()).map((h) => [h.id, h]),
  )
  const scope = `user:${memberId}` as const
  let changed = false
  for (const id of current.keys()) {
    if (ids.includes(id)) continue
    await trx.deleteFrom('households').where('id', '=', id).execute()
    await writer.delete(scope, 'households', id)
    changed = true
  }
  for (const h of next) {
    const row = { id: h.id, member_id: memberId, head_name: h.headName, address: h.address, people: h.people }
    const before = current.get(h.id)
    if (before && before.head_name === row.head_name && before.address === row.address && before.people === row.people) continue
    if (before) await trx.updateTable('households').set(row).where('id', '=', h.id).execute()
    else await trx.insertInto('households').values(row).execute()
    await writer.put(scope, 'households', h.id, householdRow(row))
    changed = true
  }
  return changed ? [current.size, next.length] : null
}
