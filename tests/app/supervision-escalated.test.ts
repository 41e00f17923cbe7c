// The warning card says "…升级为红色" only for a warning that was yellow first: one opened red straight
// away has escalatedAt = openedAt, and the card would say it was raised and escalated at the same minute.
import { describe, expect, it } from 'vitest'
import type { WarningRow } from '~/domain/supervision'
import { escalatedFromYellow } from '~/app/views/supervision/supervisionFormat'

type Event = WarningRow['history'][number]
const opened = (at: string, level: Event['level']): Event => ({ at, event: 'opened', level, why: '本季度已过半' })
const escalated = (at: string): Event => ({ at, event: 'escalated', level: 'red', why: '季度已结束' })
const cleared = (at: string, level: Event['level']): Event => ({ at, event: 'cleared', level, why: '已补开' })

describe('escalatedFromYellow', () => {
  it('gives the escalation of a warning that was yellow first', () => {
    const t1 = '2026-11-16T02:00:00.000Z'
    const t2 = '2026-12-31T16:00:00.000Z'
    expect(escalatedFromYellow({ history: [opened(t1, 'yellow'), escalated(t2)] })).toBe(t2)
    expect(escalatedFromYellow({ history: [opened(t1, 'yellow'), escalated(t2), cleared('2027-01-10T02:00:00.000Z', 'red')] })).toBe(t2)
  })

  it('says nothing of an escalation for a warning opened red, or one still yellow', () => {
    const t = '2026-12-31T16:00:00.000Z'
    expect(escalatedFromYellow({ history: [opened(t, 'red')] })).toBeNull()
    expect(escalatedFromYellow({ history: [opened(t, 'red'), cleared('2027-01-05T02:00:00.000Z', 'red')] })).toBeNull()
    expect(escalatedFromYellow({ history: [opened(t, 'yellow')] })).toBeNull()
    expect(escalatedFromYellow({ history: [] })).toBeNull()
  })
})
