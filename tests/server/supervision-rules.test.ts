// The admin's settings for supervision (issue 13) on both databases: warning rules revised from a day
// forward with their versions kept, and the working calendar (holidays and 调休) that deadlines follow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays, dayInShanghai } from '~/domain/calendar'
import { DEFAULT_WARNING_RULES, warningRuleRowSchema, type WarningRule } from '~/domain/supervision'
import { loadWarningRules } from '~/server/features/supervision/rules'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, pullAll } from './sync-helpers'
import { at, ensureDefaults, issueArgs, outcome, send, storedNotice } from './supervision-helpers'

describe.each(databases)('warning rules and the working calendar on %s', (kind) => {
  let server: TestServer
  let admin: string
  let secretary: string

  beforeAll(async () => {
    server = await startServer(kind)
    await ensureDefaults(server)
    admin = await login(server.app, DEMO.admin)
    secretary = await login(server.app, DEMO.secretary)
  })
  afterAll(async () => {
    await server.close()
  })

  const revise = (args: unknown, cookie = admin) => send(server.app, cookie, 'warningRule.revise', args)
  const versionsOf = async (code: string) => (await server.withDb(loadWarningRules)).filter((r) => r.code === code)
  const message = (result: Awaited<ReturnType<typeof send>>) =>
    result.status === 'rejected' ? `${result.code}: ${result.message}` : 'applied'

  it('revises a rule from a day forward: the version in force ends the day before, history is kept', async () => {
    const today = dayInShanghai(new Date())
    const [tomorrow, later] = [addDays(today, 1), addDays(today, 5)]
    const v1 = DEFAULT_WARNING_RULES.find((r) => r.code === 'attendance-rate')!
    expect(await versionsOf('attendance-rate')).toEqual([v1])

    expect(
      outcome(await revise({ code: 'attendance-rate', from: tomorrow, change: { threshold: 70, name: '近一季度参会率不低于70%' } })),
    ).toBe('applied')
    const v2: WarningRule = { ...v1, version: 2, threshold: 70, name: '近一季度参会率不低于70%', activeFrom: tomorrow, activeTo: null }
    expect(await versionsOf('attendance-rate')).toEqual([{ ...v1, activeTo: today }, v2])

    // Corrected before it is in force: the same version; from a later day: a third, the second ending the day before.
    expect(outcome(await revise({ code: 'attendance-rate', from: tomorrow, change: { threshold: 75 } }))).toBe('applied')
    expect(outcome(await revise({ code: 'attendance-rate', from: later, change: { autoNotice: true } }))).toBe('applied')
    expect(await versionsOf('attendance-rate')).toEqual([
      { ...v1, activeTo: today },
      { ...v2, threshold: 75, activeTo: addDays(later, -1) },
      { ...v2, version: 3, threshold: 75, autoNotice: true, activeFrom: later },
    ])

    // Devices get every version, in the town's scope.
    const town = await pullAll(server.app, secretary, clientId())
    const rows = town.rows
    for (const version of [1, 2, 3])
      expect(warningRuleRowSchema.safeParse(rows.get(`warning_rules/attendance-rate@${version}`)).success).toBe(true)
    expect(rows.get('warning_rules/attendance-rate@1')).toMatchObject({ activeTo: today })
    expect(rows.get('warning_rules/attendance-rate@3')).toMatchObject({ id: 'attendance-rate@3', autoNotice: true, activeFrom: later })
  })

  it('refuses a change to the past, a rule that can never be met, a field the rule doesn’t have, and the same rule again', async () => {
    const today = dayInShanghai(new Date())
    const tomorrow = addDays(today, 1)
    const cases: [unknown, string | RegExp][] = [
      [
        { code: 'committee-monthly', from: addDays(today, -1), change: { minCount: 2 } },
        'invalid_args: 规则修改只能从今天或以后生效，不能改变已有的预警',
      ],
      [{ code: 'committee-monthly', from: tomorrow, change: { minCount: 5 } }, 'invalid_args: 每月最多要求 4 次'],
      [{ code: 'review-yearly', from: tomorrow, change: { period: 'month', minCount: 5 } }, 'invalid_args: 每月最多要求 4 次'],
      [{ code: 'attendance-rate', from: tomorrow, change: { threshold: 0 } }, 'invalid_args: 参会率门槛须在 1% 到 100% 之间'],
      [{ code: 'overdue-comments', from: tomorrow, change: { threshold: 51 } }, 'invalid_args: 超期留言数须在 0 到 50 之间'],
      [{ code: 'committee-monthly', from: tomorrow, change: { threshold: 50 } }, 'invalid_args: 该规则没有门槛，不能设置门槛'],
      [{ code: 'attendance-rate', from: tomorrow, change: { period: 'month' } }, 'invalid_args: 该规则不按周期检查，不能设置周期'],
      [{ code: 'committee-monthly', from: tomorrow, change: { minCount: 1, enabled: true } }, 'invalid_args: 修改后的规则与现行规则相同'],
      [{ code: 'no-such-rule', from: tomorrow, change: { minCount: 1 } }, 'not_found: 没有编号为 no-such-rule 的预警规则'],
      [{ code: 'committee-monthly', from: tomorrow, change: {} }, /^invalid_args: 提交的内容有误：.*没有要修改的内容$/],
      [{ code: 'committee-monthly', from: tomorrow, change: { name: '支委会\u0000每月一次' } }, /^invalid_args: .*含有无法保存的字符/],
      [{ code: 'committee-monthly', from: tomorrow, change: { name: '党'.repeat(41) } }, /^invalid_args: .*规则名称不超过40字$/],
    ]
    for (const [args, expected] of cases) expect(message(await revise(args)), JSON.stringify(args)).toMatch(expected)
    expect(message(await revise({ code: 'committee-monthly', from: tomorrow, change: { minCount: 2 } }, secretary))).toMatch(/^forbidden/)
    expect(await versionsOf('committee-monthly')).toHaveLength(1)
    // A version already in force today can't be rewritten from today: the next one starts tomorrow.
    expect(outcome(await revise({ code: 'committee-monthly', from: today, change: { minCount: 2 } }))).toBe('applied')
    expect(message(await revise({ code: 'committee-monthly', from: today, change: { minCount: 3 } }))).toBe(
      `invalid_args: 该规则已有从 ${today} 起生效的版本`,
    )
  })

  it('sets and resets a day of the working calendar, and new deadlines follow it (old ones stay)', async () => {
    await at('2027-03-01T10:00:00+08:00', async () => {
      const cookie = await login(server.app, DEMO.admin)
      const set = (day: string, kind: string | null, name = '') => send(server.app, cookie, 'workday.set', { day, kind, name })
      const deadline = async (workingDays: number) => {
        const args = issueArgs({ workingDays })
        expect(outcome(await send(server.app, cookie, 'rectification.issue', args))).toBe('applied')
        return storedNotice(server, args.id)
      }
      // Monday 1 March 2027, no holidays known that year: five working days is the next Monday.
      const plain = await deadline(5)
      expect(plain.deadline).toBe('2027-03-08')
      expect(plain.number).toMatch(/^整改〔2027〕\d+号$/)

      expect(outcome(await set('2027-03-03', 'holiday', '地方节日'))).toBe('applied')
      const withHoliday = await deadline(5)
      expect(withHoliday.deadline).toBe('2027-03-09')
      expect(outcome(await set('2027-03-06', 'workday', '调休上班'))).toBe('applied')
      // A Sunday among a holiday's days, as the State Council lists them (元旦 2026 ends on a Saturday).
      expect(outcome(await set('2027-03-07', 'holiday', '地方节日'))).toBe('applied')
      expect((await deadline(5)).deadline).toBe('2027-03-08')

      const member = await login(server.app, DEMO.member)
      const device = clientId()
      const seen = await pullAll(server.app, member, device)
      expect(seen.rows.get('workdays/2027-03-03')).toEqual({ id: '2027-03-03', kind: 'holiday', name: '地方节日' })
      expect(seen.rows.get('workdays/2027-03-06')).toEqual({ id: '2027-03-06', kind: 'workday', name: '调休上班' })
      expect(seen.rows.get('workdays/2027-03-07')).toEqual({ id: '2027-03-07', kind: 'holiday', name: '地方节日' })

      // Renamed in place, then back to what the weekday says; resetting a plain day changes nothing.
      expect(outcome(await set('2027-03-03', 'holiday', '植树节'))).toBe('applied')
      for (const day of ['2027-03-03', '2027-03-06', '2027-03-07', '2027-03-05']) expect(outcome(await set(day, null))).toBe('applied')
      const after = await pullAll(server.app, member, device, seen.cursor)
      expect(after.rows.has('workdays/2027-03-03')).toBe(false)
      expect(await server.withDb((db) => db.selectFrom('workdays').select('day').where('day', '>=', '2027-01-01').execute())).toEqual([])
      expect((await deadline(5)).deadline).toBe('2027-03-08')
      // A deadline already given doesn't move.
      expect((await storedNotice(server, withHoliday.id)).deadline).toBe('2027-03-09')

      const refused: [string, string | null, string, string | RegExp][] = [
        ['2027-02-28', 'holiday', '元宵节', 'invalid_args: 不能修改过去的日期'],
        ['2027-03-04', 'workday', '调休上班', 'invalid_args: 周一至周五本来就上班，无需设为调休上班'],
        ['2027-03-08', 'holiday', '  ', 'invalid_args: 请填写名称，如“国庆节”'],
        ['2027-03-08', 'holiday', '党'.repeat(21), /^invalid_args: .*名称不超过20字$/],
        ['2027-03-08', 'holiday', '假\u0000日', /^invalid_args: .*含有无法保存的字符/],
        ['2027-02-30', 'holiday', '不存在', /^invalid_args: .*日期不存在或超出合理范围$/],
      ]
      for (const [day, kind, name, expected] of refused)
        expect(message(await set(day, kind, name)), `${day} ${kind} ${name}`).toMatch(expected)
      expect(
        message(
          await send(server.app, await login(server.app, DEMO.secretary), 'workday.set', {
            day: '2027-03-08',
            kind: 'holiday',
            name: '假日',
          }),
        ),
      ).toMatch(/^forbidden/)
    })
  })
})
