// 三会一课 under load (issue 5), over real HTTP on 127.0.0.1, on SQLite or a fresh PostgreSQL database:
// 1. check-in: one branch of 500 members (and its secretary), each on their own phone and session,
//    pushing one `meeting.checkin` with a token made from the meeting key the secretary's device pulled —
//    all 500 at the same instant, and 500 spread over one minute; tokens verified and rows written.
//    Baseline in the same run: the same 500 phones sending an authenticated GET /api/health at once.
// 2. the remote room: 100 of them joined remotely (the attendance rows are written with the server's own
//    joinRemotely, as after a verified WebAuthn assertion, which a bench cannot produce), each with its own
//    GET /api/events stream, pulling on every `poke` as the app's scheduler does (one pull at a time, once
//    more if poked meanwhile). A delivery is a message, from the start of its POST /api/meetings/:id/messages,
//    arriving in another member's GET /api/sync/pull. Baseline: one message at a time in an idle room.
// Run alone: npx tsx bench/meetings.ts (SQLite, then PostgreSQL when one can be had; writes bench/results/meetings.json).
// BENCH_CHECKIN_SPREAD_S shortens the one-minute check-in run while developing. Every loop is bounded.
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { get, type ClientRequest } from 'node:http'
import { cpus, loadavg } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Kysely } from 'kysely'
import type { Database } from '../src/server/db/schema'
import { openDatabase } from '../src/server/db'
import { ChangeWriter } from '../src/server/sync/changes'
import { joinRemotely } from '../src/server/features/meetings/remote'
import { loadMeeting } from '../src/server/features/meetings/rows'
import { memberRowFromUser } from '../src/server/features/members/rows'
import { checkinToken } from '../src/domain/checkin'
import type { MeetingDraft, MeetingMessageRow } from '../src/domain/meetings'
import { SCHEMA_VERSION, type Change, type Mutation, type PullReply, type PushReply } from '../src/domain/sync'
import { insertBranch, insertMembers } from '../tests/fixtures/town'
import { createDatabase, startPostgres } from './postgres'
import { clientId, startServer, type BenchServer } from './server'
import { sqliteCommitCeiling, type RateResult } from './sync'
import { sized } from './quick'

export const BRANCH_MEMBERS = sized(500, 100)
export const ROOM_MEMBERS = sized(100, 20)
const BRANCH = 'b-bench'
const DEFAULT_SPREAD_S = sized(60, 5)
/** The app's remote room beats every 30 s (src/app/stores/remoteRoom.ts). */
const APP_HEARTBEAT_MS = 30_000
const PACE = { seconds: sized(20, 3), messagesPerSecond: 1 }
const STRESS = { seconds: sized(10, 2), heartbeatMs: 1_000, senders: 10 }
const BASELINE_MESSAGES = 20
const DRAIN_MS = 30_000
const MAX_REQUESTS = 200_000

export interface Latencies {
  count: number
  p50Ms: number
  p99Ms: number
  maxMs: number
}

export interface CheckinRun {
  label: string
  requests: number
  /** Check-ins the server applied (token verified, attendance and sync rows written). */
  applied: number
  rejected: Record<string, number>
  /** From the first request's start to the last reply. */
  wallMs: number
  perSecond: number
  latency: Latencies
  /** onsite attendance rows for the meeting, read from the database afterwards. */
  rowsWritten: number
}

export interface RoomRun {
  label: string
  /** How long heartbeats and chat were sent (the drain after it is not included). */
  seconds: number
  heartbeatEveryMs: number | null
  messages: number
  messageErrors: number
  messagesPerSecond: number
  /** Each message × each member other than its sender. */
  expectedDeliveries: number
  deliveries: number
  /** From the first message's send to the last delivery. */
  deliveriesPerSecond: number
  delivery: Latencies
  /** Per message: until the last of the other 99 members had it. */
  allDelivered: Latencies
  /** Baseline only: from the POST's start to the `poke` arriving on each other member's stream. */
  poke: Latencies | null
  post: Latencies
  heartbeat: Latencies & { errors: number; perSecond: number }
  pull: Latencies & { perSecond: number }
}

