// Study materials the admin publishes from the app (issue 4). A withdrawn material becomes a tombstone in
// the town scope, so it disappears from every device on its next pull.
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import type { MaterialDraft } from '~/domain/study'
import type { ChangeWriter } from '~/server/sync/changes'
import { MutationRejected } from '~/server/sync/rejections'
import { materialFromRow } from './study'

export async function saveMaterial(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  townId: string,
  draft: MaterialDraft,
  now: string,
): Promise<void> {
  if (draft.course && !(await trx.selectFrom('courses').select('id').where('id', '=', draft.course).executeTakeFirst())) {
    throw new MutationRejected('not_found', '所选课程不存在')
  }
  const existing = await trx.selectFrom('materials').select(['published_at', 'status']).where('id', '=', draft.id).executeTakeFirst()
  // Republishing a withdrawn material makes it new again; an edit keeps its place in 最新.
  const publishedAt = existing && existing.status === 'published' ? existing.published_at : now
  const values = {
    column_name: draft.column,
    course_id: draft.course,
    lesson: draft.lesson,
    category: draft.category,
    kind: draft.kind,
    title: draft.title,
    summary: draft.summary,
    body: draft.body,
    media_file: draft.media?.file ?? null,
    duration_seconds: draft.media?.durationSeconds ?? null,
    status: 'published' as const,
    published_at: publishedAt,
    updated_at: now,
  }
  if (existing) await trx.updateTable('materials').set(values).where('id', '=', draft.id).execute()
  else
    await trx
      .insertInto('materials')
      .values({ id: draft.id, ...values })
      .execute()
  const row = await trx.selectFrom('materials').selectAll().where('id', '=', draft.id).executeTakeFirstOrThrow()
  await writer.put(`town:${townId}`, 'materials', draft.id, materialFromRow(row))
}

export async function withdrawMaterial(
  trx: Kysely<Database>,
  writer: ChangeWriter,
  townId: string,
  materialId: string,
  now: string,
): Promise<void> {
  const existing = await trx.selectFrom('materials').select('status').where('id', '=', materialId).executeTakeFirst()
  if (!existing) throw new MutationRejected('not_found', '找不到这份学习资料')
  if (existing.status === 'withdrawn') return
  await trx.updateTable('materials').set({ status: 'withdrawn', updated_at: now }).where('id', '=', materialId).execute()
  await writer.delete(`town:${townId}`, 'materials', materialId)
}
