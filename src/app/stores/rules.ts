import { defineStore } from 'pinia'
import { computed } from 'vue'
import { appDB } from '../db/instance'
import { useLiveQuery } from '../composables/useLiveQuery'
import { useSyncStore } from './sync'
import {
  CATEGORY_LABELS,
  POINT_CATEGORIES,
  ruleActiveOn,
  type PointCategory,
  type PointsRule,
  type RuleRow,
  type RulesReviseArgs,
} from '~/domain/points'
import { outboxOf, pendingArgs, readWithOutbox } from '../sync/pending'
import { dayInShanghai } from '~/domain/calendar'

const signed = (n: number) => (n > 0 ? `+${n}` : String(n))

/** Seconds as a person says them: 180 → 3分钟, 60 → 60秒, 90 → 90秒. */
function duration(seconds: number): string {
  return seconds >= 120 && seconds % 60 === 0 ? `${seconds / 60}分钟` : `${seconds}秒`
}

/** What earns the points, in plain Chinese: 每篇阅读满60秒 +1, 每答对一题 +1, 满分 +5（按得分折算）. */
export function describeUnit(rule: Pick<PointsRule, 'eventKind' | 'unit' | 'points' | 'threshold'>): string {
  const pts = signed(rule.points)
  const t = rule.threshold
  switch (rule.unit) {
    case 'event': {
      const what: Record<string, string> = {
        'study.article': t ? `每篇阅读满${duration(t)}` : '每读一篇',
        'study.media': t ? `每个音视频收听收看满${duration(t)}` : '每收听收看一个音视频',
        'meeting.attended': '每参加一次',
        'meeting.absent': '每无故缺席一次',
        'board.adopted': '每条意见建议被采纳',
      }
      return `${what[rule.eventKind] ?? '每次'} ${pts}`
    }
    case 'minutes':
      return `${rule.eventKind === 'study.media' ? '收听收看' : '阅读'}每满${t ?? 1}分钟 ${pts}`
    case 'correct':
      return `每答对一题 ${pts}`
    case 'score':
      return `满分 ${pts}，按得分比例折算`
    case 'manual':
      return rule.points > 0 ? '由镇党委按实际情况加分，每次注明原因' : '由镇党委按实际情况扣分，每次注明原因'
  }
}

/** The caps in words: 每日最多6分；每年最多100分. Deductions are capped the same way. */
export function describeCaps(rule: Pick<PointsRule, 'points' | 'dailyCap' | 'yearlyCap'>): string {
  const verb = rule.points > 0 ? '最多' : '最多扣'
  const parts: string[] = []
  if (rule.dailyCap !== null) parts.push(`每日${verb}${rule.dailyCap}分`)
  if (rule.yearlyCap !== null) parts.push(`每年${verb}${rule.yearlyCap}分`)
  return parts.join('，')
}

/** The whole rule in one line: 每篇阅读满60秒 +1，每日最多6分. */
export function describeRule(rule: Pick<PointsRule, 'eventKind' | 'unit' | 'points' | 'threshold' | 'dailyCap' | 'yearlyCap'>): string {
  return [describeUnit(rule), describeCaps(rule)].filter(Boolean).join('，')
}

/** Each rule's version in force on `today`, grouped by category in the published order. */
export function rulesInForce(rules: readonly RuleRow[], today: string): { category: PointCategory; label: string; rules: RuleRow[] }[] {
  const active = rules.filter((r) => ruleActiveOn(r, today)).sort((a, b) => a.code.localeCompare(b.code))
  return POINT_CATEGORIES.map((category) => ({
    category,
    label: CATEGORY_LABELS[category],
    rules: active.filter((r) => r.category === category),
  })).filter((group) => group.rules.length > 0)
}

/** Versions that start after `today`, per rule code, soonest first. */
export function upcomingVersions(rules: readonly RuleRow[], today: string): Map<string, RuleRow[]> {
  const byCode = new Map<string, RuleRow[]>()
  for (const rule of [...rules].sort((a, b) => a.activeFrom.localeCompare(b.activeFrom))) {
    if (rule.activeFrom <= today) continue
    byCode.set(rule.code, [...(byCode.get(rule.code) ?? []), rule])
  }
  return byCode
}

/** 5月21日 (and the year when it isn't this one). */
export function formatDay(day: string, today: string): string {
  const [y, m, d] = day.split('-').map(Number)
  return `${day.slice(0, 4) === today.slice(0, 4) ? '' : `${y}年`}${m}月${d}日`
}

/** The open-ended version of each code: the one a revision starts from. */
export function latestVersion(rules: readonly RuleRow[], code: string): RuleRow | undefined {
  return rules.filter((r) => r.code === code).sort((a, b) => b.version - a.version)[0]
}

/** 积分规则 on this device: every version synced from the town, and the admin's revisions waiting to sync. */
export const useRulesStore = defineStore('rules', () => {
  const db = appDB()
  const sync = useSyncStore()
  // The rules and the outbox as one moment (sync/pending.ts): a revision is never shown twice or not at all.
  const synced = useLiveQuery(() => readWithOutbox(db, [db.points_rules], () => db.points_rules.toArray()), null)
  const loaded = computed(() => synced.value !== null)
  const all = computed<RuleRow[]>(() => synced.value?.rows ?? [])
  const today = () => dayInShanghai(new Date())

  const inForce = computed(() => rulesInForce(all.value, today()))
  const upcoming = computed(() => upcomingVersions(all.value, today()))
  /** Revisions the admin made on this device that the server hasn't taken yet, by rule code. */
  const pendingRevisions = computed(() => {
    const byCode = new Map<string, RulesReviseArgs[]>()
    for (const args of pendingArgs(outboxOf(synced.value, sync.userId), 'rules.revise'))
      byCode.set(args.code, [...(byCode.get(args.code) ?? []), args])
    return byCode
  })
  const categoryOf = (code: string) => all.value.find((r) => r.code === code)?.category

  function revise(args: RulesReviseArgs): Promise<string> {
    return sync.enqueue('rules.revise', args)
  }

  return {
    all,
    loaded,
    inForce,
    upcoming,
    pendingRevisions,
    categoryOf,
    latest: (code: string) => latestVersion(all.value, code),
    revise,
    today,
  }
})
