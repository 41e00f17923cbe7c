import { describe, expect, it } from 'vitest'
import { honorListRowSchema, honorLists, honorMarkRowSchema, honorPublishArgsSchema, yellowReasons, type HonorMember } from '~/domain/honor'
import { parseWith } from '~/domain/validation'

let next = 0
const member = (name: string, branch: 'a' | 'b', points: number, extra: Partial<HonorMember> = {}): HonorMember => ({
  id: `u-1380000${String(++next).padStart(4, '0')}`,
  name,
  branchId: `b-${branch}`,
  branchName: branch === 'a' ? '合兴村党支部' : '金鸡窝村党支部',
  points,
  violationPoints: 0,
  unexcusedAbsences: 0,
  ...extra,
})
const args = { month: '2026-11', threshold: 5, redPerBranch: 2 }
const publishedAt = '2026-12-01T02:00:00.000Z'

describe('the monthly 红黄榜', () => {
  it('puts the top members of each branch on the red list, ties at the last place included', () => {
    const members = [
      member('甲', 'a', 30),
      member('乙', 'a', 20),
      member('丙', 'a', 20), // tied with 乙 at the cutoff
      member('丁', 'a', 10),
      member('戊', 'b', 12),
      member('己', 'b', 8),
      member('庚', 'b', 6),
    ]
    const { list } = honorLists(members, args, publishedAt)
    expect(list.red.map((r) => r.name).sort()).toEqual(['甲', '乙', '丙', '戊', '己'].sort())
    // Listed by branch, then by points.
    expect(list.red.map((r) => r.points)).toEqual([30, 20, 20, 12, 8])
    expect(list.red[0]).toEqual({ name: '甲', branchName: '合兴村党支部', points: 30 })
    expect(list).toMatchObject({ id: '2026-11', month: '2026-11', threshold: 5, publishedAt })
  })

  it('keeps off the red list anyone with a violation, an absence or no points, and takes the next in line', () => {
    const members = [
      member('违纪', 'a', 40, { violationPoints: -2 }),
      member('缺席', 'a', 35, { unexcusedAbsences: 1 }),
      member('次优', 'a', 9),
      member('再次', 'a', 8),
      member('第三', 'a', 7),
      member('零分', 'b', 0),
    ]
    const { list, marks } = honorLists(members, { ...args, threshold: 0 }, publishedAt)
    expect(list.red.map((r) => r.name)).toEqual(['次优', '再次'])
    expect(marks.find((_, i) => members[i]!.name === '零分')).toMatchObject({ list: null, reasons: [] })
  })

  it('gives the yellow reasons: absence, violation, points below the threshold', () => {
    const members = [
      member('缺席', 'a', 10, { unexcusedAbsences: 1 }),
      member('违纪', 'a', 10, { violationPoints: -3 }),
      member('偏低', 'b', 4),
      member('都有', 'b', -5, { violationPoints: -5, unexcusedAbsences: 2 }),
      member('合格', 'b', 5),
    ]
    const { list, marks } = honorLists(members, args, publishedAt)
    expect(marks.map((m) => [m.list, m.reasons])).toEqual([
      ['yellow', ['absence']],
      ['yellow', ['violation']],
      ['yellow', ['low_points']],
      ['yellow', ['absence', 'violation', 'low_points']],
      ['red', []],
    ])
    expect(list.yellow.map((y) => y.name).sort()).toEqual(['偏低', '都有', '缺席', '违纪'].sort())
    expect(list.yellow[0]).toEqual({ name: expect.any(String), branchName: expect.any(String) })
    expect(yellowReasons(members[2]!, 4)).toEqual([])
  })

  it('does not put a corrected violation (netting to zero) on the yellow list', () => {
    const corrected = member('更正', 'a', 6, { violationPoints: 0 })
    const { list, marks } = honorLists([corrected], args, publishedAt)
    expect(marks[0]).toMatchObject({ list: 'red', reasons: [] })
    expect(list.yellow).toEqual([])
  })

  it('gives every member a mark for the month, with their points and the threshold', () => {
    const members = [member('甲', 'a', 30), member('乙', 'a', 3), member('丙', 'b', 5), member('丁', 'b', 0, { violationPoints: 0 })]
    const { marks } = honorLists(members, { ...args, redPerBranch: 1 }, publishedAt)
    expect(marks).toHaveLength(members.length)
    expect(marks.map((m) => [m.id, m.month, m.list, m.points, m.threshold])).toEqual([
      ['2026-11', '2026-11', 'red', 30, 5],
      ['2026-11', '2026-11', 'yellow', 3, 5],
      ['2026-11', '2026-11', 'red', 5, 5],
      ['2026-11', '2026-11', 'yellow', 0, 5],
    ])
    for (const mark of marks) expect(parseWith(honorMarkRowSchema, mark).ok).toBe(true)
  })

  it('publishes names, branches and points only: no ids, no phone numbers', () => {
    const members = [member('甲', 'a', 30), member('乙', 'a', 1, { violationPoints: -1 }), member('丙', 'b', 7)]
    const { list } = honorLists(members, args, publishedAt)
    expect(parseWith(honorListRowSchema, list).ok).toBe(true)
    const json = JSON.stringify(list)
    for (const m of members) expect(json).not.toContain(m.id)
    expect(json).not.toMatch(/u-|b-a|b-b|1\d{10}/)
    expect(Object.keys(list.red[0]!).sort()).toEqual(['branchName', 'name', 'points'])
    expect(Object.keys(list.yellow[0]!).sort()).toEqual(['branchName', 'name'])
  })

  it('checks what the admin sends', () => {
    expect(parseWith(honorPublishArgsSchema, args).ok).toBe(true)
    expect(parseWith(honorPublishArgsSchema, { ...args, month: '2026-13' }).ok).toBe(false)
    expect(parseWith(honorPublishArgsSchema, { ...args, month: '2026-1' }).ok).toBe(false)
    expect(parseWith(honorPublishArgsSchema, { ...args, threshold: -1 }).ok).toBe(false)
    expect(parseWith(honorPublishArgsSchema, { ...args, redPerBranch: 0 }).ok).toBe(false)
  })
})
