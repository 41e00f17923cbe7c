import { describe, expect, it } from 'vitest'
import { shanghaiTime } from '~/domain/calendar'
import {
  addPeriods,
  halfPassed,
  inPeriod,
  periodAt,
  periodDays,
  periodHalfDay,
  periodKind,
  periodLabel,
  periodOf,
  periodRange,
  previousPeriod,
} from '~/domain/periods'

describe('supervision periods (Asia/Shanghai)', () => {
  it('names the month, quarter and year of a day', () => {
    expect(periodOf('month', '2026-11-30')).toBe('2026-11')
    expect(periodOf('quarter', '2026-11-30')).toBe('2026-Q4')
    expect(periodOf('quarter', '2026-10-01')).toBe('2026-Q4')
    expect(periodOf('quarter', '2026-09-30')).toBe('2026-Q3')
    expect(periodOf('year', '2026-11-30')).toBe('2026')
    expect(periodKind('2026-11')).toBe('month')
    expect(periodKind('2026-Q4')).toBe('quarter')
    expect(periodKind('2026')).toBe('year')
    expect(() => periodKind('2026-Q5')).toThrow()
  })

  it('gives each period its first and last days, both included', () => {
    expect(periodRange('2026-11')).toEqual({ from: '2026-11-01', to: '2026-11-30' })
    expect(periodRange('2028-02')).toEqual({ from: '2028-02-01', to: '2028-02-29' })
    expect(periodRange('2026-Q4')).toEqual({ from: '2026-10-01', to: '2026-12-31' })
    expect(periodRange('2026-Q1')).toEqual({ from: '2026-01-01', to: '2026-03-31' })
    expect(periodRange('2026')).toEqual({ from: '2026-01-01', to: '2026-12-31' })
    expect(periodDays('2026-Q4')).toBe(92)
    expect(periodDays('2026')).toBe(365)
    expect(inPeriod('2026-Q4', '2026-12-31')).toBe(true)
    expect(inPeriod('2026-Q4', '2027-01-01')).toBe(false)
  })

  it('steps back across year ends', () => {
    expect(previousPeriod('2027-01')).toBe('2026-12')
    expect(previousPeriod('2027-Q1')).toBe('2026-Q4')
    expect(previousPeriod('2027')).toBe('2026')
    expect(addPeriods('2026-Q4', 2)).toBe('2027-Q2')
    expect(addPeriods('2026-11', -11)).toBe('2025-12')
  })

  it('labels periods in Chinese', () => {
    expect(periodLabel('2026-11')).toBe('2026年11月')
    expect(periodLabel('2026-03')).toBe('2026年3月')
    expect(periodLabel('2026-Q4')).toBe('2026年第四季度')
    expect(periodLabel('2026-Q1')).toBe('2026年第一季度')
    expect(periodLabel('2026')).toBe('2026年')
  })

  it('says when half of a period has passed: from + floor(days / 2)', () => {
    expect(periodHalfDay('2026-11')).toBe('2026-11-16')
    expect(halfPassed('2026-11', '2026-11-15')).toBe(false)
    expect(halfPassed('2026-11', '2026-11-16')).toBe(true)
    expect(periodHalfDay('2026-02')).toBe('2026-02-15')
    expect(periodHalfDay('2026-Q4')).toBe('2026-11-16')
    expect(halfPassed('2026-Q4', '2026-11-15')).toBe(false)
    expect(halfPassed('2026-Q4', '2026-11-16')).toBe(true)
    expect(periodHalfDay('2027-Q1')).toBe('2027-02-15')
    expect(periodHalfDay('2026')).toBe('2026-07-02')
    expect(halfPassed('2026', '2026-07-01')).toBe(false)
    expect(halfPassed('2026', '2026-07-02')).toBe(true)
  })

  it('turns over at midnight in Shanghai, 16:00 UTC', () => {
    const before = '2026-12-31T15:59:59.999Z'
    const after = '2026-12-31T16:00:00.000Z'
    expect([periodAt('month', before), periodAt('quarter', before), periodAt('year', before)]).toEqual(['2026-12', '2026-Q4', '2026'])
    expect([periodAt('month', after), periodAt('quarter', after), periodAt('year', after)]).toEqual(['2027-01', '2027-Q1', '2027'])
    expect(periodAt('quarter', new Date(shanghaiTime('2026-10-01', '00:00')))).toBe('2026-Q4')
    expect(periodAt('quarter', shanghaiTime('2026-10-01', '00:00') - 1)).toBe('2026-Q3')
  })
})
