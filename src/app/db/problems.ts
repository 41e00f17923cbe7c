// What can go wrong with the device's storage, and who is told. Kept apart from Dexie (index.ts) so the
// shell can show a problem without loading the database's code first.

export type StorageProblem = 'blocked' | 'versionchange' | 'quota' | 'unavailable' | 'unknown'

export const STORAGE_MESSAGES: Record<StorageProblem, string> = {
  blocked: '应用已在其他标签页打开，且正在使用旧版本数据。请关闭其他标签页后刷新本页。',
  versionchange: '应用已在其他标签页更新，请刷新本页以继续使用。',
  quota: '手机存储空间不足，无法保存数据。请清理空间后再试。',
  unavailable: '当前浏览器无法保存数据（可能处于无痕模式）。请使用普通模式打开。',
  unknown: '本地数据读写失败，请刷新后重试。',
}

/** Maps an IndexedDB failure to what the member should be told. */
export function classifyStorageError(error: unknown): StorageProblem {
  const names = [(error as { name?: string })?.name, (error as { inner?: { name?: string } })?.inner?.name]
  if (names.includes('QuotaExceededError')) return 'quota'
  if (names.includes('InvalidStateError') || names.includes('MissingAPIError') || names.includes('SecurityError')) return 'unavailable'
  if (names.includes('VersionError') || names.includes('DatabaseClosedError')) return 'versionchange'
  return 'unknown'
}

export type StorageProblemListener = (problem: StorageProblem) => void

const listeners = new Set<StorageProblemListener>()

export function onStorageProblem(listener: StorageProblemListener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function reportStorageProblem(problem: StorageProblem): void {
  listeners.forEach((listener) => listener(problem))
}
