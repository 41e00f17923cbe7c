import Dexie, { type EntityTable } from 'dexie'
import { DB_NAME } from '../constants'
import type { StorageProblemListener } from './problems'
import type { MemberRow } from '~/domain/members'
import type { PartyGroupRow } from '~/domain/roster'
import type { SyncTable } from '~/domain/sync'
import type { BranchRow } from '~/domain/users'
import type { Course, Material } from '~/domain/study'
import type { LedgerRow, RuleRow } from '~/domain/points'
import type { ExamRow, QuizQuestionRow, QuizResultRow } from '~/domain/quiz'
import type { StudyProgressRow } from '~/domain/study'
import type { HonorListRow, HonorMarkRow } from '~/domain/honor'
import type { AttendanceRow, LeaveRow, MeetingKeyRow, MeetingMessageRow, MeetingRow } from '~/domain/meetings'
import type { CommentRow, HouseholdRow, NoticeRow, TopicRow } from '~/domain/board'
import type { RectificationRow, WarningRow, WarningRuleRow, WorkdayRow } from '~/domain/supervision'
import type { OverviewRow } from '~/domain/overview'

export interface MetaRow {
  key: string
  value: unknown
}

/** A mutation waiting for the server's answer. Plain rows, written in a transaction: they survive restarts. */
export interface OutboxRow {
  seq?: number
  id: string
  /** Whose change it is: pushed only under that user's session. */
  userId: string
  name: string
  args: unknown
  clientTime: string
  /** How many times the server failed (500) on this mutation sent alone; at `POISON_ATTEMPTS` it is given up. */
  serverFailures?: number
  /**
   * The server applied it, but the pull that brings its result has not been stored yet: never sent again,
   * not counted as 待同步, still replayed by the overlays so the change doesn't flicker out (engine.ts).
   * Absent on rows written before this field existed, which are simply not acknowledged: no upgrade needed.
   */
  acknowledged?: true
}

export interface RejectedRow extends Omit<OutboxRow, 'seq' | 'serverFailures' | 'acknowledged'> {
  code: string
  message: string
  rejectedAt: string
}

/**
 * A photo taken for a comment or topic, compressed on the device and kept here until the server has all
 * of it (`uploaded` bytes so far, so a cut-off upload resumes where it stopped). Not synced: the server
 * keeps its own re-encoded copy, which devices then read by id.
 */
export interface PhotoUploadRow {
  id: string
  userId: string
  blob: Blob
  type: string
  size: number
  width: number
  height: number
  uploaded: number
  /** null while waiting; set once the server has re-encoded it. */
  doneAt: string | null
  /** Why the server refused it (not an image, too large): kept so the member is told, never retried. */
  error: string | null
  createdAt: string
}

/** The only code that touches IndexedDB. Each schema change is a new `version(n)` below, never an edit. */
export class AppDB extends Dexie {
  meta!: EntityTable<MetaRow, 'key'>
  outbox!: EntityTable<OutboxRow, 'seq'>
  rejected!: EntityTable<RejectedRow, 'id'>
  members!: EntityTable<MemberRow, 'id'>
  branches!: EntityTable<BranchRow, 'id'>
  courses!: EntityTable<Course, 'id'>
  materials!: EntityTable<Material, 'id'>
  points_rules!: EntityTable<RuleRow, 'id'>
  points!: EntityTable<LedgerRow, 'id'>
  quiz_questions!: EntityTable<QuizQuestionRow, 'id'>
  quiz_results!: EntityTable<QuizResultRow, 'id'>
  exams!: EntityTable<ExamRow, 'id'>
  study_progress!: EntityTable<StudyProgressRow, 'id'>
  honor_lists!: EntityTable<HonorListRow, 'id'>
  honor_marks!: EntityTable<HonorMarkRow, 'id'>
  meetings!: EntityTable<MeetingRow, 'id'>
  attendance!: EntityTable<AttendanceRow, 'id'>
  leaves!: EntityTable<LeaveRow, 'id'>
  meeting_keys!: EntityTable<MeetingKeyRow, 'id'>
  meeting_messages!: EntityTable<MeetingMessageRow, 'id'>
  topics!: EntityTable<TopicRow, 'id'>
  comments!: EntityTable<CommentRow, 'id'>
  households!: EntityTable<HouseholdRow, 'id'>
  notices!: EntityTable<NoticeRow, 'id'>
  photo_uploads!: EntityTable<PhotoUploadRow, 'id'>
  party_groups!: EntityTable<PartyGroupRow, 'id'>
  warning_rules!: EntityTable<WarningRuleRow, 'id'>
  workdays!: EntityTable<WorkdayRow, 'id'>
  warnings!: EntityTable<WarningRow, 'id'>
  rectifications!: EntityTable<RectificationRow, 'id'>
  overviews!: EntityTable<OverviewRow, 'id'>

