import { nextTick, ref, watch, type Ref, type WatchSource } from 'vue'
import { showToast } from 'vant'
import { useOnline } from './useOnline'

export type Checked<T, E> = { ok: true; value: T } | { ok: false; errors: E }

export interface SubmitOptions<T, E> {
  /** What the form is made of: once the member has tried to save, the messages follow it as fields are fixed. */
  form: WatchSource | WatchSource[]
  /** The checks the server will make, worded for the field they belong to. */
  validate: () => Checked<T, E>
  /** A last check on a valid form that stops the save with a toast (say, withdrawn questions chosen). */
  refuse?: (value: T) => string | null
  /** Called when the form is not valid, before the first message is brought into view. */
  onInvalid?: (errors: E) => void
  /** Queues the change (works offline). */
  save: (value: T) => Promise<unknown>
  /** The toast once it is queued: it tells whether it reaches the others now or once online. */
  saved: (online: boolean) => string
  /** Where to go afterwards. */
  done: () => unknown
  /** The page's root class: the first message scrolled into view is this page's. */
  page: string
}

/**
 * The save flow of an edit page (issue 11: one helper for the five): validate → show what to fix (a toast
 * and the first message in view, for older eyes) → saving → toast → away. `errors` is empty until the
 * first attempt; `saving` drives the button's spinner and stops a double tap.
 */
export function useSubmit<T, E extends object>(options: SubmitOptions<T, E>) {
  const { online } = useOnline()
  const errors = ref({}) as Ref<Partial<E>>
  const tried = ref(false)
  const saving = ref(false)

  watch(options.form, () => {
    if (!tried.value) return
    const result = options.validate()
    errors.value = result.ok ? {} : result.errors
  })

  async function showFirstError(): Promise<void> {
    await nextTick()
    const first = document.querySelector(`.${options.page} .van-field__error-message, .${options.page} .edit-error`)
    ;(first?.closest('.van-cell, .edit-error') ?? first)?.scrollIntoView({ block: 'center' })
  }

  async function submit(): Promise<void> {
    if (saving.value) return
    tried.value = true
    const result = options.validate()
    if (!result.ok) {
      errors.value = result.errors
      options.onInvalid?.(result.errors)
      showToast('还有几处需要修改，请看红字提示')
      await showFirstError()
      return
    }
    errors.value = {}
    const refusal = options.refuse?.(result.value)
    if (refusal) {
      showToast(refusal)
      return
    }
    saving.value = true
    try {
      await options.save(result.value)
      showToast(options.saved(online.value))
      await options.done()
    } catch (e) {
      showToast(e instanceof Error && e.message ? e.message : '保存失败，请稍后再试')
    } finally {
      saving.value = false
    }
  }

  return { errors, tried, saving, submit }
}
