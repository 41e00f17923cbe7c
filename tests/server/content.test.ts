import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, pull, pullAll, push } from './sync-helpers'
import type { Change } from '~/domain/sync'
import type { Material, MaterialDraft, Question, StudyProgressRow } from '~/domain/study'
import { addDays, dayInShanghai } from '~/domain/calendar'

const draft = (id: string, extra: Partial<MaterialDraft> = {}): MaterialDraft => ({
  id,
  column: 'library',
  course: null,
  lesson: null,
  category: '政策解读',
  kind: 'article',
  title: '今年的惠农补贴怎么领',
  summary: '耕地地力保护补贴的申领办法。',
  body: '今年的耕地地力保护补贴，按承包地面积发放，直接打到一卡通上，不用另外申请。',
  media: null,
  ...extra,
})
const question = (id: string, extra: Partial<Question> = {}): Question => ({
  id,
  category: '政策解读',
  type: 'single',
  stem: '耕地地力保护补贴打到哪里？',
  options: ['一卡通', '村委会现金发放'],
  answer: [0],
  explanation: '补贴直接打到一卡通上。',
  materialId: null,
  ...extra,
})
const codes = (results: { status: string; code?: string }[]) => results.map((r) => (r.status === 'rejected' ? r.code : r.status))

describe.each(databases)('content the admin publishes on %s', (kind) => {
  let server: TestServer
  let admin: string
  let member: string
  const adminDevice = clientId()
  const memberDevice = clientId()
  let memberCursor: string

  /** Every change the member's device receives after its last pull. */
  const memberChanges = async (): Promise<Change[]> => {
    const changes: Change[] = []
    let reply
    do {
      reply = await pull(server.app, member, memberDevice, memberCursor)
      expect(reply.reset).not.toBe(true)
      changes.push(...reply.changes)
      memberCursor = reply.cursor
    } while (reply.hasMore)
    return changes
  }
  const adminPush = (...mutations: unknown[]) => push(server.app, admin, adminDevice, mutations)

  beforeAll(async () => {
    server = await startServer(kind)
    admin = await login(server.app, DEMO.admin)
    member = await login(server.app, DEMO.member)
    memberCursor = (await pullAll(server.app, member, memberDevice)).cursor
  })
  afterAll(() => server.close())

  it('publishes a new article that members pull, and keeps its publication time on an edit', async () => {
    const before = new Date().toISOString()
    expect(codes(await adminPush(mutation('material.save', { material: draft('m-news-1') })))).toEqual(['applied'])
    const [added, ...rest] = (await memberChanges()).filter((c) => c.table === 'materials')
    expect(rest).toEqual([])
    expect(added).toMatchObject({ op: 'put', id: 'm-news-1', row: { ...draft('m-news-1'), publishedAt: expect.any(String) } })
    const published = (added as { row: Material }).row.publishedAt
    expect(published >= before).toBe(true)

    const edit = draft('m-news-1', { title: '今年的惠农补贴这样领', body: `${draft('m-news-1').body}（已更正）` })
    expect(codes(await adminPush(mutation('material.save', { material: edit })))).toEqual(['applied'])
    const [edited] = (await memberChanges()).filter((c) => c.table === 'materials')
    expect(edited).toMatchObject({ op: 'put', id: 'm-news-1', row: { title: '今年的惠农补贴这样领', publishedAt: published } })
    const stored = await server.withDb((db) =>
      db.selectFrom('materials').select(['title', 'published_at', 'status']).where('id', '=', 'm-news-1').executeTakeFirstOrThrow(),
    )
    expect(stored).toEqual({ title: '今年的惠农补贴这样领', published_at: published, status: 'published' })
  })

  it('puts a 网上党校 lesson in its course, and refuses a course that does not exist', async () => {
    const lesson = draft('m-lesson-9', { column: 'school', course: 'c-basics', lesson: 9 })
    const missing = draft('m-lesson-x', { column: 'school', course: 'c-nope', lesson: 1 })
    expect(
      codes(await adminPush(mutation('material.save', { material: lesson }), mutation('material.save', { material: missing }))),
    ).toEqual(['applied', 'not_found'])
    const { rows } = await pullAll(server.app, member, clientId())
    expect(rows.get('materials/m-lesson-9')).toMatchObject({ column: 'school', course: 'c-basics', lesson: 9 })
    expect(rows.has('materials/m-lesson-x')).toBe(false)
  })

  it('withdraws a material: members’ next pull deletes it and study on it is refused', async () => {
    await memberChanges()
    expect(codes(await adminPush(mutation('material.withdraw', { materialId: 'm-news-1' })))).toEqual(['applied'])
    expect((await memberChanges()).filter((c) => c.table === 'materials')).toEqual([{ table: 'materials', id: 'm-news-1', op: 'delete' }])
    expect((await pullAll(server.app, member, clientId())).rows.has('materials/m-news-1')).toBe(false)
    const study = mutation('study.record', {
      sessionId: randomUUID(),
      materialId: 'm-news-1',
      startedAt: new Date(Date.now() - 10 * 60_000).toISOString(),
      endedAt: new Date(Date.now() - 5 * 60_000).toISOString(),
      activeSeconds: 200,
      completed: true,
    })
    expect(await push(server.app, member, memberDevice, [study])).toEqual([
      { id: study.id, status: 'rejected', code: 'not_found', message: expect.stringContaining('撤下') },
    ])
    // Withdrawing again changes nothing; an unknown id is not found.
    expect(
      codes(
        await adminPush(mutation('material.withdraw', { materialId: 'm-news-1' }), mutation('material.withdraw', { materialId: 'm-nope' })),
      ),
    ).toEqual(['applied', 'not_found'])
  })

  it('publishes a withdrawn material again as new', async () => {
    const { published_at: before } = await server.withDb((db) =>
      db.selectFrom('materials').select('published_at').where('id', '=', 'm-news-1').executeTakeFirstOrThrow(),
    )
    expect(codes(await adminPush(mutation('material.save', { material: draft('m-news-1') })))).toEqual(['applied'])
    const [back] = (await memberChanges()).filter((c) => c.table === 'materials')
    expect(back).toMatchObject({ op: 'put', id: 'm-news-1' })
    expect((back as { row: Material }).row.publishedAt > before).toBe(true)
  })

  it('refuses every content, exam, rule and 红黄榜 mutation from a member or a secretary', async () => {
    const today = dayInShanghai(new Date())
    const attempts = () => [
      mutation('material.save', { material: draft('m-by-member') }),
      mutation('material.withdraw', { materialId: 'm-001' }),
      mutation('question.save', { question: question('q-by-member') }),
      mutation('question.withdraw', { questionId: 'q-001' }),
      mutation('exam.save', {
        exam: {
          id: 'e-by-member',
          title: '不该发布的考试',
          summary: '',
          questionIds: ['q-001'],
          passMark: 60,
          opensOn: today,
          closesOn: addDays(today, 3),
        },
      }),
      mutation('exam.withdraw', { examId: 'e-by-member' }),
      mutation('rules.revise', { code: 'volunteer', from: addDays(today, 1), change: { points: 5 } }),
      mutation('honor.publish', { month: today.slice(0, 7), threshold: 0, redPerBranch: 3 }),
    ]
    for (const phone of [DEMO.member, DEMO.secretary]) {
      const results = await push(server.app, await login(server.app, phone), clientId(), attempts())
      expect(codes(results), phone).toEqual(Array(8).fill('forbidden'))
    }
    await server.withDb(async (db) => {
      expect(await db.selectFrom('materials').select('status').where('id', '=', 'm-001').executeTakeFirstOrThrow()).toEqual({
        status: 'published',
      })
      expect(await db.selectFrom('materials').select('id').where('id', '=', 'm-by-member').executeTakeFirst()).toBeUndefined()
      expect(await db.selectFrom('questions').select('status').where('id', 'in', ['q-001', 'q-by-member']).execute()).toEqual([
        { status: 'published' },
      ])
      expect(await db.selectFrom('exams').select('id').execute()).toEqual([])
      expect(await db.selectFrom('points_rules').select('version').where('code', '=', 'volunteer').execute()).toEqual([{ version: 1 }])
      expect(await db.selectFrom('honor_lists').select('month').execute()).toEqual([])
    })
  })

  it('sends a saved question to devices without its answer or explanation, and deletes it when withdrawn', async () => {
    await memberChanges()
    expect(codes(await adminPush(mutation('question.save', { question: question('q-news-1') })))).toEqual(['applied'])
    const [put] = (await memberChanges()).filter((c) => c.table === 'quiz_questions')
    expect(put).toEqual({
      table: 'quiz_questions',
      id: 'q-news-1',
      op: 'put',
      row: {
        id: 'q-news-1',
        category: '政策解读',
        type: 'single',
        stem: '耕地地力保护补贴打到哪里？',
        options: ['一卡通', '村委会现金发放'],
      },
    })
    const stored = await server.withDb((db) =>
      db.selectFrom('questions').select(['answer_json', 'explanation', 'status']).where('id', '=', 'q-news-1').executeTakeFirstOrThrow(),
    )
    expect(stored).toEqual({ answer_json: '[0]', explanation: '补贴直接打到一卡通上。', status: 'published' })

    expect(
      codes(
        await adminPush(mutation('question.withdraw', { questionId: 'q-news-1' }), mutation('question.withdraw', { questionId: 'q-nope' })),
      ),
    ).toEqual(['applied', 'not_found'])
    expect((await memberChanges()).filter((c) => c.table === 'quiz_questions')).toEqual([
      { table: 'quiz_questions', id: 'q-news-1', op: 'delete' },
    ])
    expect(
      await server.withDb((db) => db.selectFrom('questions').select('status').where('id', '=', 'q-news-1').executeTakeFirstOrThrow()),
    ).toEqual({ status: 'withdrawn' })
  })

  it('serves the admin everything to edit, answer keys and withdrawn rows included, and no one else', async () => {
    expect((await server.app.inject({ url: '/api/admin/content' })).statusCode).toBe(401)
    for (const phone of [DEMO.member, DEMO.secretary]) {
      const response = await server.app.inject({ url: '/api/admin/content', headers: { cookie: await login(server.app, phone) } })
      expect(response.statusCode, phone).toBe(403)
      expect(response.json()).toMatchObject({ error: 'forbidden' })
    }
    const response = await server.app.inject({ url: '/api/admin/content', headers: { cookie: admin } })
    expect(response.statusCode).toBe(200)
    const content = response.json() as {
      courses: { id: string; order: number }[]
      materials: (Material & { status: string })[]
      questions: (Question & { status: string })[]
      exams: unknown[]
    }
    expect(content.courses.map((c) => c.id)).toEqual(['c-basics', 'c-orglife', 'c-village'])
    expect(content.materials.find((m) => m.id === 'm-news-1')).toMatchObject({ status: 'published', title: '今年的惠农补贴怎么领' })
    expect(content.materials.find((m) => m.id === 'm-001')).toMatchObject({ status: 'published', column: 'school' })
    expect(content.questions.find((q) => q.id === 'q-news-1')).toEqual({ ...question('q-news-1'), status: 'withdrawn' })
    expect(content.questions.find((q) => q.id === 'q-001')).toMatchObject({
      status: 'published',
      answer: expect.any(Array),
      explanation: expect.any(String),
    })
    expect(content.exams).toEqual([])
    // A withdrawn material is listed for the admin too.
    await adminPush(mutation('material.withdraw', { materialId: 'm-lesson-9' }))
    const again = (await server.app.inject({ url: '/api/admin/content', headers: { cookie: admin } })).json() as typeof content
    expect(again.materials.find((m) => m.id === 'm-lesson-9')).toMatchObject({ status: 'withdrawn', course: 'c-basics', lesson: 9 })
  })

  it('keeps each member’s study progress per material, privately', async () => {
    const session = (minutesAgo: number, activeSeconds: number, completed: boolean) => {
      const args = {
        sessionId: randomUUID(),
        materialId: 'm-001',
        startedAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
        endedAt: new Date(Date.now() - (minutesAgo - 5) * 60_000).toISOString(),
        activeSeconds,
        completed,
      }
      return { ...mutation('study.record', args), args }
    }
    const first = session(30, 120, true)
    expect(codes(await push(server.app, member, memberDevice, [first]))).toEqual(['applied'])
    const [progress] = (await memberChanges()).filter((c) => c.table === 'study_progress')
    expect(progress).toEqual({
      table: 'study_progress',
      id: 'm-001',
      op: 'put',
      row: { id: 'm-001', activeSeconds: 120, completed: true, lastStudiedAt: first.args.endedAt },
    })

    // A later, unfinished session adds its time and keeps the lesson completed.
    const second = session(10, 60, false)
    expect(codes(await push(server.app, member, memberDevice, [second]))).toEqual(['applied'])
    const { rows } = await pullAll(server.app, member, clientId())
    expect(rows.get('study_progress/m-001') as StudyProgressRow).toEqual({
      id: 'm-001',
      activeSeconds: 180,
      completed: true,
      lastStudiedAt: second.args.endedAt,
    })

    for (const phone of ['13800000002', DEMO.secretary, DEMO.admin]) {
      const other = await pullAll(server.app, await login(server.app, phone), clientId())
      expect(
        [...other.rows.keys()].some((key) => key.startsWith('study_progress/')),
        phone,
      ).toBe(false)
    }
  })
})