export interface MeetingsBench {
  database: 'sqlite' | 'postgres'
  members: number
  roomMembers: number
  /** The machine's load average as this database's run began: other work on the machine shows in every figure. */
  loadavgBefore: number[]
  /**
   * SQLite only: one-row commits per second on this disk with the server's pragmas (WAL, synchronous=FULL),
   * before the check-ins and after the room: a disk shared with other work moves every SQLite figure.
   */
  commitCeiling: { before: RateResult; after: RateResult } | null
  checkin: { spreadSeconds: number; healthBaseline: CheckinRun; burst: CheckinRun; burstVsHealthP50: number; spread: CheckinRun }
  /** pullFailures: pulls that answered with an error (the device pulls again on the next poke, as the app does). */
  /** Absent when the run was asked for the check-ins only. */
  room?: { baseline: RoomRun; pace: RoomRun; stress: RoomRun; storedMessages: number; pullFailures: number }
  note?: string
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0

function latencies(values: number[]): Latencies {
  const sorted = [...values].sort((a, b) => a - b)
  return { count: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) ?? 0 }
}

function spreadSeconds(env: NodeJS.ProcessEnv): number {
  const n = Number(env.BENCH_CHECKIN_SPREAD_S)
  return env.BENCH_CHECKIN_SPREAD_S && Number.isFinite(n) && n > 0 ? n : DEFAULT_SPREAD_S
}

// ── The branch ──────────────────────────────────────────────────────────────────────────────────────

interface Phone {
  userId: string
  /** The Cookie header value. */
  cookie: string
  clientId: string
}

/**
 * One branch of BRANCH_MEMBERS members and a secretary, written through a second connection: users, their
 * member rows and the branch row as devices see them, and a session each (stored as AuthService.login
 * stores it: the sha256 of the token; the cookie is the token signed with the server's secret). The first
 * ROOM_MEMBERS members work away (外出务工), so they may attend remotely.
 */
async function loadBranch(server: BenchServer, db: Kysely<Database>): Promise<{ secretary: Phone; members: Phone[] }> {
  const town = await db.selectFrom('towns').select('id').executeTakeFirstOrThrow()
  const now = new Date().toISOString()
  const away = (n: number) => n >= 1 && n <= ROOM_MEMBERS
  const tokens = Array.from({ length: 1 + BRANCH_MEMBERS }, () => randomBytes(32).toString('base64url'))
  const expires = new Date(Date.now() + 86_400_000).toISOString()
  const ids = await db.transaction().execute(async (trx) => {
    await insertBranch(trx, town.id, { id: BRANCH, name: '测试村', place: '测试村党群服务中心' })
    // The secretary first, then the members.
    const ids = await insertMembers(trx, 1 + BRANCH_MEMBERS, {
      branchId: BRANCH,
      firstPhone: '13700000000',
      now,
      with: (n) => ({
        name: n === 0 ? '测试书记' : `测试党员${n}`,
        role: n === 0 ? 'secretary' : 'member',
        birth_year: 1975,
        joined_party_on: '2000-07-01',
        status: away(n) ? 'away' : 'home',
        away_city: away(n) ? '杭州' : null,
      }),
    })
    const sessions = ids.map((id, n) => ({
      id: createHash('sha256').update(tokens[n]!).digest('base64url'),
      user_id: id,
      created_at: now,
      expires_at: expires,
    }))
    for (let start = 0; start < sessions.length; start += 100)
      await trx
        .insertInto('sessions')
        .values(sessions.slice(start, start + 100))
        .execute()
    const writer = new ChangeWriter(trx, now)
    await writer.put(`town:${town.id}`, 'branches', BRANCH, { id: BRANCH, name: '测试村', place: '测试村党群服务中心', kind: 'village' })
    const users = new Map((await trx.selectFrom('users').selectAll().where('branch_id', '=', BRANCH).execute()).map((u) => [u.id, u]))
    for (const id of ids) await writer.put(`branch:${BRANCH}`, 'members', id, memberRowFromUser(users.get(id)!))
    return ids
  })
  const phones = ids.map((userId, n) => ({
    userId,
    cookie: `djy_session=${encodeURIComponent(server.app.signCookie(tokens[n]!))}`,
    clientId: clientId(`m${n}`),
  }))
  return { secretary: phones[0]!, members: phones.slice(1) }
}

async function push(url: string, phone: Phone, mutations: Mutation[]): Promise<PushReply> {
  const response = await fetch(`${url}/api/sync/push`, {
    method: 'POST',
    headers: { cookie: phone.cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ clientId: phone.clientId, schemaVersion: SCHEMA_VERSION, mutations }),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`push: HTTP ${response.status} ${text.slice(0, 200)}`)
  return JSON.parse(text) as PushReply
}

