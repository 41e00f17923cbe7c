import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  counterEntry,
  pointsRuleSchema,
  rank,
  rawPoints,
  reviseRule,
  scoreEvents,
  totalsOf,
  type EventKind,
  type LedgerEntry,
  type PointsEvent,
  type PointsRule,
} from '~/domain/points'
import { parseWith, z } from '~/domain/validation'

const rules = parseWith(z.array(pointsRuleSchema), JSON.parse(readFileSync('seeds/points-rules.json', 'utf8')))
if (!rules.ok) throw new Error(rules.message)
const RULES: PointsRule[] = rules.value

let n = 0
const event = (kind: EventKind, quantity: number, day = '2026-11-25', memberId = 'u-1'): PointsEvent => ({
  id: `e${++n}`,
  memberId,
  kind,
  day,
  quantity,
})
const sum = (entries: readonly LedgerEntry[]) => entries.reduce((s, e) => s + e.points, 0)
const byRule = (entries: readonly LedgerEntry[], code: string) => sum(entries.filter((e) => e.ruleCode === code))

describe('the seeded rule table', () => {
  it('is valid and covers study, quizzes, organisational life, volunteering, violations and the board', () => {
    expect(new Set(RULES.map((r) => r.category))).toEqual(new Set(['study', 'quiz', 'org_life', 'volunteer', 'violation', 'board']))
    expect(new Set(RULES.map((r) => r.code)).size).toBe(RULES.length)
  })
})

describe('each rule', () => {
  it('gives an article read for 60 active seconds one point, and one more per 4 minutes', () => {
    expect(byRule(scoreEvents(RULES, [event('study.article', 59)], []), 'article-read')).toBe(0)
    const entries = scoreEvents(RULES, [event('study.article', 60 * 9)], [])
    expect(byRule(entries, 'article-read')).toBe(1)
    expect(byRule(entries, 'reading-time')).toBe(2)
  })

  it('gives audio or video watched for three minutes one point', () => {
    expect(sum(scoreEvents(RULES, [event('study.media', 179)], []))).toBe(0)
    expect(sum(scoreEvents(RULES, [event('study.media', 180)], []))).toBe(1)
  })

  it('gives the daily quiz a point per correct answer, the weekly quiz and exams by score', () => {
    expect(sum(scoreEvents(RULES, [event('quiz.daily', 4)], []))).toBe(4)
    expect(sum(scoreEvents(RULES, [event('quiz.weekly', 80)], []))).toBe(4)
    expect(sum(scoreEvents(RULES, [event('quiz.exam', 95)], []))).toBe(10)
    expect(sum(scoreEvents(RULES, [event('quiz.exam', 100)], []))).toBe(10)
  })

  it('adds for attending organisational life and deducts for an absence without leave', () => {
    expect(sum(scoreEvents(RULES, [event('meeting.attended', 1)], []))).toBe(2)
    expect(sum(scoreEvents(RULES, [event('meeting.absent', 1)], []))).toBe(-3)
  })

  it('takes the admin’s amount for volunteering (added) and violations (deducted)', () => {
    expect(sum(scoreEvents(RULES, [event('manual.volunteer', 3)], []))).toBe(3)
    expect(sum(scoreEvents(RULES, [event('manual.violation', 5)], []))).toBe(-5)
  })

  it('gives an adopted suggestion two points', () => {
    expect(sum(scoreEvents(RULES, [event('board.adopted', 1)], []))).toBe(2)
  })

  it('gives nothing for a negative time, count or score', () => {
    const measured = RULES.filter(
      (r) => r.unit === 'minutes' || r.unit === 'correct' || r.unit === 'score' || (r.unit === 'event' && r.threshold !== null),
    )
    expect(measured.length).toBeGreaterThan(4)
    for (const rule of measured) expect(rawPoints(rule, event(rule.eventKind, -500))).toBe(0)
  })
})

