import type { Question } from '~/domain/study'

export const QUESTION_TYPE_LABELS: Record<Question['type'], string> = { single: '单选', multiple: '多选', judge: '判断' }
export const JUDGE_OPTIONS = ['正确', '错误'] as const
export const optionLetter = (index: number) => String.fromCharCode(65 + index)

/** Back to the list the admin came from, or to it when the form was opened directly. */
export function backToList(router: { back(): void; replace(path: string): unknown }): void {
  if (window.history.state?.back === '/admin/content') router.back()
  else void router.replace('/admin/content')
}
