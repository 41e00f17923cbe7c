import { readFileSync } from 'node:fs'
import { join } from 'node:path'

// User ids are opaque (they never embed the phone); tests name demo people by phone and look the id up.
const users = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'seeds', 'users.json'), 'utf8')) as { id: string; phone: string }[]
const byPhone = new Map(users.map((u) => [u.phone, u.id]))

/** The id of the demo user with this phone (seeds/users.json). */
export function demoUserId(phone: string): string {
  const id = byPhone.get(phone)
  if (!id) throw new Error(`no demo user with phone ${phone}`)
  return id
}

/** The phone of the demo user with this id. */
export function demoPhoneOf(id: string): string {
  const user = users.find((u) => u.id === id)
  if (!user) throw new Error(`no demo user with id ${id}`)
  return user.phone
}
