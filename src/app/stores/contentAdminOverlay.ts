// 内容管理's overlay (issue 9): the content the server answered online, with the admin's own saves and
// withdrawals laid over it in outbox order. It re-runs what the server will do with each (an edit keeps
// its publishing date, a republish is new, a withdrawal hides the row) because the list is read from the
// server only now and then: the admin sees what it will be, at once, offline too.
import type { Course, Material, Question } from '~/domain/study'
import type { ExamRow } from '~/domain/quiz'
import { pendingOf, type NamedArgs, type OutboxEntry } from '../sync/pending'

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

export const CONTENT_MUTATIONS = [
  'material.save',
  'material.withdraw',
  'question.save',
  'question.withdraw',
  'exam.save',
  'exam.withdraw',
] as const
export const isContentMutation = (name: string) => (CONTENT_MUTATIONS as readonly string[]).includes(name)

function upsert<T extends { id: string }>(rows: T[], row: T, atStart: boolean): T[] {
  const index = rows.findIndex((r) => r.id === row.id)
  if (index < 0) return atStart ? [row, ...rows] : [...rows, row]
  const next = [...rows]
  next[index] = row
  return next
}

function mark<T extends { id: string; status: ContentStatus; pending: boolean }>(
  rows: T[],
  id: string,
  status: ContentStatus,
  pending: boolean,
): T[] {
  return rows.map((r) => (r.id === id ? { ...r, status, pending } : r))
}

/** A row published before keeps its date; one new or withdrawn is (re)published at the change's time. */
const publishedAtOf = (before: { status: ContentStatus; publishedAt: string } | undefined, clientTime: string) =>
  before?.status === 'published' ? before.publishedAt : clientTime

/**
 * The server's content with the admin's own changes laid over it, in outbox order: what it will be once they
 * sync. `pending` says whether a row's change is still waiting (待同步) or only waiting for the list to reload.
 */
export function overlayContent(
  server: AdminContentReply,
  changes: readonly (NamedArgs & Pick<OutboxEntry, 'clientTime'> & { pending: boolean })[],
): AdminContent {
  let materials: AdminMaterial[] = server.materials.map((m) => ({ ...m, pending: false }))
  let questions: AdminQuestion[] = server.questions.map((q) => ({ ...q, pending: false }))
  let exams: AdminExam[] = server.exams.map((e) => ({ ...e, pending: false }))
  for (const change of pendingOf(changes, ...CONTENT_MUTATIONS)) {
    const { pending, clientTime } = change
    switch (change.name) {
      case 'material.save': {
        const publishedAt = publishedAtOf(
          materials.find((m) => m.id === change.args.material.id),
          clientTime,
        )
        materials = upsert(materials, { ...change.args.material, publishedAt, status: 'published', pending }, true)
        break
      }
      case 'material.withdraw':
        materials = mark(materials, change.args.materialId, 'withdrawn', pending)
        break
      case 'question.save':
        questions = upsert(questions, { ...change.args.question, status: 'published', pending }, false)
        break
      case 'question.withdraw':
        questions = mark(questions, change.args.questionId, 'withdrawn', pending)
        break
      case 'exam.save': {
        const publishedAt = publishedAtOf(
          exams.find((e) => e.id === change.args.exam.id),
          clientTime,
        )
        exams = upsert(exams, { ...change.args.exam, publishedAt, status: 'published', pending }, true)
        break
      }
      case 'exam.withdraw':
        exams = mark(exams, change.args.examId, 'withdrawn', pending)
        break
    }
  }
  return { courses: server.courses, materials, questions, exams }
}
