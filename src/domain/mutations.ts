// Every mutation a device may send: its argument schema, who may send it, and how it is listed while it waits.
import { z } from './validation'
import type { Role } from './users'
import { profileUpdateArgsSchema } from './members'
import {
  materialSaveArgsSchema,
  materialWithdrawArgsSchema,
  questionSaveArgsSchema,
  questionWithdrawArgsSchema,
  studyRecordArgsSchema,
} from './study'
import { pointsAdjustArgsSchema, pointsCorrectArgsSchema, rulesReviseArgsSchema } from './points'
import { examSaveArgsSchema, examWithdrawArgsSchema, parseQuizId, QUIZ_KIND_LABELS, quizSubmitArgsSchema } from './quiz'
import { honorPublishArgsSchema, honorWithdrawArgsSchema } from './honor'
import {
  attendanceReviewArgsSchema,
  leaveDecideArgsSchema,
  leaveRequestArgsSchema,
  meetingCheckinArgsSchema,
  meetingCloseArgsSchema,
  meetingProxyArgsSchema,
  meetingScheduleArgsSchema,
} from './meetings'
import {
  COMMENT_ACTION_LABELS,
  commentActArgsSchema,
  commentDeleteArgsSchema,
  commentLikeArgsSchema,
  commentPostArgsSchema,
  noticeReadArgsSchema,
  topicSaveArgsSchema,
} from './board'
import {
  branchArchiveArgsSchema,
  branchSaveArgsSchema,
  END_REASON_LABELS,
  groupArchiveArgsSchema,
  groupSaveArgsSchema,
  memberEndArgsSchema,
  memberMoveArgsSchema,
  memberRoleArgsSchema,
  memberSaveArgsSchema,
} from './roster'
import {
  rectificationAnswerArgsSchema,
  rectificationDecideArgsSchema,
  rectificationIssueArgsSchema,
  warningRuleReviseArgsSchema,
  workdaySetArgsSchema,
} from './supervision'

export interface MutationDefinition<A> {
  args: z.ZodMiniType<A>
  roles: readonly Role[]
  /** A short Chinese description for the list of changes waiting to sync. */
  describe: (args: A) => string
}

const define = <A>(d: MutationDefinition<A>) => d

