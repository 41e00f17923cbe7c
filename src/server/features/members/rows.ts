import type { Kysely, Selectable } from 'kysely'
import type { BranchTable, Database, PartyGroupTable, UserTable } from '~/server/db/schema'
import type { MemberRow } from '~/domain/members'
import type { CommitteePost, PartyGroupRow } from '~/domain/roster'
import type { Scope } from '~/domain/sync'
import type { BranchRow } from '~/domain/users'
import type { ChangeWriter } from '~/server/sync/changes'

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
    gender: user.gender,
    loginPhone: user.phone,
    birthDate: user.birth_date,
    joinedPartyOn: user.joined_party_on,
    membership: user.membership,
    partyGroupId: user.party_group_id,
    committeePost: user.committee_post as CommitteePost | null,
    endedAt: user.ended_at,
    endReason: user.end_reason,
  }
}

export function branchRowFromTable(branch: Selectable<BranchTable>): BranchRow {
  return { id: branch.id, name: branch.name, place: branch.place, kind: branch.kind, archivedAt: branch.archived_at }
}

export function groupRowFromTable(group: Selectable<PartyGroupTable>): PartyGroupRow {
  return {
    id: group.id,
    branchId: group.branch_id,
    name: group.name,
    leaderId: group.leader_id,
    archivedAt: group.archived_at,
    updatedAt: group.updated_at,
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

/** Sends the member's row as stored now to the devices of their scope. */
export async function publishMember(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  id: string,
  townId: string,
): Promise<Selectable<UserTable>> {
  const user = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  await writer.put(memberScope(user, townId), 'members', user.id, memberRowFromUser(user))
  return user
}

/** What an administrative change did, for the audit log: each field that differs, as [before, after]. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, [unknown, unknown]> {
  const changed: Record<string, [unknown, unknown]> = {}
  for (const [field, value] of Object.entries(after)) {
    const old = before[field] ?? null
    if (JSON.stringify(old) !== JSON.stringify(value ?? null)) changed[field] = [old, value ?? null]
  }
  return changed
}
