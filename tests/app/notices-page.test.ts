// 消息通知 says when each notice came in Beijing time, whatever the phone's zone, as the 整改提示单 it
// opens says it (issue 13): a notice from 01:26 in Xinhang is 12月4日 01:26 on both pages, not 昨天 17:26.
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { h } from 'vue'
import NoticesPage from '~/app/views/board/NoticesPage.vue'
import { useSessionStore } from '~/app/stores/session'
import { useSyncStore } from '~/app/stores/sync'
import { useBoardStore } from '~/app/stores/board'
import type { SyncTransport } from '~/app/sync/transport'
import type { AppDB } from '~/app/db'
import type { NoticeRow } from '~/domain/board'
import { demoMe, freshDB } from './helpers'

const unreachable: SyncTransport = {
  push: () => Promise.reject(new TypeError('Failed to fetch')),
  pull: () => Promise.reject(new TypeError('Failed to fetch')),
}
const secretaryMe = { ...demoMe, user: { ...demoMe.user, id: 'u-d2h5f8be4qmj', role: 'secretary' as const } }

const notice = (id: string, createdAt: string, over: Partial<NoticeRow> = {}): NoticeRow => ({
  id,
  kind: 'rectification',
  rectificationId: `r-${id}`,
  topicId: '',
  commentId: '',
  title: `收到整改提示单（${id}）`,
  body: '请于12月18日前提交整改情况。',
  createdAt,
  readAt: null,
  ...over,
})

let db: AppDB
beforeEach(() => {
  db = freshDB()
  vi.useFakeTimers({ toFake: ['Date'] })
  // 09:00 on 4 December in Xinhang (01:00 UTC).
  vi.setSystemTime(new Date('2026-12-04T01:00:00.000Z'))
})
afterEach(async () => {
  useBoardStore().$dispose()
  useSyncStore().stop()
  vi.useRealTimers()
  document.body.innerHTML = ''
  await db.delete()
})
// Vant's NavBar measures itself again up to 300 ms after mounting: let it finish before the window goes.
afterAll(() => new Promise((resolve) => setTimeout(resolve, 350)))

describe('NoticesPage', () => {
  it('says each notice’s time in Beijing time, with the year only when it isn’t this year', async () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    useSessionStore().me = secretaryMe
    await useSyncStore().start(secretaryMe.user.id, { schedule: false, transport: unreachable })
    await db.notices.bulkPut([
      notice('n-night', '2026-12-03T17:26:00.000Z'), // 01:26 on the 4th in Xinhang, 17:26 on the 3rd in UTC
      notice('n-old', '2025-12-31T15:30:00.000Z', { kind: 'comment', rectificationId: undefined, topicId: 't-1', commentId: 'c-1' }),
    ])
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/notices', component: NoticesPage },
        { path: '/:rest(.*)*', component: { render: () => h('div') } },
      ],
    })
    await router.push('/notices')
    await router.isReady()
    const wrapper = mount({ render: () => h(RouterView) }, { global: { plugins: [pinia, router] }, attachTo: document.body })
    await vi.waitFor(() => expect(wrapper.findAll('.notice-time')).toHaveLength(2), { timeout: 5_000 })
    await flushPromises()
    const times = Object.fromEntries(wrapper.findAll('.notice').map((n) => [n.attributes('data-notice-id'), n.find('.notice-time').text()]))
    expect(times).toEqual({ 'n-night': '12月4日 01:26', 'n-old': '2025年12月31日 23:30' })
    wrapper.unmount()
  })
})