async function pullPage(url: string, phone: Phone, cursor: string | undefined): Promise<PullReply> {
  const query = new URLSearchParams({ clientId: phone.clientId, ...(cursor ? { cursor } : {}) })
  const response = await fetch(`${url}/api/sync/pull?${query}`, { headers: { cookie: phone.cookie } })
  const text = await response.text()
  if (!response.ok) throw new Error(`pull: HTTP ${response.status} ${text.slice(0, 200)}`)
  return JSON.parse(text) as PullReply
}

/** Every page from `cursor` on; bounded by a page cap. */
async function pullToEnd(url: string, phone: Phone, cursor: string | undefined): Promise<{ cursor: string; changes: Change[] }> {
  const changes: Change[] = []
  for (let pages = 0, hasMore = true; hasMore; pages++) {
    if (pages >= 1_000) throw new Error('pull: more than 1,000 pages')
    const reply = await pullPage(url, phone, cursor)
    changes.push(...reply.changes)
    cursor = reply.cursor
    hasMore = reply.hasMore
  }
  return { cursor: cursor ?? '', changes }
}

/** The secretary schedules through the outbox path; the meeting keys reach their device on the next pull. */
async function schedule(url: string, secretary: Phone, drafts: MeetingDraft[]): Promise<Map<string, string>> {
  const clientTime = new Date().toISOString()
  const reply = await push(
    url,
    secretary,
    drafts.map((meeting) => ({ id: crypto.randomUUID(), name: 'meeting.schedule', args: { meeting }, clientTime })),
  )
  const refused = reply.results.find((r) => r.status !== 'applied')
  if (refused) throw new Error(`meeting.schedule refused: ${JSON.stringify(refused)}`)
  const { changes } = await pullToEnd(url, secretary, undefined)
  const keys = new Map<string, string>()
  for (const change of changes)
    if (change.table === 'meeting_keys' && change.op === 'put') keys.set(change.id, (change.row as { key: string }).key)
  for (const draft of drafts) if (!keys.has(draft.id)) throw new Error(`the secretary's pull has no key for ${draft.id}`)
  return keys
}

function draft(id: string, title: string, startsAt: number, remoteAllowed: boolean): MeetingDraft {
  return {
    id,
    branchId: BRANCH,
    type: 'assembly',
    title,
    agenda: '一、学习文件\n二、讨论',
    place: '测试村党群服务中心',
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(startsAt + 2 * 3600_000).toISOString(),
    audience: 'branch',
    memberIds: [],
    remoteAllowed,
    remoteMemberIds: [],
    videoUrl: null,
    materialIds: [],
    backfillReason: null,
  }
}

// ── Check-in ────────────────────────────────────────────────────────────────────────────────────────

interface Attempt {
  ms: number
  status: string
  start: number
  end: number
}

/** One phone pushing the code it scanned at `at`; the token is made (as the secretary's phone showed it) before the clock starts. */
async function checkIn(url: string, phone: Phone, meetingId: string, key: string, at: number): Promise<Attempt> {
  const token = await checkinToken(key, meetingId, at)
  const scannedAt = new Date(at).toISOString()
  const mutation: Mutation = {
    id: crypto.randomUUID(),
    name: 'meeting.checkin',
    args: { meetingId, token, scannedAt },
    clientTime: scannedAt,
  }
  const start = performance.now()
  const reply = await push(url, phone, [mutation])
  const end = performance.now()
  const result = reply.results[0]
  return {
    ms: end - start,
    status: result?.status === 'applied' ? 'applied' : result?.status === 'rejected' ? result.code : 'no result',
    start,
    end,
  }
}

async function health(url: string, phone: Phone): Promise<Attempt> {
  const start = performance.now()
  const response = await fetch(`${url}/api/health`, { headers: { cookie: phone.cookie } })
  await response.arrayBuffer()
  const end = performance.now()
  return { ms: end - start, status: response.ok ? 'applied' : `HTTP ${response.status}`, start, end }
}

