import { describe, expect, it } from 'vitest'
import { describeIssues, instant, line, parseWith, ref, text, TEXT_MESSAGES, z } from '~/domain/validation'
import { MUTATIONS } from '~/domain/mutations'

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
    expect(describeIssues(issuesOf({ name: '', address: { city: '' }, tags: [] }))).toBe('name：请输入姓名；address.city：请输入城市')
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

describe('text fields', () => {
  const comment = text({ trim: true, min: 1, max: 10, tooShort: '请填写内容', tooLong: '内容不超过10字' })
  const title = line({ trim: true, min: 2, max: 10, tooShort: '请填写标题', tooLong: '标题不超过10字' })
  const messageOf = (schema: z.ZodMiniType, input: unknown) => {
    const parsed = parseWith(schema, input)
    return parsed.ok ? null : parsed.message
  }

  it('refuses a NUL anywhere, which PostgreSQL cannot store', () => {
    expect(messageOf(comment, 'ab\u0000c')).toBe(TEXT_MESSAGES.unstorable)
    expect(messageOf(title, '\u0000标题')).toBe(TEXT_MESSAGES.unstorable)
    expect(messageOf(ref(), 'u-1\u0000')).toBe(TEXT_MESSAGES.unstorable)
  })

  it('refuses lone surrogates at the start, middle and end, and keeps real astral characters', () => {
    for (const bad of ['\ud800', 'a\ud800b', 'a\udc00', '\udc00a', 'a\udfff\ud800'])
      expect(messageOf(comment, bad)).toBe(TEXT_MESSAGES.unstorable)
    expect(messageOf(comment, '点赞👍🏻')).toBeNull()
    expect(messageOf(comment, '𠮷野家')).toBeNull()
  })

  it('refuses control characters but keeps line breaks and tabs in free text', () => {
    expect(messageOf(comment, 'a\u0007b')).toBe(TEXT_MESSAGES.unstorable)
    expect(messageOf(comment, 'a\u007fb')).toBe(TEXT_MESSAGES.unstorable)
    expect(parseWith(comment, '一、学习\r\n二、讨论\t')).toEqual({ ok: true, value: '一、学习\r\n二、讨论' })
  })

  it('keeps a single-line field to one line with no direction overrides (names, titles, ids)', () => {
    for (const bad of ['两行\n标题', '标\t题', 'abc\u202edcba', '\u2066隔离\u2069', '\u202a嵌入\u202c']) {
      expect(messageOf(title, bad)).toBe(TEXT_MESSAGES.notOneLine)
    }
    // In free text an override stays inside its own paragraph; it is kept.
    expect(messageOf(comment, 'abc\u202edcba')).toBeNull()
  })

  it('measures the length after trimming and gives the field’s own messages', () => {
    expect(parseWith(title, '  会议  ')).toEqual({ ok: true, value: '会议' })
    expect(messageOf(title, '  会  ')).toBe('请填写标题')
    expect(messageOf(comment, 'x'.repeat(11))).toBe('内容不超过10字')
  })

  it('refuses a 1 MB string by its maximum, in a free-text field and an id', () => {
    const huge = '党'.repeat(1 << 20)
    expect(messageOf(comment, huge)).toBe('内容不超过10字')
    expect(messageOf(ref(), huge)).toMatch(/128/)
  })
})

