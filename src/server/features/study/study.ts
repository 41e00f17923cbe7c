import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Kysely, Selectable } from 'kysely'
import type { Database, MaterialTable } from '~/server/db/schema'
import { courseSchema, materialSchema, questionSchema, type Course, type Material, type Question } from '~/domain/study'
import { parseWith, z } from '~/domain/validation'

export function materialFromRow(row: Selectable<MaterialTable>): Material {
  return {
    id: row.id,
    column: row.column_name,
    course: row.course_id,
    lesson: row.lesson,
    category: row.category as Material['category'],
    kind: row.kind,
    title: row.title,
    summary: row.summary,
    body: row.body,
    media: row.media_file && row.duration_seconds ? { file: row.media_file, durationSeconds: row.duration_seconds } : null,
    publishedAt: row.published_at,
  }
}

function readStudySeed<T>(dir: string, file: string, schema: z.ZodMiniType<T>): T | undefined {
  const path = join(dir, 'study', file)
  if (!existsSync(path)) return undefined
  const parsed = parseWith(schema, JSON.parse(readFileSync(path, 'utf8')))
  if (!parsed.ok) throw new Error(`seeds/study/${file} 不符合格式: ${parsed.message}`)
  return parsed.value
}

/** The demo study materials and courses, loaded with the rest of the demo data. */
export async function seedStudy(trx: Kysely<Database>, seedDir: string, now: string): Promise<void> {
  const courses: Course[] = readStudySeed(seedDir, 'courses.json', z.array(courseSchema)) ?? []
  const materials: Material[] = readStudySeed(seedDir, 'materials.json', z.array(materialSchema)) ?? []
  if (courses.length) {
    await trx
      .insertInto('courses')
      .values(courses.map((c) => ({ id: c.id, title: c.title, summary: c.summary, sort_order: c.order })))
      .execute()
  }
  const questions: Question[] = readStudySeed(seedDir, 'questions.json', z.array(questionSchema)) ?? []
  for (const q of questions) {
    await trx
      .insertInto('questions')
      .values({
        id: q.id,
        category: q.category,
        type: q.type,
        stem: q.stem,
        options_json: JSON.stringify(q.options),
        answer_json: JSON.stringify(q.answer),
        explanation: q.explanation,
        material_id: q.materialId,
        status: 'published',
      })
      .execute()
  }
  for (const m of materials) {
    await trx
      .insertInto('materials')
      .values({
        id: m.id,
        column_name: m.column,
        course_id: m.course,
        lesson: m.lesson,
        category: m.category,
        kind: m.kind,
        title: m.title,
        summary: m.summary,
        body: m.body,
        media_file: m.media?.file ?? null,
        duration_seconds: m.media?.durationSeconds ?? null,
        status: 'published',
        published_at: m.publishedAt,
        updated_at: now,
      })
      .execute()
  }
}
