import type { z } from '~/domain/validation'

export type FieldErrors = Record<string, string>

interface Issue {
  path: readonly PropertyKey[]
  code: string
  message: string
}

/**
 * Checks `value` with `schema` and returns the first Chinese message for each field, keyed by its path
 * (`title`, `media.file`, `options.2`), so each message can be shown next to its field. `reword` gives a
 * plainer message for the schema's generic ones (“数值过小：期望 string >=1 字符”).
 */
export function fieldErrors<T>(
  schema: z.ZodMiniType<T>,
  value: unknown,
  reword: (key: string, issue: Issue) => string | undefined = () => undefined,
) {
  const result = schema.safeParse(value)
  if (result.success) return { ok: true as const, value: result.data, errors: {} as FieldErrors }
  const errors: FieldErrors = {}
  for (const issue of result.error.issues) {
    const key = issue.path.map(String).join('.') || 'form'
    errors[key] ??= reword(key, issue) ?? issue.message
  }
  return { ok: false as const, errors }
}
