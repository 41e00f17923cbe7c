// Study materials (网上党校, 学习智库) and the study sessions a device records (issue 4).
import { instant, line, ref, text, z } from './validation'
import type { EventKind } from './points'

export const MATERIAL_CATEGORIES = ['党章党规', '组织生活', '乡村振兴', '为民服务', '党史故事', '政策解读', '安全与健康'] as const
export const MATERIAL_KINDS = ['article', 'audio', 'video'] as const
export type MaterialKind = (typeof MATERIAL_KINDS)[number]
export const MATERIAL_KIND_LABELS: Record<MaterialKind, string> = { article: '文章', audio: '音频', video: '视频' }

export const materialSchema = z.object({
  id: z.string().check(z.minLength(1)),
  column: z.enum(['school', 'library']),
  course: z.nullable(z.string()),
  lesson: z.nullable(z.int().check(z.minimum(1))),
  category: z.enum(MATERIAL_CATEGORIES),
  kind: z.enum(MATERIAL_KINDS),
  title: z.string().check(z.minLength(1), z.maxLength(80)),
  summary: z.string(),
  body: z.string(),
  media: z.nullable(z.object({ file: z.string().check(z.regex(/^[\w.-]+$/)), durationSeconds: z.int().check(z.minimum(1)) })),
  publishedAt: z.iso.datetime({ offset: true }),
})
export type Material = z.infer<typeof materialSchema>

export const courseSchema = z.object({ id: z.string(), title: z.string(), summary: z.string(), order: z.int() })
export type Course = z.infer<typeof courseSchema>

export const QUESTION_TYPES = ['single', 'multiple', 'judge'] as const

/** A quiz question as the seed files and the server hold it; the answer key never goes to devices before grading. */
export const questionSchema = z
  .object({
    id: ref(64),
    category: z.enum(MATERIAL_CATEGORIES),
    type: z.enum(QUESTION_TYPES),
    stem: text({ min: 1, max: 300, tooLong: '题干不超过300字' }),
    options: z.array(text({ min: 1, max: 100, tooLong: '选项不超过100字' })).check(z.minLength(2), z.maxLength(6)),
    answer: z.array(z.int().check(z.minimum(0), z.maximum(5))).check(z.minLength(1), z.maxLength(6)),
    explanation: text({ max: 500, tooLong: '解析不超过500字' }),
    materialId: z.nullable(ref()),
  })
  .check(
    z.refine((q) => q.answer.every((i) => i < q.options.length), { message: '答案超出选项范围', path: ['answer'] }),
    z.refine((q) => (q.type === 'multiple' ? q.answer.length >= 2 : q.answer.length === 1), {
      message: '单选和判断题只有一个答案，多选题至少两个',
      path: ['answer'],
    }),
  )
export type Question = z.infer<typeof questionSchema>

export const studyRecordArgsSchema = z.object({
  sessionId: z.string().check(z.regex(/^[0-9a-f-]{36}$/i, 'sessionId 应为 UUID')),
  materialId: ref(),
  startedAt: instant(),
  endedAt: instant(),
  activeSeconds: z.int().check(z.minimum(0), z.maximum(24 * 3600)),
  completed: z.boolean(),
})
export type StudyRecordArgs = z.infer<typeof studyRecordArgsSchema>

/** How far ahead of the server's clock a device may be, and how long a device may stay offline. */
export const CLOCK_SKEW_MS = 5 * 60_000
export const OFFLINE_WINDOW_MS = 30 * 86_400_000
/** Slack for timers that round up, and for media replayed in part. */
const ACTIVE_SLACK_SECONDS = 5
const MEDIA_SLACK = 1.1

export function studyEventKind(material: Pick<Material, 'kind'>): EventKind {
  return material.kind === 'article' ? 'study.article' : 'study.media'
}

export interface StudyRejection {
  code: 'clock' | 'impossible_time' | 'overlap'
  message: string
}

