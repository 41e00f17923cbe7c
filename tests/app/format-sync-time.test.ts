import { describe, expect, it } from 'vitest'
import { formatSyncTime } from '~/app/views/sync/formatSyncTime'

describe('formatSyncTime', () => {
  const now = new Date(2026, 10, 25, 15, 0)
  it('says 从未同步 before the first sync', () => expect(formatSyncTime(undefined, now)).toBe('从未同步'))
  it('says 今天 and 昨天 for recent times', () => {
    expect(formatSyncTime(new Date(2026, 10, 25, 9, 5).toISOString(), now)).toBe('今天 09:05')
    expect(formatSyncTime(new Date(2026, 10, 24, 21, 30).toISOString(), now)).toBe('昨天 21:30')
  })
  it('gives month and day for older times', () =>
    expect(formatSyncTime(new Date(2026, 10, 2, 8, 0).toISOString(), now)).toBe('11月2日 08:00'))
})
