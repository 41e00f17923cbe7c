import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { api, ApiError } from '../api/client'
import { useSyncStore } from './sync'
import type { OutboxRow } from '../db'
import { materialDraftSchema, questionSchema, type Material, type MaterialDraft, type Question } from '~/domain/study'
import { examSchema, type Exam } from '~/domain/quiz'
import { parseWith, type z } from '~/domain/validation'
import { isContentMutation, overlayContent, type AdminContent, type AdminContentReply, type ContentStatus } from './contentAdminOverlay'

export * from './contentAdminOverlay'

export const OFFLINE_MESSAGE = '内容管理需要联网：资料、题库和考试从服务器读取。请联网后重试。'

/** A short random id with a prefix (`m-`, `q-`, `e-`): 8 lowercase letters and digits. */
export function newContentId(prefix: 'm' | 'q' | 'e'): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'
  const bytes = crypto.getRandomValues(new Uint8Array(8))
  return `${prefix}-${Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')}`
}

/** What a form sends again to republish a withdrawn row (or to save an edited one). */
export function materialDraftOf(m: Material): MaterialDraft {
  return {
    id: m.id,
    column: m.column,
    course: m.course,
    lesson: m.lesson,
    category: m.category,
    kind: m.kind,
    title: m.title,
    summary: m.summary,
    body: m.body,
    media: m.media,
  }
}
export function questionOf(q: Question): Question {
  return {
    id: q.id,
    category: q.category,
    type: q.type,
    stem: q.stem,
    options: [...q.options],
    answer: [...q.answer],
    explanation: q.explanation,
    materialId: q.materialId,
  }
}
export function examOf(e: Exam): Exam {
  return {
    id: e.id,
    title: e.title,
    summary: e.summary,
    questionIds: [...e.questionIds],
    passMark: e.passMark,
    opensOn: e.opensOn,
    closesOn: e.closesOn,
  }
}

function checked<T>(schema: z.ZodMiniType<T>, value: unknown): T {
  const parsed = parseWith(schema, value)
  if (!parsed.ok) throw new Error(parsed.message)
  return parsed.value
}

/**
 * 内容管理 for the town admin: the content read online from the server, with the admin's own saves and
 * withdrawals (sent through the outbox, so they work offline too) shown on top until they have synced.
 */
