import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { h } from 'vue'
import LoginPage from '~/app/views/login/LoginPage.vue'
import { META_KEYS } from '~/app/constants'
import type { AppDB } from '~/app/db'
import { demoMe, freshDB, json, requests, stubFetch } from './helpers'

let db: AppDB

beforeEach(() => {
  db = freshDB()
})

afterEach(async () => {
  vi.unstubAllGlobals()
  await db.delete()
})

async function mountLogin(path = '/login') {
  const stub = (text: string) => ({ render: () => h('div', text) })
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/login', component: LoginPage },
      { path: '/', component: stub('home') },
      { path: '/study', component: stub('study') },
    ],
  })
  await router.push(path)
  await router.isReady()
  const wrapper = mount(LoginPage, { global: { plugins: [createPinia(), router] }, attachTo: document.body })
  return { wrapper, router }
}

async function fillAndSubmit(wrapper: Awaited<ReturnType<typeof mountLogin>>['wrapper'], phone: string, password: string) {
  await wrapper.find('input[name="phone"]').setValue(phone)
  await wrapper.find('input[name="password"]').setValue(password)
  await wrapper.find('form').trigger('submit')
}

describe('LoginPage', () => {
  it('shows the server’s message in the alert when the phone or password is wrong', async () => {
    const fetchMock = stubFetch(() => json(401, { error: 'wrong_credentials', message: '手机号或密码不正确' }))
    const { wrapper, router } = await mountLogin()
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)

    await fillAndSubmit(wrapper, '13800000001', 'wrong-password')
    await vi.waitFor(() => expect(wrapper.find('[role="alert"]').exists()).toBe(true))

    expect(wrapper.find('[role="alert"]').text()).toBe('手机号或密码不正确')
    expect(requests(fetchMock)).toEqual(['POST /api/auth/login'])
    expect(JSON.parse(String(fetchMock.mock.calls[0]?.[1]?.body))).toEqual({ phone: '13800000001', password: 'wrong-password' })
    expect(router.currentRoute.value.path).toBe('/login')
    wrapper.unmount()
  })

  it('does not call the server while the phone number is not 11 digits', async () => {
    const fetchMock = stubFetch(() => json(200, demoMe))
    const { wrapper } = await mountLogin()
    await fillAndSubmit(wrapper, '138', 'dangjian2026')
    await vi.waitFor(() => expect(wrapper.text()).toContain('请输入11位手机号码'))
    await flushPromises()
    expect(fetchMock).not.toHaveBeenCalled()
    wrapper.unmount()
  })

  it('signs in and goes on to the page named in ?next', async () => {
    stubFetch(() => json(200, demoMe))
    const { wrapper, router } = await mountLogin('/login?next=/study')
    await fillAndSubmit(wrapper, '13800000001', 'dangjian2026')

    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe('/study'))
    expect(await db.getMeta(META_KEYS.me)).toEqual(demoMe)
    wrapper.unmount()
  })
})
