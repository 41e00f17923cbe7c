// Types that exist on both SQLite and PostgreSQL: text, integer, and ISO-8601 text for times.
// Booleans are integers 0/1 because SQLite has no boolean type.
import type { Generated } from 'kysely'

export interface TownTable {
  id: string
  name: string
}

export interface BranchTable {
  id: string
  town_id: string
  name: string
  place: string
  kind: 'village' | 'community'
  /** Archived branches keep their history and leave every list of current branches (issue 12). */
  archived_at: string | null
  /** The day it was created, from which supervision (issue 13) holds it to the rules; null: before supervision. */
  created_on: string | null
}

export interface UserTable {
  id: string
  phone: string
  name: string
  role: 'member' | 'secretary' | 'admin'
  branch_id: string | null
  gender: 'male' | 'female'
  birth_year: number
  joined_party_on: string
  status: 'home' | 'away'
  away_city: string | null
  return_date: string | null
  center_household: number
  password_hash: string
  contact_phone: string | null
  created_at: string
  updated_at: string
  /** YYYY-MM-DD when known (imported rosters have it; older rows only birth_year). */
  birth_date: string | null
  membership: Generated<'full' | 'probationary'>
  /** 党小组 (party_groups.id) of the member's branch, if any. */
  party_group_id: string | null
  /** 支委 post (src/domain/roster.ts COMMITTEE_POSTS), null when not on the branch committee. */
  committee_post: string | null
  /** Membership ended (转出, 去世, 其他): kept, never deleted; such accounts can't sign in. */
  ended_at: string | null
  end_reason: 'transfer_out' | 'deceased' | 'other' | null
  end_note: string | null
}

export interface HouseholdTable {
  id: string
  member_id: string
  head_name: string
  address: string
  people: number
}

export interface SessionTable {
  /** sha256 of the cookie's token: a leaked database does not leak live sessions. */
  id: string
  user_id: string
  created_at: string
  expires_at: string
}

export interface LoginFailureTable {
  key: string
  window_start: string
  failures: number
}

export interface ScopeVersionTable {
  scope: string
  version: number
  horizon: number
}

export interface SyncRowTable {
  scope: string
  table_name: string
  row_id: string
  version: number
  op: 'put' | 'delete'
  row_json: string | null
  changed_at: string
}

export interface SyncClientTable {
  id: string
  user_id: string
  created_at: string
  last_seen_at: string
  pulled_at: string | null
}

export interface AppliedMutationTable {
  id: string
  user_id: string
  client_id: string
  name: string
  status: 'applied' | 'rejected'
  code: string | null
  message: string | null
  client_time: string
  applied_at: string
  /** The request's arguments as JSON (validated; as sent, cut to 16 KB, when refused before that); null before 0007. */
  args: string | null
}

export interface CourseTable {
  id: string
  title: string
  summary: string
  sort_order: number
}

export interface MaterialTable {
  id: string
  column_name: 'school' | 'library'
  course_id: string | null
  lesson: number | null
  category: string
  kind: 'article' | 'audio' | 'video'
  title: string
  summary: string
  body: string
  media_file: string | null
  duration_seconds: number | null
  status: 'published' | 'withdrawn'
  published_at: string
  updated_at: string
}

export interface PointsRuleTable {
  code: string
  version: number
  name: string
  category: string
  event_kind: string
  unit: string
  points: number
  threshold: number | null
  daily_cap: number | null
  yearly_cap: number | null
  active_from: string
  active_to: string | null
}

export interface PointsLedgerTable {
  id: string
  member_id: string
  rule_code: string
  rule_version: number
  source_id: string
  day: string
  points: number
  reason: string | null
  created_by: string | null
  created_at: string
}

export interface QuestionTable {
  id: string
  category: string
  type: 'single' | 'multiple' | 'judge'
  stem: string
  options_json: string
  answer_json: string
  explanation: string
  material_id: string | null
  status: 'published' | 'withdrawn'
}

export interface QuizAttemptTable {
  id: string
  member_id: string
  quiz_id: string
  day: string
  correct: number
  total: number
  result_json: string
  submitted_at: string
  graded_at: string
}

