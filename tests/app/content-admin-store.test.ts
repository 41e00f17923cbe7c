// The admin's 内容管理 store against the real server (in-process, SQLite): the content is read from
// GET /api/admin/content (fetch routed to app.inject), changes go through the sync store's outbox.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { randomUUID } from 'node:crypto'
import { DEMO, login, startServer, type TestServer } from '../server/helpers'
import { device, injectTransport } from '../sync/harness'
import { useSyncStore } from '~/app/stores/sync'
import { newContentId, overlayContent, OFFLINE_MESSAGE, useContentAdminStore, type AdminContentReply } from '~/app/stores/contentAdmin'
import type { AppDB } from '~/app/db'
import type { MaterialDraft } from '~/domain/study'
import { addDays, dayInShanghai } from '~/domain/calendar'
import type { Exam } from '~/domain/quiz'
import { freshDB } from './helpers'

const ADMIN_ID = 'u-jjv8xvrq2yab'

let server: TestServer
let adminCookie: string
let db: AppDB
/** What the stubbed network does with GET /api/admin/content: ask the server, or fail like a dropped connection. */
let network: 'up' | 'down' = 'up'
let contentRequests = 0

beforeAll(async () => {
  server = await startServer('sqlite')
  adminCookie = await login(server.app, DEMO.admin)
})
afterAll(async () => {
  await server?.close()
})

beforeEach(async () => {
  db = freshDB()
  setActivePinia(createPinia())
  network = 'up'
  contentRequests = 0
  routeFetch(adminCookie)
  const { transport } = injectTransport(
    () => server.app,
    () => adminCookie,
  )
  await useSyncStore().start(ADMIN_ID, { transport, schedule: false })
})
afterEach(async () => {
  useSyncStore().stop()
  vi.unstubAllGlobals()
  await db.delete()
})

/** Only /api/admin/content goes over `fetch` here (the sync engine has its own transport): to the server, as `cookie`. */
function routeFetch(cookie: string) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const path = String(input)
      if (path !== '/api/admin/content') throw new Error(`unexpected request ${path}`)
      contentRequests++
      if (network === 'down') throw new TypeError('Failed to fetch')
      const response = await server.app.inject({ url: path, headers: { cookie } })
      return new Response(response.body, { status: response.statusCode, headers: { 'content-type': 'application/json' } })
    }),
  )
}

function article(title: string, overrides: Partial<MaterialDraft> = {}): MaterialDraft {
  return {
    id: newContentId('m'),
    column: 'library',
    course: null,
    lesson: null,
    category: '安全与健康',
    kind: 'article',
    title,
    summary: '冬天用火用电要当心',
    body: '## 冬季防火\n\n取暖器不要靠近被褥，出门前关掉电源。',
    media: null,
    ...overrides,
  }
}

