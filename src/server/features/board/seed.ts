// The demo 朋友圈 (seeds/board.json), loaded with the rest of the demo data and never otherwise.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import type { Database } from '~/server/db/schema'
import { COMMENT_CATEGORIES, deadlineAfter, DEFAULT_DEADLINE_DAYS, TOPIC_CATEGORIES, type CommentRow } from '~/domain/board'
import { addDays, dayInShanghai, shanghaiTime } from '~/domain/calendar'
import { parseWith, z } from '~/domain/validation'
import { commentToRow } from './rows'

const line = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max))
const seedCommentSchema = z.object({
  id: line(64),
  authorId: line(64),
  householdId: z.nullable(line(64)),
  category: z.enum(COMMENT_CATEGORIES),
  text: line(500),
  /** Days after the topic was posted. */
  day: z.int().check(z.minimum(0), z.maximum(60)),
  status: z.enum(['pending', 'accepted', 'resolved', 'rejected']),
  reply: z.nullable(line(1000)),
})
const seedTopicSchema = z.object({
  id: line(64),
  branchId: z.nullable(line(64)),
  createdBy: line(64),
  category: z.enum(TOPIC_CATEGORIES),
  title: line(60),
  text: z.string().check(z.maxLength(2000)),
  /** Days from the day of loading: -20 was posted twenty days ago. */
  day: z.int().check(z.minimum(-365), z.maximum(0)),
  openDays: z.int().check(z.minimum(1), z.maximum(366)),
  comments: z.array(seedCommentSchema),
})

/**
 * The demo board (seeds/board.json), loaded with the rest of the demo data. Days are relative to the
 * loading day, so a demo always has open topics, comments being handled and some already resolved.
 * Handled comments are the secretary's, at 10:00 on the day after posting, with a 7-day deadline.
 */
export async function seedBoard(trx: Kysely<Database>, seedDir: string, now: Date): Promise<void> {
  const file = join(seedDir, 'board.json')
  if (!existsSync(file)) return
  const parsed = parseWith(z.array(seedTopicSchema), JSON.parse(readFileSync(file, 'utf8')))
  if (!parsed.ok) throw new Error(`seeds/board.json 不符合格式: ${parsed.message}`)
  const today = dayInShanghai(now)
  const at = (day: string, time: string) => new Date(shanghaiTime(day, time)).toISOString()
  const users = new Map((await trx.selectFrom('users').select(['id', 'branch_id', 'name']).execute()).map((u) => [u.id, u]))
  const households = new Map((await trx.selectFrom('households').select(['id', 'member_id', 'head_name']).execute()).map((h) => [h.id, h]))
  for (const topic of parsed.value) {
    const postedOn = addDays(today, topic.day)
    const createdAt = at(postedOn, '09:00')
    await trx
      .insertInto('board_topics')
      .values({
        id: topic.id,
        branch_id: topic.branchId,
        category: topic.category,
        title: topic.title,
        text: topic.text,
        photos_json: '[]',
        closes_on: addDays(postedOn, topic.openDays),
        created_by: topic.createdBy,
        created_at: createdAt,
        updated_at: createdAt,
      })
      .execute()
    for (const c of topic.comments) {
      const household = c.householdId === null ? null : households.get(c.householdId)
      if (household === undefined || (household && household.member_id !== c.authorId) || !users.has(c.authorId)) {
        throw new Error(`seeds/board.json: 留言 ${c.id} 的作者或联系户不存在`)
      }
      const writtenOn = addDays(postedOn, c.day)
      if (writtenOn > today) throw new Error(`seeds/board.json: 留言 ${c.id} 的日期晚于今天`)
      const written = at(writtenOn, '19:30')
      const handled = c.status === 'accepted' || c.status === 'resolved'
      const acceptedAt = handled ? at(addDays(writtenOn, 1), '10:00') : null
      const closedOn = addDays(writtenOn, 3)
      const closed = c.status === 'resolved' || c.status === 'rejected'
      const comment: CommentRow = {
        id: c.id,
        topicId: topic.id,
        branchId: topic.branchId,
        authorId: c.authorId,
        authorName: users.get(c.authorId)?.name ?? '',
        authorBranchId: users.get(c.authorId)?.branch_id ?? null,
        text: c.text,
        category: c.category,
        householdId: household?.id ?? null,
        residentName: household?.head_name ?? null,
        photos: [],
        status: c.status,
        deadline: acceptedAt ? new Date(deadlineAfter(new Date(acceptedAt), DEFAULT_DEADLINE_DAYS)).toISOString() : null,
        handlerId: handled ? topic.createdBy : null,
        reply: c.status === 'resolved' ? c.reply : null,
        reason: c.status === 'rejected' ? c.reply : null,
        mergedInto: null,
        likedBy: [],
        createdAt: written,
        updatedAt: closed ? at(closedOn, '16:00') : (acceptedAt ?? written),
        acceptedAt,
        closedAt: closed ? at(closedOn, '16:00') : null,
      }
      await trx.insertInto('board_comments').values(commentToRow(comment, written)).execute()
    }
  }
}
