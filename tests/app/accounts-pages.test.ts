import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { h, type Component } from 'vue'
import ActivatePage from '~/app/views/accounts/ActivatePage.vue'
import IssueCodeButton from '~/app/views/accounts/IssueCodeButton.vue'
import SlipPage from '~/app/views/accounts/SlipPage.vue'
import { useSessionStore } from '~/app/stores/session'
import { META_KEYS } from '~/app/constants'
import type { AppDB } from '~/app/db'
import type { IssuedCode } from '~/domain/accounts'
import { demoMe, freshDB, json, requests, stubFetch } from './helpers'

let db: AppDB

beforeEach(() => {
  db = freshDB()
})

afterEach(async () => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
  await db.delete()
})

// Vant's NavBar measures its safe-area placeholder again 100, 200 and 300 ms after mounting; the last page
// of this file must not leave those timers to fire after happy-dom's window is gone.
afterAll(() => new Promise((resolve) => setTimeout(resolve, 350)))

async function mountAt(path: string, page: Component) {
  const stub = (text: string) => ({ render: () => h('div', text) })
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/activate', component: ActivatePage },
      { path: '/roster', component: page },
      { path: '/accounts/slip', component: SlipPage },
      { path: '/', component: stub('home') },
      { path: '/login', component: stub('login') },
    ],
  })
  const pinia = createPinia()
  setActivePinia(pinia)
  await router.push(path)
  await router.isReady()
  const wrapper = mount({ render: () => h('div', [h(RouterView)]) }, { global: { plugins: [pinia, router] }, attachTo: document.body })
  return { wrapper, router }
}

async function fillActivation(wrapper: Awaited<ReturnType<typeof mountAt>>['wrapper'], values: Record<string, string>) {
  for (const [name, value] of Object.entries(values)) await wrapper.find(`input[name="${name}"]`).setValue(value)
  await wrapper.find('form').trigger('submit')
}

describe('ActivatePage', () => {
  it('checks the form as the server will before sending anything', async () => {
    const fetchMock = stubFetch(() => json(200, demoMe))
    const { wrapper } = await mountAt('/activate', ActivatePage)
    await fillActivation(wrapper, { phone: '13800000001', code: 'ABCD000', password: '13800000001', again: 'other' })
    await vi.waitFor(() => expect(wrapper.text()).toContain('激活码是8位字母和数字'))
    expect(wrapper.text()).toContain('密码不能用手机号码')
    expect(wrapper.text()).toContain('两次输入的新密码不一样')
    await flushPromises()
    expect(fetchMock).not.toHaveBeenCalled()
    wrapper.unmount()
  })

  it('signs in with the code and lands on 首页', async () => {
    const fetchMock = stubFetch(() => json(200, demoMe))
    const { wrapper, router } = await mountAt('/activate', ActivatePage)
    await fillActivation(wrapper, { phone: '１３８００００００01', code: 'abcd 2345', password: 'hongqi-2026', again: 'hongqi-2026' })
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe('/'))
    expect(requests(fetchMock)).toEqual(['POST /api/auth/activate'])
    expect(await db.getMeta(META_KEYS.me)).toEqual(demoMe)
    wrapper.unmount()
  })

  it('says what to do when the code is wrong, used or expired', async () => {
    stubFetch(() => json(401, { error: 'wrong_credentials', message: '手机号或密码不正确' }))
    const { wrapper, router } = await mountAt('/activate', ActivatePage)
    await fillActivation(wrapper, { phone: '13800000001', code: 'ABCD2345', password: 'hongqi-2026', again: 'hongqi-2026' })
    await vi.waitFor(() => expect(wrapper.find('[role="alert"]').exists()).toBe(true))
    expect(wrapper.find('[role="alert"]').text()).toMatch(/激活码已用过、已过期.*支部书记重新发放/)
    expect(router.currentRoute.value.path).toBe('/activate')
    wrapper.unmount()
  })
})

describe('IssueCodeButton and the slip', () => {
  const issued: IssuedCode = {
    code: 'ABCD2345',
    expiresAt: '2026-12-08T02:00:00.000Z',
    reset: true,
    member: { id: 'u-66hr2jf7sv8n', name: '王建国', phone: '13800000001', branchName: '合兴村党支部' },
  }
  const Roster = { render: () => h('div', [h(IssueCodeButton, { memberId: 'u-66hr2jf7sv8n', memberName: '王建国' })]) }

  it('asks first (a reset signs the member out), then shows the code once and prints it from memory', async () => {
    const fetchMock = stubFetch(() => json(200, issued))
    const { wrapper, router } = await mountAt('/roster', Roster)
    useSessionStore().me = { ...demoMe, user: { ...demoMe.user, id: 'u-d2h5f8be4qmj', role: 'secretary' } }
    await wrapper.find('[data-testid="issue-code"]').trigger('click')
    await vi.waitFor(() => expect(document.body.textContent).toContain('已登录的手机都会退出'))
    expect(fetchMock).not.toHaveBeenCalled()
    ;(document.querySelector('.van-dialog__confirm') as HTMLButtonElement).click()
    await vi.waitFor(() => expect(document.querySelector('[data-testid="issued-code"]')?.textContent).toBe('ABCD 2345'))
    expect(requests(fetchMock)).toEqual(['POST /api/admin/members/u-66hr2jf7sv8n/activation'])
    expect(document.body.textContent).toContain('原密码已作废')

    const print = [...document.querySelectorAll('button')].find((b) => b.textContent?.includes('打印激活单'))
    print?.click()
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/accounts/slip'))
    await vi.waitFor(() => expect(wrapper.find('[data-testid="slip-code"]').exists()).toBe(true))
    expect(wrapper.find('[data-testid="slip-code"]').text()).toBe('ABCD 2345')
    expect(wrapper.find('[data-testid="slip"]').text()).toContain('合兴村党支部')
    expect(wrapper.find('[data-testid="slip"]').text()).toContain('2026年12月8日 10:00')
    await vi.waitFor(() => expect(wrapper.find('img.slip-qr').attributes('src')).toMatch(/^data:image\/png;base64,/))
    wrapper.unmount()
  })

  it('shows an empty slip page when no code was issued here', async () => {
    const { wrapper } = await mountAt('/accounts/slip', Roster)
    useSessionStore().me = demoMe
    await flushPromises()
    expect(wrapper.text()).toContain('没有可打印的激活单')
    wrapper.unmount()
  })
})
