// When a pull lands, the rows it stores and the acknowledged mutations it lets go of change in one
// transaction (sync/engine.ts); a store must show them changing together. Every state a store exposes is
// recorded (a sync watcher sees each one, even those no render would), from a change shown as waiting,
// through its push and its pull, to the synced row: the item is never missing, twice, or back as it was.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { effectScope, ref, watch } from 'vue'
import { useBoardStore, useTopicComments } from '~/app/stores/board'
import { useMeetingsStore } from '~/app/stores/meetings'
import { useMembersStore } from '~/app/stores/members'
import { useQuizStore } from '~/app/stores/quiz'
import { useStudyStore } from '~/app/stores/study'
import { useSyncStore } from '~/app/stores/sync'
import { useSessionStore } from '~/app/stores/session'
import { useContentAdminStore, newContentId } from '~/app/stores/contentAdmin'
import { useMemberLedgerStore } from '~/app/stores/memberLedger'
import { useBoardTodo } from '~/app/composables/useBoardTodo'
import type { SyncTransport } from '~/app/sync/transport'
import type { AppDB } from '~/app/db'
import type { Change } from '~/domain/sync'
import type { CommentRow, TopicRow } from '~/domain/board'
import type { LeaveRow, MeetingRow } from '~/domain/meetings'
import type { MemberRow } from '~/domain/members'
import type { Me } from '~/domain/users'
import type { MemberLedgerEntry } from '~/domain/points'
import { dailyQuizId } from '~/domain/quiz'
import { dayInShanghai } from '~/domain/calendar'
import { demoMe, freshDB, json, settle, stubFetch } from './helpers'

const MEMBER = demoMe.user.id
const SECRETARY = 'u-d2h5f8be4qmj'
const BRANCH = 'b-hexing'
const T0 = '2026-03-01T00:00:00.000Z'
const secretaryMe: Me = { ...demoMe, user: { ...demoMe.user, id: SECRETARY, phone: '13800000101', name: '张志强', role: 'secretary' } }

const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 5_000 })

/**
 * A server that applies every mutation pushed, and whose pull then brings `changes`: one page, or with
 * `pages`, one page a change and an empty last one (the mutations leave the outbox with that last page).
 */
function applyingServer(changes: () => Change[], pages: 'one' | 'several'): SyncTransport {
  let queue: Change[][] | null = null
  return {
    push: async (body) => ({ results: body.mutations.map((m) => ({ id: m.id, status: 'applied' as const })) }),
    pull: async () => {
      queue ??= pages === 'one' ? [changes()] : [...changes().map((change) => [change]), []]
      const page = queue.shift() ?? []
      return { cursor: `c-${queue.length}`, hasMore: queue.length > 0, changes: page }
    },
  }
}

let db: AppDB
let scope: ReturnType<typeof effectScope>
beforeEach(() => {
  db = freshDB()
  setActivePinia(createPinia())
  scope = effectScope()
})
afterEach(async () => {
  scope.stop()
  useSyncStore().stop()
  vi.unstubAllGlobals()
  await db.delete()
})

async function signIn(me: Me, changes: () => Change[], pages: 'one' | 'several') {
  useSessionStore().me = me
  await useSyncStore().start(me.user.id, { schedule: false, transport: applyingServer(changes, pages) })
}

/**
 * Records every value `shown` takes while one sync pushes the outbox and stores its pull, until the
 * outbox is empty and `done` holds: what a member could have seen, however briefly.
 */
async function recordSync<T>(shown: () => T, done: () => boolean): Promise<T[]> {
  const seen: T[] = [shown()]
  const stop = watch(shown, (value) => seen.push(value), { flush: 'sync' })
  await useSyncStore().syncNow()
  await waitFor(async () => {
    expect(await db.outbox.count()).toBe(0)
    expect(done()).toBe(true)
  })
  await settle()
  stop()
  return seen
}