export interface PointsTotalTable {
  member_id: string
  period: string
  points: number
}

export interface StudySessionTable {
  id: string
  member_id: string
  material_id: string
  started_at: string
  ended_at: string
  active_seconds: number
  completed: number
  day: string
  received_at: string
}

/** The last day (Asia/Shanghai) a member studied in a month (`2026-11`), kept with study_sessions (issue 13). */
export interface StudyMonthTable {
  month: string
  member_id: string
  last_day: string
}

export interface ExamTable {
  id: string
  title: string
  summary: string
  question_ids_json: string
  pass_mark: number
  opens_on: string
  closes_on: string
  status: 'published' | 'withdrawn'
  published_at: string
  updated_at: string
}

export interface HonorListTable {
  month: string
  threshold: number
  red_per_branch: number
  list_json: string
  published_by: string
  published_at: string
  /** A withdrawn list (migration 0009): who withdrew it, when and why; null while published. */
  withdrawn_by: Generated<string | null>
  withdrawn_at: Generated<string | null>
  withdraw_reason: Generated<string | null>
}

export interface MeetingTable {
  id: string
  branch_id: string
  type: string
  title: string
  agenda: string
  place: string
  starts_at: string
  ends_at: string
  audience: string
  expected_ids_json: string
  remote_allowed: number
  remote_member_ids_json: string
  video_url: string | null
  material_ids_json: string
  status: 'scheduled' | 'closed' | 'cancelled'
  minutes: string | null
  backfill_reason: string | null
  created_by: string
  created_at: string
  closed_at: string | null
  closed_by: string | null
}

export interface MeetingKeyTable {
  meeting_id: string
  key: string
}

export interface AttendanceTable {
  id: string
  meeting_id: string
  member_id: string
  mode: 'onsite' | 'remote' | 'proxy'
  checked_in_at: string
  remote_seconds: number
  last_heartbeat_at: string | null
  proxy_by: string | null
  note: string | null
  received_at: string
  /** 待核实 (migration 0009): null when the check-in was trusted as it came. */
  review_status: Generated<'pending' | 'confirmed' | 'refused' | null>
  review_reason: Generated<string | null>
  reviewed_by: Generated<string | null>
  reviewed_at: Generated<string | null>
  review_note: Generated<string | null>
}

export interface LeaveTable {
  id: string
  meeting_id: string
  member_id: string
  reason: string
  status: 'pending' | 'approved' | 'refused'
  requested_at: string
  decided_by: string | null
  decided_at: string | null
  note: string | null
}

export interface MeetingMessageTable {
  id: string
  meeting_id: string
  member_id: string
  text: string
  sent_at: string
}

export interface WebauthnCredentialTable {
  id: string
  user_id: string
  public_key: string
  counter: number
  transports_json: string
  device_name: string
  created_at: string
  last_used_at: string | null
}

export interface WebauthnChallengeTable {
  id: string
  challenge: string
  expires_at: string
}

export interface BoardTopicTable {
  id: string
  branch_id: string | null
  category: string
  title: string
  text: string
  photos_json: string
  closes_on: string
  created_by: string
  created_at: string
  updated_at: string
}

export interface BoardCommentTable {
  id: string
  topic_id: string
  branch_id: string | null
  author_id: string
  author_name: string
  author_branch_id: string | null
  text: string
  category: string
  household_id: string | null
  resident_name: string | null
  photos_json: string
  status: string
  deadline: string | null
  handler_id: string | null
  reply: string | null
  reason: string | null
  merged_into: string | null
  liked_by_json: string
  created_at: string
  updated_at: string
  accepted_at: string | null
  closed_at: string | null
  /** The server's receipt time (created_at is the device's, bounded): the second rate limit counts these. */
  received_at: string
}

export interface NoticeTable {
  id: string
  member_id: string
  kind: string
  topic_id: string
  comment_id: string
  title: string
  body: string
  created_at: string
  read_at: string | null
}

export interface PhotoTable {
  id: string
  owner_id: string
  /** uploading: chunks arriving; ready: checked and re-encoded into `data`. */
  status: string
  total_bytes: number
  received_bytes: number
  mime: string | null
  width: number | null
  height: number | null
  data: Buffer | null
  created_at: string
  updated_at: string
}

