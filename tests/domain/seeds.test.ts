import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { seedTownSchema, seedUserSchema, type SeedTown, type SeedUser } from '~/domain/users'
import { parseWith, z } from '~/domain/validation'

function readSeed<T>(file: string, schema: z.ZodMiniType<T>): T {
  const raw: unknown = JSON.parse(readFileSync(fileURLToPath(new URL(`../../seeds/${file}`, import.meta.url)), 'utf8'))
  const parsed = parseWith(schema, raw)
  if (!parsed.ok) throw new Error(`seeds/${file}: ${parsed.message}`)
  return parsed.value
}

function duplicates(values: string[]): string[] {
  return values.filter((value, i) => values.indexOf(value) !== i)
}

describe('seeds', () => {
  // Parsed inside the tests, so a broken file fails them with the schema's own message.
  const town = (): SeedTown => readSeed('town.json', seedTownSchema)
  const users = (): SeedUser[] => readSeed('users.json', z.array(seedUserSchema))

  it('seeds/town.json matches the town schema', () => {
    expect(town().branches.length).toBeGreaterThan(0)
  })

  it('seeds/users.json matches the user schema, refinements included', () => {
    expect(users().length).toBeGreaterThan(0)
  })

  it('gives every branch a unique id', () => {
    expect(duplicates(town().branches.map((b) => b.id))).toEqual([])
  })

  it('puts every user who has a branch in a branch the town has', () => {
    const branchIds = new Set(town().branches.map((b) => b.id))
    const strays = users().filter((u) => u.branchId !== null && !branchIds.has(u.branchId))
    expect(strays.map((u) => `${u.id} → ${u.branchId}`)).toEqual([])
  })

  it('gives every user a unique id and a unique phone', () => {
    expect(duplicates(users().map((u) => u.id))).toEqual([])
    expect(duplicates(users().map((u) => u.phone))).toEqual([])
  })

  it('gives every contacted household a unique id across all members', () => {
    expect(duplicates(users().flatMap((u) => u.households.map((h) => h.id)))).toEqual([])
  })

  it('holds the demo accounts: a member and the secretary of the same branch, and the admin', () => {
    const byPhone = new Map(users().map((u) => [u.phone, u]))
    const member = byPhone.get('13800000001')
    const secretary = byPhone.get('13800000101')
    const admin = byPhone.get('13800000901')
    expect(member?.role).toBe('member')
    expect(secretary?.role).toBe('secretary')
    expect(member?.branchId).toBeTruthy()
    expect(secretary?.branchId).toBe(member?.branchId)
    expect(admin?.role).toBe('admin')
    expect(admin?.branchId).toBeNull()
  })
})