function topic(id: string): TopicRow {
  return {
    id,
    branchId: BRANCH,
    category: 'livelihood',
    title: `话题 ${id}`,
    text: '',
    photos: [],
    closesOn: '2099-12-31',
    createdBy: SECRETARY,
    createdAt: T0,
    updatedAt: T0,
  }
}

function commentRow(id: string, over: Partial<CommentRow> = {}): CommentRow {
  return {
    id,
    topicId: 't-road',
    branchId: BRANCH,
    authorId: MEMBER,
    authorName: demoMe.user.name,
    authorBranchId: BRANCH,
    text: '路灯坏了',
    category: 'need',
    householdId: null,
    residentName: null,
    photos: [],
    status: 'pending',
    deadline: null,
    handlerId: null,
    reply: null,
    reason: null,
    mergedInto: null,
    likedBy: [],
    createdAt: T0,
    updatedAt: T0,
    acceptedAt: null,
    closedAt: null,
    ...over,
  }
}

function memberRow(id: string, name: string, role: MemberRow['role']): MemberRow {
  return {
    id,
    name,
    role,
    branchId: BRANCH,
    status: 'home',
    awayCity: null,
    returnDate: null,
    centerHousehold: false,
    contactPhone: null,
    updatedAt: T0,
  }
}

function meetingRow(id: string, over: Partial<MeetingRow> = {}): MeetingRow {
  const starts = Date.now() + 24 * 3600_000
  return {
    id,
    branchId: BRANCH,
    type: 'assembly',
    title: `会议 ${id}`,
    agenda: '',
    place: '村委会会议室',
    startsAt: new Date(starts).toISOString(),
    endsAt: new Date(starts + 90 * 60_000).toISOString(),
    audience: 'branch',
    expectedIds: [MEMBER, SECRETARY].sort(),
    remoteAllowed: true,
    remoteMemberIds: [],
    videoUrl: null,
    materialIds: [],
    status: 'scheduled',
    minutes: null,
    backfillReason: null,
    closedAt: null,
    ...over,
  }
}

