// The schedule form's messages, each by its field: the schema's rules, then the rule against creating a
// meeting after the fact (issue 5), as the server will apply them.
import { meetingDraftSchema, schedulingProblem, type MeetingDraft } from '~/domain/meetings'

export type DraftErrors = Partial<
  Record<
    | 'form'
    | 'branchId'
    | 'title'
    | 'agenda'
    | 'place'
    | 'startsAt'
    | 'endsAt'
    | 'memberIds'
    | 'videoUrl'
    | 'materialIds'
    | 'backfillReason'
    | 'id',
    string
  >
>

const REWORD: Partial<Record<keyof DraftErrors, string>> = {
  startsAt: '请选择开始日期和时间',
  endsAt: '请选择结束时间',
}

export function draftErrors(
  draft: MeetingDraft,
  options: { role: 'secretary' | 'admin'; now: Date; /** An edit that keeps the start is not held to the rule. */ startMoved: boolean },
): { ok: true; value: MeetingDraft } | { ok: false; errors: DraftErrors } {
  const errors: DraftErrors = {}
  const result = meetingDraftSchema.safeParse(draft)
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = (issue.path.length > 0 ? String(issue.path[0]) : 'form') as keyof DraftErrors
      errors[key] ??= issue.code === 'invalid_format' && REWORD[key] ? REWORD[key] : issue.message
    }
  }
  if (options.startMoved && !errors.startsAt && !Number.isNaN(Date.parse(draft.startsAt))) {
    const problem = schedulingProblem(draft, options.role, options.now)
    if (problem && options.role === 'admin') errors.backfillReason ??= problem
    else if (problem) errors.startsAt = problem
  }
  return result.success && Object.keys(errors).length === 0 ? { ok: true, value: result.data } : { ok: false, errors }
}