export interface PhotoChunkTable {
  photo_id: string
  offset: number
  data: Buffer
}

/** Where a photo is shown: who may read it follows the topic or comment that names it. */
export interface PhotoLinkTable {
  photo_id: string
  /** The topic's branch; null for a town-wide topic. */
  branch_id: string | null
  owner_id: string
}

/** 党小组: a branch's party group; its members carry its id in users.party_group_id. */
export interface PartyGroupTable {
  id: string
  branch_id: string
  name: string
  leader_id: string | null
  archived_at: string | null
  created_at: string
  updated_at: string
}

/** One-time activation code of an account (new or reset): only its hash is kept, one per user. */
export interface ActivationCodeTable {
  user_id: string
  code_hash: string
  expires_at: string
  issued_by: string
  issued_at: string
}

/** Every administrative action: who, when, what (docs/api.md, 操作记录). */
export interface AuditLogTable {
  id: string
  actor_id: string
  action: string
  target_id: string | null
  branch_id: string | null
  detail_json: string
  at: string
}

/** Ids of users renamed by migration 0010 (they embedded the phone): for devices still naming the old id. */
export interface UserIdAliasTable {
  old_id: string
  new_id: string
  renamed_at: string
}

export interface Database {
  towns: TownTable
  branches: BranchTable
  users: UserTable
  households: HouseholdTable
  sessions: SessionTable
  login_failures: LoginFailureTable
  scope_versions: ScopeVersionTable
  sync_rows: SyncRowTable
  sync_clients: SyncClientTable
  applied_mutations: AppliedMutationTable
  courses: CourseTable
  materials: MaterialTable
  points_rules: PointsRuleTable
  points_ledger: PointsLedgerTable
  study_sessions: StudySessionTable
  study_months: StudyMonthTable
  points_totals: PointsTotalTable
  questions: QuestionTable
  quiz_attempts: QuizAttemptTable
  exams: ExamTable
  honor_lists: HonorListTable
  meetings: MeetingTable
  meeting_keys: MeetingKeyTable
  attendance: AttendanceTable
  leaves: LeaveTable
  meeting_messages: MeetingMessageTable
  webauthn_credentials: WebauthnCredentialTable
  webauthn_challenges: WebauthnChallengeTable
  board_topics: BoardTopicTable
  board_comments: BoardCommentTable
  notices: NoticeTable
  photos: PhotoTable
  photo_chunks: PhotoChunkTable
  photo_links: PhotoLinkTable
  user_id_aliases: UserIdAliasTable
  party_groups: PartyGroupTable
  activation_codes: ActivationCodeTable
  audit_log: AuditLogTable
  warning_rules: WarningRuleTable
  warnings: WarningTable
  rectifications: RectificationTable
  workdays: WorkdayTable
}

// Supervision (issue 13). Booleans are 0/1 integers on both databases; lists are JSON text.
export interface WarningRuleTable {
  code: string
  version: number
  name: string
  kind: string
  meeting_type: string | null
  period: string | null
  min_count: number
  per_group: number
  threshold: number | null
  auto_notice: number
  enabled: number
  active_from: string
  active_to: string | null
}
export interface WarningTable {
  id: string
  branch_id: string
  rule_code: string
  rule_version: number
  kind: string
  group_id: string | null
  period: string
  level: 'yellow' | 'red'
  title: string
  opened_at: string
  escalated_at: string | null
  cleared_at: string | null
  clear_reason: string | null
  history_json: string
  rectification_id: string | null
}
export interface RectificationTable {
  id: string
  branch_id: string
  warning_id: string | null
  number: string
  requirement: string
  issued_by: string
  issued_at: string
  working_days: number
  deadline: string
  status: 'open' | 'answered' | 'returned' | 'accepted'
  answers_json: string
  decisions_json: string
  follows_id: string | null
  escalated_at: string | null
  closed_at: string | null
  updated_at: string
}
export interface WorkdayTable {
  day: string
  kind: 'holiday' | 'workday'
  name: string
  updated_at: string
}
