import { describe, expect, it } from 'vitest'
import { materialDraftSchema, materialSaveArgsSchema, questionSaveArgsSchema, type MaterialDraft } from '~/domain/study'
import { rulesReviseArgsSchema } from '~/domain/points'
import { MUTATIONS } from '~/domain/mutations'
import { parseWith } from '~/domain/validation'

const article: MaterialDraft = {
  id: 'm-new-1',
  column: 'library',
  course: null,
  lesson: null,
  category: '政策解读',
  kind: 'article',
  title: '新的惠农政策',
  summary: '讲一讲今年的惠农补贴怎么申请。',
  body: '今年的耕地地力保护补贴，按承包地面积发放，直接打到一卡通上。',
  media: null,
}
const audio: MaterialDraft = { ...article, id: 'm-new-2', kind: 'audio', body: '', media: { file: 'talk.ogg', durationSeconds: 300 } }
const check = (draft: unknown) => parseWith(materialDraftSchema, draft)

describe('a material the admin writes', () => {
  it('accepts a library article and an audio with its media', () => {
    expect(check(article)).toEqual({ ok: true, value: article })
    expect(check(audio).ok).toBe(true)
    expect(check({ ...audio, kind: 'video' }).ok).toBe(true)
  })

  it('puts 网上党校 materials in a course and lesson, and 学习智库 ones in none', () => {
    const school = { ...article, column: 'school', course: 'c-basics', lesson: 4 }
    expect(check(school).ok).toBe(true)
    expect(check({ ...school, course: null })).toEqual({
      ok: false,
      message: expect.stringContaining('course：网上党校的资料须选择课程和课次'),
    })
    expect(check({ ...school, lesson: null }).ok).toBe(false)
    expect(check({ ...article, course: 'c-basics', lesson: 1 })).toEqual({
      ok: false,
      message: expect.stringContaining('学习智库的资料不属于课程'),
    })
    expect(check({ ...article, course: 'c-basics' }).ok).toBe(false)
    expect(check({ ...article, lesson: 2 }).ok).toBe(false)
  })

  it('has media only for audio and video', () => {
    expect(check({ ...article, media: { file: 'x.ogg', durationSeconds: 60 } })).toEqual({
      ok: false,
      message: expect.stringContaining('media：'),
    })
    expect(check({ ...audio, media: null })).toEqual({ ok: false, message: expect.stringContaining('media：') })
  })

  it('needs an article body of at least ten characters, not counting spaces around it', () => {
    expect(check({ ...article, body: '太短了' })).toEqual({ ok: false, message: 'body：文章正文至少10个字' })
    expect(check({ ...article, body: `   ${'一二三四五六七八九'}   ` }).ok).toBe(false)
    expect(check({ ...article, body: '一二三四五六七八九十' }).ok).toBe(true)
  })

  it('checks the id, the title and the summary', () => {
    expect(check({ ...article, id: 'm 1' }).ok).toBe(false)
    expect(check({ ...article, id: 'x'.repeat(65) }).ok).toBe(false)
    expect(check({ ...article, title: ' 一 ' }).ok).toBe(false)
    expect(check({ ...article, title: '题'.repeat(81) }).ok).toBe(false)
    expect(check({ ...article, summary: '摘'.repeat(201) }).ok).toBe(false)
    const trimmed = check({ ...article, title: '  新的惠农政策  ' })
    expect(trimmed.ok && trimmed.value.title).toBe('新的惠农政策')
  })

  it('is what material.save carries, without publishedAt (the server stamps it)', () => {
    const saved = parseWith(materialSaveArgsSchema, { material: { ...article, publishedAt: '2020-01-01T00:00:00Z' } })
    expect(saved.ok && 'publishedAt' in saved.value.material).toBe(false)
  })

  it('saves questions with a consistent answer key', () => {
    const question = {
      id: 'q-new',
      category: '党章党规',
      type: 'single',
      stem: '党的根本宗旨是？',
      options: ['全心全意为人民服务', '发展经济'],
      answer: [0],
      explanation: '党章规定。',
      materialId: null,
    }
    expect(parseWith(questionSaveArgsSchema, { question }).ok).toBe(true)
    expect(parseWith(questionSaveArgsSchema, { question: { ...question, answer: [2] } }).ok).toBe(false)
    expect(parseWith(questionSaveArgsSchema, { question: { ...question, answer: [0, 1] } }).ok).toBe(false)
  })
})

describe('a rule revision the admin sends', () => {
  const revise = { code: 'volunteer', from: '2026-12-01', change: { points: 2, dailyCap: 12 } }

  it('accepts a change from a day, with any subset of the editable fields', () => {
    expect(parseWith(rulesReviseArgsSchema, revise)).toEqual({ ok: true, value: revise })
    expect(parseWith(rulesReviseArgsSchema, { ...revise, change: {} }).ok).toBe(true)
    expect(parseWith(rulesReviseArgsSchema, { ...revise, change: { threshold: null, yearlyCap: null, name: ' 志愿服务 ' } })).toEqual({
      ok: true,
      value: { ...revise, change: { threshold: null, yearlyCap: null, name: '志愿服务' } },
    })
  })

  it('refuses a bad day, zero or out-of-range points, empty names and caps or thresholds below 1', () => {
    const bad = [
      { ...revise, from: '2026-12-1' },
      { ...revise, code: '' },
      { ...revise, change: { points: 0 } },
      { ...revise, change: { points: 101 } },
      { ...revise, change: { points: 1.5 } },
      { ...revise, change: { name: '  ' } },
      { ...revise, change: { name: '名'.repeat(41) } },
      { ...revise, change: { dailyCap: 0 } },
      { ...revise, change: { threshold: 0 } },
    ]
    for (const args of bad) expect(parseWith(rulesReviseArgsSchema, args).ok, JSON.stringify(args)).toBe(false)
  })

  it('does not let the device change what a revision may not (category, unit, event, version)', () => {
    const parsed = parseWith(rulesReviseArgsSchema, {
      ...revise,
      change: { points: 2, unit: 'event', category: 'study', eventKind: 'study.article', version: 9 },
    })
    expect(parsed).toEqual({ ok: true, value: { ...revise, change: { points: 2 } } })
  })
})

describe('who may publish content', () => {
  it('lets only the admin send the new content and rule mutations', () => {
    for (const name of [
      'rules.revise',
      'honor.publish',
      'material.save',
      'material.withdraw',
      'question.save',
      'question.withdraw',
      'exam.save',
      'exam.withdraw',
    ] as const) {
      expect(MUTATIONS[name].roles, name).toEqual(['admin'])
    }
    expect(MUTATIONS['quiz.submit'].roles).toEqual(['member', 'secretary', 'admin'])
  })
})
