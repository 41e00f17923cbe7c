import { onBeforeUnmount, ref } from 'vue'
import { onStorageProblem, STORAGE_MESSAGES, type StorageProblem } from '../db/problems'

/** The storage problem the member must act on (another tab, full disk, private mode), if any. */
export function useStorageProblem() {
  const problem = ref<StorageProblem | null>(null)
  const stop = onStorageProblem((p) => (problem.value = p))
  onBeforeUnmount(stop)
  const message = () => (problem.value ? STORAGE_MESSAGES[problem.value] : '')
  return { problem, message }
}