export const useContentAdminStore = defineStore('contentAdmin', () => {
  const sync = useSyncStore()
  const server = shallowRef<AdminContentReply | null>(null)
  const loading = ref(false)
  const offline = ref(false)
  const error = ref('')
  const loadedAt = ref<string | null>(null)
  /** The tab the list page shows, kept while the admin edits and comes back. */
  const tab = ref<'materials' | 'questions' | 'exams'>('materials')

  // Not yet acknowledged: once the server has one, the list is read again (see the watch below).
  const waiting = computed(() => sync.waiting.filter((row) => isContentMutation(row.name)))
  const rejected = computed(() => sync.rejected.filter((row) => isContentMutation(row.name)))
  /** Sent and applied, but the list has not been reloaded since: still laid over, without 待同步. */
  const sent = shallowRef<OutboxRow[]>([])

  const content = computed<AdminContent | null>(() => {
    if (!server.value) return null
    const refused = new Set(rejected.value.map((r) => r.id))
    const changes = [
      ...sent.value.filter((row) => !refused.has(row.id)).map((row) => ({ ...row, pending: false })),
      ...waiting.value.map((row) => ({ ...row, pending: true })),
    ]
    return overlayContent(server.value, changes)
  })

  const split = <T extends { status: ContentStatus }>(rows: T[] | undefined) => ({
    published: (rows ?? []).filter((r) => r.status === 'published'),
    withdrawn: (rows ?? []).filter((r) => r.status === 'withdrawn'),
  })
  const materials = computed(() => split(content.value?.materials))
  const questions = computed(() => split(content.value?.questions))
  const exams = computed(() => split(content.value?.exams))
  const courses = computed(() => content.value?.courses ?? [])

  let inFlight: Promise<void> | null = null
  let again = false

  async function fetchOnce(): Promise<void> {
    const settled = new Set(sent.value.map((row) => row.id))
    loading.value = true
    error.value = ''
    try {
      if (typeof navigator !== 'undefined' && navigator.onLine === false) throw new ApiError(0, 'network', OFFLINE_MESSAGE)
      server.value = await api<AdminContentReply>('/api/admin/content')
      loadedAt.value = new Date().toISOString()
      offline.value = false
      sent.value = sent.value.filter((row) => !settled.has(row.id))
    } catch (e) {
      offline.value = e instanceof ApiError && e.isNetwork
      error.value = offline.value ? OFFLINE_MESSAGE : e instanceof ApiError ? e.message : '读取内容失败，请稍后重试'
    } finally {
      loading.value = false
    }
  }

  /** Reads the content from the server; a call during a load runs once more after it, so nothing is missed. */
  async function load(): Promise<void> {
    if (inFlight) {
      again = true
      return inFlight
    }
    inFlight = (async () => {
      do {
        again = false
        await fetchOnce()
      } while (again)
    })()
    try {
      await inFlight
    } finally {
      inFlight = null
    }
  }

  // Another user signed in on this device: nothing of the last one's content stays in memory.
  watch(
    () => sync.userId,
    () => {
      server.value = null
      sent.value = []
      loadedAt.value = null
      error.value = ''
      offline.value = false
    },
  )

  // Once the server has answered for one of the admin's changes (acknowledged, or refused), read the list again.
  // At once (`sync`): a change leaves `waiting` and joins `sent` in one step, so no state of `content` lacks it.
  watch(
    waiting,
    (now, before) => {
      const still = new Set(now.map((row) => row.id))
      const gone = before.filter((row) => !still.has(row.id))
      if (gone.length === 0) return
      sent.value = [...sent.value, ...gone]
      void load()
    },
    { flush: 'sync' },
  )

  const find = {
    material: (id: string) => content.value?.materials.find((m) => m.id === id),
    question: (id: string) => content.value?.questions.find((q) => q.id === id),
    exam: (id: string) => content.value?.exams.find((e) => e.id === id),
  }

  async function saveMaterial(draft: MaterialDraft): Promise<string> {
    return sync.enqueue('material.save', { material: checked(materialDraftSchema, draft) })
  }
  async function withdrawMaterial(materialId: string): Promise<string> {
    return sync.enqueue('material.withdraw', { materialId })
  }
  async function saveQuestion(question: Question): Promise<string> {
    return sync.enqueue('question.save', { question: checked(questionSchema, question) })
  }
  async function withdrawQuestion(questionId: string): Promise<string> {
    return sync.enqueue('question.withdraw', { questionId })
  }
  async function saveExam(exam: Exam): Promise<string> {
    return sync.enqueue('exam.save', { exam: checked(examSchema, exam) })
  }
  async function withdrawExam(examId: string): Promise<string> {
    return sync.enqueue('exam.withdraw', { examId })
  }

  /** Publishes a withdrawn row again, as it was: the server treats it as new (it comes back under 最新). */
  async function republishMaterial(id: string): Promise<string> {
    const m = find.material(id)
    if (!m) throw new Error('找不到这份学习资料')
    return saveMaterial(materialDraftOf(m))
  }
  async function republishQuestion(id: string): Promise<string> {
    const q = find.question(id)
    if (!q) throw new Error('找不到这道题')
    return saveQuestion(questionOf(q))
  }
  async function republishExam(id: string): Promise<string> {
    const e = find.exam(id)
    if (!e) throw new Error('找不到这场考试')
    return saveExam(examOf(e))
  }

  return {
    tab,
    loading,
    offline,
    error,
    loadedAt,
    content,
    courses,
    materials,
    questions,
    exams,
    waiting,
    rejected,
    find,
    load,
    saveMaterial,
    withdrawMaterial,
    saveQuestion,
    withdrawQuestion,
    saveExam,
    withdrawExam,
    republishMaterial,
    republishQuestion,
    republishExam,
    dismissRejected: (id: string) => sync.dismissRejected(id),
  }
})
