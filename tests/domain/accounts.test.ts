import { describe, expect, it } from 'vitest'
import { activateBodySchema, formatActivationCode, formatCodeExpiry, isActivationCode, passwordChangeBodySchema } from '~/domain/accounts'
import { ACTIVATION_CODE_ALPHABET, ACTIVATION_CODE_LENGTH, normalizeActivationCode, normalizePhone, passwordProblem } from '~/domain/roster'
import { parseWith } from '~/domain/validation'

describe('activation codes', () => {
  it('use no letters that look alike (0/O, 1/I/L) and nothing twice', () => {
    for (const c of '01OIL') expect(ACTIVATION_CODE_ALPHABET).not.toContain(c)
    expect(new Set(ACTIVATION_CODE_ALPHABET).size).toBe(ACTIVATION_CODE_ALPHABET.length)
    expect(ACTIVATION_CODE_ALPHABET).toMatch(/^[A-Z2-9]+$/)
    expect(ACTIVATION_CODE_LENGTH).toBe(8)
  })

  it('are read as typed: lower case, spaces, a dash, full-width letters and digits', () => {
    expect(normalizeActivationCode('abcd efgh')).toBe('ABCDEFGH')
    expect(normalizeActivationCode(' ABCD-2345 ')).toBe('ABCD2345')
    expect(normalizeActivationCode('ＡＢＣＤ２３４５')).toBe('ABCD2345')
    expect(normalizeActivationCode('ａｂｃｄ\u3000２３４５')).toBe('ABCD2345')
    expect(normalizeActivationCode('AB\tCD\n2345')).toBe('ABCD2345')
  })

  it('are recognised only with eight letters of the alphabet', () => {
    expect(isActivationCode('ABCD2345')).toBe(true)
    expect(isActivationCode('ABCD234')).toBe(false)
    expect(isActivationCode('ABCD23456')).toBe(false)
    expect(isActivationCode('ABCD2340')).toBe(false)
    expect(isActivationCode('OBCD2345')).toBe(false)
    expect(isActivationCode('abcd2345')).toBe(false)
    expect(isActivationCode('ABCD 2345')).toBe(false)
  })

  it('print in two groups of four, expiring in Beijing time', () => {
    expect(formatActivationCode('ABCD2345')).toBe('ABCD 2345')
    expect(formatCodeExpiry('2026-12-08T02:00:00.000Z')).toBe('2026年12月8日 10:00')
    expect(formatCodeExpiry('2026-12-31T16:30:00.000Z')).toBe('2027年1月1日 00:30')
  })
})

describe('phones as typed', () => {
  it('become 11 digits from full-width digits, spaces, dashes, brackets and +86', () => {
    expect(normalizePhone('１３８００００００01')).toBe('13800000001')
    expect(normalizePhone('138 0000 0001')).toBe('13800000001')
    expect(normalizePhone('138-0000-0001')).toBe('13800000001')
    expect(normalizePhone('+86 138 0000 0001')).toBe('13800000001')
    expect(normalizePhone('（86）13800000001')).toBe('13800000001')
  })
})

describe('passwordProblem', () => {
  const phone = '13800000001'
  it('accepts eight characters or more that are not the phone', () => {
    expect(passwordProblem('hongqi26', phone)).toBeNull()
    expect(passwordProblem('红旗飘飘2026年', phone)).toBeNull()
    expect(passwordProblem('x'.repeat(128), phone)).toBe('密码不能是同一个字符')
    expect(passwordProblem('ab'.repeat(64), phone)).toBeNull()
  })

  it('counts length in characters as typed, without trimming', () => {
    expect(passwordProblem('abc1234', phone)).toBe('密码至少8位')
    expect(passwordProblem('', phone)).toBe('密码至少8位')
    expect(passwordProblem(' abc123 ', phone)).toBeNull()
    expect(passwordProblem('ab'.repeat(64) + 'c', phone)).toBe('密码不超过128位')
  })

  it('refuses the phone and any eight or more of its digits, however typed', () => {
    for (const typed of [
      '13800000001',
      '38000000',
      '00000001',
      '１３８００００００01',
      '138 0000 0001',
      '138-0000-0001',
      '+8613800000001',
      ' 13800000001 ',
    ]) {
      expect(passwordProblem(typed, phone), typed).toBe('密码不能用手机号码')
    }
    expect(passwordProblem('13800000002', phone)).toBeNull()
  })

  it('refuses one character repeated and runs of digits', () => {
    expect(passwordProblem('aaaaaaaa', phone)).toBe('密码不能是同一个字符')
    expect(passwordProblem('ＡＡＡＡ ＡＡＡＡ', phone)).toBe('密码不能是同一个字符')
    expect(passwordProblem('88888888', phone)).toBe('密码不能是同一个字符')
    for (const run of ['12345678', '87654321', '1234567890', '90123456', '１２３４５６７８'])
      expect(passwordProblem(run, phone), run).toBe('密码太简单，不能用连续的数字')
    expect(passwordProblem('12345679', phone)).toBeNull()
  })
})

describe('request bodies', () => {
  it('activate: normalises phone and code, and names what is wrong in Chinese', () => {
    expect(parseWith(activateBodySchema, { phone: '+86 １３８ ００００ ０００1', code: 'abcd-2345', password: 'hongqi26' })).toEqual({
      ok: true,
      value: { phone: '13800000001', code: 'ABCD2345', password: 'hongqi26' },
    })
    expect(parseWith(activateBodySchema, { phone: '1380000', code: 'ABCD2345', password: 'x' })).toEqual({
      ok: false,
      message: 'phone：请输入11位手机号码',
    })
    expect(parseWith(activateBodySchema, { phone: '13800000001', code: 'ABCD0000', password: 'x' })).toEqual({
      ok: false,
      message: 'code：激活码是8位字母和数字，请对照激活单输入',
    })
    expect(parseWith(activateBodySchema, { phone: '13800000001', code: 'ABCD2345', password: '' })).toEqual({
      ok: false,
      message: 'password：请输入新密码',
    })
    expect(parseWith(activateBodySchema, { phone: '13800000001', code: 'A'.repeat(10_000), password: 'x' }).ok).toBe(false)
  })

  it('password change: both fields, bounded', () => {
    expect(parseWith(passwordChangeBodySchema, { current: 'a', password: 'b' }).ok).toBe(true)
    expect(parseWith(passwordChangeBodySchema, { current: '', password: 'b' })).toEqual({ ok: false, message: 'current：请输入原密码' })
    expect(parseWith(passwordChangeBodySchema, { current: 'a', password: 'x'.repeat(129) })).toEqual({
      ok: false,
      message: 'password：密码不超过128位',
    })
  })
})
