import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { api, ApiError } from '../api/client'
import { useSyncStore } from './sync'
import type { OutboxRow } from '../db'
import {
  materialDraftSchema,
  materialSaveArgsSchema,
  materialWithdrawArgsSchema,
  questionSaveArgsSchema,
  questionSchema,
  questionWithdrawArgsSchema,
  type Course,
  type Material,
  type MaterialDraft,
  type Question,
} from '../../domain/study'
import { examSaveArgsSchema, examSchema, examWithdrawArgsSchema, type Exam, type ExamRow } from '../../domain/quiz'
import { parseWith, type z } from '../../domain/validation'

export type ContentStatus = 'published' | 'withdrawn'

/** What `GET /api/admin/content` answers: everything the admin edits, withdrawn rows and answer keys included. */
export interface AdminContentReply {
  courses: Course[]
  materials: (Material & { status: ContentStatus })[]
  questions: (Question & { status: ContentStatus })[]
  exams: (ExamRow & { status: ContentStatus })[]
}

/** A row as the admin sees it: the server's, or the admin's own change not yet confirmed (`pending`, shown as 待同步). */
export type Listed<T> = T & { status: ContentStatus; pending: boolean }
export type AdminMaterial = Listed<Material>
export type AdminQuestion = Listed<Question>
export type AdminExam = Listed<ExamRow>

export interface AdminContent {
  courses: Course[]
  materials: AdminMaterial[]
  questions: AdminQuestion[]
  exams: AdminExam[]
}

export const CONTENT_MUTATIONS = ['material.save', 'material.withdraw', 'question.save', 'question.withdraw', 'exam.save', 'exam.withdraw'] as const
export const isContentMutation = (name: string) => (CONTENT_MUTATIONS as readonly string[]).includes(name)

export const OFFLINE_MESSAGE = '内容管理需要联网：资料、题库和考试从服务器读取。请联网后重试。'

/** A short random id with a prefix (`m-`, `q-`, `e-`): 8 lowercase letters and digits. */
export function newContentId(prefix: 'm' | 'q' | 'e'): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'
  const bytes = crypto.getRandomValues(new Uint8Array(8))
  return `${prefix}-${Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')}`
}

function upsert<T extends { id: string }>(rows: T[], row: T, atStart: boolean): T[] {
  const index = rows.findIndex((r) => r.id === row.id)
  if (index < 0) return atStart ? [row, ...rows] : [...rows, row]
  const next = [...rows]
  next[index] = row
  return next
}

function mark<T extends { id: string; status: ContentStatus; pending: boolean }>(rows: T[], id: string, status: ContentStatus, pending: boolean): T[] {
  return rows.map((r) => (r.id === id ? { ...r, status, pending } : r))
}

/**
 * The server's content with the admin's own changes laid over it, in outbox order: what it will be once they
 * sync. `pending` says whether a row's change is still waiting (待同步) or only waiting for the list to reload.
 */
export function overlayContent(server: AdminContentReply, changes: readonly (Pick<OutboxRow, 'name' | 'args' | 'clientTime'> & { pending: boolean })[]): AdminContent {
  let materials: AdminMaterial[] = server.materials.map((m) => ({ ...m, pending: false }))
  let questions: AdminQuestion[] = server.questions.map((q) => ({ ...q, pending: false }))
  let exams: AdminExam[] = server.exams.map((e) => ({ ...e, pending: false }))
  for (const change of changes) {
    switch (change.name) {
      case 'material.save': {
        const args = materialSaveArgsSchema.safeParse(change.args)
        if (!args.success) break
        const before = materials.find((m) => m.id === args.data.material.id)
        const publishedAt = before?.status === 'published' ? before.publishedAt : change.clientTime
        materials = upsert(materials, { ...args.data.material, publishedAt, status: 'published', pending: change.pending }, true)
        break
      }
      case 'material.withdraw': {
        const args = materialWithdrawArgsSchema.safeParse(change.args)
        if (args.success) materials = mark(materials, args.data.materialId, 'withdrawn', change.pending)
        break
      }
      case 'question.save': {
        const args = questionSaveArgsSchema.safeParse(change.args)
        if (args.success) questions = upsert(questions, { ...args.data.question, status: 'published', pending: change.pending }, false)
        break
      }
      case 'question.withdraw': {
        const args = questionWithdrawArgsSchema.safeParse(change.args)
        if (args.success) questions = mark(questions, args.data.questionId, 'withdrawn', change.pending)
        break
      }
      case 'exam.save': {
        const args = examSaveArgsSchema.safeParse(change.args)
        if (!args.success) break
        const before = exams.find((e) => e.id === args.data.exam.id)
        const publishedAt = before?.status === 'published' ? before.publishedAt : change.clientTime
        exams = upsert(exams, { ...args.data.exam, publishedAt, status: 'published', pending: change.pending }, true)
        break
      }
      case 'exam.withdraw': {
        const args = examWithdrawArgsSchema.safeParse(change.args)
        if (args.success) exams = mark(exams, args.data.examId, 'withdrawn', change.pending)
        break
      }
    }
  }
  return { courses: server.courses, materials, questions, exams }
}

/** What a form sends again to republish a withdrawn row (or to save an edited one). */
export function materialDraftOf(m: Material): MaterialDraft {
  return { id: m.id, column: m.column, course: m.course, lesson: m.lesson, category: m.category, kind: m.kind, title: m.title, summary: m.summary, body: m.body, media: m.media }
}
export function questionOf(q: Question): Question {
  return { id: q.id, category: q.category, type: q.type, stem: q.stem, options: [...q.options], answer: [...q.answer], explanation: q.explanation, materialId: q.materialId }
}
export function examOf(e: Exam): Exam {
  return { id: e.id, title: e.title, summary: e.summary, questionIds: [...e.questionIds], passMark: e.passMark, opensOn: e.opensOn, closesOn: e.closesOn }
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

  const waiting = computed(() => sync.pending.filter((row) => isContentMutation(row.name)))
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

  // Once the server has answered for one of the admin's changes (it left the outbox), read the list again.
  watch(waiting, (now, before) => {
    const still = new Set(now.map((row) => row.id))
    const gone = before.filter((row) => !still.has(row.id))
    if (gone.length === 0) return
    sent.value = [...sent.value, ...gone]
    void load()
  })

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