describe.each(['one', 'several'] as const)('a pull landing in %s page(s)', (pages) => {
  it('shows a comment posted here exactly once, in the topic and in its count (朋友圈)', async () => {
    let posted: CommentRow | null = null
    await signIn(demoMe, () => [{ table: 'comments', id: posted!.id, op: 'put', row: posted }], pages)
    await db.topics.put(topic('t-road'))
    const board = useBoardStore()
    const { comments } = scope.run(() => useTopicComments(ref('t-road')))!
    await waitFor(() => expect(board.feed).toHaveLength(1))

    const id = await board.postComment({ topicId: 't-road', text: '路灯坏了', category: 'need', householdId: null })
    posted = commentRow(id)
    await waitFor(() => expect(comments.value.map((c) => c.id)).toEqual([id]))

    const seen = await recordSync(
      () => ({ shown: comments.value.filter((c) => c.id === id).length, counted: board.summaryOf('t-road').comments }),
      () => comments.value[0]?.pending === false,
    )
    expect(seen.filter((s) => s.shown !== 1 || s.counted !== 1)).toEqual([])
  })

  it('never shows a comment the secretary accepted here back as 待处理 (朋友圈, 待办)', async () => {
    const waiting = commentRow('c-1', { authorId: 'u-2sxm9c477t5z', authorName: '许光荣' })
    let accepted: CommentRow | null = null
    await signIn(secretaryMe, () => [{ table: 'comments', id: 'c-1', op: 'put', row: accepted }], pages)
    await db.topics.put(topic('t-road'))
    await db.comments.put(waiting)
    const board = useBoardStore()
    const { comments } = scope.run(() => useTopicComments(ref('t-road')))!
    const todo = scope.run(() => useBoardTodo(ref(true)))!
    await waitFor(() => expect(todo.items.value).toHaveLength(1))

    await board.act('c-1', { type: 'accept', days: 3 })
    await waitFor(() => expect(comments.value[0]).toMatchObject({ status: 'accepted', pending: true }))
    const shown = comments.value[0]!
    accepted = { ...waiting, status: 'accepted', handlerId: SECRETARY, deadline: shown.deadline, acceptedAt: shown.acceptedAt }

    const seen = await recordSync(
      () => ({ topic: comments.value.map((c) => c.status).join(), todo: todo.items.value.map((i) => i.comment.status).join() }),
      () => comments.value[0]?.pending === false && todo.items.value[0]?.comment.pending === false,
    )
    expect(seen.filter((s) => s.topic !== 'accepted' || s.todo !== 'accepted')).toEqual([])
  })

  it('never shows a meeting closed here open again, nor a leave asked for here missing (三会一课)', async () => {
    let closed: MeetingRow | null = null
    let asked: LeaveRow | null = null
    await signIn(
      secretaryMe,
      () => [
        { table: 'meetings', id: 'm-1', op: 'put', row: closed },
        { table: 'leaves', id: asked!.id, op: 'put', row: asked },
      ],
      pages,
    )
    await db.members.bulkPut([memberRow(MEMBER, '王建国', 'member'), memberRow(SECRETARY, '张志强', 'secretary')])
    await db.meetings.bulkPut([meetingRow('m-1'), meetingRow('m-2')])
    const meetings = useMeetingsStore()
    await waitFor(() => expect(meetings.all).toHaveLength(2))

    await meetings.close('m-1', '会议记录：传达学习上级文件精神。')
    await meetings.requestLeave('m-2', '外出务工')
    await waitFor(() => {
      expect(meetings.byId('m-1')).toMatchObject({ status: 'closed', pending: true })
      expect(meetings.leaveFor('m-2', SECRETARY)).toMatchObject({ status: 'pending', pending: true })
    })
    closed = {
      ...meetingRow('m-1'),
      status: 'closed',
      minutes: '会议记录：传达学习上级文件精神。',
      closedAt: meetings.byId('m-1')!.closedAt,
    }
    const leave = meetings.leaveFor('m-2', SECRETARY)!
    asked = { ...leave, decidedBy: null, decidedAt: null, note: null }
    delete (asked as Partial<typeof leave>).pending

    const seen = await recordSync(
      () => ({ status: meetings.byId('m-1')?.status, leaves: meetings.leavesOf('m-2').length }),
      () => meetings.byId('m-1')?.pending === false && meetings.leaveFor('m-2', SECRETARY)?.pending === false,
    )
    expect(seen.filter((s) => s.status !== 'closed' || s.leaves !== 1)).toEqual([])
  })

  it('keeps a status change (members), a completed lesson (study) and a submitted quiz (quiz) as they were', async () => {
    const day = dayInShanghai(new Date())
    const quizId = dailyQuizId(day)
    await signIn(
      demoMe,
      () => [
        { table: 'members', id: MEMBER, op: 'put', row: { ...memberRow(MEMBER, '王建国', 'member'), status: 'away', awayCity: '杭州' } },
        {
          table: 'study_progress',
          id: 'm-lesson-1',
          op: 'put',
          row: { id: 'm-lesson-1', activeSeconds: 300, completed: true, lastStudiedAt: T0 },
        },
        {
          table: 'quiz_results',
          id: quizId,
          op: 'put',
          row: { id: quizId, quizId, day, correct: 0, total: 0, items: [], gradedAt: T0 },
        },
      ],
      pages,
    )
    await db.members.put(memberRow(MEMBER, '王建国', 'member'))
    const members = useMembersStore()
    const study = useStudyStore()
    const quiz = useQuizStore()
    await waitFor(() => expect(members.self?.status).toBe('home'))

    await members.updateProfile({ status: 'away', awayCity: '杭州' })
    await useSyncStore().enqueue('study.record', {
      sessionId: crypto.randomUUID(),
      materialId: 'm-lesson-1',
      startedAt: T0,
      endedAt: '2026-03-01T00:05:00.000Z',
      activeSeconds: 300,
      completed: true,
    })
    await useSyncStore().enqueue('quiz.submit', { quizId, answers: {}, submittedAt: new Date().toISOString() })
    const answered = () => {
      const sheet = quiz.dailySheet(day)
      return sheet.result !== null || sheet.submitted !== null
    }
    await waitFor(() => {
      expect(members.self?.status).toBe('away')
      expect(study.isCompleted('m-lesson-1')).toBe(true)
      expect(answered()).toBe(true)
    })

    const seen = await recordSync(
      () => ({ status: members.self?.status, completed: study.isCompleted('m-lesson-1'), answered: answered() }),
      () => members.unconfirmedIds.size === 0 && quiz.dailySheet(day).result !== null,
    )
    expect(seen.filter((s) => s.status !== 'away' || !s.completed || !s.answered)).toEqual([])
  })
})

