import { describe, expect, it } from 'vitest'
import {
  addDays,
  addMonths,
  addQuarters,
  addWorkingDays,
  daysBetween,
  dayInShanghai,
  endOfShanghaiDay,
  isCalendarDay,
  isWorkingDay,
  monthEnd,
  monthOf,
  monthStart,
  previousMonth,
  quarterEnd,
  quarterOf,
  quarterStart,
  shanghaiTime,
  startOfShanghaiDay,
  weekdayOf,
  weekEndOf,
  weekStartOf,
  workingDaysBetween,
  yearOf,
} from '~/domain/calendar'

/** Where the clock says `iso` (UTC), which day, week, month, quarter and year it is in Shanghai. */
const periodsAt = (iso: string) => {
  const day = dayInShanghai(iso)
  return { day, week: weekStartOf(day), month: monthOf(day), quarter: quarterOf(day), year: yearOf(day) }
}

describe('days in Asia/Shanghai', () => {
  it('finds the Asia/Shanghai day of an instant (UTC+8, no daylight saving)', () => {
    expect(dayInShanghai('2026-11-25T15:59:59Z')).toBe('2026-11-25')
    expect(dayInShanghai('2026-11-25T16:00:00Z')).toBe('2026-11-26')
  })

  it('reads a Date, an ISO string with any offset and epoch milliseconds alike', () => {
    const at = '2026-06-30T23:30:00+08:00'
    expect(dayInShanghai(at)).toBe('2026-06-30')
    expect(dayInShanghai(new Date(at))).toBe('2026-06-30')
    expect(dayInShanghai(Date.parse(at))).toBe('2026-06-30')
    expect(dayInShanghai('2026-06-30T15:30:00Z')).toBe('2026-06-30')
  })

  it('refuses an instant that is not one', () => {
    expect(() => dayInShanghai('not a time')).toThrow(RangeError)
  })

  it('puts a day between its Shanghai midnight and its last millisecond', () => {
    expect(new Date(startOfShanghaiDay('2027-01-01')).toISOString()).toBe('2026-12-31T16:00:00.000Z')
    expect(new Date(endOfShanghaiDay('2026-12-31')).toISOString()).toBe('2026-12-31T15:59:59.999Z')
    expect(dayInShanghai(startOfShanghaiDay('2027-01-01'))).toBe('2027-01-01')
    expect(dayInShanghai(endOfShanghaiDay('2027-01-01'))).toBe('2027-01-01')
    expect(dayInShanghai(endOfShanghaiDay('2027-01-01') + 1)).toBe('2027-01-02')
  })

  it('turns a Shanghai wall-clock time into the instant', () => {
    expect(new Date(shanghaiTime('2026-03-10', '09:00')).toISOString()).toBe('2026-03-10T01:00:00.000Z')
    expect(new Date(shanghaiTime('2026-03-01', '07:30:15')).toISOString()).toBe('2026-02-28T23:30:15.000Z')
    expect(shanghaiTime('2026-12-05', '23:59:59.999')).toBe(endOfShanghaiDay('2026-12-05'))
  })

  it('adds days across months, leap days and years', () => {
    expect(addDays('2026-11-25', 7)).toBe('2026-12-02')
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29')
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01')
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
    expect(addDays('2026-03-01', 0)).toBe('2026-03-01')
    expect(daysBetween('2026-12-25', '2027-01-05')).toBe(11)
    expect(daysBetween('2027-01-05', '2026-12-25')).toBe(-11)
  })

  it('tells real calendar days from rolled-over ones', () => {
    expect(isCalendarDay('2028-02-29')).toBe(true)
    expect(isCalendarDay('2026-02-29')).toBe(false)
    expect(isCalendarDay('2026-13-01')).toBe(false)
    expect(isCalendarDay('2026-1-1')).toBe(false)
  })
})

