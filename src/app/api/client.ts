/** A failure the member should read: the server's own message, or why the request never arrived. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }

  get isNetwork(): boolean {
    return this.status === 0
  }
}

export const NETWORK_MESSAGE = '网络不可用，请检查网络后重试'

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  let response: Response
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
  } catch {
    throw new ApiError(0, 'network', NETWORK_MESSAGE)
  }
  const payload = (await response.json().catch(() => undefined)) as { error?: string; message?: string } | undefined
  if (!response.ok) {
    throw new ApiError(response.status, payload?.error ?? 'http_error', payload?.message ?? `服务器错误（${response.status}）`)
  }
  return payload as T
}
