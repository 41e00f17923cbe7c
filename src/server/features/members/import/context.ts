import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import type { Viewer } from '~/domain/sync'
import type { RosterAccount, RosterContext } from '~/domain/rosterImportRows'

/** Phones per query: a long file's phones are looked up a page at a time. */
const PAGE = 500

/** What the checks need from the database: the town's branches and the accounts that already have these phones. */
export async function rosterContext(db: Kysely<Database>, viewer: Viewer, phones: readonly string[]): Promise<RosterContext> {
  const branches = await db.selectFrom('branches').select(['id', 'name', 'place', 'archived_at']).orderBy('id').execute()
  const accounts = new Map<string, RosterAccount>()
  for (let start = 0; start < phones.length; start += PAGE) {
    const users = await db
      .selectFrom('users')
      .select(['id', 'phone', 'branch_id', 'center_household', 'ended_at'])
      .where('phone', 'in', phones.slice(start, start + PAGE))
      .execute()
    const counts = users.length
      ? await db
          .selectFrom('households')
          .select(['member_id', (eb) => eb.fn.countAll<number>().as('n')])
          .where(
            'member_id',
            'in',
            users.map((u) => u.id),
          )
          .groupBy('member_id')
          .execute()
      : []
    const households = new Map(counts.map((c) => [c.member_id, Number(c.n)]))
    for (const u of users)
      accounts.set(u.phone, {
        id: u.id,
        branchId: u.branch_id,
        centerHousehold: u.center_household === 1,
        ended: u.ended_at !== null,
        households: households.get(u.id) ?? 0,
      })
  }
  return {
    branches: branches.map((b) => ({ id: b.id, name: b.name, place: b.place, archived: b.archived_at !== null })),
    ownBranchId: viewer.role === 'admin' ? null : viewer.branchId,
    accounts,
  }
}
