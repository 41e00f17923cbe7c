import { describe, expect, it } from 'vitest'
import { describeRole, phoneSchema, seedUserSchema, type Household, type Me, type SeedUser } from '~/domain/users'
import { describeIssues } from '~/domain/validation'

function household(i: number): Household {
  return { id: `h-${i}`, headName: `户主${i}`, address: `合兴村${i}号`, people: 3 }
}

function user(overrides: Partial<SeedUser> = {}): SeedUser {
  return {
    id: 'u-1',
    phone: '13800000001',
    name: '王建国',
    role: 'member',
    branchId: 'b-hexing',
    gender: 'male',
    birthYear: 1970,
    joinedPartyOn: '1995-07-01',
    status: 'home',
    awayCity: null,
    returnDate: null,
    centerHousehold: false,
    households: [],
    ...overrides,
  }
}

/** The `path：message` line for a rejected user, or '' when it is accepted. */
function problems(input: SeedUser): string {
  const result = seedUserSchema.safeParse(input)
  return result.success ? '' : describeIssues(result.error)
}

describe('seedUserSchema', () => {
  it('accepts an ordinary member of a branch', () => {
    expect(problems(user())).toBe('')
  })

  it('accepts an admin who belongs to no branch', () => {
    expect(problems(user({ role: 'admin', branchId: null }))).toBe('')
  })

  it('rejects an admin who belongs to a branch', () => {
    expect(problems(user({ role: 'admin', branchId: 'b-hexing' }))).toBe('branchId：只有镇党委管理员不属于任何支部')
  })

  it('rejects a member without a branch', () => {
    expect(problems(user({ role: 'member', branchId: null }))).toBe('branchId：只有镇党委管理员不属于任何支部')
  })

  it('rejects a secretary without a branch', () => {
    expect(problems(user({ role: 'secretary', branchId: null }))).toBe('branchId：只有镇党委管理员不属于任何支部')
  })

  it('accepts a member working away who names the city', () => {
    expect(problems(user({ status: 'away', awayCity: '杭州', returnDate: '2026-02-01' }))).toBe('')
  })

  it('rejects a member working away without a city', () => {
    expect(problems(user({ status: 'away', awayCity: null }))).toBe('awayCity：外出务工的党员须填写务工城市')
  })

  it('rejects a member at home who names a city to work in', () => {
    expect(problems(user({ status: 'home', awayCity: '杭州' }))).toBe('awayCity：外出务工的党员须填写务工城市')
  })

  it('accepts a center household that contacts exactly ten households', () => {
    const households = Array.from({ length: 10 }, (_, i) => household(i))
    expect(problems(user({ centerHousehold: true, households }))).toBe('')
  })

  it.each([0, 9, 11])('rejects a center household that contacts %i households', (count) => {
    const households = Array.from({ length: count }, (_, i) => household(i))
    expect(problems(user({ centerHousehold: true, households }))).toBe('households：党员中心户联系十户群众，其他党员不填')
  })

  it('rejects households on a member who is not a center household', () => {
    expect(problems(user({ households: [household(1)] }))).toBe('households：党员中心户联系十户群众，其他党员不填')
  })

  it('reports every broken rule of one user together', () => {
    expect(problems(user({ role: 'admin', status: 'away', awayCity: null }))).toBe(
      'branchId：只有镇党委管理员不属于任何支部；awayCity：外出务工的党员须填写务工城市',
    )
  })

  it('rejects a join date that is not YYYY-MM-DD', () => {
    expect(problems(user({ joinedPartyOn: '1995/7/1' }))).toBe('joinedPartyOn：日期格式应为 YYYY-MM-DD')
  })
})

describe('phoneSchema', () => {
  it('accepts a mainland mobile number and trims it', () => {
    expect(phoneSchema.parse(' 13912345678 ')).toBe('13912345678')
  })

  it.each(['1391234567', '139123456789', '03912345678', '1391234567a'])('rejects %s', (phone) => {
    expect(phoneSchema.safeParse(phone).success).toBe(false)
  })
})

describe('describeRole', () => {
  const town = { id: 'town-xinhang', name: '新杭镇' }
  const branch = { id: 'b-hexing', name: '合兴村党支部' }

  function me(role: Me['user']['role'], withBranch: boolean): Me {
    return {
      user: { id: 'u', phone: '13800000001', name: '王建国', role, status: 'home', awayCity: null, centerHousehold: false },
      branch: withBranch ? branch : null,
      town,
    }
  }

  it('names the town for the admin', () => {
    expect(describeRole(me('admin', false))).toBe('新杭镇党委管理员')
  })

  it('names the branch and 党员 for a member', () => {
    expect(describeRole(me('member', true))).toBe('合兴村党支部 · 党员')
  })

  it('names the branch and 支部书记 for a secretary', () => {
    expect(describeRole(me('secretary', true))).toBe('合兴村党支部 · 支部书记')
  })

  it('falls back to the role alone when a member has no branch', () => {
    expect(describeRole(me('member', false))).toBe('党员')
  })
})