export const MUTATIONS = {
  'profile.update': define({
    args: profileUpdateArgsSchema,
    roles: ['member', 'secretary', 'admin'],
    describe: (a) => (a.status === 'away' ? `状态改为外出务工（${a.awayCity ?? ''}）` : '状态改为在家'),
  }),
  'study.record': define({
    args: studyRecordArgsSchema,
    roles: ['member', 'secretary', 'admin'],
    describe: (a) => `学习记录（${Math.round(a.activeSeconds / 60)} 分钟）`,
  }),
  'quiz.submit': define({
    args: quizSubmitArgsSchema,
    roles: ['member', 'secretary', 'admin'],
    describe: (a) => {
      const ref = parseQuizId(a.quizId)
      return ref?.kind === 'daily'
        ? `每日答题（${ref.day}）`
        : ref?.kind === 'weekly'
          ? `每周一答（${ref.weekStart} 起一周）`
          : QUIZ_KIND_LABELS.exam
    },
  }),
  'points.adjust': define({
    args: pointsAdjustArgsSchema,
    roles: ['admin'],
    describe: (a) => `${a.kind === 'volunteer' ? '志愿服务加分' : '违规扣分'} ${a.amount} 分`,
  }),
  'points.correct': define({
    args: pointsCorrectArgsSchema,
    roles: ['admin'],
    describe: () => '更正积分',
  }),
  'rules.revise': define({
    args: rulesReviseArgsSchema,
    roles: ['admin'],
    describe: (a) => `修改积分规则（${a.from} 起）`,
  }),
  'honor.publish': define({
    args: honorPublishArgsSchema,
    roles: ['admin'],
    describe: (a) => `发布 ${a.month} 红黄榜`,
  }),
  'honor.withdraw': define({
    args: honorWithdrawArgsSchema,
    roles: ['admin'],
    describe: (a) => `撤回 ${a.month} 红黄榜`,
  }),
  'material.save': define({
    args: materialSaveArgsSchema,
    roles: ['admin'],
    describe: (a) => `发布学习资料《${a.material.title}》`,
  }),
  'material.withdraw': define({
    args: materialWithdrawArgsSchema,
    roles: ['admin'],
    describe: () => '撤下学习资料',
  }),
  'question.save': define({
    args: questionSaveArgsSchema,
    roles: ['admin'],
    describe: () => '保存题目',
  }),
  'question.withdraw': define({
    args: questionWithdrawArgsSchema,
    roles: ['admin'],
    describe: () => '撤下题目',
  }),
  'exam.save': define({
    args: examSaveArgsSchema,
    roles: ['admin'],
    describe: (a) => `发布专题考试《${a.exam.title}》`,
  }),
  'meeting.schedule': define({
    args: meetingScheduleArgsSchema,
    roles: ['secretary', 'admin'],
    describe: (a) => `安排会议《${a.meeting.title}》`,
  }),
  'meeting.checkin': define({
    args: meetingCheckinArgsSchema,
    roles: ['member', 'secretary', 'admin'],
    describe: () => '会议签到',
  }),
  'meeting.proxy': define({
    args: meetingProxyArgsSchema,
    roles: ['secretary', 'admin'],
    describe: () => '代签',
  }),
  'leave.request': define({
    args: leaveRequestArgsSchema,
    roles: ['member', 'secretary', 'admin'],
    describe: () => '会议请假',
  }),
  'leave.decide': define({
    args: leaveDecideArgsSchema,
    roles: ['secretary', 'admin'],
    describe: (a) => (a.approve ? '批准请假' : '不批准请假'),
  }),
  'attendance.review': define({
    args: attendanceReviewArgsSchema,
    roles: ['secretary', 'admin'],
    describe: (a) => (a.confirm ? '核实签到：通过' : '核实签到：不通过'),
  }),
  'meeting.close': define({
    args: meetingCloseArgsSchema,
    roles: ['secretary', 'admin'],
    describe: () => '填写会议记录并结束会议',
  }),
  'exam.withdraw': define({
    args: examWithdrawArgsSchema,
    roles: ['admin'],
    describe: () => '撤销专题考试',
  }),
  'topic.save': define({
    args: topicSaveArgsSchema,
    roles: ['secretary', 'admin'],
    describe: (a) => `发布话题《${a.topic.title}》`,
  }),
  'comment.post': define({
    args: commentPostArgsSchema,
    roles: ['member', 'secretary', 'admin'],
    describe: (a) => `留言：${a.comment.text.slice(0, 12)}${a.comment.text.length > 12 ? '…' : ''}`,
  }),
  'comment.act': define({
    args: commentActArgsSchema,
    roles: ['member', 'secretary', 'admin'],
    describe: (a) => COMMENT_ACTION_LABELS[a.action.type],
  }),
  'comment.delete': define({
    args: commentDeleteArgsSchema,
    roles: ['member', 'secretary', 'admin'],
    describe: () => '删除留言',
  }),
  'comment.like': define({
    args: commentLikeArgsSchema,
    roles: ['member', 'secretary', 'admin'],
    describe: (a) => (a.liked ? '点赞' : '取消点赞'),
  }),
  'notice.read': define({
    args: noticeReadArgsSchema,
    roles: ['member', 'secretary', 'admin'],
    describe: () => '标记通知已读',
  }),
  // Administration (issue 12): a secretary within their branch, the admin anywhere.
  'member.save': define({
    args: memberSaveArgsSchema,
    roles: ['secretary', 'admin'],
    describe: (a) => `保存党员信息（${a.name}）`,
  }),
  'member.end': define({
    args: memberEndArgsSchema,
    roles: ['secretary', 'admin'],
    describe: (a) => `终止党籍关系（${END_REASON_LABELS[a.reason]}）`,
  }),
  'member.move': define({
    args: memberMoveArgsSchema,
    roles: ['admin'],
    describe: () => '组织关系转接',
  }),
  'member.role': define({
    args: memberRoleArgsSchema,
    roles: ['admin'],
    describe: (a) => (a.role === 'secretary' ? '任命支部书记' : '免去支部书记'),
  }),
  'branch.save': define({
    args: branchSaveArgsSchema,
    roles: ['admin'],
    describe: (a) => `保存支部（${a.name}）`,
  }),
  'branch.archive': define({
    args: branchArchiveArgsSchema,
    roles: ['admin'],
    describe: (a) => (a.archived ? '归档支部' : '恢复支部'),
  }),
  'group.save': define({
    args: groupSaveArgsSchema,
    roles: ['secretary', 'admin'],
    describe: (a) => `保存党小组（${a.name}）`,
  }),
  'group.archive': define({
    args: groupArchiveArgsSchema,
    roles: ['secretary', 'admin'],
    describe: () => '撤销党小组',
  }),
  // Supervision (issue 13): the admin sets the rules and issues notices; the branch's secretary answers.
  'warningRule.revise': define({
    args: warningRuleReviseArgsSchema,
    roles: ['admin'],
    describe: (a) => `修改预警规则（${a.from} 起）`,
  }),
  'workday.set': define({
    args: workdaySetArgsSchema,
    roles: ['admin'],
    describe: (a) => (a.kind === 'holiday' ? `${a.day} 设为放假` : a.kind === 'workday' ? `${a.day} 设为调休上班` : `${a.day} 恢复正常`),
  }),
  'rectification.issue': define({
    args: rectificationIssueArgsSchema,
    roles: ['admin'],
    describe: () => '下发整改提示单',
  }),
  'rectification.answer': define({
    args: rectificationAnswerArgsSchema,
    roles: ['secretary', 'admin'],
    describe: () => '提交整改情况',
  }),
  'rectification.decide': define({
    args: rectificationDecideArgsSchema,
    roles: ['admin'],
    describe: (a) => (a.outcome === 'accepted' ? '整改通过，办结' : '退回整改'),
  }),
} as const

export type MutationName = keyof typeof MUTATIONS
export type MutationArgs<N extends MutationName> = z.infer<(typeof MUTATIONS)[N]['args']>

export function isMutationName(name: string): name is MutationName {
  return Object.hasOwn(MUTATIONS, name)
}

/** One definition, with its argument type erased: for code that handles any mutation by name. */
export function mutationDefinition(name: MutationName): MutationDefinition<unknown> {
  // Safe: `args` parses to exactly what `describe` takes; only the static link is lost.
  return MUTATIONS[name] as unknown as MutationDefinition<unknown>
}

export function describeMutation(name: string, args: unknown): string {
  if (!isMutationName(name)) return name
  const definition = mutationDefinition(name)
  const parsed = definition.args.safeParse(args)
  return parsed.success ? definition.describe(parsed.data) : name
}
