import { defineStore } from 'pinia'
import { computed } from 'vue'
import { appDB } from '../db/instance'
import { useLiveQuery } from '../composables/useLiveQuery'
import { useSyncStore } from './sync'
import { pendingMemberIds, withPendingMembers } from '~/domain/optimistic'
import type { ProfileUpdateArgs } from '~/domain/members'

/** The member roster on this device (the branch's, or every branch's for the admin), with changes not yet confirmed. */
export const useMembersStore = defineStore('members', () => {
  const db = appDB()
  const sync = useSyncStore()
  const confirmed = useLiveQuery(() => db.members.toArray(), [])

  const roster = computed(() => withPendingMembers(confirmed.value, sync.pending).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')))
  const unconfirmedIds = computed(() => pendingMemberIds(sync.pending))
  const self = computed(() => roster.value.find((m) => m.id === sync.userId) ?? null)

  function updateProfile(args: ProfileUpdateArgs): Promise<string> {
    return sync.enqueue('profile.update', args)
  }

  return { roster, unconfirmedIds, self, updateProfile }
})