async function attendanceRows(db: Kysely<Database>, meetingId: string): Promise<number> {
  const row = await db
    .selectFrom('attendance')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('meeting_id', '=', meetingId)
    .where('mode', '=', 'onsite')
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

function summarize(label: string, attempts: Attempt[], rowsWritten: number): CheckinRun {
  const rejected: Record<string, number> = {}
  for (const a of attempts) if (a.status !== 'applied') rejected[a.status] = (rejected[a.status] ?? 0) + 1
  const applied = attempts.filter((a) => a.status === 'applied').length
  const wallMs = Math.max(...attempts.map((a) => a.end)) - Math.min(...attempts.map((a) => a.start))
  return {
    label,
    requests: attempts.length,
    applied,
    rejected,
    wallMs,
    perSecond: applied / (wallMs / 1000),
    latency: latencies(attempts.map((a) => a.ms)),
    rowsWritten,
  }
}

async function checkinBench(
  url: string,
  db: Kysely<Database>,
  members: Phone[],
  keys: Map<string, string>,
  ids: Record<'warm' | 'burst' | 'spread', string>,
  spreadS: number,
) {
  const key = (id: string) => keys.get(id) ?? ''
  // Warm-up: the JIT and the database's caches, 10 phones at a time, and every phone's connection.
  for (let start = 0; start < 100; start += 10)
    await Promise.all(members.slice(start, start + 10).map((m) => checkIn(url, m, ids.warm, key(ids.warm), Date.now())))
  await Promise.all(members.map((m) => health(url, m)))

  const healthBaseline = summarize(`${members.length} × GET /api/health at once`, await Promise.all(members.map((m) => health(url, m))), 0)
  const at = Date.now()
  const burstAttempts = await Promise.all(members.map((m) => checkIn(url, m, ids.burst, key(ids.burst), at)))
  const burst = summarize(`${members.length} check-ins at once`, burstAttempts, await attendanceRows(db, ids.burst))

  // The same minute as it happens: one arrival in each of 500 equal steps of the minute, at a random point of it.
  const step = (spreadS * 1000) / members.length
  const begin = performance.now()
  const spreadAttempts = await Promise.all(
    members.map(async (m, i) => {
      await sleep(begin + (i + Math.random()) * step - performance.now())
      return checkIn(url, m, ids.spread, key(ids.spread), Date.now())
    }),
  )
  const spread = summarize(`${members.length} check-ins spread over ${spreadS} s`, spreadAttempts, await attendanceRows(db, ids.spread))
  return {
    spreadSeconds: spreadS,
    healthBaseline,
    burst,
    burstVsHealthP50: healthBaseline.latency.p50Ms > 0 ? burst.latency.p50Ms / healthBaseline.latency.p50Ms : 0,
    spread,
  }
}

// ── The remote room ─────────────────────────────────────────────────────────────────────────────────

/** One member's phone in the room: its event stream, and pulls on every poke, one at a time, as src/app/sync/scheduler.ts does. */
class Device {
  cursor: string | undefined
  /** Message text → when it arrived in a pull reply. */
  readonly arrivals = new Map<string, number>()
  readonly pokes: number[] = []
  readonly pullMs: number[] = []
  failures = 0
  private running = false
  private again = false
  private events: ClientRequest | undefined

  constructor(
    private readonly url: string,
    readonly phone: Phone,
  ) {}

  /** Opens GET /api/events and resolves on its `ready` event. */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`events for ${this.phone.userId}: no ready in 10 s`)), 10_000)
      const request = get(
        `${this.url}/api/events`,
        { headers: { cookie: this.phone.cookie, accept: 'text/event-stream' }, agent: false },
        (response) => {
          if (response.statusCode !== 200) {
            clearTimeout(timer)
            response.resume()
            reject(new Error(`events for ${this.phone.userId}: HTTP ${response.statusCode}`))
            return
          }
          response.setEncoding('utf8')
          let buffer = ''
          response.on('data', (chunk: string) => {
            const at = performance.now()
            buffer += chunk
            for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
              const event = /^event: (.+)$/m.exec(buffer.slice(0, end))?.[1]
              buffer = buffer.slice(end + 2)
              if (event === 'ready') {
                clearTimeout(timer)
                resolve()
              } else if (event === 'poke') {
                this.pokes.push(at)
                this.requestPull()
              }
            }
          })
        },
      )
      request.on('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
      this.events = request
    })
  }

  close(): void {
    this.events?.destroy()
  }

  requestPull(): void {
    if (this.running) {
      this.again = true
      return
    }
    this.running = true
    void this.pullLoop()
  }

  private async pullLoop(): Promise<void> {
    try {
      for (let n = 0; n < 1_000; n++) {
        this.again = false
        await this.pull()
        if (!this.again) break
      }
    } catch {
      this.failures++
    } finally {
      this.running = false
    }
  }

  async pull(): Promise<void> {
    for (let pages = 0, hasMore = true; hasMore; pages++) {
      if (pages >= 1_000) throw new Error('pull: more than 1,000 pages')
      const start = performance.now()
      const reply = await pullPage(this.url, this.phone, this.cursor)
      const at = performance.now()
      this.pullMs.push(at - start)
      for (const change of reply.changes) {
        if (change.table === 'meeting_messages' && change.op === 'put') {
          const text = (change.row as MeetingMessageRow).text
          if (!this.arrivals.has(text)) this.arrivals.set(text, at)
        }
      }
      this.cursor = reply.cursor
      hasMore = reply.hasMore
    }
  }
}