  constructor(name = DB_NAME) {
    super(name)
    this.version(1).stores({
      meta: 'key',
    })
    this.version(2).stores({
      outbox: '++seq, &id, [userId+seq]',
      rejected: 'id, userId',
      members: 'id, branchId',
      branches: 'id',
      courses: 'id',
      materials: 'id, column, category, publishedAt',
      points_rules: 'id, code',
      points: 'id, day',
      quiz_questions: 'id',
      quiz_results: 'id, day',
    })
    this.version(3).stores({
      exams: 'id',
      study_progress: 'id',
      honor_lists: 'id',
      honor_marks: 'id',
    })
    this.version(4).stores({
      meetings: 'id, branchId, startsAt',
      attendance: 'id, meetingId, memberId',
      leaves: 'id, meetingId, memberId',
      meeting_keys: 'id',
      meeting_messages: 'id, meetingId, sentAt',
    })
    this.version(5).stores({
      topics: 'id, branchId, createdAt',
      // Only what the pages query: every index is written for each of a busy branch's thousands of comments.
      comments: 'id, [topicId+createdAt], [topicId+status]',
      households: 'id, memberId',
      notices: 'id, createdAt',
      photo_uploads: 'id, userId, createdAt',
    })
    this.version(6).stores({
      party_groups: 'id, branchId',
    })
    // Supervision (issue 13).
    this.version(7).stores({
      warning_rules: 'id, code',
      workdays: 'id',
      warnings: 'id, branchId',
      rectifications: 'id, branchId',
      overviews: 'id',
    })
  }

  /** The tables the server fills by pull; a reset clears them, never the outbox. */
  get syncedTables(): Record<SyncTable, Dexie.Table> {
    return {
      members: this.members,
      branches: this.branches,
      courses: this.courses,
      materials: this.materials,
      points_rules: this.points_rules,
      points: this.points,
      quiz_questions: this.quiz_questions,
      quiz_results: this.quiz_results,
      exams: this.exams,
      study_progress: this.study_progress,
      honor_lists: this.honor_lists,
      honor_marks: this.honor_marks,
      meetings: this.meetings,
      attendance: this.attendance,
      leaves: this.leaves,
      meeting_keys: this.meeting_keys,
      meeting_messages: this.meeting_messages,
      topics: this.topics,
      comments: this.comments,
      households: this.households,
      notices: this.notices,
      party_groups: this.party_groups,
      warning_rules: this.warning_rules,
      workdays: this.workdays,
      warnings: this.warnings,
      rectifications: this.rectifications,
      overviews: this.overviews,
    }
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await this.meta.get(key))?.value as T | undefined
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.meta.put({ key, value })
  }

  async deleteMeta(key: string): Promise<void> {
    await this.meta.delete(key)
  }
}

// Kept in problems.ts, where the shell reads them without loading Dexie.
export { STORAGE_MESSAGES, classifyStorageError, type StorageProblem, type StorageProblemListener } from './problems'

/** Opens the database and reports what the member must do when another tab or the disk is in the way. */
export function createAppDB(onProblem: StorageProblemListener, name?: string): AppDB {
  const db = new AppDB(name)
  db.on('blocked', () => onProblem('blocked'))
  // Another tab wants to upgrade: step aside so it can, and ask for a reload.
  db.on('versionchange', () => {
    db.close()
    onProblem('versionchange')
    return false
  })
  return db
}
