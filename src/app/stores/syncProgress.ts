import { defineStore } from 'pinia'
import { shallowRef } from 'vue'

/**
 * How far a long pull has come, for the 已同步 n 条 banner. A store of its own, written by the sync store:
 * the banner is on every page from the first paint, and must not bring the sync engine along with it.
 */
export const useSyncProgressStore = defineStore('syncProgress', () => {
  /** Rows a first or reset sync (or one of more than a page) has brought so far; null when none runs. */
  const pulledRows = shallowRef<number | null>(null)
  return { pulledRows }
})
