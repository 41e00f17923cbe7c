// Reading the audit log (GET /api/admin/audit, online only): newest first, with who acted and on whom by
// name. The admin reads everything; a secretary what concerns their branch: entries recorded for it, and
// the history of the members now in it (a member moved in brings theirs).
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import type { AuditAction, AuditEntry } from '~/domain/roster'
import type { Role } from '~/domain/users'

export const AUDIT_PAGE_MAX = 200

/** Where a page ends: the last entry's time and id (entries are ordered by both, newest first). */
export interface AuditCursor {
  at: string
  id: string
}

export function encodeAuditCursor(cursor: AuditCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url')
}

/** The cursor a page handed out, or null for anything else. */
export function decodeAuditCursor(text: string): AuditCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
    if (!Array.isArray(value) || value.length !== 2 || !value.every((part) => typeof part === 'string' && part.length <= 100)) return null
    return { at: value[0] as string, id: value[1] as string }
  } catch {
    return null
  }
}

export interface AuditPage {
  entries: AuditEntry[]
  /** The `before` of the next (older) page; null on the last one. */
  next: string | null
}

export async function readAuditLog(
  db: Kysely<Database>,
  reader: { role: Role; branchId: string | null },
  query: { before?: AuditCursor; limit: number; targetId?: string },
): Promise<AuditPage> {
  let select = db
    .selectFrom('audit_log')
    .leftJoin('users as actor', 'actor.id', 'audit_log.actor_id')
    .leftJoin('users as target', 'target.id', 'audit_log.target_id')
    .leftJoin('party_groups as grp', 'grp.id', 'audit_log.target_id')
    .leftJoin('branches as tb', 'tb.id', 'audit_log.target_id')
    .select((eb) => [
      'audit_log.id',
      'audit_log.at',
      'audit_log.actor_id',
      'actor.name as actor_name',
      'audit_log.action',
      'audit_log.target_id',
      eb.fn.coalesce('target.name', 'grp.name', 'tb.name').as('target_name'),
      'audit_log.branch_id',
      'audit_log.detail_json',
    ])
  if (reader.role !== 'admin') {
    const branchId = reader.branchId ?? ''
    select = select.where((eb) =>
      eb.or([
        eb('audit_log.branch_id', '=', branchId),
        eb('audit_log.target_id', 'in', eb.selectFrom('users').select('users.id').where('users.branch_id', '=', branchId)),
      ]),
    )
  }
  if (query.targetId !== undefined) select = select.where('audit_log.target_id', '=', query.targetId)
  const before = query.before
  if (before)
    select = select.where((eb) =>
      eb.or([eb('audit_log.at', '<', before.at), eb.and([eb('audit_log.at', '=', before.at), eb('audit_log.id', '<', before.id)])]),
    )
  const rows = await select
    .orderBy('audit_log.at', 'desc')
    .orderBy('audit_log.id', 'desc')
    .limit(query.limit + 1)
    .execute()
  const entries = rows.slice(0, query.limit).map((row): AuditEntry => ({
    id: row.id,
    at: row.at,
    actorId: row.actor_id,
    actorName: row.actor_name ?? '',
    action: row.action as AuditAction,
    targetId: row.target_id,
    targetName: row.target_name ?? null,
    branchId: row.branch_id,
    detail: JSON.parse(row.detail_json) as Record<string, unknown>,
  }))
  const last = entries.at(-1)
  return { entries, next: rows.length > query.limit && last ? encodeAuditCursor(last) : null }
}
