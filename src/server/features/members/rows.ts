import type { Kysely, Selectable } from 'kysely'
import type { Database, UserTable } from '~/server/db/schema'
import type { MemberRow } from '~/domain/members'
import type { Scope } from '~/domain/sync'

export function memberRowFromUser(user: Selectable<UserTable>): MemberRow {
  return {
    id: user.id,
    name: user.name,
    role: user.role,
    branchId: user.branch_id,
    status: user.status,
    awayCity: user.away_city,
    returnDate: user.return_date,
    centerHousehold: user.center_household === 1,
    contactPhone: user.contact_phone,
    updatedAt: user.updated_at,
  }
}

/** A member is seen by their branch; the admin, who has none, by the town. */
export function memberScope(user: { branch_id: string | null }, townId: string): Scope {
  return user.branch_id ? `branch:${user.branch_id}` : `town:${townId}`
}

/** A member's name, for what the server writes in their name (a passkey's label). */
export async function memberName(db: Kysely<Database>, id: string): Promise<string> {
  return (await db.selectFrom('users').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name
}
