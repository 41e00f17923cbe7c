// What devices see of supervision on a database's first start, and what an older database never sent (helper B).
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import type { ChangeWriter } from '~/server/sync/changes'
import type { SyncWrite } from '~/server/sync/feature'

export async function publishSupervision(_trx: Kysely<Database>, _writer: ChangeWriter, _townId: string): Promise<void> {}
export async function publishMissingSupervision(_db: Kysely<Database>, _write: SyncWrite): Promise<void> {}
