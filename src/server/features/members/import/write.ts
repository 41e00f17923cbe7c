// Writing an import that passed every check: users, households, the rows devices pull and the audit
// entry, in the caller's transaction, a page of rows to a statement (2,300 members in a few seconds).
import type { Kysely, Selectable } from 'kysely'
import type { Database, HouseholdTable, UserTable } from '~/server/db/schema'
import type { ChangeWriter } from '~/server/sync/changes'
import { newUserId } from '~/server/services/userIds'
import { recordAudit } from '~/server/services/audit'
import type { HouseholdRow } from '~/domain/board'
import type { Scope, SyncTable, Viewer } from '~/domain/sync'
import type { RosterPlan } from '~/domain/rosterImportRows'
import { memberRowFromUser, memberScope } from '../rows'

/** Rows per INSERT: 23 columns of a user, within SQLite's 32,766 parameters. */
const PAGE = 500

/** A household's id: opaque like a user's (ids travel in synced rows), `h-` and 12 random characters. */
function newHouseholdId(): string {
  return newUserId().replace(/^u-/, 'h-')
}

async function insertPaged<T extends keyof Database>(trx: Kysely<Database>, table: T, rows: Record<string, unknown>[]): Promise<void> {
  for (let start = 0; start < rows.length; start += PAGE)
    await trx
      .insertInto(table)
      .values(rows.slice(start, start + PAGE) as never)
      .execute()
}

export interface ImportedCounts {
  members: number
  households: number
}

export async function writeRoster(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  viewer: Viewer,
  plan: RosterPlan,
  fileName: string,
  now: string,
): Promise<ImportedCounts> {
  const taken = new Set<string>()
  const uniqueId = (make: () => string) => {
    let id = make()
    while (taken.has(id)) id = make()
    taken.add(id)
    return id
  }
  const users: Selectable<UserTable>[] = plan.members.map(({ branchId, fields: f }) => ({
    id: uniqueId(newUserId),
    phone: f.phone,
    name: f.name,
    role: 'member',
    branch_id: branchId,
    gender: f.gender,
    birth_year: Number(f.birthDate.slice(0, 4)),
    joined_party_on: f.joinedPartyOn,
    status: f.status,
    away_city: f.awayCity,
    return_date: null,
    center_household: f.centerHousehold ? 1 : 0,
    // Not activated: the member signs in first with an activation code their secretary gives them.
    password_hash: '',
    contact_phone: null,
    created_at: now,
    updated_at: now,
    birth_date: f.birthDate,
    membership: f.membership,
    party_group_id: null,
    committee_post: null,
    ended_at: null,
    end_reason: null,
    end_note: null,
  }))
  const idByPhone = new Map(users.map((u) => [u.phone, u.id]))
  const households: Selectable<HouseholdTable>[] = plan.households.map((h) => ({
    id: uniqueId(newHouseholdId),
    member_id: h.memberId ?? idByPhone.get(h.memberPhone) ?? '',
    head_name: h.headName,
    address: h.address,
    people: h.people,
  }))
  await insertPaged(trx, 'users', users)
  await insertPaged(trx, 'households', households)

  const rows: { scope: Scope; table: SyncTable; id: string; row: unknown }[] = [
    ...users.map((u) => ({ scope: memberScope(u, viewer.townId), table: 'members' as const, id: u.id, row: memberRowFromUser(u) })),
    // A member's households reach only their own devices (as the board publishes them).
    ...households.map((h) => {
      const row: HouseholdRow = { id: h.id, memberId: h.member_id, headName: h.head_name, address: h.address, people: h.people }
      return { scope: `user:${h.member_id}` as const, table: 'households' as const, id: h.id, row }
    }),
  ]
  await writer.putMany(rows)

  const branches = [...new Set(plan.members.map((m) => m.branchId))]
  await recordAudit(
    trx,
    {
      actorId: viewer.id,
      action: 'roster.import',
      // A secretary's log shows their branch's entries: an import into one branch is filed under it.
      branchId: viewer.role === 'secretary' ? viewer.branchId : branches.length === 1 ? branches[0] : null,
      detail: {
        fileName,
        members: users.length,
        households: households.length,
        branches: Object.fromEntries(branches.map((id) => [id, plan.members.filter((m) => m.branchId === id).length])),
      },
    },
    now,
  )
  return { members: users.length, households: households.length }
}
