// The audit log (issue 12): every administrative action, with who, when and what, written in the same
// transaction as the action so the log never claims what didn't happen, nor misses what did.
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import type { AuditAction } from '~/domain/roster'

export interface AuditRecord {
  actorId: string
  action: AuditAction
  targetId?: string | null
  branchId?: string | null
  /** What changed (field: [before, after]) or a summary; kept as JSON. */
  detail?: Record<string, unknown>
}

export async function recordAudit(db: Kysely<Database>, record: AuditRecord, at: string): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: randomUUID(),
      actor_id: record.actorId,
      action: record.action,
      target_id: record.targetId ?? null,
      branch_id: record.branchId ?? null,
      detail_json: JSON.stringify(record.detail ?? {}),
      at,
    })
    .execute()
}
