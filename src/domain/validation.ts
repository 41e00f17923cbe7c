// zod/mini: the same schemas and messages as zod, at a fraction of the bytes a phone must download first.
import { z } from 'zod/mini'
import { zhCN } from 'zod/locales'

// Every schema message defaults to Chinese: members, secretaries and the API's callers read zh-CN.
z.config(zhCN())

export { z }

/** One line a person can read: `字段：问题；字段：问题`. */
export function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}：` : ''
      return `${where}${issue.message}`
    })
    .join('；')
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string }

export function parseWith<T>(schema: z.ZodMiniType<T>, input: unknown): Parsed<T> {
  const result = schema.safeParse(input)
  return result.success ? { ok: true, value: result.data } : { ok: false, message: describeIssues(result.error) }
}
