import { defineStore } from 'pinia'
import { computed } from 'vue'
import { appDB } from '../db/instance'
import { useLiveQuery } from '../composables/useLiveQuery'
import type { Material } from '../../domain/study'

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

/** The study library on this device (网上党校 courses and 学习智库), readable offline after a sync. */
export const useStudyStore = defineStore('study', () => {
  const db = appDB()
  const materials = useLiveQuery(() => db.materials.toArray(), [])
  const courses = useLiveQuery(() => db.courses.orderBy('id').toArray(), [])

  const school = computed(() =>
    [...courses.value]
      .sort((a, b) => a.order - b.order)
      .map((course) => ({ course, lessons: materials.value.filter((m) => m.course === course.id).sort((a, b) => (a.lesson ?? 0) - (b.lesson ?? 0)) })),
  )
  const library = computed(() => materials.value.filter((m) => m.column === 'library').sort((a, b) => b.publishedAt.localeCompare(a.publishedAt)))
  const newest = computed(() => [...materials.value].sort((a, b) => b.publishedAt.localeCompare(a.publishedAt)).slice(0, 3))
  const byId = (id: string) => materials.value.find((m) => m.id === id)

  return { materials, school, library, newest, byId, search: (query: string) => searchMaterials(materials.value, query) }
})