interface Sent {
  sender: number
  at: number
  accepted: boolean
}

class Room {
  readonly sent = new Map<string, Sent>()
  readonly postMs: number[] = []
  readonly heartbeatMs: number[] = []
  heartbeatErrors = 0
  messageErrors = 0
  private serial = 0

  constructor(
    private readonly url: string,
    private readonly meetingId: string,
    readonly devices: Device[],
    private readonly tag: string,
  ) {}

  /** A member sends a message; their own device syncs after it, as the app's send() does. */
  async send(sender: number): Promise<string> {
    const device = this.devices[sender]!
    const text = `${this.tag}第${++this.serial}条：同意，按议程进行。`
    const entry: Sent = { sender, at: performance.now(), accepted: false }
    this.sent.set(text, entry)
    const response = await fetch(`${this.url}/api/meetings/${this.meetingId}/messages`, {
      method: 'POST',
      headers: { cookie: device.phone.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    })
    await response.arrayBuffer()
    this.postMs.push(performance.now() - entry.at)
    if (response.ok) {
      entry.accepted = true
      device.requestPull()
    } else this.messageErrors++
    return text
  }

  async heartbeat(device: Device): Promise<void> {
    const start = performance.now()
    const response = await fetch(`${this.url}/api/meetings/${this.meetingId}/remote/heartbeat`, {
      method: 'POST',
      headers: { cookie: device.phone.cookie, 'content-type': 'application/json' },
      body: '{}',
    })
    await response.arrayBuffer()
    this.heartbeatMs.push(performance.now() - start)
    if (!response.ok) this.heartbeatErrors++
  }

  /** Each device beats every `everyMs` from a random first beat within the interval, until the deadline. */
  async heartbeats(everyMs: number, deadline: number): Promise<void> {
    await Promise.all(
      this.devices.map(async (device) => {
        let next = performance.now() + Math.random() * everyMs
        for (let n = 0; n < MAX_REQUESTS; n++) {
          await sleep(next - performance.now())
          if (performance.now() >= deadline) return
          await this.heartbeat(device)
          next += everyMs
        }
      }),
    )
  }

  delivered(text: string): number {
    const sent = this.sent.get(text)
    if (!sent) return 0
    return this.devices.filter((d, i) => i !== sent.sender && d.arrivals.has(text)).length
  }

  /** Until every accepted message is on every other device, or DRAIN_MS has passed. */
  async drain(texts: Iterable<string> = this.sent.keys()): Promise<void> {
    const pending = [...texts].filter((t) => this.sent.get(t)?.accepted)
    const others = this.devices.length - 1
    const deadline = performance.now() + DRAIN_MS
    while (performance.now() < deadline && pending.some((t) => this.delivered(t) < others)) await sleep(5)
  }

  result(label: string, seconds: number, heartbeatEveryMs: number | null, withPokes: boolean): RoomRun {
    const delivery: number[] = []
    const allDelivered: number[] = []
    const poke: number[] = []
    let lastArrival = 0
    let firstSend = Number.POSITIVE_INFINITY
    const accepted = [...this.sent].filter(([, s]) => s.accepted)
    const sends = accepted.map(([, s]) => s.at).sort((a, b) => a - b)
    for (const [text, sent] of accepted) {
      firstSend = Math.min(firstSend, sent.at)
      let last = 0
      let everyone = true
      this.devices.forEach((device, i) => {
        if (i === sent.sender) return
        const arrival = device.arrivals.get(text)
        if (arrival === undefined) everyone = false
        else {
          delivery.push(arrival - sent.at)
          last = Math.max(last, arrival)
        }
        if (withPokes) {
          // One message at a time: the first poke after this send and before the next is this message's.
          const next = sends.find((t) => t > sent.at) ?? Number.POSITIVE_INFINITY
          const first = device.pokes.find((t) => t >= sent.at && t < next)
          if (first !== undefined) poke.push(first - sent.at)
        }
      })
      if (everyone) allDelivered.push(last - sent.at)
      lastArrival = Math.max(lastArrival, last)
    }
    const pullMs = this.devices.flatMap((d) => d.pullMs)
    const span = accepted.length > 0 ? (lastArrival - firstSend) / 1000 : 0
    return {
      label,
      seconds,
      heartbeatEveryMs,
      messages: accepted.length,
      messageErrors: this.messageErrors,
      messagesPerSecond: accepted.length / seconds,
      expectedDeliveries: accepted.length * (this.devices.length - 1),
      deliveries: delivery.length,
      deliveriesPerSecond: span > 0 ? delivery.length / span : 0,
      delivery: latencies(delivery),
      allDelivered: latencies(allDelivered),
      poke: withPokes ? latencies(poke) : null,
      post: latencies(this.postMs),
      heartbeat: { ...latencies(this.heartbeatMs), errors: this.heartbeatErrors, perSecond: this.heartbeatMs.length / seconds },
      pull: { ...latencies(pullMs), perSecond: pullMs.length / seconds },
    }
  }
}

/** Pull counters restart with each scenario; the cursors and streams carry on. */
function resetDevices(devices: Device[]) {
  for (const d of devices) {
    d.pokes.length = 0
    d.pullMs.length = 0
  }
}

async function roomBench(url: string, db: Kysely<Database>, members: Phone[], meetingId: string) {
  // Present remotely, as POST /remote/verify records it after the member's fingerprint or face.
  const now = new Date().toISOString()
  await db.transaction().execute(async (trx) => {
    const writer = new ChangeWriter(trx, now)
    const meeting = await loadMeeting(trx, meetingId)
    for (const m of members) await joinRemotely(trx, writer, meeting, m.userId, now)
  })
  const devices = members.map((m) => new Device(url, m))
  try {
    for (let start = 0; start < devices.length; start += 20) await Promise.all(devices.slice(start, start + 20).map((d) => d.connect()))
    // Each phone has the branch as it comes into the room: a full pull to the end.
    for (let start = 0; start < devices.length; start += 20) await Promise.all(devices.slice(start, start + 20).map((d) => d.pull()))

    // Warm-up, then the baseline: one message at a time, the next only once all 99 others have the last.
    const warm = new Room(url, meetingId, devices, '预热')
    for (let n = 0; n < 5; n++) await warm.drain([await warm.send(n)])
    resetDevices(devices)
    const idle = new Room(url, meetingId, devices, '基准')
    const idleStart = performance.now()
    for (let n = 0; n < BASELINE_MESSAGES; n++) await idle.drain([await idle.send((n * 7) % devices.length)])
    const baseline = idle.result(
      `${BASELINE_MESSAGES} messages one at a time, no heartbeats`,
      (performance.now() - idleStart) / 1000,
      null,
      true,
    )

    // The app's pace: every member beats every 30 s; one message a second from a random member.
    resetDevices(devices)
    const paced = new Room(url, meetingId, devices, '会中')
    const paceEnd = performance.now() + PACE.seconds * 1000
    const beats = paced.heartbeats(APP_HEARTBEAT_MS, paceEnd)
    const sends: Promise<string>[] = []
    for (let n = 0; n < PACE.seconds * PACE.messagesPerSecond; n++) {
      await sleep(paceEnd - PACE.seconds * 1000 + (n * 1000) / PACE.messagesPerSecond - performance.now())
      sends.push(paced.send(Math.floor(Math.random() * devices.length)))
    }
    await Promise.all(sends)
    await beats
    await paced.drain()
    const pace = paced.result(`heartbeat every 30 s each, ${PACE.messagesPerSecond} message/s`, PACE.seconds, APP_HEARTBEAT_MS, false)

    // Stress: heartbeats 30× the app's rate, and 10 members sending back to back.
    resetDevices(devices)
    const busy = new Room(url, meetingId, devices, '压力')
    const stressEnd = performance.now() + STRESS.seconds * 1000
    const stressBeats = busy.heartbeats(STRESS.heartbeatMs, stressEnd)
    await Promise.all(
      Array.from({ length: STRESS.senders }, async (_, s) => {
        for (let n = 0; performance.now() < stressEnd && n < MAX_REQUESTS; n++) await busy.send((s * 10) % devices.length)
      }),
    )
    await stressBeats
    await busy.drain()
    const stress = busy.result(
      `heartbeat every 1 s each, ${STRESS.senders} members sending back to back`,
      STRESS.seconds,
      STRESS.heartbeatMs,
      false,
    )

    const stored = await db
      .selectFrom('meeting_messages')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('meeting_id', '=', meetingId)
      .executeTakeFirstOrThrow()
    return { baseline, pace, stress, storedMessages: Number(stored.n), pullFailures: devices.reduce((n, d) => n + d.failures, 0) }
  } finally {
    for (const d of devices) d.close()
  }
}

// ── Runs ────────────────────────────────────────────────────────────────────────────────────────────

export async function meetingsBench(
  root: string,
  databaseUrl: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  options: { room?: boolean } = {},
): Promise<MeetingsBench> {
  const loadavgBefore = loadavg()
  const server = await startServer(root, databaseUrl)
  const { db, kind } = openDatabase(server.config)
  try {
    const { url } = server
    const { secretary, members } = await loadBranch(server, db)
    const soon = Date.now() + 60_000
    const ids = { warm: 'bench-warm', burst: 'bench-burst', spread: 'bench-spread', room: 'bench-room' }
    const keys = await schedule(url, secretary, [
      draft(ids.warm, '预热会议', soon, false),
      draft(ids.burst, '支部党员大会（同时签到）', soon, false),
      draft(ids.spread, '支部党员大会（一分钟内签到）', soon, false),
      // The room opens 30 minutes before the start; starting in 30 s, it is under way when the room runs
      // (after a minute of check-ins), so heartbeats count time.
      draft(ids.room, '支部党员大会（远程会场）', Date.now() + 30_000, true),
    ])
    const ceilingBefore = kind === 'sqlite' ? sqliteCommitCeiling(1) : null
    const checkin = await checkinBench(url, db, members, keys, ids, spreadSeconds(env))
    const room = options.room === false ? undefined : await roomBench(url, db, members.slice(0, ROOM_MEMBERS), ids.room)
    const ceilingAfter = kind === 'sqlite' ? sqliteCommitCeiling(1) : null
    return {
      database: kind,
      members: members.length,
      roomMembers: ROOM_MEMBERS,
      loadavgBefore,
      commitCeiling: ceilingBefore && ceilingAfter ? { before: ceilingBefore, after: ceilingAfter } : null,
      checkin,
      room,
    }
  } finally {
    await db.destroy()
    await server.close()
  }
}

/** meetingsBench on SQLite, or on a fresh database of the given PostgreSQL cluster. */
export async function meetingsBenchOn(root: string, postgresUrl: string | undefined): Promise<MeetingsBench> {
  if (!postgresUrl) return meetingsBench(root, undefined)
  let fresh: Awaited<ReturnType<typeof createDatabase>>
  try {
    fresh = await createDatabase(postgresUrl, 'djy_bench_meetings')
  } catch (error) {
    return { ...(await meetingsBench(root, postgresUrl)), note: `could not create a database, used the given one: ${String(error)}` }
  }
  try {
    return await meetingsBench(root, fresh.url)
  } finally {
    await fresh.drop()
  }
}

// ── Report ──────────────────────────────────────────────────────────────────────────────────────────

const pad = (s: string, n: number) => s.padEnd(n)
const num = (n: number, digits = 0) => n.toFixed(digits).padStart(9)

export function printMeetingsSection(runs: MeetingsBench[], postgresSkipped: string | null): void {
  const name = (r: MeetingsBench) => (r.database === 'sqlite' ? 'SQLite' : 'PostgreSQL')
  const first = runs[0]
  console.log(
    `\nMeetings (三会一课; in-process server on 127.0.0.1; one branch of ${first?.members ?? BRANCH_MEMBERS} members, each on their own phone and session)`,
  )
  if (postgresSkipped) console.log(`  PostgreSQL skipped: ${postgresSkipped}`)
  console.log(
    `  load average (1 min) as each run began, on ${cpus().length} CPUs: ${runs.map((r) => `${name(r)} ${r.loadavgBefore[0]?.toFixed(1) ?? '-'}`).join(', ')}; ` +
      'SQLite commits with synchronous=FULL, the throwaway PostgreSQL cluster runs with fsync=off',
  )
  console.log(
    "  Check-in: one push of one meeting.checkin per phone, token from the key the secretary's device pulled; verified, attendance + sync row written",
  )
  console.log(
    `  ${pad('', 52)}${'ok/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}${'wall s'.padStart(9)}  rows  refused`,
  )
  for (const r of runs) {
    const c = r.checkin
    const line = (run: CheckinRun, note = '') => {
      const refused =
        Object.entries(run.rejected)
          .map(([code, n]) => `${code} ${n}`)
          .join(', ') || '0'
      const rows = run.label.includes('health') ? '   -' : String(run.rowsWritten).padStart(4)
      console.log(
        `  ${pad(`${name(r)}: ${run.label}`, 52)}${num(run.perSecond)}${num(run.latency.p50Ms, 1)}${num(run.latency.p99Ms, 1)}${num(run.latency.maxMs, 1)}${num(run.wallMs / 1000, 2)}  ${rows}  ${refused}${note}`,
      )
    }
    line(c.healthBaseline, '   (baseline)')
    line(c.burst, `   p50 ${c.burstVsHealthP50.toFixed(1)}× baseline`)
    line(c.spread)
    if (r.commitCeiling) {
      const { before, after } = r.commitCeiling
      console.log(
        `  ${name(r)}: disk floor ${before.perSecond.toFixed(0)} one-row commits/s before the check-ins, ${after.perSecond.toFixed(0)} after the room (WAL, synchronous=FULL): ` +
          `${r.members} commits take ≥ ${((r.members / before.perSecond) * 1000).toFixed(0)} ms`,
      )
    }
  }
  console.log(
    `  Remote room: ${first?.roomMembers ?? ROOM_MEMBERS} members joined, each with GET /api/events open, pulling on every poke; delivery = POST …/messages start → the row in another member's pull`,
  )
  console.log(
    `  ${pad('', 70)}${'msgs/s'.padStart(8)}${'deliv/s'.padStart(9)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'all p50'.padStart(8)}${'lost'.padStart(6)}${'beats/s'.padStart(8)}${'beat p99'.padStart(9)}${'pulls/s'.padStart(8)}${'pull p99'.padStart(9)}`,
  )
  for (const r of runs) {
    if (!r.room) continue
    for (const run of [r.room.baseline, r.room.pace, r.room.stress]) {
      const f = (n: number, w: number, d = 0) => n.toFixed(d).padStart(w)
      console.log(
        `  ${pad(`${name(r)}: ${run.label}`, 70)}${f(run.messagesPerSecond, 8, 1)}${f(run.deliveriesPerSecond, 9)}${f(run.delivery.p50Ms, 8, 1)}${f(run.delivery.p99Ms, 8, 1)}${f(run.allDelivered.p50Ms, 8, 1)}${f(run.expectedDeliveries - run.deliveries, 6)}${f(run.heartbeat.perSecond, 8, 1)}${f(run.heartbeat.p99Ms, 9, 1)}${f(run.pull.perSecond, 8)}${f(run.pull.p99Ms, 9, 1)}`,
      )
    }
    const b = r.room.baseline
    const ratio = (run: RoomRun) => (b.delivery.p50Ms > 0 ? (run.delivery.p50Ms / b.delivery.p50Ms).toFixed(1) : '-')
    console.log(
      `  ${name(r)}: idle poke p50 ${b.poke?.p50Ms.toFixed(1) ?? '-'} ms, p99 ${b.poke?.p99Ms.toFixed(1) ?? '-'} ms; POST p50 ${b.post.p50Ms.toFixed(1)} ms idle, ${r.room.stress.post.p50Ms.toFixed(1)} ms under stress; ` +
        `delivery p50 vs idle: ${ratio(r.room.pace)}× at the app's pace, ${ratio(r.room.stress)}× under stress; ${r.room.storedMessages} messages stored; ` +
        `message errors ${b.messageErrors + r.room.pace.messageErrors + r.room.stress.messageErrors}, heartbeat errors ${r.room.pace.heartbeat.errors + r.room.stress.heartbeat.errors}, pull errors ${r.room.pullFailures}${r.note ? ` — ${r.note}` : ''}`,
    )
  }
}

// Alone: npx tsx bench/meetings.ts
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
  const out = join(root, 'bench', 'results', 'meetings.json')
  console.log(
    `智慧党建云 meetings bench — ${new Date().toISOString()}, node ${process.version}, ${cpus().length} CPUs, load avg ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  )
  const postgres = await startPostgres()
  const runs: MeetingsBench[] = []
  try {
    console.log('  running SQLite…')
    runs.push(await meetingsBenchOn(root, undefined))
    if ('url' in postgres) {
      console.log(`  running PostgreSQL (${postgres.source})…`)
      runs.push(await meetingsBenchOn(root, postgres.url))
    }
  } finally {
    if ('stop' in postgres) postgres.stop()
  }
  const skipped = 'skipped' in postgres ? postgres.skipped : null
  printMeetingsSection(runs, skipped)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(
    out,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: cpus().length, loadavg: loadavg(), meetings: { runs, postgresSkipped: skipped } }, null, 2)}\n`,
  )
  console.log(`\nWritten to ${relative(root, out)}`)
}
