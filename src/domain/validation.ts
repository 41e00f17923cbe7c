import { z } from 'zod'

// Every schema message defaults to Chinese: members, secretaries and the API's callers read zh-CN.
z.config(z.locales.zhCN())

export { z }

/** One line a person can read: `字段: 问题；字段: 问题`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? `${issue.path.join('.')}：` : ''
      return `${where}${issue.message}`
    })
    .join('；')
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string }

export function parseWith<T>(schema: z.ZodType<T>, input: unknown): Parsed<T> {
  const result = schema.safeParse(input)
  return result.success ? { ok: true, value: result.data } : { ok: false, message: describeIssues(result.error) }
}
