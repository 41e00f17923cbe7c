import { defineStore } from 'pinia'
import { computed } from 'vue'
import { appDB } from '../db/instance'
import { useLiveQuery } from '../composables/useLiveQuery'
import { useSyncStore } from './sync'
import { outboxOf, readWithOutbox } from '../sync/pending'
import { isCurrent } from '~/domain/rosterOverlay'
import type { MemberRow, ProfileUpdateArgs } from '~/domain/members'
// The roster's overlay replays profile changes and the administrative ones (issue 12) in outbox order.
import { overlayMembers } from './rosterOverlay'

const byChineseName = new Intl.Collator('zh-CN')

/**
 * The member roster on this device (the branch's, or every branch's for the admin), with changes not yet
 * confirmed. `roster` is the current members; `all` keeps those whose membership ended, for names in history.
 */
export const useMembersStore = defineStore('members', () => {
  const db = appDB()
  const sync = useSyncStore()
  // The rows and the outbox as one moment (sync/pending.ts): a pull landing never shows a change undone.
  const synced = useLiveQuery(() => readWithOutbox(db, [db.members], () => db.members.toArray()), null)
  const pending = computed(() => outboxOf(synced.value, sync.userId))

  const overlaid = computed(() => overlayMembers(synced.value?.rows ?? [], pending.value))
  /** Every member in no order: what lookups and the meetings' overlay need, without the sort by name. */
  const rows = computed(() => overlaid.value.rows)
  // Sorted only when a list is shown (computed are lazy), with one collator: localeCompare with a locale
  // is several times slower per comparison, and 40,000 members take ~600,000 of them.
  const all = computed(() => [...rows.value].sort((a, b) => byChineseName.compare(a.name, b.name)))
  const roster = computed(() => all.value.filter(isCurrent))
  const unconfirmedIds = computed(() => overlaid.value.pendingIds)
  const byIdMap = computed(() => new Map(rows.value.map((m) => [m.id, m])))
  /** Any member this device knows, current or not. */
  const byId = (id: string): MemberRow | undefined => byIdMap.value.get(id)
  const self = computed(() => rows.value.find((m) => m.id === sync.userId && isCurrent(m)) ?? null)

  function updateProfile(args: ProfileUpdateArgs): Promise<string> {
    return sync.enqueue('profile.update', args)
  }

  return { loaded: computed(() => synced.value !== null), rows, all, roster, byId, unconfirmedIds, self, updateProfile }
})
