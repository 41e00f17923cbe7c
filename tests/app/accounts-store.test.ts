import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useAccountsStore } from '~/app/stores/accounts'
import { useSessionStore } from '~/app/stores/session'
import { ApiError } from '~/app/api/client'
import { META_KEYS } from '~/app/constants'
import type { AppDB } from '~/app/db'
import type { IssuedCode } from '~/domain/accounts'
import type { Me } from '~/domain/users'
import { demoMe, freshDB, json, requests, settle, stubFetch } from './helpers'

const secretaryMe: Me = {
  user: { ...demoMe.user, id: 'u-d2h5f8be4qmj', phone: '13800000101', name: '张志强', role: 'secretary' },
  branch: demoMe.branch,
  town: demoMe.town,
}
const issued: IssuedCode = {
  code: 'ABCD2345',
  expiresAt: '2026-12-08T02:00:00.000Z',
  reset: true,
  member: { id: 'u-66hr2jf7sv8n', name: '王建国', phone: '13800000001', branchName: '合兴村党支部' },
}

let db: AppDB

beforeEach(() => {
  db = freshDB()
  setActivePinia(createPinia())
})

afterEach(async () => {
  vi.unstubAllGlobals()
  await db.delete()
})

/** Everything the device keeps in its meta table, as text (to look for a code that must not be there). */
async function storedText(): Promise<string> {
  return JSON.stringify(await db.table('meta').toArray())
}

describe('accounts store', () => {
  it('activates: sends phone, code and password, signs in and remembers the member for offline use', async () => {
    await db.setMeta(META_KEYS.pendingLogout, true)
    const fetchMock = stubFetch(() => json(200, demoMe))
    const me = await useAccountsStore().activate('13800000001', 'abcd 2345', 'hongqi-2026')
    expect(me).toEqual(demoMe)
    expect(requests(fetchMock)).toEqual(['POST /api/auth/activate'])
    expect(JSON.parse(String(fetchMock.mock.calls[0]?.[1]?.body))).toEqual({
      phone: '13800000001',
      code: 'abcd 2345',
      password: 'hongqi-2026',
    })
    expect(useSessionStore().signedIn).toBe(true)
    expect(await db.getMeta(META_KEYS.me)).toEqual(demoMe)
    // A sign-out that was waiting to be sent must not end the new session.
    expect(await db.getMeta(META_KEYS.pendingLogout)).toBeUndefined()

    // A reload without network opens signed in.
    const offline = stubFetch(() => 'offline')
    setActivePinia(createPinia())
    const session = useSessionStore()
    await session.restore()
    expect(session.me).toEqual(demoMe)
    await vi.waitFor(() => expect(requests(offline)).toEqual(['GET /api/me']))
    await settle()
    expect(session.signedIn).toBe(true)
  })

  it('stays signed out when the code is refused, with the server’s answer', async () => {
    stubFetch(() => json(401, { error: 'wrong_credentials', message: '手机号或密码不正确' }))
    const error = await useAccountsStore()
      .activate('13800000001', 'ABCD2345', 'hongqi-2026')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 401, code: 'wrong_credentials' })
    expect(useSessionStore().signedIn).toBe(false)
    expect(await db.getMeta(META_KEYS.me)).toBeUndefined()
  })

  it('changes the password with the current one', async () => {
    const fetchMock = stubFetch(() => json(200, { ok: true }))
    await useAccountsStore().changePassword('dangjian2026', 'hongqi-2026')
    expect(requests(fetchMock)).toEqual(['POST /api/auth/password'])
    expect(JSON.parse(String(fetchMock.mock.calls[0]?.[1]?.body))).toEqual({ current: 'dangjian2026', password: 'hongqi-2026' })
  })

  it('keeps an issued code in memory only, for the slip of the one who issued it', async () => {
    useSessionStore().me = secretaryMe
    const fetchMock = stubFetch(() => json(200, issued))
    const accounts = useAccountsStore()
    await accounts.issueCode('u-66hr2jf7sv8n')
    expect(requests(fetchMock)).toEqual(['POST /api/admin/members/u-66hr2jf7sv8n/activation'])
    expect(accounts.slip()).toMatchObject({ ...issued, issuedBy: secretaryMe.user.id })
    expect(await storedText()).not.toContain('ABCD2345')

    // Someone else signs in on this phone: the slip isn't theirs to print.
    useSessionStore().me = { ...secretaryMe, user: { ...secretaryMe.user, id: 'u-other' } }
    expect(accounts.slip()).toBeNull()
    useSessionStore().me = secretaryMe
    accounts.forget()
    expect(accounts.slip()).toBeNull()

    // Nor does it survive a reload.
    await accounts.issueCode('u-66hr2jf7sv8n')
    setActivePinia(createPinia())
    useSessionStore().me = secretaryMe
    expect(useAccountsStore().slip()).toBeNull()
  })

  it('says why a code could not be issued, and keeps no slip', async () => {
    useSessionStore().me = secretaryMe
    stubFetch(() => json(409, { error: 'member_ended', message: '该党员已终止党籍关系，不能发放激活码' }))
    const accounts = useAccountsStore()
    await expect(accounts.issueCode('u-66hr2jf7sv8n')).rejects.toMatchObject({
      status: 409,
      message: '该党员已终止党籍关系，不能发放激活码',
    })
    expect(accounts.slip()).toBeNull()
    stubFetch(() => 'offline')
    await expect(accounts.issueCode('u-66hr2jf7sv8n')).rejects.toMatchObject({ isNetwork: true })
  })
})
