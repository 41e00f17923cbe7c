// Working days with the admin's calendar (issue 13): the days of the State Council's 2026 schedule these
// tests need, copied here (a domain test may not import the server's seed list).
import { describe, expect, it } from 'vitest'
import { addDays, addWorkingDays, isWorkingDay, workCalendarOf, workingDaysBetween } from '~/domain/calendar'

const span = (from: string, days: number) => Array.from({ length: days }, (_, i) => addDays(from, i))
const holidays = (from: string, days: number) => span(from, days).map((id) => ({ id, kind: 'holiday' as const }))
const workday = (id: string) => ({ id, kind: 'workday' as const })

const CALENDAR_2026 = workCalendarOf([
  workday('2026-02-14'), // Saturday worked for 春节
  ...holidays('2026-02-15', 9), // 春节: Sunday 15th to Monday 23rd
  workday('2026-02-28'), // Saturday worked for 春节
  workday('2026-09-20'), // Sunday worked for 国庆
  ...holidays('2026-09-25', 3), // 中秋节
  ...holidays('2026-10-01', 7), // 国庆节
  workday('2026-10-10'), // Saturday worked for 国庆
])

describe('working days with the 2026 calendar', () => {
  it('knows holidays on weekdays and 调休 weekend days', () => {
    expect(isWorkingDay('2026-10-01', CALENDAR_2026)).toBe(false) // Thursday, 国庆
    expect(isWorkingDay('2026-10-01')).toBe(true) // without the calendar, a Thursday
    expect(isWorkingDay('2026-10-10', CALENDAR_2026)).toBe(true) // Saturday, 调休
    expect(isWorkingDay('2026-10-10')).toBe(false)
    expect(isWorkingDay('2026-10-11', CALENDAR_2026)).toBe(false) // an ordinary Sunday
    expect(isWorkingDay('2026-09-20', CALENDAR_2026)).toBe(true) // Sunday, 调休
    expect(isWorkingDay('2026-09-25', CALENDAR_2026)).toBe(false) // Friday, 中秋
    expect(isWorkingDay('2026-10-12', CALENDAR_2026)).toBe(true) // an ordinary Monday
  })

  it('puts a 10-working-day deadline issued on September 28th across 国庆 and its 调休 Saturday', () => {
    // 9-29, 9-30, (10-1 … 10-7 off), 10-8, 10-9, 10-10 (Saturday worked), 10-12 … 10-16.
    expect(addWorkingDays('2026-09-28', 10, CALENDAR_2026)).toBe('2026-10-16')
    expect(workingDaysBetween('2026-09-28', '2026-10-16', CALENDAR_2026)).toBe(10)
    expect(workingDaysBetween('2026-09-28', '2026-10-15', CALENDAR_2026)).toBe(9)
    // Weekends alone would have made it October 12th.
    expect(addWorkingDays('2026-09-28', 10)).toBe('2026-10-12')
  })

  it('counts the 10-10 调休 Saturday as a working day, and skips the Sunday after it', () => {
    expect(addWorkingDays('2026-10-09', 1, CALENDAR_2026)).toBe('2026-10-10')
    expect(addWorkingDays('2026-10-09', 2, CALENDAR_2026)).toBe('2026-10-12')
    expect(addWorkingDays('2026-09-30', 1, CALENDAR_2026)).toBe('2026-10-08')
    expect(workingDaysBetween('2026-10-09', '2026-10-11', CALENDAR_2026)).toBe(1)
  })

  it('spans the 春节 week between its 2-14 and 2-28 Saturdays', () => {
    expect(addWorkingDays('2026-02-13', 1, CALENDAR_2026)).toBe('2026-02-14')
    expect(addWorkingDays('2026-02-14', 1, CALENDAR_2026)).toBe('2026-02-24')
    expect(workingDaysBetween('2026-02-14', '2026-02-23', CALENDAR_2026)).toBe(0)
    // 2-14, 2-24 … 2-27, 2-28 (Saturday worked), 3-2 … 3-5.
    expect(addWorkingDays('2026-02-13', 10, CALENDAR_2026)).toBe('2026-03-05')
    expect(workingDaysBetween('2026-02-13', '2026-03-05', CALENDAR_2026)).toBe(10)
    expect(span('2026-02-15', 9).some((day) => isWorkingDay(day, CALENDAR_2026))).toBe(false)
  })

  it('goes backwards and counts negatively', () => {
    expect(addWorkingDays('2026-02-24', -1, CALENDAR_2026)).toBe('2026-02-14')
    expect(addWorkingDays('2026-10-16', -10, CALENDAR_2026)).toBe('2026-09-28')
    expect(workingDaysBetween('2026-03-05', '2026-02-13', CALENDAR_2026)).toBe(-10)
    expect(addWorkingDays('2026-10-01', 0, CALENDAR_2026)).toBe('2026-10-01')
  })

  it('agrees with itself: the weekday shortcut and the day-by-day count, and add vs between', () => {
    // A calendar with one day far away forces the day-by-day count over these ranges.
    const farAway = workCalendarOf([{ id: '2099-01-01', kind: 'holiday' }])
    for (let i = 0; i < 60; i++) {
      const from = addDays('2026-01-01', i * 5)
      for (const length of [0, 1, 6, 7, 8, 30, 45]) {
        const to = addDays(from, length)
        expect(workingDaysBetween(from, to)).toBe(workingDaysBetween(from, to, farAway))
      }
      for (const n of [1, 3, 10, 20]) {
        const due = addWorkingDays(from, n, CALENDAR_2026)
        expect(workingDaysBetween(from, due, CALENDAR_2026)).toBe(n)
        expect(isWorkingDay(due, CALENDAR_2026)).toBe(true)
      }
    }
  })
})
