import { api } from '../api/client'
import type { PullReply, PushBody, PushReply } from '~/domain/sync'

/** How the engine reaches the server; tests give it one that fails on purpose. */
export interface SyncTransport {
  push(body: PushBody): Promise<PushReply>
  pull(clientId: string, cursor: string | undefined): Promise<PullReply>
}

export const httpTransport: SyncTransport = {
  push: (body) => api<PushReply>('/api/sync/push', { method: 'POST', body }),
  pull: (clientId, cursor) => {
    const query = new URLSearchParams({ clientId, ...(cursor ? { cursor } : {}) })
    return api<PullReply>(`/api/sync/pull?${query}`)
  },
}
