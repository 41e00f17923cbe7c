import { vi } from 'vitest'
import type { Me } from '~/domain/users'
import { AppDB } from '~/app/db'
import { setAppDB } from '~/app/db/instance'

export const demoMe: Me = {
  user: {
    id: 'u-66hr2jf7sv8n',
    phone: '13800000001',
    name: '王建国',
    role: 'member',
    status: 'home',
    awayCity: null,
    centerHousehold: false,
  },
  branch: { id: 'b-hexing', name: '合兴村党支部' },
  town: { id: 'town-xinhang', name: '新杭镇' },
}

/** A database of the test's own, installed as the app's one database. */
export function freshDB(): AppDB {
  const db = new AppDB(`test-${Math.random().toString(36).slice(2)}`)
  setAppDB(db)
  return db
}

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

export type Answer = Response | 'offline'

/** Stubs `fetch` with `answer` per request; `'offline'` fails like a dropped network (a TypeError). */
export function stubFetch(answer: (path: string, init: RequestInit) => Answer) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const result = answer(String(input), init)
    if (result === 'offline') throw new TypeError('Failed to fetch')
    return result
  })
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

/** The requests made so far, as `METHOD path`. */
export function requests(fetchMock: ReturnType<typeof stubFetch>): string[] {
  return fetchMock.mock.calls.map(([input, init]) => `${init?.method ?? 'GET'} ${String(input)}`)
}

/** Lets pending promise chains (fake-indexeddb schedules with macrotasks) run to the end. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0))
}
