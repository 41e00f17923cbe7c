import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import sharp from 'sharp'
import { Migrator, sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO, databases, login, startServer, type TestServer } from './helpers'
import { clientId, mutation, pull, pullAll, push } from './sync-helpers'
import { SoftAuthenticator } from './soft-authenticator'
import { PROJECT_ROOT } from '~/server/config'
import type { Database } from '~/server/db/schema'
import { migrationProvider } from '~/server/db/migrations'
import { renameLegacyUserIds } from '~/server/services/userIds'
import { decodeCursor, encodeCursor, type PullReply } from '~/domain/sync'
import { dailyQuizId, dailyQuizQuestionIds } from '~/domain/quiz'
import { dayInShanghai } from '~/domain/calendar'
import type { MeetingDraft } from '~/domain/meetings'
import type { Question } from '~/domain/study'

const SEEDS = join(PROJECT_ROOT, 'seeds')
const USERS = JSON.parse(readFileSync(join(SEEDS, 'users.json'), 'utf8')) as {
  id: string
  phone: string
  role: string
  branchId: string | null
}[]
const PHONES = USERS.map((u) => u.phone)
const KEY = new Map((JSON.parse(readFileSync(join(SEEDS, 'study', 'questions.json'), 'utf8')) as Question[]).map((q) => [q.id, q]))
const LEGACY_ID = /u-1\d{10}/
const HOST = 'dangjian.test'
const MINUTE = 60_000

// 合兴村: 王建国 (…001) is at home, the secretary lets him join remotely; 李俊杰 (…002) likes his comment.
const MEMBER = DEMO.member
const LIKER = '13800000002'
const legacyId = (phone: string) => `u-${phone}`

/** A copy of the demo seeds whose user ids are the old kind, `u-<phone>`. */
function legacySeeds(): string {
  const dir = mkdtempSync(join(tmpdir(), 'djy-legacy-seeds-'))
  cpSync(SEEDS, dir, { recursive: true })
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'))) {
    const path = join(dir, file)
    let text = readFileSync(path, 'utf8')
    for (const user of USERS) text = text.replaceAll(`"${user.id}"`, `"${legacyId(user.phone)}"`)
    writeFileSync(path, text)
  }
  return dir
}

/** Every text value in every table, with where it is; but the old ids the server keeps for old devices (never sent). */
async function allText(db: Kysely<Database>): Promise<{ where: string; value: string }[]> {
  const found: { where: string; value: string }[] = []
  for (const table of await db.introspection.getTables()) {
    const columns = table.columns.filter((c) => /text|char/i.test(c.dataType)).map((c) => c.name)
    if (table.isView || columns.length === 0) continue
    const { rows } = await sql<
      Record<string, unknown>
    >`select ${sql.join(columns.map((c) => sql.ref(c)))} from ${sql.table(table.name)}`.execute(db)
    for (const row of rows) {
      for (const column of columns) {
        const value = row[column]
        if (typeof value === 'string' && `${table.name}.${column}` !== 'user_id_aliases.old_id')
          found.push({ where: `${table.name}.${column}`, value })
      }
    }
  }
  return found
}

/**
 * Runs one migration's `up` as Kysely's Migrator runs it: in a transaction where the database's DDL is
 * transactional (PostgreSQL), on the connection as it is otherwise (SQLite). Its record is left alone.
 */
async function runMigration(db: Kysely<Database>, name: string): Promise<void> {
  const migration = (await migrationProvider.getMigrations())[name]
  if (!migration) throw new Error(`no migration ${name}`)
  if (db.getExecutor().adapter.supportsTransactionalDdl) await db.transaction().execute((trx) => migration.up(trx))
  else await migration.up(db)
}