describe('caps', () => {
  it('stops at six article points a day and starts again the next day', () => {
    const today = Array.from({ length: 8 }, () => event('study.article', 60))
    const first = scoreEvents(RULES, today, [])
    expect(byRule(first, 'article-read')).toBe(6)
    const tomorrow = scoreEvents(RULES, [event('study.article', 60, '2026-11-26')], first)
    expect(byRule(tomorrow, 'article-read')).toBe(1)
  })

  it('counts what the ledger already holds for the day, so a later batch cannot pass the cap', () => {
    const morning = scoreEvents(
      RULES,
      Array.from({ length: 4 }, () => event('study.article', 60)),
      [],
    )
    const evening = scoreEvents(
      RULES,
      Array.from({ length: 4 }, () => event('study.article', 60)),
      morning,
    )
    expect(byRule(evening, 'article-read')).toBe(2)
  })

  it('gives only what is left under the cap when one event would pass it', () => {
    const entries = scoreEvents(RULES, [event('study.article', 60 * 40)], [])
    expect(byRule(entries, 'reading-time')).toBe(8)
    expect(sum(scoreEvents(RULES, [event('quiz.daily', 5), event('quiz.daily', 5)], []))).toBe(5)
  })

  it('holds a yearly cap across days and starts again in a new year', () => {
    const days = Array.from({ length: 12 }, (_, i) => event('manual.volunteer', 10, `2026-03-${String(i + 1).padStart(2, '0')}`))
    const year = scoreEvents(RULES, days, [])
    expect(sum(year)).toBe(100)
    expect(sum(scoreEvents(RULES, [event('manual.volunteer', 10, '2027-01-02')], year))).toBe(10)
  })

  it('caps per member: one member’s points never use up another’s', () => {
    const entries = scoreEvents(
      RULES,
      [
        ...Array.from({ length: 6 }, () => event('study.article', 60, '2026-11-25', 'u-1')),
        event('study.article', 60, '2026-11-25', 'u-2'),
      ],
      [],
    )
    expect(
      byRule(
        entries.filter((e) => e.memberId === 'u-2'),
        'article-read',
      ),
    ).toBe(1)
  })
})

describe('exactly once, in any order', () => {
  it('never scores the same event twice, in one batch or across batches', () => {
    const once = event('study.article', 300)
    const first = scoreEvents(RULES, [once, once], [])
    expect(first.map((e) => e.id)).toEqual([`article-read:${once.id}`, `reading-time:${once.id}`])
    expect(scoreEvents(RULES, [once], first)).toEqual([])
  })

  it('scores events that arrive days late on their own day’s caps, whatever the order', () => {
    const offline = [event('study.article', 60, '2026-11-20'), event('study.article', 60, '2026-11-21')]
    const today = Array.from({ length: 6 }, () => event('study.article', 60, '2026-11-25'))
    const a = scoreEvents(RULES, [...today, ...offline], [])
    const b = scoreEvents(RULES, [...offline, ...today], [])
    expect(byRule(a, 'article-read')).toBe(8)
    expect(byRule(b, 'article-read')).toBe(8)
    expect(new Set(a.map((e) => e.day))).toEqual(new Set(['2026-11-20', '2026-11-21', '2026-11-25']))
  })
})

describe('rule changes', () => {
  it('apply from a date forward and leave earlier days as they were', () => {
    const revised = reviseRule(RULES, 'article-read', { points: 2, dailyCap: 10 }, '2026-07-01', '2026-06-15')
    const versions = revised.filter((r) => r.code === 'article-read').sort((a, b) => a.version - b.version)
    expect(versions.map((r) => [r.version, r.activeFrom, r.activeTo, r.points])).toEqual([
      [1, '2026-01-01', '2026-06-30', 1],
      [2, '2026-07-01', null, 2],
    ])
    const june = scoreEvents(revised, [event('study.article', 60, '2026-06-30')], [])
    const july = scoreEvents(revised, [event('study.article', 60, '2026-07-01')], [])
    expect([byRule(june, 'article-read'), june[0]?.ruleVersion]).toEqual([1, 1])
    expect([byRule(july, 'article-read'), july[0]?.ruleVersion]).toEqual([2, 2])
  })

  it('cannot start in the past, so history is never rewritten', () => {
    expect(() => reviseRule(RULES, 'article-read', { points: 2 }, '2026-06-01', '2026-06-15')).toThrow(/不能改变历史积分/)
  })
})

describe('corrections', () => {
  it('are a counter-entry of the opposite sign that can exist only once', () => {
    const [entry] = scoreEvents(RULES, [event('manual.violation', 4)], [])
    const counter = counterEntry(entry!, '核实后撤销', '2026-11-26')
    expect(counter).toMatchObject({ points: 4, reason: '核实后撤销', memberId: entry!.memberId })
    expect(sum([entry!, counter])).toBe(0)
    expect(counterEntry(entry!, '再次撤销', '2026-11-27').id).toBe(counter.id)
  })
})

describe('days, totals and rankings', () => {
  it('totals today, this month, this year', () => {
    const entries = [
      { day: '2026-11-25', points: 3 },
      { day: '2026-11-02', points: 2 },
      { day: '2026-01-10', points: -1 },
      { day: '2025-12-31', points: 7 },
    ]
    expect(totalsOf(entries, '2026-11-25')).toEqual({ today: 3, month: 5, year: 4, all: 11 })
  })

  it('ranks with shared places for equal points', () => {
    const ranked = rank(
      ['甲', '乙', '丙', '丁'],
      (name) => ({ 甲: 5, 乙: 9, 丙: 5, 丁: 1 })[name]!,
      (a, b) => a.localeCompare(b, 'zh-CN'),
    )
    expect(ranked.map((r) => [r.item, r.place])).toEqual([
      ['乙', 1],
      ['丙', 2],
      ['甲', 2],
      ['丁', 4],
    ])
  })
})
