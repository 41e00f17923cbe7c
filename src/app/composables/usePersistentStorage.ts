import { ref } from 'vue'

export type PersistState = 'unsupported' | 'persisted' | 'best-effort'

/** Asks the browser not to evict our data (the outbox must survive low-storage clean-ups). */
export function usePersistentStorage() {
  const state = ref<PersistState>('best-effort')

  async function request(): Promise<PersistState> {
    if (!navigator.storage?.persist) return (state.value = 'unsupported')
    const already = await navigator.storage.persisted()
    const granted = already || (await navigator.storage.persist())
    return (state.value = granted ? 'persisted' : 'best-effort')
  }

  return { state, request }
}