/** Every table gone, the migrator's own too: an empty database, whatever later migrations add. */
async function dropAllTables(db: Kysely<Database>, kind: 'sqlite' | 'postgres'): Promise<void> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true })
  if (kind === 'sqlite') await sql`pragma foreign_keys = off`.execute(db)
  for (const table of tables.filter((t) => !t.isView))
    await sql`drop table if exists ${sql.table(table.name)}${kind === 'postgres' ? sql` cascade` : sql``}`.execute(db)
  if (kind === 'sqlite') await sql`pragma foreign_keys = on`.execute(db)
}

/**
 * Phones spelled out inside an id-like token (`u-13800000001`, `user:u-…`, `quiz:u-…:daily:…`). A bare
 * phone (users.phone, contact phones) is not an id; nor are households' ids (`h-<phone>-01`), which only
 * their member, the branch secretary and the admin see, as they see the contact phone.
 */
function phonesInIds(text: string): string[] {
  return [...text.matchAll(/[\w:.-]*1[3-9]\d{9}[\w:.-]*/g)]
    .map((m) => m[0])
    .filter((token) => PHONES.some((p) => token.includes(p)))
    .filter((token) => !PHONES.includes(token) && !/^(phone:)?1\d{10}$/.test(token) && !/^h-1\d{10}-\d+$/.test(token))
}

