// How the supervision screens say rules, days and deadlines: in plain Chinese, Beijing time.
import { weekdayOf } from '~/domain/calendar'
import { MEETING_TYPE_LABELS } from '~/domain/meetings'
import {
  PERIOD_LABELS,
  WARNING_LEVEL_LABELS,
  type WarningEvent,
  type WarningLevel,
  type WarningRow,
  type WarningRule,
} from '~/domain/supervision'
import type { DeadlineState } from '~/app/stores/supervision'

const WEEKDAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日']

/** 10月8日 周四 (with the year when it isn't `today`'s). */
export function sayDate(day: string, today: string): string {
  const [y, m, d] = day.split('-').map(Number)
  return `${day.slice(0, 4) === today.slice(0, 4) ? '' : `${y}年`}${m}月${d}日 ${WEEKDAYS[weekdayOf(day)]}`
}

/** What a rule asks, in words: 支部党员大会 每季度至少1次；近一季度参会率低于80%时预警. */
export function describeWarningRule(
  rule: Pick<WarningRule, 'kind' | 'meetingType' | 'period' | 'minCount' | 'perGroup' | 'threshold'>,
): string {
  const every = rule.period ? PERIOD_LABELS[rule.period] : ''
  switch (rule.kind) {
    case 'meeting':
      return `${rule.meetingType ? MEETING_TYPE_LABELS[rule.meetingType] : '会议'} ${every}至少${rule.minCount}次${rule.perGroup ? '（每个党小组）' : ''}`
    case 'topic':
      return `朋友圈话题 ${every}至少${rule.minCount}个`
    case 'attendance':
      return `近一季度参会率低于${rule.threshold ?? 0}%时预警`
    case 'migrant_attendance':
      return `流动党员近一季度参会率低于${rule.threshold ?? 0}%时预警`
    case 'quorum':
      return '本季度有支部党员大会到会人数未过半时预警'
    case 'overdue_comments':
      return rule.threshold ? `超过限时办结期限的留言多于${rule.threshold}条时预警` : '有留言超过限时办结期限即预警'
  }
}

/** When a periodic rule turns yellow and red, for the rules page. */
export function describeLevels(rule: Pick<WarningRule, 'kind'>): string {
  return rule.kind === 'meeting' || rule.kind === 'topic'
    ? '周期过半仍未召开也未安排：黄色预警；周期结束仍未完成，或连续两次黄色：红色预警'
    : '不符合时即预警'
}

export const levelLabel = (level: WarningLevel) => WARNING_LEVEL_LABELS[level]

export const WARNING_EVENT_LABELS: Record<WarningEvent, string> = { opened: '发出预警', escalated: '升级为红色预警', cleared: '预警解除' }

/** The deadline in words: 还有3个工作日 / 今天截止 / 已超期 2 个工作日. */
export function sayDeadline(state: DeadlineState, closed: boolean): string {
  if (closed) return ''
  if (state.overdue) return state.overdueDays > 0 ? `已超期 ${state.overdueDays} 个工作日` : '已超期'
  return state.daysLeft === 0 ? '今天截止' : `还有 ${state.daysLeft} 个工作日`
}

/**
 * When the card says the warning turned red: only when it was yellow first. One opened red straight
 * away has `escalatedAt` = `openedAt`, and "发出，升级为红色" at the same minute would mislead.
 */
export function escalatedFromYellow(warning: Pick<WarningRow, 'history'>): string | null {
  const yellow = warning.history.findIndex((h) => h.event === 'opened' && h.level === 'yellow')
  if (yellow < 0) return null
  return warning.history.slice(yellow + 1).find((h) => h.event === 'escalated')?.at ?? null
}
