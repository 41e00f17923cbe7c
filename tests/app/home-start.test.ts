import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { effectScope, h } from 'vue'
import HomePage from '~/app/views/home/HomePage.vue'
import { useTodaysMeetings } from '~/app/views/home/useTodaysMeetings'
import { useSessionStore } from '~/app/stores/session'
import { useStudyStore } from '~/app/stores/study'
import { createAppRouter } from '~/app/router'
import { META_KEYS } from '~/app/constants'
import type { AppDB } from '~/app/db'
import type { MeetingRow } from '~/domain/meetings'
import type { Material } from '~/domain/study'
import type { Me } from '~/domain/users'
import { demoMe, freshDB, stubFetch } from './helpers'

// The cold start (issue 14): the session is read after the shell mounts, 首页 draws the greeting from it
// alone, and its cards load afterwards with their own small queries.

const SECRETARY = 'u-d2h5f8be4qmj'
const secretaryMe: Me = { ...demoMe, user: { ...demoMe.user, id: SECRETARY, phone: '13800000101', name: '张志强', role: 'secretary' } }
const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 5_000 })

let db: AppDB

beforeEach(() => {
  db = freshDB()
  setActivePinia(createPinia())
  stubFetch(() => 'offline')
})

afterEach(async () => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  db.close()
  await db.delete()
})

function meeting(id: string, startsAt: string, extra: Partial<MeetingRow> = {}): MeetingRow {
  return {
    id,
    branchId: 'b-hexing',
    type: 'assembly',
    title: `会议 ${id}`,
    agenda: '',
    place: '村委会会议室',
    startsAt,
    endsAt: new Date(Date.parse(startsAt) + 3_600_000).toISOString(),
    audience: 'branch',
    expectedIds: [demoMe.user.id, SECRETARY],
    remoteAllowed: true,
    remoteMemberIds: [],
    videoUrl: null,
    materialIds: [],
    status: 'scheduled',
    minutes: null,
    backfillReason: null,
    closedAt: null,
    ...extra,
  }
}

function material(id: string, title: string): Material {
  return {
    id,
    column: 'library',
    course: null,
    lesson: null,
    category: '党章党规',
    kind: 'article',
    title,
    summary: '',
    body: '正文',
    media: null,
    publishedAt: '2026-03-01T00:00:00.000Z',
  }
}

describe('the session read at start', () => {
  it('is read without Dexie from the database Dexie wrote, and the router waits for it', async () => {
    await db.setMeta(META_KEYS.me, demoMe)
    // Nothing called restore(): the guard does, and decides only once the member is known.
    const router = createAppRouter()
    await router.push('/study')
    expect(router.currentRoute.value.path).toBe('/study')
    expect(useSessionStore().me).toEqual(demoMe)
  })

  it('sends a device with no remembered member to 登录, without creating a database', async () => {
    const router = createAppRouter()
    await router.push('/study')
    expect(router.currentRoute.value.path).toBe('/login')
    expect(useSessionStore().restored).toBe(true)
    expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(db.name)
  })

  it('opens to 登录 when the remembered member has a shape this version does not know', async () => {
    await db.setMeta(META_KEYS.me, { user: { id: demoMe.user.id, name: '王建国' } })
    const session = useSessionStore()
    await session.restore()
    expect(session.signedIn).toBe(false)
  })
})

describe('首页 at start', () => {
  it('draws the greeting from the session alone, then the cards with the device’s data', async () => {
    await db.materials.bulkPut([material('m-1', '学习党章第一讲')])
    const pinia = createPinia()
    setActivePinia(pinia)
    useSessionStore().me = demoMe
    const stub = { render: () => h('div') }
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/', component: HomePage },
        { path: '/:rest(.*)*', component: stub },
      ],
    })
    await router.push('/')
    const wrapper = mount(HomePage, { global: { plugins: [pinia, router] }, attachTo: document.body })
    expect(wrapper.find('[data-testid="greeting"]').text()).toBe('王建国同志，您好')
    expect(wrapper.text()).toContain('合兴村党支部 · 党员')
    // The cards are not part of the first paint: they come after it.
    expect(wrapper.find('[data-testid="today-points"]').exists()).toBe(false)
    await waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('[data-testid="today-points"]').exists()).toBe(true)
      expect(wrapper.text()).toContain('学习党章第一讲')
    })
    wrapper.unmount()
  })
})

describe('首页’s meeting reminder', () => {
  async function todays(me: Me) {
    useSessionStore().me = me
    const scope = effectScope()
    const list = scope.run(() => useTodaysMeetings())!
    return { list, stop: () => scope.stop() }
  }

  it('shows today’s meetings in Shanghai this user is expected at, and follows the table', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-03-10T09:00:00+08:00'))
    await db.meetings.bulkPut([
      meeting('tonight', '2026-03-10T11:30:00.000Z'),
      // 00:30 in Shanghai on the 10th is still the 9th in UTC.
      meeting('early', '2026-03-09T16:30:00.000Z'),
      meeting('yesterday', '2026-03-09T15:30:00.000Z'),
      meeting('tomorrow', '2026-03-11T00:00:00.000Z'),
      meeting('cancelled', '2026-03-10T06:00:00.000Z', { status: 'cancelled' }),
      meeting('not-mine', '2026-03-10T06:00:00.000Z', { expectedIds: [SECRETARY] }),
      meeting('elsewhere', '2026-03-10T06:00:00.000Z', { branchId: 'b-other', expectedIds: [] }),
    ])
    const member = await todays(demoMe)
    await waitFor(() => expect(member.list.value.map((m) => m.id)).toEqual(['early', 'tonight']))

    await db.meetings.put(meeting('noon', '2026-03-10T04:00:00.000Z'))
    await waitFor(() => expect(member.list.value.map((m) => m.id)).toEqual(['early', 'noon', 'tonight']))
    member.stop()

    // A secretary is reminded of every meeting of their branch, expected or not.
    const secretary = await todays(secretaryMe)
    await waitFor(() => expect(secretary.list.value.map((m) => m.id)).toEqual(['early', 'noon', 'not-mine', 'tonight']))
    secretary.stop()
  })
})

describe('before the sync engine has started', () => {
  it('shows a lesson learnt offline as learnt, from the session alone', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-05-01T10:00:00+08:00'))
    await db.materials.bulkPut([material('m-1', '学习党章第一讲')])
    await db.outbox.add({
      id: 'mut-1',
      userId: demoMe.user.id,
      name: 'study.record',
      args: {
        sessionId: '00000000-0000-4000-8000-000000000001',
        materialId: 'm-1',
        startedAt: '2026-05-01T02:00:00.000Z',
        endedAt: '2026-05-01T02:05:00.000Z',
        activeSeconds: 300,
        completed: true,
      },
      clientTime: '2026-05-01T02:05:00.000Z',
    })
    // Signed in, but the engine (loaded after the first paint) has not started: sync.userId is null.
    useSessionStore().me = demoMe
    const study = useStudyStore()
    await waitFor(() => expect(study.isCompleted('m-1')).toBe(true))
  })
})
