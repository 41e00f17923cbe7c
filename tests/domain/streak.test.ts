import { describe, expect, it } from 'vitest'
import { studyDays, studyStreak } from '~/domain/streak'

describe('studyStreak', () => {
  it('is zero with no study at all', () => {
    expect(studyStreak([], '2026-05-20')).toBe(0)
  })

  it('counts today and the days before it without a gap', () => {
    expect(studyStreak(['2026-05-18', '2026-05-19', '2026-05-20'], '2026-05-20')).toBe(3)
  })

  it('counts from yesterday while today has no entry yet', () => {
    expect(studyStreak(['2026-05-17', '2026-05-18', '2026-05-19'], '2026-05-20')).toBe(3)
  })

  it('is zero when neither today nor yesterday has an entry', () => {
    expect(studyStreak(['2026-05-16', '2026-05-17', '2026-05-18'], '2026-05-20')).toBe(0)
  })

  it('stops at the first gap', () => {
    expect(studyStreak(['2026-05-12', '2026-05-13', '2026-05-15', '2026-05-16', '2026-05-17'], '2026-05-17')).toBe(3)
    expect(studyStreak(['2026-05-15', '2026-05-17'], '2026-05-17')).toBe(1)
  })

  it('counts a day once however many entries it has', () => {
    expect(studyStreak(['2026-05-20', '2026-05-20', '2026-05-19', '2026-05-19'], '2026-05-20')).toBe(2)
  })

  it('runs across the end of a month, including February in a leap year', () => {
    expect(studyStreak(['2026-04-29', '2026-04-30', '2026-05-01', '2026-05-02'], '2026-05-02')).toBe(4)
    expect(studyStreak(['2028-02-28', '2028-02-29', '2028-03-01'], '2028-03-01')).toBe(3)
    // 2026 is not a leap year: 28 February is followed by 1 March.
    expect(studyStreak(['2026-02-27', '2026-02-28', '2026-03-01'], '2026-03-01')).toBe(3)
  })

  it('runs across the new year', () => {
    expect(studyStreak(['2025-12-30', '2025-12-31', '2026-01-01'], '2026-01-01')).toBe(3)
    expect(studyStreak(['2025-12-30', '2025-12-31'], '2026-01-01')).toBe(2)
  })

  it('ignores days after today', () => {
    expect(studyStreak(['2026-05-21', '2026-05-22'], '2026-05-20')).toBe(0)
    expect(studyStreak(['2026-05-19', '2026-05-20', '2026-05-21'], '2026-05-20')).toBe(2)
  })

  it('rejects a day that is not YYYY-MM-DD', () => {
    expect(() => studyStreak([], '2026/05/20')).toThrow()
  })
})

describe('studyDays', () => {
  const rules = [
    { code: 'article-read', category: 'study' as const },
    { code: 'daily-quiz', category: 'quiz' as const },
    { code: 'meeting-attended', category: 'org_life' as const },
    { code: 'volunteer', category: 'volunteer' as const },
  ]

  it('keeps the days with study or quiz entries and leaves out meetings and adjustments', () => {
    const days = studyDays(
      [
        { day: '2026-05-18', ruleCode: 'article-read' },
        { day: '2026-05-19', ruleCode: 'daily-quiz' },
        { day: '2026-05-20', ruleCode: 'meeting-attended' },
        { day: '2026-05-21', ruleCode: 'volunteer' },
        { day: '2026-05-22', ruleCode: 'unknown-rule' },
      ],
      rules,
    )
    expect([...days].sort()).toEqual(['2026-05-18', '2026-05-19'])
    expect(studyStreak(days, '2026-05-20')).toBe(2)
  })
})