describe.each(databases)('opaque user ids on %s', (kind) => {
  describe('a fresh demo database', () => {
    let server: TestServer
    beforeAll(async () => {
      server = await startServer(kind)
    })
    afterAll(() => server.close())

    it('gives a member’s first pull no one else’s phone number, anywhere', async () => {
      const cookie = await login(server.app, MEMBER)
      const device = clientId()
      let cursor: string | undefined
      let bodies = ''
      for (let page = 0; page < 1000; page++) {
        const response = await server.app.inject({
          url: `/api/sync/pull?${new URLSearchParams({ clientId: device, ...(cursor ? { cursor } : {}) })}`,
          headers: { cookie },
        })
        expect(response.statusCode).toBe(200)
        bodies += response.body
        const reply = response.json() as PullReply
        cursor = reply.cursor
        if (!reply.hasMore) break
      }
      expect(bodies).toContain('王建国')
      // A member sees only their own contact phone (redactMember); ids say nothing.
      const others = PHONES.filter((p) => p !== MEMBER && bodies.includes(p))
      expect(others).toEqual([])
      expect(bodies).not.toMatch(LEGACY_ID)
    })
  })

  describe('an existing database whose ids embed phones, after migration 0010', () => {
    let server: TestServer
    let seedDir: string
    const cookies = new Map<string, string>()
    const cookie = async (phone: string) => {
      if (!cookies.has(phone)) cookies.set(phone, await login(server.app, phone))
      return cookies.get(phone)!
    }
    const post = async (phone: string, url: string, payload: unknown = {}) =>
      server.app.inject({ method: 'POST', url, headers: { cookie: await cookie(phone), host: HOST }, payload: payload as object })
    const send = async (phone: string, ...mutations: unknown[]) => push(server.app, await cookie(phone), clientId(), mutations)
    const idOf = (phone: string) =>
      server.withDb(async (db) => (await db.selectFrom('users').select('id').where('phone', '=', phone).executeTakeFirstOrThrow()).id)
    const remote = (meetingId: string, step: 'options' | 'verify') => `/api/meetings/${meetingId}/remote/${step}`
    const meeting = (startIn: number): MeetingDraft => {
      const start = Date.now() + startIn
      return {
        id: `m-legacy-${randomUUID().slice(0, 8)}`,
        branchId: 'b-hexing',
        type: 'assembly',
        title: '支部党员大会',
        agenda: '学习文件',
        place: '合兴村党群服务中心',
        startsAt: new Date(start).toISOString(),
        endsAt: new Date(start + 60 * MINUTE).toISOString(),
        audience: 'branch',
        memberIds: [],
        remoteAllowed: true,
        remoteMemberIds: [legacyId(MEMBER)],
        videoUrl: null,
        materialIds: [],
        backfillReason: '会议临时提前，会后补录',
      }
    }

    const passkey = new SoftAuthenticator(HOST)
    /** The user handle the passkey was registered with: the old id's bytes. */
    let handle: string
    const device = clientId()
    const otherDevice = clientId()
    let oldCursor: string
    let before: { ledger: number; points: number; attendance: string[]; photo: string; commentId: string }
    let afterMigration: string

    beforeAll(async () => {
      seedDir = legacySeeds()
      server = await startServer(kind, { seedDir })
      expect(await idOf(MEMBER)).toBe(legacyId(MEMBER))
      const member = await cookie(MEMBER)

      // Study and the daily quiz: ledger entries, a quiz attempt (`u-…:daily:…`) and their sync rows.
      const today = dayInShanghai(new Date())
      const ago = (m: number) => new Date(Date.now() - m * MINUTE).toISOString()
      const study = mutation('study.record', {
        sessionId: randomUUID(),
        materialId: 'm-001',
        startedAt: ago(20),
        endedAt: ago(10),
        activeSeconds: 540,
        completed: true,
      })
      const drawn = dailyQuizQuestionIds(legacyId(MEMBER), today, [...KEY.keys()])
      const quiz = mutation('quiz.submit', {
        quizId: dailyQuizId(today),
        answers: Object.fromEntries(drawn.map((id) => [id, KEY.get(id)!.answer])),
        submittedAt: new Date().toISOString(),
      })
      expect((await push(server.app, member, device, [study, quiz])).map((r) => r.status)).toEqual(['applied', 'applied'])

      // A passkey (its user handle is the old id) and a remote attendance confirmed with it.
      const options = (await post(MEMBER, '/api/webauthn/register/options')).json() as { challenge: string; user: { id: string } }
      handle = options.user.id
      expect(Buffer.from(handle, 'base64url').toString()).toBe(legacyId(MEMBER))
      expect(
        (await post(MEMBER, '/api/webauthn/register/verify', { response: passkey.register(options.challenge), deviceName: '华为手机' }))
          .statusCode,
      ).toBe(200)
      const started = meeting(-5 * MINUTE)
      expect((await send(DEMO.admin, mutation('meeting.schedule', { meeting: started })))[0]?.status).toBe('applied')
      const { challenge } = (await post(MEMBER, remote(started.id, 'options'))).json() as { challenge: string }
      expect(
        (await post(MEMBER, remote(started.id, 'verify'), { response: passkey.assert(challenge, { userHandle: handle }) })).statusCode,
      ).toBe(200)

      // A photo on a comment, and someone's like on it.
      const bytes = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 30, b: 30 } } })
        .jpeg()
        .toBuffer()
      const photo = `p-${randomUUID()}`
      const upload = await server.app.inject({
        method: 'PUT',
        url: `/api/photos/${photo}`,
        headers: {
          cookie: member,
          'content-type': 'application/octet-stream',
          'content-range': `bytes 0-${bytes.length - 1}/${bytes.length}`,
        },
        payload: bytes,
      })
      expect(upload.statusCode).toBe(201)
      const commentId = `c-${randomUUID()}`
      const comment = {
        id: commentId,
        topicId: 't-hexing-road',
        text: '村口的路灯坏了两盏。',
        category: 'need',
        householdId: null,
        photos: [photo],
      }
      expect((await push(server.app, member, device, [mutation('comment.post', { comment })]))[0]?.status).toBe('applied')
      expect((await send(LIKER, mutation('comment.like', { commentId, liked: true })))[0]?.status).toBe('applied')

      // The devices' cursors from before: one names the member's own scope, the other (made up) only shared ones.
      oldCursor = (await pullAll(server.app, member, device)).cursor
      expect(Object.keys(decodeCursor(oldCursor) ?? {})).toContain(`user:${legacyId(MEMBER)}`)
      const shared = Object.entries(decodeCursor((await pullAll(server.app, member, otherDevice)).cursor) ?? {}).filter(
        ([scope]) => !scope.startsWith('user:'),
      )
      afterMigration = encodeCursor(Object.fromEntries(shared))

      before = await server.withDb(async (db) => ({
        ledger: (await db.selectFrom('points_ledger').select('id').where('member_id', '=', legacyId(MEMBER)).execute()).length,
        points: Number(
          (
            await db
              .selectFrom('points_ledger')
              .select((eb) => eb.fn.sum<number>('points').as('sum'))
              .where('member_id', '=', legacyId(MEMBER))
              .executeTakeFirstOrThrow()
          ).sum,
        ),
        attendance: (
          await db.selectFrom('attendance').select('meeting_id').where('member_id', '=', legacyId(MEMBER)).orderBy('meeting_id').execute()
        ).map((a) => a.meeting_id),
        photo,
        commentId,
      }))
      expect(before.ledger).toBeGreaterThanOrEqual(2)
      expect(before.attendance).toContain(started.id)

      // The upgrade: migration 0010 runs on this database's data, then the server restarts on it. Run by
      // itself: the later migrations (0011 …) have run, and the migrator refuses to re-run one before them
      // (the path from a database at 0009 through every later migration is the test below).
      await server.withDb((db) => runMigration(db, '0010_opaque_user_ids'))
      await server.reopen()
    })
    afterAll(async () => {
      await server.close()
      rmSync(seedDir, { recursive: true, force: true })
    })

    it('leaves no id that spells a phone anywhere in the database', async () => {
      const text = await server.withDb(allText)
      expect(text.length).toBeGreaterThan(1000)
      expect(text.filter((t) => LEGACY_ID.test(t.value)).map((t) => `${t.where}: ${t.value.slice(0, 80)}`)).toEqual([])
      expect(text.flatMap((t) => phonesInIds(t.value).map((token) => `${t.where}: ${token}`))).toEqual([])
      const ids = await server.withDb((db) => db.selectFrom('users').select(['id', 'phone']).execute())
      expect(ids.length).toBe(USERS.length)
      for (const { id } of ids) expect(id).toMatch(/^u-[23456789a-km-np-z]{12}$/)
      expect(new Set(ids.map((u) => u.id)).size).toBe(ids.length)
      // The old → new map is kept for devices that still name old ids.
      const aliases = await server.withDb((db) => db.selectFrom('user_id_aliases').select(['old_id', 'new_id']).execute())
      expect(new Map(aliases.map((a) => [a.old_id, a.new_id])).get(legacyId(MEMBER))).toBe(await idOf(MEMBER))
    })

    it('keeps the member’s ledger, quiz result, attendance, photo, comment, like and passkey attached to the new id', async () => {
      const id = await idOf(MEMBER)
      const liker = await idOf(LIKER)
      const state = await server.withDb(async (db) => ({
        ledger: (await db.selectFrom('points_ledger').select('id').where('member_id', '=', id).execute()).length,
        points: Number(
          (
            await db
              .selectFrom('points_ledger')
              .select((eb) => eb.fn.sum<number>('points').as('sum'))
              .where('member_id', '=', id)
              .executeTakeFirstOrThrow()
          ).sum,
        ),
        total: (
          await db
            .selectFrom('points_totals')
            .select('points')
            .where('member_id', '=', id)
            .where('period', '=', String(new Date().getFullYear()))
            .executeTakeFirst()
        )?.points,
        quiz: (await db.selectFrom('quiz_attempts').select('id').where('member_id', '=', id).execute()).map((q) => q.id),
        attendance: (
          await db.selectFrom('attendance').select('meeting_id').where('member_id', '=', id).orderBy('meeting_id').execute()
        ).map((a) => a.meeting_id),
        photo: (await db.selectFrom('photos').select('owner_id').where('id', '=', before.photo).executeTakeFirst())?.owner_id,
        comment: await db
          .selectFrom('board_comments')
          .select(['author_id', 'liked_by_json'])
          .where('id', '=', before.commentId)
          .executeTakeFirst(),
        passkeys: (await db.selectFrom('webauthn_credentials').select('user_id').execute()).map((c) => c.user_id),
        sessions: (await db.selectFrom('sessions').select('user_id').execute()).map((s) => s.user_id),
      }))
      expect(state).toMatchObject({
        ledger: before.ledger,
        points: before.points,
        total: before.points,
        attendance: before.attendance,
        photo: id,
        passkeys: [id],
      })
      expect(state.quiz).toEqual([`${id}:${dailyQuizId(dayInShanghai(new Date()))}`])
      expect(state.comment).toEqual({ author_id: id, liked_by_json: JSON.stringify([liker]) })
      expect(state.sessions).toContain(id)
      // The photo is still the member's to read.
      expect((await server.app.inject({ url: `/api/photos/${before.photo}`, headers: { cookie: await cookie(MEMBER) } })).statusCode).toBe(
        200,
      )
    })

    it('resets a device that pulls with its cursor from before, and sends rows with the new ids only', async () => {
      const member = await cookie(MEMBER)
      const id = await idOf(MEMBER)
      const first: PullReply = await pull(server.app, member, device, oldCursor)
      expect(first.reset).toBe(true)
      const { rows, members, cursor } = await pullAll(server.app, member, device, oldCursor)
      const text = JSON.stringify([...rows])
      expect(text).not.toMatch(LEGACY_ID)
      expect(members.find((m) => m.name === '王建国')?.id).toBe(id)
      expect([...rows.keys()].filter((k) => k.startsWith('quiz_results/'))).toEqual([
        `quiz_results/${id}:${dailyQuizId(dayInShanghai(new Date()))}`,
      ])
      expect(Object.keys(decodeCursor(cursor) ?? {})).toContain(`user:${id}`)
      // Then it goes on from there, without another reset.
      expect((await pull(server.app, member, device, cursor)).reset).toBeUndefined()
      // A cursor naming only the town's and the branch's scopes is behind them too.
      expect((await pull(server.app, member, otherDevice, afterMigration)).reset).toBe(true)
    })

    it('applies mutations still queued with old ids to the right person', async () => {
      const id = await idOf(MEMBER)
      const liker = await idOf(LIKER)
      const ownProfile = mutation('profile.update', { memberId: legacyId(MEMBER), status: 'away', awayCity: '宁波' })
      expect(await push(server.app, await cookie(MEMBER), device, [ownProfile])).toEqual([{ id: ownProfile.id, status: 'applied' }])
      const adjust = mutation('points.adjust', {
        adjustmentId: randomUUID(),
        memberId: legacyId(LIKER),
        kind: 'volunteer',
        amount: 2,
        reason: '参加村里环境整治',
      })
      expect(await send(DEMO.admin, adjust)).toEqual([{ id: adjust.id, status: 'applied' }])
      const state = await server.withDb(async (db) => ({
        member: await db.selectFrom('users').select(['status', 'away_city']).where('id', '=', id).executeTakeFirst(),
        adjusted: await db.selectFrom('points_ledger').select(['member_id', 'points']).where('source_id', 'like', 'adjust:%').execute(),
        legacy: (await allText(db)).filter((t) => LEGACY_ID.test(t.value)).map((t) => t.where),
      }))
      expect(state.member).toEqual({ status: 'away', away_city: '宁波' })
      expect(state.adjusted).toEqual([{ member_id: liker, points: 2 }])
      expect(state.legacy).toEqual([])
    })

    it('still takes the passkey registered under the old id as the member’s, and no one else’s', async () => {
      const later = meeting(-2 * MINUTE)
      expect(
        (await send(DEMO.admin, mutation('meeting.schedule', { meeting: { ...later, remoteMemberIds: [await idOf(MEMBER)] } })))[0]?.status,
      ).toBe('applied')
      // Another member's old handle on this passkey: refused.
      let { challenge } = (await post(MEMBER, remote(later.id, 'options'))).json() as { challenge: string }
      const forged = await post(MEMBER, remote(later.id, 'verify'), {
        response: passkey.assert(challenge, { userHandle: Buffer.from(legacyId(LIKER)).toString('base64url') }),
      })
      expect(forged.statusCode).toBe(400)
      ;({ challenge } = (await post(MEMBER, remote(later.id, 'options'))).json() as { challenge: string })
      const joined = await post(MEMBER, remote(later.id, 'verify'), { response: passkey.assert(challenge, { userHandle: handle }) })
      expect(joined.json()).toEqual({ joined: true })
      const attendance = await server.withDb((db) =>
        db.selectFrom('attendance').select(['member_id', 'mode']).where('meeting_id', '=', later.id).execute(),
      )
      expect(attendance).toEqual([{ member_id: await idOf(MEMBER), mode: 'remote' }])
    })

    it('leaves a database without such ids alone when run again', async () => {
      const snapshot = (db: Kysely<Database>) => db.selectFrom('scope_versions').selectAll().orderBy('scope').execute()
      const versions = await server.withDb(snapshot)
      expect(await server.withDb((db) => renameLegacyUserIds(db as Kysely<unknown>))).toBe(0)
      expect(await server.withDb(snapshot)).toEqual(versions)
    })
  })

  describe('a database left at migration 0009', () => {
    it('runs 0010 and then every later migration when the server starts', async () => {
      const server = await startServer(kind, { seedDemoData: false })
      const old = legacyId('13900000001')
      try {
        await server.withDb(async (db) => {
          await dropAllTables(db, kind)
          expect((await new Migrator({ db, provider: migrationProvider }).migrateTo('0009_review_and_withdraw')).error).toBeUndefined()
          // The tables as they were at 0009: written as plain SQL, not with today's schema types.
          const now = new Date().toISOString()
          await sql`insert into towns (id, name) values ('town-old', '新杭镇')`.execute(db)
          await sql`insert into branches (id, town_id, name, place, kind) values ('b-old', 'town-old', '合兴村党支部', '合兴村', 'village')`.execute(
            db,
          )
          await sql`insert into users (id, phone, name, role, branch_id, gender, birth_year, joined_party_on, password_hash, created_at, updated_at)
            values (${old}, '13900000001', '王建国', 'member', 'b-old', 'male', 1968, '1995-07-01', '', ${now}, ${now})`.execute(db)
          await sql`insert into sessions (id, user_id, created_at, expires_at) values ('s-old', ${old}, ${now}, '2099-01-01T00:00:00.000Z')`.execute(
            db,
          )
          await sql`insert into households (id, member_id, head_name, address, people) values ('h-old', ${old}, '王建国', '合兴村1组', 3)`.execute(
            db,
          )
        })
        await server.reopen()

        const state = await server.withDb(async (db) => ({
          users: await db.selectFrom('users').select(['id', 'phone', 'membership', 'ended_at']).execute(),
          session: await db.selectFrom('sessions').select('user_id').where('id', '=', 's-old').executeTakeFirst(),
          household: await db.selectFrom('households').select('member_id').where('id', '=', 'h-old').executeTakeFirst(),
          aliases: await db.selectFrom('user_id_aliases').select(['old_id', 'new_id']).execute(),
          migrations: (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows.map((r) => r.name),
        }))
        const [user] = state.users
        expect(state.users).toHaveLength(1)
        // 0010 renamed the id everywhere; 0011 ran after it, on the renamed data.
        expect(user).toMatchObject({ phone: '13900000001', membership: 'full', ended_at: null })
        expect(user!.id).toMatch(/^u-[23456789a-km-np-z]{12}$/)
        expect(state.session).toEqual({ user_id: user!.id })
        expect(state.household).toEqual({ member_id: user!.id })
        expect(state.aliases).toEqual([{ old_id: old, new_id: user!.id }])
        expect(state.migrations).toEqual(Object.keys(await migrationProvider.getMigrations()).sort())
      } finally {
        await server.close()
      }
    })
  })
})