describe('weeks', () => {
  it('starts on Monday: a Sunday belongs to the week before, a Monday starts its own', () => {
    expect(weekStartOf('2026-11-22')).toBe('2026-11-16') // Sunday
    expect(weekStartOf('2026-11-23')).toBe('2026-11-23') // Monday
    expect(weekStartOf('2026-11-25')).toBe('2026-11-23')
    expect(weekStartOf('2026-11-29')).toBe('2026-11-23') // the Sunday that ends it
    expect(weekStartOf('2026-11-30')).toBe('2026-11-30')
  })

  it('crosses months and years', () => {
    expect(weekStartOf('2027-01-01')).toBe('2026-12-28')
    expect(weekStartOf('2026-03-01')).toBe('2026-02-23')
    expect(weekEndOf('2026-12-28')).toBe('2027-01-03')
  })

  it('numbers weekdays from Monday (1) to Sunday (7), before 1970 too', () => {
    const week = ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']
    expect(week.map(weekdayOf)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(weekdayOf('1970-01-01')).toBe(4)
    expect(weekdayOf('1969-12-28')).toBe(7)
  })
})

describe('months, quarters and years', () => {
  it('gives the first and last day of a month', () => {
    expect(monthStart('2026-02')).toBe('2026-02-01')
    expect(monthEnd('2026-02')).toBe('2026-02-28')
    expect(monthEnd('2028-02')).toBe('2028-02-29')
    expect(monthEnd('2026-12')).toBe('2026-12-31')
  })

  it('steps months across years', () => {
    expect(previousMonth('2026-01')).toBe('2025-12')
    expect(addMonths('2026-11', 2)).toBe('2027-01')
    expect(addMonths('2026-03', -15)).toBe('2024-12')
    expect(addMonths('2026-12', 0)).toBe('2026-12')
  })

  it('puts each month in its quarter', () => {
    const months = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12']
    expect(months.map((m) => quarterOf(`2026-${m}-15`))).toEqual(
      ['Q1', 'Q1', 'Q1', 'Q2', 'Q2', 'Q2', 'Q3', 'Q3', 'Q3', 'Q4', 'Q4', 'Q4'].map((q) => `2026-${q}`),
    )
  })

  it('gives the first and last day of a quarter', () => {
    expect([quarterStart('2026-Q1'), quarterEnd('2026-Q1')]).toEqual(['2026-01-01', '2026-03-31'])
    expect([quarterStart('2026-Q2'), quarterEnd('2026-Q2')]).toEqual(['2026-04-01', '2026-06-30'])
    expect([quarterStart('2026-Q3'), quarterEnd('2026-Q3')]).toEqual(['2026-07-01', '2026-09-30'])
    expect([quarterStart('2026-Q4'), quarterEnd('2026-Q4')]).toEqual(['2026-10-01', '2026-12-31'])
  })

  it('steps quarters across years', () => {
    expect(addQuarters('2026-Q4', 1)).toBe('2027-Q1')
    expect(addQuarters('2027-Q1', -1)).toBe('2026-Q4')
    expect(addQuarters('2026-Q2', -6)).toBe('2024-Q4')
    expect(addQuarters('2026-Q3', 0)).toBe('2026-Q3')
  })
})

describe('periods at the boundaries, as the clock crosses them in Shanghai', () => {
  it('moves to a new day, week, month, quarter and year at Shanghai midnight on New Year (16:00 UTC)', () => {
    const lastOf2026 = { day: '2026-12-31', week: '2026-12-28', month: '2026-12', quarter: '2026-Q4', year: '2026' }
    expect(periodsAt('2026-12-31T15:59:59.999Z')).toEqual(lastOf2026)
    const firstOf2027 = { day: '2027-01-01', week: '2026-12-28', month: '2027-01', quarter: '2027-Q1', year: '2027' }
    expect(periodsAt('2026-12-31T16:00:00Z')).toEqual(firstOf2027)
  })

  it('keeps a Sunday 23:59 in Shanghai in its week and starts the next on Monday 00:00', () => {
    expect(periodsAt('2026-11-29T23:59:00+08:00')).toMatchObject({ day: '2026-11-29', week: '2026-11-23', month: '2026-11' })
    expect(periodsAt('2026-11-29T16:00:00Z')).toMatchObject({ day: '2026-11-30', week: '2026-11-30', month: '2026-11' })
  })

  it('changes month and quarter when UTC is still on the last day of the quarter', () => {
    expect(periodsAt('2026-03-31T15:59:59Z')).toMatchObject({ day: '2026-03-31', month: '2026-03', quarter: '2026-Q1' })
    expect(periodsAt('2026-03-31T16:00:00Z')).toMatchObject({ day: '2026-04-01', month: '2026-04', quarter: '2026-Q2' })
    expect(periodsAt('2026-09-30T16:30:00Z')).toMatchObject({ day: '2026-10-01', month: '2026-10', quarter: '2026-Q4' })
  })

  it('reaches a leap day in Shanghai while UTC is still on the 28th', () => {
    expect(periodsAt('2028-02-28T16:00:00Z')).toMatchObject({ day: '2028-02-29', month: '2028-02', quarter: '2028-Q1' })
  })
})

describe('working days (Monday to Friday)', () => {
  it('knows weekends', () => {
    expect(['2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30'].map((d) => isWorkingDay(d))).toEqual([true, false, false, true])
  })

  it('counts forward over weekends: a deadline 5 working days after a Wednesday is the next Wednesday', () => {
    expect(addWorkingDays('2026-11-25', 5)).toBe('2026-12-02')
    expect(addWorkingDays('2026-11-27', 1)).toBe('2026-11-30') // Friday → Monday
    expect(addWorkingDays('2026-11-28', 1)).toBe('2026-11-30') // Saturday → Monday
    expect(addWorkingDays('2026-11-29', 1)).toBe('2026-11-30') // Sunday → Monday
    expect(addWorkingDays('2026-11-28', 0)).toBe('2026-11-28')
  })

  it('crosses a year end', () => {
    expect(addWorkingDays('2026-12-31', 1)).toBe('2027-01-01') // Thursday → Friday
    expect(addWorkingDays('2026-12-31', 2)).toBe('2027-01-04') // → Monday
  })

  it('counts backward with a negative n', () => {
    expect(addWorkingDays('2026-11-30', -1)).toBe('2026-11-27') // Monday → Friday
    expect(addWorkingDays('2026-12-02', -5)).toBe('2026-11-25')
  })

  it('counts the working days between two days, the inverse of adding them', () => {
    expect(workingDaysBetween('2026-11-25', '2026-12-02')).toBe(5)
    expect(workingDaysBetween('2026-11-27', '2026-11-29')).toBe(0)
    expect(workingDaysBetween('2026-11-27', '2026-11-30')).toBe(1)
    expect(workingDaysBetween('2026-12-02', '2026-11-25')).toBe(-5)
    expect(workingDaysBetween('2026-11-25', '2026-11-25')).toBe(0)
    for (let from = '2026-11-23'; from <= '2026-11-29'; from = addDays(from, 1)) {
      for (let n = 0; n <= 23; n++) expect(workingDaysBetween(from, addWorkingDays(from, n))).toBe(n)
    }
  })
})
