import { computed, ref, watch, type Ref } from 'vue'
import { useRosterStore } from '../stores/roster'
import type { Audience } from '~/domain/meetings'

/** What of the meeting form the audience reads and fills. */
interface AudienceForm {
  branchId: string
  audience: Audience
  memberIds: string[]
}

/**
 * The meeting form's audience (issue 12): 支委成员 fills the expected members with the branch committee,
 * 党小组成员 with the members of the group picked; the list stays editable, and the mutation still carries
 * the ids. `ready`: the form holds the meeting being edited (its group is found from its members).
 */
export function useMeetingAudience(form: AudienceForm, ready: Ref<boolean>) {
  const roster = useRosterStore()
  const groupId = ref<string | null>(null)
  const groups = computed(() => (form.branchId ? roster.groupsOf(form.branchId) : []))
  const committeeIds = computed(() => (form.branchId ? roster.committee(form.branchId).map((m) => m.id) : []))
  const groupMemberIds = (id: string) => {
    const group = roster.groupById(id)
    return group ? roster.groupMembers(group).map((m) => m.id) : []
  }

  /** The audience or the branch was changed by hand: the list starts again from it. */
  function fill() {
    groupId.value = null
    form.memberIds = form.audience === 'committee' ? committeeIds.value : []
  }
  function pickGroup(id: string) {
    groupId.value = id
    form.memberIds = groupMemberIds(id)
  }
  // Registered after the page's own branch watcher, which clears the list: the new branch's committee.
  watch(
    () => form.branchId,
    (next, previous) => {
      if (previous && next !== previous) fill()
    },
  )
  watch(
    () => ready.value && roster.loaded,
    (both) => {
      if (!both || form.audience !== 'group') return
      const expected = [...form.memberIds].sort().join()
      groupId.value = groups.value.find((g) => groupMemberIds(g.id).sort().join() === expected)?.id ?? null
    },
    { immediate: true },
  )

  const sizeOf = (id: string) => groupMemberIds(id).length
  return { groupId, groups, committeeIds, sizeOf, fill, pickGroup }
}