// 内容管理 and 积分记录 lay the admin's changes over lists read online: a change acknowledged by the push
// goes from the outbox to the store's own list of changes sent in one step, until the list is read again.
describe('a change to a list read online, acknowledged', () => {
  const ADMIN = 'u-jjv8xvrq2yab'
  const adminMe: Me = { ...demoMe, user: { ...demoMe.user, id: ADMIN, phone: '13800000000', name: '镇党委', role: 'admin' }, branch: null }

  it('keeps a saved material in 内容管理 until the list read again has it', async () => {
    const materials: object[] = []
    stubFetch(() => json(200, { materials, questions: [], exams: [], courses: [] }))
    await signIn(adminMe, () => [], 'one')
    const content = useContentAdminStore()
    await content.load()
    const id = newContentId('m')
    await content.saveMaterial({
      id,
      column: 'library',
      course: null,
      lesson: null,
      category: '安全与健康',
      kind: 'article',
      title: '冬季防火安全常识',
      summary: '冬天用火用电要当心',
      body: '## 冬季防火\n\n取暖器不要靠近被褥，出门前关掉电源。',
      media: null,
    })
    await waitFor(() => expect(content.find.material(id)).toMatchObject({ pending: true }))
    const [row] = await db.outbox.toArray()
    materials.push({ ...(row!.args as { material: object }).material, status: 'published', publishedAt: row!.clientTime })

    const seen = await recordSync(
      () => content.find.material(id)?.status,
      () => content.find.material(id)?.pending === false && !content.loading,
    )
    expect(seen.filter((status) => status !== 'published')).toEqual([])
  })

  it('never offers 更正 again for an entry corrected here (积分记录)', async () => {
    const entry: MemberLedgerEntry = {
      id: 'article-read:study:app-3',
      ruleCode: 'article-read',
      ruleName: '阅读文章',
      day: '2026-02-01',
      points: 1,
      reason: null,
      sourceId: 'study:app-3',
      source: 'study',
      createdAt: T0,
      createdBy: null,
      correction: false,
      corrects: null,
      correctedBy: null,
    }
    const reply = {
      member: { id: MEMBER, name: '王建国', branchName: '合兴村党支部' },
      totals: { month: 1, year: 1 },
      entries: [entry],
      nextBefore: null,
    }
    stubFetch(() => json(200, reply))
    await signIn(adminMe, () => [], 'one')
    const ledger = useMemberLedgerStore()
    await ledger.load(MEMBER)
    await ledger.correct(ledger.entries[0]!, '系统重复记分，予以更正')
    await waitFor(() => expect(ledger.stateOf(ledger.entries[0]!)).toBe('waiting'))
    reply.entries = [
      { ...entry, correctedBy: { id: `counter:${entry.id}`, day: '2026-03-01', reason: '系统重复记分，予以更正', createdBy: '镇党委' } },
    ]

    const shown = () => {
      const now = ledger.entries[0]!
      return now.correctedBy ? 'corrected' : (ledger.stateOf(now) ?? 'correctable')
    }
    const seen = await recordSync(shown, () => shown() === 'corrected' && !ledger.loading)
    expect(seen.filter((state) => state === 'correctable')).toEqual([])
  })
})
