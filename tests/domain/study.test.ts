import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { checkStudySession, courseSchema, materialSchema, questionSchema, studyEventKind, type Material } from '~/domain/study'
import { parseWith, z } from '~/domain/validation'

const load = <T>(file: string, schema: z.ZodMiniType<T>): T => {
  const parsed = parseWith(schema, JSON.parse(readFileSync(`seeds/study/${file}`, 'utf8')))
  if (!parsed.ok) throw new Error(`${file}: ${parsed.message}`)
  return parsed.value
}

describe('the seeded study library', () => {
  const materials = load('materials.json', z.array(materialSchema))
  const courses = load('courses.json', z.array(courseSchema))
  const questions = load('questions.json', z.array(questionSchema))

  it('has at least 30 materials and 80 questions with unique ids', () => {
    expect(materials.length).toBeGreaterThanOrEqual(30)
    expect(questions.length).toBeGreaterThanOrEqual(80)
    expect(new Set(materials.map((m) => m.id)).size).toBe(materials.length)
    expect(new Set(questions.map((q) => q.id)).size).toBe(questions.length)
  })

  it('numbers each course’s lessons 1..n and keeps library items out of courses', () => {
    for (const course of courses) {
      const lessons = materials
        .filter((m) => m.course === course.id)
        .map((m) => m.lesson)
        .sort((a, b) => a! - b!)
      expect(lessons).toEqual(lessons.map((_, i) => i + 1))
    }
    expect(materials.filter((m) => m.column === 'library').every((m) => m.course === null && m.lesson === null)).toBe(true)
  })

  it('has audio files for its audio materials, and questions pointing at real materials', () => {
    const audio = materials.filter((m) => m.kind === 'audio')
    expect(audio.length).toBeGreaterThan(0)
    for (const m of audio) expect(readFileSync(`public/media/study/${m.media!.file}`).length).toBeGreaterThan(1000)
    const ids = new Set(materials.map((m) => m.id))
    expect(questions.every((q) => q.materialId === null || ids.has(q.materialId))).toBe(true)
  })
})

describe('checking a study session against the clock and the material', () => {
  const now = new Date('2026-11-25T12:00:00Z')
  const article: Pick<Material, 'kind' | 'media'> = { kind: 'article', media: null }
  const audio: Pick<Material, 'kind' | 'media'> = { kind: 'audio', media: { file: 'a.ogg', durationSeconds: 120 } }
  const at = (minutesBefore: number) => new Date(now.getTime() - minutesBefore * 60_000).toISOString()
  const s = (from: number, to: number, activeSeconds: number) => ({ startedAt: at(from), endedAt: at(to), activeSeconds })

  it('accepts a session that could have happened', () => {
    expect(checkStudySession(s(10, 5, 290), article, now, [])).toBeNull()
    expect(checkStudySession(s(10, 5, 130), audio, now, [])).toBeNull()
  })

  it('rejects more active time than elapsed, and more listening than the recording lasts', () => {
    expect(checkStudySession(s(10, 9, 120), article, now, [])?.code).toBe('impossible_time')
    expect(checkStudySession(s(30, 5, 600), audio, now, [])?.code).toBe('impossible_time')
  })

  it('rejects a session ending after the server’s clock (beyond a small skew) or older than the offline window', () => {
    expect(checkStudySession(s(10, -3, 60), article, now, [])).toBeNull()
    expect(checkStudySession(s(10, -10, 60), article, now, [])?.code).toBe('clock')
    expect(checkStudySession(s(60 * 24 * 31, 60 * 24 * 31 - 5, 60), article, now, [])?.code).toBe('clock')
  })

  it('rejects an end before the start and an overlap with another session', () => {
    expect(checkStudySession(s(5, 10, 0), article, now, [])?.code).toBe('impossible_time')
    expect(checkStudySession(s(10, 5, 60), article, now, [{ startedAt: at(7), endedAt: at(3) }])?.code).toBe('overlap')
    expect(checkStudySession(s(10, 5, 60), article, now, [{ startedAt: at(5), endedAt: at(1) }])).toBeNull()
  })

  it('scores articles as reading and audio or video as media', () => {
    expect(studyEventKind({ kind: 'article' })).toBe('study.article')
    expect(studyEventKind({ kind: 'audio' })).toBe('study.media')
    expect(studyEventKind({ kind: 'video' })).toBe('study.media')
  })
})
