// zod/mini: the same schemas and messages as zod, at a fraction of the bytes a phone must download first.
import { z } from 'zod/mini'
import { zhCN } from 'zod/locales'
import { isCalendarDay } from './calendar'

// Every schema message defaults to Chinese: members, secretaries and the API's callers read zh-CN.
z.config(zhCN())

export { z }

/**
 * One line a person can read: `字段：问题；字段：问题`. A path may hold a key the sender chose (a record's):
 * it is cut short and cleaned, since the message is stored and shown.
 */
export function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? `${issue.path.map(pathPart).join('.')}：` : ''
      return `${where}${issue.message}`
    })
    .join('；')
}

function pathPart(key: PropertyKey): string {
  const part = String(key).replace(UNSTORABLE_ALL, '\uFFFD').replace(NOT_ONE_LINE_ALL, '')
  return part.length > 40 ? `${part.slice(0, 40)}…` : part
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string }

export function parseWith<T>(schema: z.ZodMiniType<T>, input: unknown): Parsed<T> {
  const result = schema.safeParse(input)
  return result.success ? { ok: true, value: result.data } : { ok: false, message: describeIssues(result.error) }
}

// ------------------------------------------------------------------------------------------ free text

/**
 * What no text field takes: NUL (PostgreSQL refuses it: the whole push would fail), the other control
 * characters but tab and line breaks, and lone UTF-16 surrogates (JSON can carry `\ud800`; it is no
 * character, and UTF-8 storage would silently turn it into U+FFFD).
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSTORABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/
/**
 * What a single-line field (a name, a title, a place, an id) also refuses: tabs and line breaks, and the
 * bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069), with which a
 * name or title displays as other text (U+202E reverses what follows). Longer free text keeps them: it is
 * shown as its own paragraph, where an override ends with the text.
 */
const NOT_ONE_LINE = /[\t\n\r\u202a-\u202e\u2066-\u2069]/
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g')
const NOT_ONE_LINE_ALL = new RegExp(NOT_ONE_LINE.source, 'g')

export const TEXT_MESSAGES = {
  unstorable: '含有无法保存的字符（控制字符或残缺的字符）',
  notOneLine: '不能包含换行或文字方向控制字符',
} as const

export interface TextOptions {
  /** The longest allowed, in UTF-16 code units (what zod and the app's counters measure). Every text field has one. */
  max: number
  /** The shortest allowed (after trimming, when trimmed); 0 by default. */
  min?: number
  /** Trims spaces around what a person typed before the other checks. */
  trim?: boolean
  tooShort?: string
  tooLong?: string
}

function textChecks(options: TextOptions): z.core.$ZodCheck<string>[] {
  const { max, min = 0, trim = false, tooShort, tooLong } = options
  return [
    ...(trim ? [z.trim()] : []),
    ...(min > 0 ? [z.minLength(min, tooShort)] : []),
    z.maxLength(max, tooLong),
    z.refine<string>((s) => !UNSTORABLE.test(s), TEXT_MESSAGES.unstorable),
  ]
}

/** Free text that may run over several lines: a comment, minutes, an article's body. */
export function text(options: TextOptions) {
  return z.string().check(...textChecks(options))
}

/** A single line: a name, a title, a place, a reason. */
export function line(options: TextOptions) {
  return z.string().check(
    ...textChecks(options),
    z.refine<string>((s) => !NOT_ONE_LINE.test(s), TEXT_MESSAGES.notOneLine),
  )
}

/** An id naming something stored (a member, a meeting, a comment): one line, never empty, at most `max` long. */
export function ref(max = 128, tooShort?: string) {
  return line({ min: 1, max, tooShort })
}

// -------------------------------------------------------------------------------------------- instants

/** Instants a device may send: anything outside is a forged or broken clock, not a date to store. */
export const INSTANT_RANGE = { from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' } as const
const INSTANT_FROM = Date.parse(INSTANT_RANGE.from)
const INSTANT_TO = Date.parse(INSTANT_RANGE.to)

/**
 * An ISO-8601 instant with its offset (`Z` or `±hh:mm`), normalised to UTC (`2026-05-01T11:30:00.000Z`).
 * The server stores and compares instants as text, so the same moment must always be written the same way:
 * else `…+08:00` and `…Z` for one moment sort apart and rules on overlaps are bypassed.
 * Within `INSTANT_RANGE` unless `anyYear`: for what a phone's clock says of itself (`clientTime`, `sentAt`),
 * which may be years off, and must not make the whole push a 400 that no retry gets through.
 */
export function instant(message = '时间格式不正确（应为带时区的 ISO 时间）', options: { anyYear?: boolean } = {}) {
  return z.iso.datetime({ offset: true, message }).check(
    z.refine(
      (s) => {
        const t = Date.parse(s)
        return Number.isFinite(t) && (options.anyYear === true || (t >= INSTANT_FROM && t < INSTANT_TO))
      },
      // Only once the format is right: a garbled time gets one message, not two.
      { message: '时间超出合理范围', when: (payload) => payload.issues.length === 0 },
    ),
    z.overwrite((s) => {
      const t = Date.parse(s)
      return Number.isNaN(t) ? s : new Date(t).toISOString()
    }),
  )
}

// ------------------------------------------------------------------------------------------------- days

/**
 * A calendar day `YYYY-MM-DD` a device sends (a return date, an exam's days, a rule's first day): a day
 * that exists, within the years instants may be in. `2026-02-30` would be rolled over or be unreadable
 * by date arithmetic later, and compared as text it sorts where no real day does.
 */
export function calendarDay(message = '日期格式应为 YYYY-MM-DD') {
  return z.string().check(
    z.regex(/^\d{4}-\d{2}-\d{2}$/, message),
    z.refine((day) => isCalendarDay(day) && day >= INSTANT_RANGE.from.slice(0, 10) && day < INSTANT_RANGE.to.slice(0, 10), {
      message: '日期不存在或超出合理范围',
      when: (payload) => payload.issues.length === 0,
    }),
  )
}