describe('content admin store', () => {
  it('reads everything the admin edits: materials and questions with their status, answer keys, courses', async () => {
    const store = useContentAdminStore()
    const loading = store.load()
    expect(store.loading).toBe(true)
    await loading
    expect(store.loading).toBe(false)
    expect(store.error).toBe('')
    expect(store.materials.published.length).toBeGreaterThanOrEqual(30)
    expect(store.materials.withdrawn).toEqual([])
    expect(store.courses.map((c) => c.id)).toContain('c-basics')
    const question = store.questions.published.find((q) => q.id === 'q-001')
    expect(question?.answer).toEqual([0])
    expect(question?.pending).toBe(false)
  })

  it('offline, says 内容管理需要联网 and reads the content on retry once the network is back', async () => {
    network = 'down'
    const store = useContentAdminStore()
    await store.load()
    expect(store.offline).toBe(true)
    expect(store.error).toBe(OFFLINE_MESSAGE)
    expect(store.error).toContain('内容管理需要联网')
    expect(store.content).toBeNull()

    network = 'up'
    await store.load()
    expect(store.offline).toBe(false)
    expect(store.error).toBe('')
    expect(store.content?.materials.length).toBeGreaterThan(0)
  })

  it('tells a non-admin, in Chinese, that only the town committee manages content', async () => {
    routeFetch(await login(server.app, DEMO.member))
    const store = useContentAdminStore()
    await store.load()
    expect(store.offline).toBe(false)
    expect(store.error).toBe('只有镇党委管理员可以管理学习内容')
    expect(store.content).toBeNull()
  })

  it('shows a saved material as 待同步 until pushed, reloads the list after the push, and a withdrawal reaches members’ devices', async () => {
    const member = await device(() => server.app, DEMO.member, 'u-66hr2jf7sv8n')
    await member.engine.sync()
    const store = useContentAdminStore()
    const sync = useSyncStore()
    await store.load()
    const before = contentRequests

    const draft = article('冬季防火安全常识')
    await store.saveMaterial(draft)
    await vi.waitFor(() =>
      expect(store.materials.published[0]).toMatchObject({ id: draft.id, title: '冬季防火安全常识', pending: true, status: 'published' }),
    )
    expect(sync.pending.map((r) => r.name)).toEqual(['material.save'])

    await sync.syncNow()
    // The outbox emptied: the store read the list again, and the row is now the server's (its time stamped there).
    await vi.waitFor(() => expect(contentRequests).toBeGreaterThan(before))
    await vi.waitFor(() => expect(store.loading).toBe(false))
    const saved = store.find.material(draft.id)
    expect(saved).toMatchObject({ pending: false, status: 'published', title: '冬季防火安全常识' })
    expect(await server.withDb((d) => d.selectFrom('materials').select('status').where('id', '=', draft.id).executeTakeFirst())).toEqual({
      status: 'published',
    })

    await member.engine.sync()
    expect((await member.db.materials.get(draft.id))?.title).toBe('冬季防火安全常识')

    await store.withdrawMaterial(draft.id)
    await vi.waitFor(() => expect(store.materials.withdrawn.map((m) => [m.id, m.pending])).toEqual([[draft.id, true]]))
    expect(store.materials.published.some((m) => m.id === draft.id)).toBe(false)
    const reloads = contentRequests
    await sync.syncNow()
    await vi.waitFor(() => expect(contentRequests).toBeGreaterThan(reloads))
    await vi.waitFor(() => expect(store.find.material(draft.id)).toMatchObject({ status: 'withdrawn', pending: false }))

    // The member's device drops it on its next pull.
    await member.engine.sync()
    expect(await member.db.materials.get(draft.id)).toBeUndefined()

    // 重新发布: it comes back, for members too.
    await store.republishMaterial(draft.id)
    await vi.waitFor(() => expect(store.find.material(draft.id)).toMatchObject({ status: 'published', pending: true }))
    await sync.syncNow()
    await vi.waitFor(() => expect(store.find.material(draft.id)).toMatchObject({ status: 'published', pending: false }))
    await member.engine.sync()
    expect((await member.db.materials.get(draft.id))?.title).toBe('冬季防火安全常识')
    await member.close()
  })

  it('saves offline: the change waits in the outbox as 待同步 and is sent once the network is back', async () => {
    const sync = useSyncStore()
    const { transport, faults } = injectTransport(
      () => server.app,
      () => adminCookie,
    )
    sync.stop()
    await sync.start(ADMIN_ID, { transport, schedule: false })
    const store = useContentAdminStore()
    await store.load()
    const question = { ...store.find.question('q-002')!, stem: '党的最高理想和最终目标是什么？（修订）' }
    network = 'down'
    faults.failBeforeSend = 100
    await store.saveQuestion({
      id: question.id,
      category: question.category,
      type: question.type,
      stem: question.stem,
      options: question.options,
      answer: question.answer,
      explanation: question.explanation,
      materialId: question.materialId,
    })
    await vi.waitFor(() =>
      expect(store.find.question('q-002')).toMatchObject({ stem: '党的最高理想和最终目标是什么？（修订）', pending: true }),
    )
    await expect(sync.syncNow()).rejects.toThrow()
    expect(store.find.question('q-002')?.pending).toBe(true)

    faults.failBeforeSend = 0
    network = 'up'
    await sync.syncNow()
    await vi.waitFor(() =>
      expect(store.find.question('q-002')).toMatchObject({ stem: '党的最高理想和最终目标是什么？（修订）', pending: false }),
    )
    expect(await server.withDb((d) => d.selectFrom('questions').select('stem').where('id', '=', 'q-002').executeTakeFirst())).toEqual({
      stem: '党的最高理想和最终目标是什么？（修订）',
    })
  })

  it('forgets the content (answer keys included) when the admin signs out', async () => {
    const store = useContentAdminStore()
    await store.load()
    expect(store.content).not.toBeNull()
    useSyncStore().stop()
    await vi.waitFor(() => expect(store.content).toBeNull())
    expect(store.loadedAt).toBeNull()
  })

  it('refuses an invalid draft before it reaches the outbox, with the schema’s Chinese message', async () => {
    const store = useContentAdminStore()
    await expect(store.saveMaterial(article('网上党校课程', { column: 'school' }))).rejects.toThrow('网上党校的资料须选择课程和课次')
    await expect(store.saveMaterial(article('音频', { kind: 'audio' }))).rejects.toThrow('音频和视频须有媒体文件和时长')
    await expect(
      store.saveExam({
        id: 'e-x',
        title: '测试',
        summary: '',
        questionIds: [],
        passMark: 60,
        opensOn: '2026-03-01',
        closesOn: '2026-03-31',
      }),
    ).rejects.toThrow('请至少选择1道题')
    expect(await db.outbox.count()).toBe(0)
  })

  it('shows the server’s refusal of an exam edit after a member sat it, and lists the server’s version again', async () => {
    const store = useContentAdminStore()
    const sync = useSyncStore()
    await store.load()
    const today = dayInShanghai(new Date())
    const exam: Exam = {
      id: newContentId('e'),
      title: '党章知识测试',
      summary: '',
      questionIds: ['q-001', 'q-002'],
      passMark: 60,
      opensOn: today,
      closesOn: addDays(today, 7),
    }
    await store.saveExam(exam)
    await sync.syncNow()
    await vi.waitFor(() => expect(store.find.exam(exam.id)).toMatchObject({ pending: false, status: 'published' }))

    const member = await device(() => server.app, DEMO.member, 'u-66hr2jf7sv8n')
    await member.engine.enqueue('quiz.submit', {
      quizId: `exam:${exam.id}`,
      answers: { 'q-001': [0], 'q-002': [1] },
      submittedAt: new Date().toISOString(),
    })
    expect((await member.engine.sync()).applied).toBe(1)
    await member.close()

    await store.saveExam({ ...exam, passMark: 80 })
    await vi.waitFor(() => expect(store.find.exam(exam.id)).toMatchObject({ passMark: 80, pending: true }))
    await sync.syncNow()
    await vi.waitFor(() => expect(store.rejected.map((r) => r.message)).toEqual(['已有党员参加这场考试，不能再修改']))
    await vi.waitFor(() => expect(store.find.exam(exam.id)).toMatchObject({ passMark: 60, pending: false }))
    await store.dismissRejected(store.rejected[0]!.id)
    await vi.waitFor(() => expect(store.rejected).toEqual([]))
  })
})

