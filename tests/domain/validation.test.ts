import { describe, expect, it } from 'vitest'
import { describeIssues, parseWith, z } from '../../src/domain/validation'

const schema = z.object({
  name: z.string().check(z.minLength(1, '请输入姓名')),
  address: z.object({ city: z.string().check(z.minLength(1, '请输入城市')) }),
  tags: z.array(z.string().check(z.minLength(1, '标签不能为空'))),
})

function issuesOf(input: unknown, s: z.ZodMiniType = schema) {
  const result = s.safeParse(input)
  if (result.success) throw new Error('expected the input to be rejected')
  return result.error
}

describe('describeIssues', () => {
  it('writes one issue as `path：message` with a full-width colon', () => {
    expect(describeIssues(issuesOf({ name: '', address: { city: '杭州' }, tags: [] }))).toBe('name：请输入姓名')
  })

  it('joins nested paths and array indexes with dots', () => {
    expect(describeIssues(issuesOf({ name: '王', address: { city: '' }, tags: ['a', ''] }))).toBe(
      'address.city：请输入城市；tags.1：标签不能为空',
    )
  })

  it('joins several issues with a full-width semicolon, in the order they were found', () => {
    expect(describeIssues(issuesOf({ name: '', address: { city: '' }, tags: [] }))).toBe(
      'name：请输入姓名；address.city：请输入城市',
    )
  })

  it('leaves out the path prefix for a problem with the whole value', () => {
    const whole = z.string().check(z.refine((s) => s === 'ok', { message: '整体不对' }))
    expect(describeIssues(issuesOf('no', whole))).toBe('整体不对')
  })

  it('speaks Chinese for zod’s built-in messages', () => {
    expect(describeIssues(issuesOf({ name: 1, address: { city: '杭州' }, tags: [] }))).toMatch(/^name：无效输入/)
  })
})

describe('parseWith', () => {
  it('returns the parsed value when the input is valid', () => {
    const input = { name: '王', address: { city: '杭州' }, tags: ['x'] }
    expect(parseWith(schema, input)).toEqual({ ok: true, value: input })
  })

  it('returns the described issues when the input is invalid', () => {
    expect(parseWith(schema, { name: '', address: { city: '杭州' }, tags: [] })).toEqual({
      ok: false,
      message: 'name：请输入姓名',
    })
  })
})
