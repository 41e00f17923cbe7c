import { defineStore } from 'pinia'
import { computed } from 'vue'
import { appDB } from '../db/instance'
import { useLiveQuery } from '../composables/useLiveQuery'
import { useSyncStore } from './sync'
import { dailyQuizId, dailyQuizQuestionIds } from '../../domain/quiz'
import { dayInShanghai } from '../../domain/points'

/** 每日答题 on this device: today's questions (no answers here), what was sent, and the server's grading. */
export const useQuizStore = defineStore('quiz', () => {
  const db = appDB()
  const sync = useSyncStore()
  const questions = useLiveQuery(() => db.quiz_questions.toArray(), [])
  const results = useLiveQuery(() => db.quiz_results.toArray(), [])
  const today = dayInShanghai(new Date())
  const quizId = dailyQuizId(today)

  const todays = computed(() => {
    if (!sync.userId) return []
    const ids = dailyQuizQuestionIds(sync.userId, today, questions.value.map((q) => q.id))
    return ids.map((id) => questions.value.find((q) => q.id === id)!).filter(Boolean)
  })
  const result = computed(() => results.value.find((r) => r.quizId === quizId) ?? null)
  const waiting = computed(() => sync.pending.some((m) => m.name === 'quiz.submit' && (m.args as { quizId?: string }).quizId === quizId))

  function submit(answers: Record<string, number[]>): Promise<string> {
    return sync.enqueue('quiz.submit', { quizId, answers, submittedAt: new Date().toISOString() })
  }

  const stemOf = (id: string) => questions.value.find((q) => q.id === id)?.stem ?? ''

  return { today, todays, result, waiting, submit, stemOf }
})