describe('overlayContent', () => {
  const reply: AdminContentReply = {
    courses: [],
    materials: [
      { ...article('甲篇'), id: 'm-a', publishedAt: '2026-01-01T00:00:00.000Z', status: 'published' },
      { ...article('乙篇'), id: 'm-b', publishedAt: '2026-01-02T00:00:00.000Z', status: 'withdrawn' },
    ],
    questions: [],
    exams: [],
  }
  const change = (name: string, args: unknown, pending = true) => ({
    name,
    args,
    clientTime: '2026-02-01T00:00:00.000Z',
    pending,
    id: randomUUID(),
  })

  it('applies the admin’s changes in order: an edit keeps its date, a republish is new, save-then-withdraw ends withdrawn', () => {
    const edited = { ...article('甲（改）'), id: 'm-a' }
    const fresh = { ...article('丙篇'), id: 'm-c' }
    const result = overlayContent(reply, [
      change('material.save', { material: edited }),
      change('material.save', { material: { ...article('乙篇'), id: 'm-b' } }, false),
      change('material.save', { material: fresh }),
      change('material.withdraw', { materialId: 'm-c' }),
    ])
    expect(result.materials.map((m) => [m.id, m.title, m.status, m.pending, m.publishedAt])).toEqual([
      ['m-c', '丙篇', 'withdrawn', true, '2026-02-01T00:00:00.000Z'],
      ['m-a', '甲（改）', 'published', true, '2026-01-01T00:00:00.000Z'],
      ['m-b', '乙篇', 'published', false, '2026-02-01T00:00:00.000Z'],
    ])
    // The server's reply itself is left as it was.
    expect(reply.materials[0]!.title).toBe('甲篇')
  })

  it('ignores changes whose arguments do not parse, and other mutations', () => {
    const result = overlayContent(reply, [
      change('material.save', { material: { id: 'm-a' } }),
      change('profile.update', { status: 'home' }),
    ])
    expect(result.materials.map((m) => [m.id, m.title, m.pending])).toEqual([
      ['m-a', '甲篇', false],
      ['m-b', '乙篇', false],
    ])
  })
})
