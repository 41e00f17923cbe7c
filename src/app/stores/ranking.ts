import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, ApiError } from '../api/client'
import { appDB } from '../db/instance'
import type { RankingQuery, RankingReply } from '~/domain/points'

const cacheKey = (q: RankingQuery) => `ranking:${q.scope}:${q.period}`

/** Rankings come from the server; the last one seen is kept so it can still be shown offline. */
export const useRankingStore = defineStore('ranking', () => {
  const reply = ref<RankingReply | null>(null)
  const savedAt = ref('')
  const loading = ref(false)
  const offline = ref(false)
  const error = ref('')

  async function load(query: RankingQuery): Promise<void> {
    loading.value = true
    error.value = ''
    const cached = await appDB().getMeta<{ reply: RankingReply; at: string }>(cacheKey(query))
    reply.value = cached?.reply ?? null
    savedAt.value = cached ? new Date(cached.at).toLocaleString('zh-CN', { hour12: false }) : ''
    try {
      const fresh = await api<RankingReply>(`/api/points/ranking?scope=${query.scope}&period=${query.period}`)
      const at = new Date().toISOString()
      await appDB().setMeta(cacheKey(query), { reply: fresh, at })
      reply.value = fresh
      savedAt.value = new Date(at).toLocaleString('zh-CN', { hour12: false })
      offline.value = false
    } catch (e) {
      offline.value = e instanceof ApiError && e.isNetwork
      error.value = e instanceof ApiError ? e.message : '加载失败'
    } finally {
      loading.value = false
    }
  }

  return { reply, savedAt, loading, offline, error, load }
})
