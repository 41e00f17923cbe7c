import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { api, ApiError } from '../api/client'
import { useSyncStore } from './sync'
import { pendingOf } from '../sync/pending'
import { pointsCorrectArgsSchema, type MemberLedgerEntry, type MemberLedgerReply } from '~/domain/points'
import { parseWith } from '~/domain/validation'

export const LEDGER_OFFLINE_MESSAGE = '积分记录需要联网查看：党员的积分记录保存在服务器上。请联网后重试。'

const isCorrection = (name: string) => name === 'points.correct'

/** Checks a correction's reason as the server will (2–200 characters); the message to show, or null. */
export function correctionProblem(entryId: string, reason: string): string | null {
  const parsed = parseWith(pointsCorrectArgsSchema, { entryId, reason })
  return parsed.ok ? null : parsed.message.replace(/^[a-zA-Z.]+：/, '')
}

/** Whether the admin may still correct an entry: not a correction itself, and corrected at most once. */
export const correctable = (entry: MemberLedgerEntry) => !entry.correction && entry.correctedBy === null

/**
 * 积分记录 of one member for the town admin: read online from `GET /api/points/ledger` a page at a time
 * (members' ledgers are private rows on their own devices). Corrections go through the outbox, so they work
 * offline too; an entry shows 待同步 until the server has it, then the list is read again.
 */
export const useMemberLedgerStore = defineStore('memberLedger', () => {
  const sync = useSyncStore()
  const memberId = ref<string | null>(null)
  const reply = shallowRef<MemberLedgerReply | null>(null)
  const entries = shallowRef<MemberLedgerEntry[]>([])
  const nextBefore = ref<string | null>(null)
  const loading = ref(false)
  const loadingMore = ref(false)
  const offline = ref(false)
  const error = ref('')
  /** Sent and applied, but the list has not been read again since: shown as 正在更新, without 更正. */
  const settling = shallowRef<Set<string>>(new Set())
  // Only the latest request for the latest member may change the list.
  let generation = 0

  // Not yet acknowledged: once the server has one, the list read again shows it (see the watch below).
  const waiting = computed(() => pendingOf(sync.waiting, 'points.correct'))
  const waitingIds = computed(() => new Set(waiting.value.map((row) => row.args.entryId)))
  const rejected = computed(() => sync.rejected.filter((row) => isCorrection(row.name)))

  function fail(e: unknown) {
    offline.value = e instanceof ApiError && e.isNetwork
    error.value = offline.value ? LEDGER_OFFLINE_MESSAGE : e instanceof ApiError ? e.message : '读取积分记录失败，请稍后重试'
  }

  const url = (id: string, before: string | null) =>
    `/api/points/ledger?${new URLSearchParams({ memberId: id, ...(before ? { before } : {}) })}`
  const fetchPage = (id: string, before: string | null) => {
    if (typeof navigator !== 'undefined' && navigator.onLine === false)
      return Promise.reject(new ApiError(0, 'network', LEDGER_OFFLINE_MESSAGE))
    return api<MemberLedgerReply>(url(id, before))
  }

  /**
   * Reads the member's ledger from the newest entry: one page, or as many as it takes to show `atLeast`
   * entries again (after a correction, so the list doesn't shrink under the admin's finger).
   */
  async function load(id: string, atLeast = 0): Promise<void> {
    const mine = ++generation
    if (memberId.value !== id) {
      memberId.value = id
      reply.value = null
      entries.value = []
      nextBefore.value = null
    }
    const settled = new Set(settling.value)
    loading.value = true
    error.value = ''
    try {
      let first = await fetchPage(id, null)
      let rows = first.entries
      while (first.nextBefore && rows.length < atLeast) {
        const next = await fetchPage(id, first.nextBefore)
        if (mine !== generation) return
        rows = [...rows, ...next.entries]
        first = { ...next, entries: rows }
      }
      if (mine !== generation) return
      reply.value = first
      entries.value = rows
      nextBefore.value = first.nextBefore
      offline.value = false
      settling.value = new Set([...settling.value].filter((entryId) => !settled.has(entryId)))
    } catch (e) {
      if (mine === generation) fail(e)
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  /** 加载更多: the next 50 older entries. */
  async function more(): Promise<void> {
    const id = memberId.value
    const before = nextBefore.value
    if (!id || !before || loadingMore.value) return
    const mine = generation
    loadingMore.value = true
    error.value = ''
    try {
      const page = await fetchPage(id, before)
      if (mine !== generation) return
      const seen = new Set(entries.value.map((e) => e.id))
      entries.value = [...entries.value, ...page.entries.filter((e) => !seen.has(e.id))]
      nextBefore.value = page.nextBefore
      reply.value = { ...page, entries: entries.value }
      offline.value = false
    } catch (e) {
      if (mine === generation) fail(e)
    } finally {
      loadingMore.value = false
    }
  }

  const reload = () => (memberId.value ? load(memberId.value, entries.value.length) : Promise.resolve())

  /** Queues the correction (a counter-entry of the opposite sign; the original stays). */
  async function correct(entry: MemberLedgerEntry, reason: string): Promise<string> {
    const problem = correctionProblem(entry.id, reason)
    if (problem) throw new Error(problem)
    if (!correctable(entry)) throw new Error(entry.correction ? '更正记录不能再更正' : '这条积分记录已经更正过')
    return sync.enqueue('points.correct', { entryId: entry.id, reason: reason.trim() })
  }

  // Once the server has answered for a correction (acknowledged, or refused), read the list again. At once
  // (`sync`): an entry goes from 待同步 to 正在更新 in one step, never showing 更正 between.
  watch(
    waiting,
    (now, before) => {
      const still = new Set(now.map((row) => row.id))
      const gone = before.filter((row) => !still.has(row.id))
      if (gone.length === 0) return
      settling.value = new Set([...settling.value, ...gone.map((row) => row.args.entryId)])
      void reload()
    },
    { flush: 'sync' },
  )

  // Signed out (or another user on this device): nothing of the last one's view stays in memory. Not when the
  // sync engine first starts for the signed-in user after a reload: that would drop a list being read.
  watch(
    () => sync.userId,
    (_now, before) => {
      if (before === null) return
      generation++
      memberId.value = null
      reply.value = null
      entries.value = []
      nextBefore.value = null
      settling.value = new Set()
      error.value = ''
      offline.value = false
      loading.value = false
    },
  )

  /** 待同步 (in the outbox), 正在更新 (sent, the list not read again yet), or nothing. */
  const stateOf = (entry: MemberLedgerEntry): 'waiting' | 'settling' | null =>
    waitingIds.value.has(entry.id) ? 'waiting' : settling.value.has(entry.id) ? 'settling' : null

  return {
    memberId,
    reply,
    entries,
    nextBefore,
    loading,
    loadingMore,
    offline,
    error,
    rejected,
    stateOf,
    load,
    more,
    reload,
    correct,
    dismissRejected: (id: string) => sync.dismissRejected(id),
  }
})
