import { defineStore } from 'pinia'
import { computed } from 'vue'
import { appDB } from '../db/instance'
import { useLiveQuery } from '../composables/useLiveQuery'
import { useSyncStore } from './sync'
import { useSessionStore } from './session'
import type { Course, Material, StudyProgressRow } from '~/domain/study'
import { outboxOf, pendingArgs, readWithOutbox } from '../sync/pending'

/** Offline search: Chinese has no spaces, so every query word is matched as a substring of title, summary and text. */
export function searchMaterials(materials: readonly Material[], query: string): Material[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return [...materials]
  const score = (m: Material) => {
    const title = m.title.toLowerCase()
    const text = `${m.summary}\n${m.body}`.toLowerCase()
    if (!words.every((w) => title.includes(w) || text.includes(w))) return 0
    return words.reduce((sum, w) => sum + (title.includes(w) ? 3 : 1), 0)
  }
  return materials
    .map((m) => ({ m, s: score(m) }))
    .filter((x) => x.s > 0)
    .sort((a, b) => b.s - a.s || b.m.publishedAt.localeCompare(a.m.publishedAt))
    .map((x) => x.m)
}

export interface CourseProgress {
  course: Course
  lessons: Material[]
  /** Lessons the server counted as completed. */
  done: number
}

/** 网上党校: courses in order, lessons in order, and how many lessons of each the member has completed. */
export function schoolProgress(
  courses: readonly Course[],
  materials: readonly Material[],
  completed: ReadonlySet<string>,
): CourseProgress[] {
  return [...courses]
    .sort((a, b) => a.order - b.order)
    .map((course) => {
      const lessons = materials.filter((m) => m.course === course.id).sort((a, b) => (a.lesson ?? 0) - (b.lesson ?? 0))
      return { course, lessons, done: lessons.filter((m) => completed.has(m.id)).length }
    })
}

export type NextStudy = { reason: 'course'; material: Material; course: Course } | { reason: 'newest'; material: Material } | null

/**
 * What to study next: the first lesson of 网上党校, in course order, not yet completed; once every lesson
 * is done, the newest material never opened; else nothing.
 */
export function nextToStudy(
  school: readonly CourseProgress[],
  materials: readonly Material[],
  completed: ReadonlySet<string>,
  opened: ReadonlySet<string>,
): NextStudy {
  for (const { course, lessons } of school) {
    const lesson = lessons.find((m) => !completed.has(m.id))
    if (lesson) return { reason: 'course', material: lesson, course }
  }
  const unread = [...materials].filter((m) => !opened.has(m.id)).sort((a, b) => b.publishedAt.localeCompare(a.publishedAt))[0]
  return unread ? { reason: 'newest', material: unread } : null
}

/** The study library on this device (网上党校 courses and 学习智库), readable offline after a sync. */
export const useStudyStore = defineStore('study', () => {
  const db = appDB()
  const materials = useLiveQuery(() => db.materials.toArray(), [])
  const courses = useLiveQuery(() => db.courses.orderBy('id').toArray(), [])
  // The progress and the outbox as one moment (sync/pending.ts): a pull landing never shows a lesson undone.
  const synced = useLiveQuery(() => readWithOutbox(db, [db.study_progress], () => db.study_progress.toArray()), null)
  const progressRows = computed<StudyProgressRow[]>(() => synced.value?.rows ?? [])
  const sync = useSyncStore()
  // Before the sync engine has started (it waits for the first screen), the session says whose changes wait.
  const session = useSessionStore()
  const userId = computed(() => sync.userId ?? session.me?.user.id ?? null)

  /** Sessions recorded here and not yet synced count too, so an offline lesson shows as learnt at once. */
  const unsynced = computed(() => pendingArgs(outboxOf(synced.value, userId.value), 'study.record'))
  const opened = computed(() => new Set([...progressRows.value.map((row) => row.id), ...unsynced.value.map((s) => s.materialId)]))
  const completed = computed(
    () =>
      new Set([
        ...progressRows.value.filter((row) => row.completed).map((row) => row.id),
        ...unsynced.value.filter((s) => s.completed).map((s) => s.materialId),
      ]),
  )
  const school = computed(() => schoolProgress(courses.value, materials.value, completed.value))
  const library = computed(() =>
    materials.value.filter((m) => m.column === 'library').sort((a, b) => b.publishedAt.localeCompare(a.publishedAt)),
  )
  const newest = computed(() => [...materials.value].sort((a, b) => b.publishedAt.localeCompare(a.publishedAt)).slice(0, 3))
  const next = computed(() => nextToStudy(school.value, materials.value, completed.value, opened.value))
  const byId = (id: string) => materials.value.find((m) => m.id === id)
  const isCompleted = (id: string) => completed.value.has(id)

  return { materials, school, library, newest, next, byId, isCompleted, search: (query: string) => searchMaterials(materials.value, query) }
})