describe('instants', () => {
  const at = instant()
  const valueOf = (input: unknown) => {
    const parsed = parseWith(at, input)
    return parsed.ok ? parsed.value : null
  }

  it('normalises any offset to UTC with milliseconds, so one moment is always the same text', () => {
    expect(valueOf('2026-05-01T19:30:00+08:00')).toBe('2026-05-01T11:30:00.000Z')
    expect(valueOf('2026-05-01T11:30:00Z')).toBe('2026-05-01T11:30:00.000Z')
    expect(valueOf('2026-05-01T06:30:00-05:00')).toBe('2026-05-01T11:30:00.000Z')
    expect(valueOf('2026-05-01T11:30:00.5Z')).toBe('2026-05-01T11:30:00.500Z')
    // Across midnight: the UTC text has another date, the instant is the same.
    expect(valueOf('2026-05-02T01:00:00+08:00')).toBe('2026-05-01T17:00:00.000Z')
  })

  it('refuses a time without an offset (whose zone is a guess), garbage and other types', () => {
    for (const bad of ['2026-05-01T19:30:00', '2026-05-01', '19:30', 'yesterday', '', 1746099000000, null]) expect(valueOf(bad)).toBeNull()
  })

  it('refuses impossible dates', () => {
    expect(valueOf('2026-02-30T00:00:00Z')).toBeNull()
    expect(valueOf('2026-13-01T00:00:00Z')).toBeNull()
  })

  it('refuses years far in the future or past (a forged or broken clock), with one message', () => {
    for (const far of [
      '+275760-09-13T00:00:00Z',
      '9999-12-31T23:59:59Z',
      '2100-01-01T00:00:00Z',
      '1999-12-31T23:59:59Z',
      '0000-01-01T00:00:00Z',
    ]) {
      expect(valueOf(far)).toBeNull()
    }
    expect(parseWith(at, '9999-12-31T23:59:59Z')).toEqual({ ok: false, message: '时间超出合理范围' })
    expect(parseWith(at, 'garbage')).toEqual({ ok: false, message: '时间格式不正确（应为带时区的 ISO 时间）' })
  })

  it('takes any year for what a phone says of its own clock', () => {
    expect(parseWith(instant(undefined, { anyYear: true }), '1970-01-01T08:00:00+08:00')).toEqual({
      ok: true,
      value: '1970-01-01T00:00:00.000Z',
    })
  })

  it('is what every instant in every mutation’s arguments goes through', () => {
    const study = MUTATIONS['study.record'].args.safeParse({
      sessionId: '3f1c2a4e-1b2c-4d3e-8f9a-0b1c2d3e4f5a',
      materialId: 'm1',
      startedAt: '2026-05-01T19:00:00+08:00',
      endedAt: '2026-05-01T06:30:00-05:00',
      activeSeconds: 600,
      completed: false,
    })
    expect(study.data).toMatchObject({ startedAt: '2026-05-01T11:00:00.000Z', endedAt: '2026-05-01T11:30:00.000Z' })
    expect(
      MUTATIONS['quiz.submit'].args.safeParse({ quizId: 'daily:2026-05-01', answers: {}, submittedAt: '2026-05-01T20:00:00+08:00' }).data
        ?.submittedAt,
    ).toBe('2026-05-01T12:00:00.000Z')
    expect(
      MUTATIONS['meeting.checkin'].args.safeParse({ meetingId: 'm', token: 'DJY1.m.1.abcdef', scannedAt: '2026-05-01T20:00:00+08:00' }).data
        ?.scannedAt,
    ).toBe('2026-05-01T12:00:00.000Z')
  })
})

describe('describeIssues with keys the sender chose', () => {
  it('cleans and shortens a record key in the path, so the stored message is storable', () => {
    const answers = z.record(ref(8), z.int())
    const message = describeIssues(answers.safeParse({ ['k\u0000'.repeat(50)]: 'x' }).error!)
    expect(message.includes('\u0000')).toBe(false)
    expect(message.split('：')[0]!.length).toBeLessThanOrEqual(41)
  })
})

describe('every mutation’s arguments', () => {
  // A walk over the schemas' definitions: each string a device can send must be bounded, by a maximum
  // length, a format (an ISO time) or an anchored pattern with bounded repeats. A new mutation (or field)
  // declared with a bare `z.string()` fails here.
  type Def = { type: string; [key: string]: unknown }
  type Node = { _zod: { def: Def } }
  type CheckDef = { check: string; maximum?: number; format?: string; pattern?: RegExp }

  function strings(node: Node, path: string, out: { path: string; def: Def }[]): void {
    const def = node._zod.def
    const inner = (key: string) => def[key] as Node
    switch (def.type) {
      case 'object':
        for (const [key, child] of Object.entries(def.shape as Record<string, Node>)) strings(child, `${path}.${key}`, out)
        break
      case 'array':
        strings(inner('element'), `${path}[]`, out)
        break
      case 'optional':
      case 'nullable':
      case 'default':
      case 'readonly':
        strings(inner('innerType'), path, out)
        break
      case 'record':
        strings(inner('keyType'), `${path}{key}`, out)
        strings(inner('valueType'), `${path}{}`, out)
        break
      case 'union':
        ;(def.options as Node[]).forEach((option, i) => strings(option, `${path}|${i}`, out))
        break
      case 'pipe':
        strings(inner('in'), path, out)
        break
      case 'string':
        out.push({ path, def })
        break
      case 'enum':
      case 'literal':
      case 'number':
      case 'int':
      case 'boolean':
        break
      default:
        throw new Error(`${path}: a ${def.type} the walk doesn't know; teach it`)
    }
  }

  const bounded = (def: Def) => {
    if (typeof def.format === 'string') return true
    const checks = ((def.checks ?? []) as { _zod: { def: CheckDef } }[]).map((c) => c._zod.def)
    return checks.some(
      (c) =>
        (c.check === 'max_length' && c.maximum! <= 50_000) ||
        (c.check === 'string_format' &&
          c.pattern instanceof RegExp &&
          /^\^.*\$$/.test(c.pattern.source) &&
          !/[+*]|\{\d+,\}/.test(c.pattern.source)),
    )
  }

  it('bound every string they hold', () => {
    const all = Object.entries(MUTATIONS).flatMap(([name, d]) => {
      const out: { path: string; def: Def }[] = []
      strings(d.args as unknown as Node, name, out)
      return out
    })
    expect(all.length).toBeGreaterThan(80)
    expect(all.filter((s) => !bounded(s.def)).map((s) => s.path)).toEqual([])
  })
})
