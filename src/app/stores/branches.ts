import { defineStore } from 'pinia'
import { computed } from 'vue'
import { appDB } from '../db/instance'
import { useLiveQuery } from '../composables/useLiveQuery'

/** The town's branches, as synced to this device. */
export const useBranchesStore = defineStore('branches', () => {
  const db = appDB()
  const rows = useLiveQuery(() => db.branches.toArray(), [])
  const list = computed(() => [...rows.value].sort((a, b) => a.id.localeCompare(b.id)))
  return { list }
})
