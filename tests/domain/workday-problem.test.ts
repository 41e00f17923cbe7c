// What the working calendar accepts (issue 13): the server refuses these and the app neither offers nor
// shows them. One function in the domain, so the two can't drift apart.
import { describe, expect, it } from 'vitest'
import { workdayProblem, type WorkdaySetArgs } from '~/domain/supervision'

const TODAY = '2026-12-04' // a Friday
const set = (day: string, kind: WorkdaySetArgs['kind'], name = '元旦') => workdayProblem({ day, kind, name }, TODAY)

describe('workdayProblem', () => {
  it('takes next year’s 元旦 as the State Council publishes it, its Saturday and Sunday included', () => {
    // 2027: 1月1日 周五 to 3日 周日 off.
    for (const day of ['2027-01-01', '2027-01-02', '2027-01-03']) expect(set(day, 'holiday'), day).toBeNull()
    expect(set('2026-12-05', 'holiday', '地方节日')).toBeNull() // a Saturday, today's week
    expect(set(TODAY, 'holiday', '地方节日')).toBeNull() // today itself
  })

  it('takes a weekend day worked and a day set back to its weekday', () => {
    expect(set('2027-02-06', 'workday', '春节调休上班')).toBeNull() // a Saturday
    expect(set('2027-02-07', 'workday', '春节调休上班')).toBeNull() // a Sunday
    expect(set('2027-01-04', null, '')).toBeNull()
  })

  it('refuses a weekday 调休, a past day and a nameless one', () => {
    expect(set('2027-01-04', 'workday', '调休上班')).toBe('周一至周五本来就上班，无需设为调休上班') // a Monday
    expect(set('2026-12-03', 'holiday')).toBe('不能修改过去的日期')
    expect(set('2026-12-03', null, '')).toBe('不能修改过去的日期')
    expect(set('2027-01-01', 'holiday', '')).toBe('请填写名称，如“国庆节”')
  })
})