/** Why a recorded study session cannot be true, or null when it can. `now` is the server's clock. */
export function checkStudySession(
  session: Pick<StudyRecordArgs, 'startedAt' | 'endedAt' | 'activeSeconds'>,
  material: Pick<Material, 'kind' | 'media'>,
  now: Date,
  otherSessions: readonly { startedAt: string; endedAt: string }[],
): StudyRejection | null {
  const started = Date.parse(session.startedAt)
  const ended = Date.parse(session.endedAt)
  if (ended > now.getTime() + CLOCK_SKEW_MS) return { code: 'clock', message: '学习结束时间晚于当前时间，请检查手机时间' }
  if (started < now.getTime() - OFFLINE_WINDOW_MS) return { code: 'clock', message: '学习记录超过30天未同步，已无法计分' }
  if (ended < started) return { code: 'impossible_time', message: '学习结束时间早于开始时间' }
  const elapsed = (ended - started) / 1000
  if (session.activeSeconds > elapsed + ACTIVE_SLACK_SECONDS)
    return { code: 'impossible_time', message: '有效学习时长超过了实际经过的时间' }
  if (material.media && session.activeSeconds > material.media.durationSeconds * MEDIA_SLACK + ACTIVE_SLACK_SECONDS) {
    return { code: 'impossible_time', message: '收听收看时长超过了音视频本身的长度' }
  }
  const overlaps = otherSessions.some((o) => Date.parse(o.startedAt) < ended && started < Date.parse(o.endedAt))
  if (overlaps) return { code: 'overlap', message: '这段学习时间与另一条学习记录重叠' }
  return null
}

/** What the admin writes to publish or edit a material; the server stamps `publishedAt` the first time. */
export const materialDraftSchema = z
  .extend(z.omit(materialSchema, { publishedAt: true }), {
    id: z.string().check(z.regex(/^[\w-]{1,64}$/, '资料编号只能用字母、数字、连字符')),
    course: z.nullable(ref(64)),
    // Bounded: the columns are 32-bit integers on PostgreSQL.
    lesson: z.nullable(z.int().check(z.minimum(1), z.maximum(1000))),
    media: z.nullable(
      z.object({ file: z.string().check(z.regex(/^[\w.-]{1,200}$/)), durationSeconds: z.int().check(z.minimum(1), z.maximum(24 * 3600)) }),
    ),
    title: line({ trim: true, min: 2, max: 80, tooShort: '请填写标题（至少2个字）', tooLong: '标题不超过80字' }),
    summary: text({ trim: true, max: 200, tooLong: '摘要不超过200字' }),
    body: text({ max: 50_000, tooLong: '正文不超过5万字' }),
  })
  .check(
    z.refine((m) => (m.column === 'school' ? m.course !== null && m.lesson !== null : m.course === null && m.lesson === null), {
      message: '网上党校的资料须选择课程和课次；学习智库的资料不属于课程',
      path: ['course'],
    }),
    z.refine((m) => (m.kind === 'article') === (m.media === null), { message: '音频和视频须有媒体文件和时长，文章没有', path: ['media'] }),
    z.refine((m) => m.kind !== 'article' || m.body.trim().length >= 10, { message: '文章正文至少10个字', path: ['body'] }),
  )
export type MaterialDraft = z.infer<typeof materialDraftSchema>

export const materialSaveArgsSchema = z.object({ material: materialDraftSchema })
export const materialWithdrawArgsSchema = z.object({ materialId: ref() })
export const questionSaveArgsSchema = z.object({ question: questionSchema })
export const questionWithdrawArgsSchema = z.object({ questionId: ref() })

/** A member's progress on one material (private, keyed by the material's id): what 网上党校 shows per lesson. */
export const studyProgressRowSchema = z.object({
  id: z.string(),
  activeSeconds: z.int(),
  completed: z.boolean(),
  lastStudiedAt: z.string(),
})
export type StudyProgressRow = z.infer<typeof studyProgressRowSchema>
