import { describe, expect, it } from 'vitest'
import { describeDetail, type NameLookup } from '~/app/views/roster/auditFormat'
import type { AuditEntry } from '~/domain/roster'
import { memberLine, memberTags, sayDay, sayWhen } from '~/app/views/roster/rosterFormat'
import type { MemberRow } from '~/domain/members'

const names: NameLookup = {
  branch: (id) => ({ 'b-1': '合兴村党支部', 'b-2': '流洞社区党支部' })[id],
  group: (id) => (id === 'g-1' ? '第一党小组' : undefined),
  member: (id) => ({ 'u-1': '王建国', 'u-2': '李秀英' })[id],
}

describe('roster dates', () => {
  it('says days as 2026年12月3日 and times in Beijing, whatever the device', () => {
    expect(sayDay('2026-12-03')).toBe('2026年12月3日')
    expect(sayDay(null)).toBe('未填写')
    // 16:30 UTC is already the next day in Shanghai.
    expect(sayDay('2026-12-02T16:30:00.000Z')).toBe('2026年12月3日')
    const now = Date.parse('2026-12-10T00:00:00Z')
    expect(sayWhen('2026-12-03T06:05:00.000Z', now)).toBe('12月3日 14:05')
    expect(sayWhen('2025-01-31T23:59:00.000Z', now)).toBe('2025年2月1日 07:59')
  })
})

describe('roster lines', () => {
  const m: MemberRow = {
    id: 'u-1',
    name: '王建国',
    role: 'secretary',
    branchId: 'b-1',
    status: 'away',
    awayCity: '杭州',
    returnDate: null,
    centerHousehold: true,
    contactPhone: null,
    updatedAt: '2026-01-01T00:00:00.000Z',
    loginPhone: '13800000001',
    membership: 'probationary',
  }
  it('tags posts, probation and 党员中心户, and says where the member is', () => {
    expect(memberTags(m)).toEqual(['支部书记', '预备党员', '党员中心户'])
    expect(memberTags({ ...m, committeePost: 'organization', membership: 'full', centerHousehold: false })).toEqual(['组织委员'])
    expect(memberLine(m)).toBe('13800000001 · 外出务工 · 杭州')
    expect(memberLine({ ...m, loginPhone: null, status: 'home' })).toBe('在家')
  })
})

describe('the audit log in words', () => {
  it('says each changed field before → after, with Chinese names for values and ids', () => {
    const lines = describeDetail(
      {
        action: 'member.update',
        detail: {
          name: ['王建国', '王建军'],
          gender: ['male', 'female'],
          awayCity: [null, '杭州'],
          centerHousehold: [false, true],
          partyGroupId: ['g-1', null],
          committeePost: [null, 'publicity'],
          birthDate: ['1960-01-02', '1961-02-03'],
          households: [0, 10],
        },
      },
      names,
    )
    expect(lines).toEqual([
      '姓名：王建国 → 王建军',
      '性别：男 → 女',
      '务工城市：无 → 杭州',
      '党员中心户：否 → 是',
      '党小组：第一党小组 → 无',
      '支委职务：无 → 宣传委员',
      '出生日期：1960年1月2日 → 1961年2月3日',
      '联系户：0户 → 10户',
    ])
  })

  it('reads a new record as its values, a move by branch names, a group by member names', () => {
    const say = (action: AuditEntry['action'], detail: Record<string, unknown>) => describeDetail({ action, detail }, names)
    expect(say('member.create', { name: [null, '赵新民'], membership: [null, 'probationary'], households: [0, 10] })).toEqual([
      '姓名：赵新民',
      '党员类别：预备党员',
      '联系户：10户',
    ])
    // An empty note says nothing.
    expect(say('member.move', { branchId: ['b-1', 'b-2'], note: null, role: ['secretary', 'member'] })).toEqual([
      '支部：合兴村党支部 → 流洞社区党支部',
      '身份：支部书记 → 党员',
    ])
    expect(say('group.save', { name: [null, '第一党小组'], leaderId: [null, 'u-1'], added: ['u-1', 'u-2'], removed: ['u-9'] })).toEqual([
      '名称：第一党小组',
      '组长：无 → 王建国',
      '加入：王建国、李秀英',
      '移出：u-9',
    ])
    expect(say('member.end', { reason: 'deceased', on: '2026-11-30', note: '病故' })).toEqual([
      '原因：去世',
      '日期：2026年11月30日',
      '说明：病故',
    ])
  })
  it('says an issued code’s expiry and an import’s file and branches in words, not keys', () => {
    const say = (action: AuditEntry['action'], detail: Record<string, unknown>) => describeDetail({ action, detail }, names)
    expect(say('account.reset', { expiresAt: '2026-12-10T15:44:00.000Z' })).toEqual(['有效期至：12月10日 23:44'])
    expect(say('roster.import', { fileName: '花名册.xlsx', households: 2, branches: { 'b-1': 25, 'b-x': 3 } })).toEqual([
      '文件：花名册.xlsx',
      '联系户：2户',
      '各支部：合兴村党支部 25人、b-x 3人',
    ])
  })
})
