import { defineStore } from 'pinia'
import { computed } from 'vue'
import { appDB } from '../db/instance'
import { useLiveQuery } from '../composables/useLiveQuery'
import { useSyncStore } from './sync'
import { addMonths, dayInShanghai } from '~/domain/calendar'
import { api } from '../api/client'
import { outboxOf, pendingArgs, readWithOutbox } from '../sync/pending'
import { lastCompleteMonth, type HonorListRow, type HonorMarkRow, type HonorPreview, type HonorPublishArgs } from '~/domain/honor'

/** 2026-05 → 2026年5月 */
export function monthLabel(month: string): string {
  return `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`
}

/** The month `back` months before `month` (YYYY-MM). */
export function monthBefore(month: string, back: number): string {
  return addMonths(month, -back)
}

/** Names grouped by branch, branches in Chinese order, as the lists are published. */
export function byBranch<T extends { branchName: string }>(entries: readonly T[]): { branchName: string; entries: T[] }[] {
  const groups = new Map<string, T[]>()
  for (const entry of entries) groups.set(entry.branchName, [...(groups.get(entry.branchName) ?? []), entry])
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b, 'zh-CN')).map(([branchName, list]) => ({ branchName, entries: list }))
}

/** 红黄榜 on this device: the town's published months, the member's own marks, and publishing (admin). */
export const useHonorStore = defineStore('honor', () => {
  const db = appDB()
  const sync = useSyncStore()
  // The lists and the outbox as one moment (sync/pending.ts): a publication is never shown twice or not at all.
  const synced = useLiveQuery(() => readWithOutbox(db, [db.honor_lists], () => db.honor_lists.toArray()), null)
  const pending = computed(() => outboxOf(synced.value, sync.userId))
  const markRows = useLiveQuery<HonorMarkRow[]>(() => db.honor_marks.toArray(), [])

  const loaded = computed(() => synced.value !== null)
  /** Published months, newest first. */
  const lists = computed<HonorListRow[]>(() => [...(synced.value?.rows ?? [])].sort((a, b) => b.month.localeCompare(a.month)))
  const listFor = (month: string) => lists.value.find((l) => l.month === month) ?? null
  const markFor = (month: string) => markRows.value.find((m) => m.month === month) ?? null
  /** Publications made here that the server hasn't taken yet. */
  const pendingPublishes = computed(() => pendingArgs(pending.value, 'honor.publish'))
  /** Withdrawals made here that the server hasn't taken yet (the list stays until it has). */
  const pendingWithdrawals = computed(() => pendingArgs(pending.value, 'honor.withdraw'))
  const currentMonth = () => dayInShanghai(new Date()).slice(0, 7)
  /** The month the form starts on: the last one that has ended (Asia/Shanghai). */
  const defaultMonth = () => lastCompleteMonth(new Date())

  /**
   * Who publishing would put on either list, and why, worked out by the server with the rules it will
   * publish with (the members' ledgers are not on the admin's device). Online only.
   */
  function preview(args: HonorPublishArgs): Promise<HonorPreview> {
    const query = new URLSearchParams({ month: args.month, threshold: String(args.threshold), redPerBranch: String(args.redPerBranch) })
    return api<HonorPreview>(`/api/admin/honor-preview?${query}`)
  }

  function publish(args: HonorPublishArgs): Promise<string> {
    return sync.enqueue('honor.publish', args)
  }

  function withdraw(month: string, reason: string): Promise<string> {
    return sync.enqueue('honor.withdraw', { month, reason })
  }

  return { loaded, lists, listFor, markFor, pendingPublishes, pendingWithdrawals, currentMonth, defaultMonth, preview, publish, withdraw }
})
