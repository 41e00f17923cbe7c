import type { Selectable } from 'kysely'
import type { UserTable } from '../db/schema'
import type { MemberRow } from '../../domain/members'
import type { Scope } from '../../domain/sync'

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
