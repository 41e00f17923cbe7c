import { PostgresAdapter, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely'
import { renameLegacyUserIds } from '../services/userIds'
import { normaliseStoredInstants } from './utcInstants'

// One list of migrations for both databases: only the schema builder and column types both accept.
const migrations: Record<string, Migration> = {
  '0001_accounts': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('towns')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('branches')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('town_id', 'text', (c) => c.notNull().references('towns.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('place', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('phone', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('branch_id', 'text', (c) => c.references('branches.id'))
        .addColumn('gender', 'text', (c) => c.notNull())
        .addColumn('birth_year', 'integer', (c) => c.notNull())
        .addColumn('joined_party_on', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('home'))
        .addColumn('away_city', 'text')
        .addColumn('return_date', 'text')
        .addColumn('center_household', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('users_branch_idx').on('users').column('branch_id').execute()
      await db.schema
        .createTable('households')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('member_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('head_name', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('people', 'integer', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('households_member_idx').on('households').column('member_id').execute()
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('login_failures')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('window_start', 'text', (c) => c.notNull())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .execute()
    },
  },
  '0002_sync': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('users').addColumn('contact_phone', 'text').execute()
      // One counter per scope, bumped inside each writing transaction: the row lock orders commits.
      await db.schema
        .createTable('scope_versions')
        .addColumn('scope', 'text', (c) => c.primaryKey())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('horizon', 'integer', (c) => c.notNull().defaultTo(0))
        .execute()
      // The latest state of every synced row, per scope; op 'delete' rows are tombstones.
      await db.schema
        .createTable('sync_rows')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('table_name', 'text', (c) => c.notNull())
        .addColumn('row_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('op', 'text', (c) => c.notNull())
        .addColumn('row_json', 'text')
        .addColumn('changed_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('sync_rows_pk', ['scope', 'table_name', 'row_id'])
        .execute()
      await db.schema.createIndex('sync_rows_scope_version_idx').on('sync_rows').columns(['scope', 'version']).execute()
      await db.schema
        .createTable('sync_clients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        // Null until the device's first pull: a cursor from a device that never pulled here is not ours.
        .addColumn('pulled_at', 'text')
        .execute()
      await db.schema
        .createTable('applied_mutations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('code', 'text')
        .addColumn('message', 'text')
        .addColumn('client_time', 'text', (c) => c.notNull())
        .addColumn('applied_at', 'text', (c) => c.notNull())
        .execute()
    },
  },
  '0003_study_points': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('courses')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('sort_order', 'integer', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('materials')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('column_name', 'text', (c) => c.notNull())
        .addColumn('course_id', 'text', (c) => c.references('courses.id'))
        .addColumn('lesson', 'integer')
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('media_file', 'text')
        .addColumn('duration_seconds', 'integer')
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('published'))
        .addColumn('published_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('points_rules')
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('event_kind', 'text', (c) => c.notNull())
        .addColumn('unit', 'text', (c) => c.notNull())
        .addColumn('points', 'integer', (c) => c.notNull())
        .addColumn('threshold', 'integer')
        .addColumn('daily_cap', 'integer')
        .addColumn('yearly_cap', 'integer')
        .addColumn('active_from', 'text', (c) => c.notNull())
        .addColumn('active_to', 'text')
        .addPrimaryKeyConstraint('points_rules_pk', ['code', 'version'])
        .execute()
      // The ledger: append-only; a correction is a counter-entry. The id (rule:source) makes an event score once.
      await db.schema
        .createTable('points_ledger')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('member_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('rule_code', 'text', (c) => c.notNull())
        .addColumn('rule_version', 'integer', (c) => c.notNull())
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('points', 'integer', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('points_ledger_member_day_idx').on('points_ledger').columns(['member_id', 'day']).execute()
      await db.schema.createIndex('points_ledger_day_idx').on('points_ledger').columns(['day']).execute()
      // Running totals per member and period ('2026' or '2026-11'), kept with each ledger write: rankings read these.
      await db.schema
        .createTable('points_totals')
        .addColumn('member_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('points', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('points_totals_pk', ['member_id', 'period'])
        .execute()
      await db.schema.createIndex('points_totals_period_idx').on('points_totals').columns(['period', 'points']).execute()
      await db.schema
        .createTable('study_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('member_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('material_id', 'text', (c) => c.notNull().references('materials.id'))
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text', (c) => c.notNull())
        .addColumn('active_seconds', 'integer', (c) => c.notNull())
        .addColumn('completed', 'integer', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('questions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('stem', 'text', (c) => c.notNull())
        .addColumn('options_json', 'text', (c) => c.notNull())
        .addColumn('answer_json', 'text', (c) => c.notNull())
        .addColumn('explanation', 'text', (c) => c.notNull())
        .addColumn('material_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('published'))
        .execute()
      await db.schema
        .createTable('quiz_attempts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('member_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('quiz_id', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('correct', 'integer', (c) => c.notNull())
        .addColumn('total', 'integer', (c) => c.notNull())
        .addColumn('result_json', 'text', (c) => c.notNull())
        .addColumn('submitted_at', 'text', (c) => c.notNull())
        .addColumn('graded_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('study_sessions_member_idx').on('study_sessions').columns(['member_id', 'started_at']).execute()
    },
  },
  '0004_exams_honor': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('exams')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('question_ids_json', 'text', (c) => c.notNull())
        .addColumn('pass_mark', 'integer', (c) => c.notNull())
        .addColumn('opens_on', 'text', (c) => c.notNull())
        .addColumn('closes_on', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('published_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      // The published 红黄榜 per month; each member's own mark (with reasons) lives in their sync rows.
      await db.schema
        .createTable('honor_lists')
        .addColumn('month', 'text', (c) => c.primaryKey())
        .addColumn('threshold', 'integer', (c) => c.notNull())
        .addColumn('red_per_branch', 'integer', (c) => c.notNull())
        .addColumn('list_json', 'text', (c) => c.notNull())
        .addColumn('published_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('published_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('points_ledger_rule_day_idx').on('points_ledger').columns(['rule_code', 'day']).execute()
    },
  },
  '0005_meetings': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('meetings')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('branch_id', 'text', (c) => c.notNull().references('branches.id'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('agenda', 'text', (c) => c.notNull())
        .addColumn('place', 'text', (c) => c.notNull())
        .addColumn('starts_at', 'text', (c) => c.notNull())
        .addColumn('ends_at', 'text', (c) => c.notNull())
        .addColumn('audience', 'text', (c) => c.notNull())
        .addColumn('expected_ids_json', 'text', (c) => c.notNull())
        .addColumn('remote_allowed', 'integer', (c) => c.notNull())
        .addColumn('remote_member_ids_json', 'text', (c) => c.notNull())
        .addColumn('video_url', 'text')
        .addColumn('material_ids_json', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('minutes', 'text')
        .addColumn('backfill_reason', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('closed_at', 'text')
        .addColumn('closed_by', 'text')
        .execute()
      await db.schema.createIndex('meetings_branch_start_idx').on('meetings').columns(['branch_id', 'starts_at']).execute()
      // The per-meeting HMAC key for on-site check-in codes: only secretaries' and the admin's devices get it.
      await db.schema
        .createTable('meeting_keys')
        .addColumn('meeting_id', 'text', (c) => c.primaryKey().references('meetings.id'))
        .addColumn('key', 'text', (c) => c.notNull())
        .execute()
      // One row per member and meeting (id `meeting:member`), so nobody checks in twice.
      await db.schema
        .createTable('attendance')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('meeting_id', 'text', (c) => c.notNull().references('meetings.id'))
        .addColumn('member_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('checked_in_at', 'text', (c) => c.notNull())
        .addColumn('remote_seconds', 'integer', (c) => c.notNull())
        .addColumn('last_heartbeat_at', 'text')
        .addColumn('proxy_by', 'text')
        .addColumn('note', 'text')
        .addColumn('received_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('attendance_meeting_idx').on('attendance').columns(['meeting_id']).execute()
      await db.schema
        .createTable('leaves')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('meeting_id', 'text', (c) => c.notNull().references('meetings.id'))
        .addColumn('member_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'text')
        .addColumn('note', 'text')
        .execute()
      await db.schema.createIndex('leaves_meeting_idx').on('leaves').columns(['meeting_id']).execute()
      await db.schema
        .createTable('meeting_messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('meeting_id', 'text', (c) => c.notNull().references('meetings.id'))
        .addColumn('member_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('meeting_messages_meeting_idx').on('meeting_messages').columns(['meeting_id', 'sent_at']).execute()
      await db.schema
        .createTable('webauthn_credentials')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('counter', 'integer', (c) => c.notNull())
        .addColumn('transports_json', 'text', (c) => c.notNull())
        .addColumn('device_name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .execute()
      await db.schema.createIndex('webauthn_credentials_user_idx').on('webauthn_credentials').columns(['user_id']).execute()
      // A challenge per user and purpose (id `user:purpose`), single use, short-lived.
      await db.schema
        .createTable('webauthn_challenges')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('challenge', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute()
    },
  },
  '0006_board': {
    async up(db: Kysely<unknown>) {
      // The one binary column type: PostgreSQL calls it bytea, SQLite blob.
      const binary = db.getExecutor().adapter instanceof PostgresAdapter ? 'bytea' : 'blob'
      await db.schema
        .createTable('board_topics')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('branch_id', 'text', (c) => c.references('branches.id'))
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('photos_json', 'text', (c) => c.notNull())
        .addColumn('closes_on', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('board_topics_branch_idx').on('board_topics').columns(['branch_id', 'created_at']).execute()
      await db.schema
        .createTable('board_comments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('topic_id', 'text', (c) => c.notNull().references('board_topics.id'))
        .addColumn('branch_id', 'text')
        .addColumn('author_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('author_name', 'text', (c) => c.notNull())
        .addColumn('author_branch_id', 'text')
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('household_id', 'text')
        .addColumn('resident_name', 'text')
        .addColumn('photos_json', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('deadline', 'text')
        .addColumn('handler_id', 'text')
        .addColumn('reply', 'text')
        .addColumn('reason', 'text')
        .addColumn('merged_into', 'text')
        .addColumn('liked_by_json', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('accepted_at', 'text')
        .addColumn('closed_at', 'text')
        .addColumn('received_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('board_comments_topic_idx').on('board_comments').columns(['topic_id', 'created_at']).execute()
      await db.schema.createIndex('board_comments_author_idx').on('board_comments').columns(['author_id', 'received_at']).execute()
      await db.schema
        .createTable('notices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('member_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('topic_id', 'text', (c) => c.notNull())
        .addColumn('comment_id', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('read_at', 'text')
        .execute()
      await db.schema.createIndex('notices_member_idx').on('notices').columns(['member_id', 'created_at']).execute()
      await db.schema
        .createTable('photos')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('total_bytes', 'integer', (c) => c.notNull())
        .addColumn('received_bytes', 'integer', (c) => c.notNull())
        .addColumn('mime', 'text')
        .addColumn('width', 'integer')
        .addColumn('height', 'integer')
        .addColumn('data', binary)
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('photo_chunks')
        .addColumn('photo_id', 'text', (c) => c.notNull().references('photos.id'))
        .addColumn('offset', 'integer', (c) => c.notNull())
        .addColumn('data', binary, (c) => c.notNull())
        .addPrimaryKeyConstraint('photo_chunks_pk', ['photo_id', 'offset'])
        .execute()
      await db.schema
        .createTable('photo_links')
        .addColumn('photo_id', 'text', (c) => c.notNull())
        .addColumn('branch_id', 'text')
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('photo_links_photo_idx').on('photo_links').columns(['photo_id']).execute()
    },
  },
  '0007_mutation_args': {
    async up(db: Kysely<unknown>) {
      // The mutation record keeps the request (docs/api.md); records from before this stay without it.
      await db.schema.alterTable('applied_mutations').addColumn('args', 'text').execute()
    },
  },
  '0008_utc_instants': {
    // Instants devices sent with an offset (+08:00) are rewritten in UTC, as they are now stored (issue 10).
    async up(db: Kysely<unknown>) {
      await normaliseStoredInstants(db)
    },
  },
  '0009_review_and_withdraw': {
    async up(db: Kysely<unknown>) {
      // 待核实: a check-in held for the secretary's review, and what they made of it.
      for (const column of ['review_status', 'review_reason', 'reviewed_by', 'reviewed_at', 'review_note']) {
        await db.schema.alterTable('attendance').addColumn(column, 'text').execute()
      }
      // A withdrawn 红黄榜: kept with who withdrew it and why.
      for (const column of ['withdrawn_by', 'withdrawn_at', 'withdraw_reason']) {
        await db.schema.alterTable('honor_lists').addColumn(column, 'text').execute()
      }
    },
  },
  '0010_opaque_user_ids': {
    // Ids that embed phones (u-13800000001) become opaque, everywhere; devices pull afresh (issue 10).
    async up(db: Kysely<unknown>) {
      await renameLegacyUserIds(db)
    },
  },
  '0011_administration': {
    // A real town from an empty database (issue 12): branches archived, members' full records, 党小组,
    // 支委 posts, ended memberships, activation codes and the audit log.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('branches').addColumn('archived_at', 'text').execute()
      for (const column of ['birth_date', 'party_group_id', 'committee_post', 'ended_at', 'end_reason', 'end_note']) {
        await db.schema.alterTable('users').addColumn(column, 'text').execute()
      }
      await db.schema
        .alterTable('users')
        .addColumn('membership', 'text', (c) => c.notNull().defaultTo('full'))
        .execute()
      await db.schema
        .createTable('party_groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('branch_id', 'text', (c) => c.notNull().references('branches.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('leader_id', 'text')
        .addColumn('archived_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('party_groups_branch_idx').on('party_groups').column('branch_id').execute()
      await db.schema
        .createTable('activation_codes')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('issued_by', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('actor_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text')
        .addColumn('branch_id', 'text')
        .addColumn('detail_json', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('audit_log_at_idx').on('audit_log').columns(['at', 'id']).execute()
      await db.schema.createIndex('audit_log_target_idx').on('audit_log').columns(['target_id', 'at']).execute()
      // The move's safe order (docs/architecture.md): a tombstone is held back while the row lives in
      // another scope the viewer sees, which pull finds by table and id.
      await db.schema.createIndex('sync_rows_row_idx').on('sync_rows').columns(['table_name', 'row_id']).execute()
    },
  },
  '0012_supervision': {
    // Supervision (issue 13): warning rules (versioned like the points rules), warnings with their history,
    // 整改提示单, the working calendar, and the day a branch is supervised from.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('branches').addColumn('created_on', 'text').execute()
      await db.schema
        .createTable('warning_rules')
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('meeting_type', 'text')
        .addColumn('period', 'text')
        .addColumn('min_count', 'integer', (c) => c.notNull())
        .addColumn('per_group', 'integer', (c) => c.notNull())
        .addColumn('threshold', 'integer')
        .addColumn('auto_notice', 'integer', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('active_from', 'text', (c) => c.notNull())
        .addColumn('active_to', 'text')
        .addPrimaryKeyConstraint('warning_rules_pk', ['code', 'version'])
        .execute()
      await db.schema
        .createTable('warnings')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('branch_id', 'text', (c) => c.notNull().references('branches.id'))
        .addColumn('rule_code', 'text', (c) => c.notNull())
        .addColumn('rule_version', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('group_id', 'text')
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('opened_at', 'text', (c) => c.notNull())
        .addColumn('escalated_at', 'text')
        .addColumn('cleared_at', 'text')
        .addColumn('clear_reason', 'text')
        .addColumn('history_json', 'text', (c) => c.notNull())
        .addColumn('rectification_id', 'text')
        .execute()
      await db.schema.createIndex('warnings_branch_idx').on('warnings').columns(['branch_id', 'cleared_at']).execute()
      await db.schema
        .createTable('rectifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('branch_id', 'text', (c) => c.notNull().references('branches.id'))
        .addColumn('warning_id', 'text')
        .addColumn('number', 'text', (c) => c.notNull().unique())
        .addColumn('requirement', 'text', (c) => c.notNull())
        .addColumn('issued_by', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'text', (c) => c.notNull())
        .addColumn('working_days', 'integer', (c) => c.notNull())
        .addColumn('deadline', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('answers_json', 'text', (c) => c.notNull())
        .addColumn('decisions_json', 'text', (c) => c.notNull())
        .addColumn('follows_id', 'text')
        .addColumn('escalated_at', 'text')
        .addColumn('closed_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('rectifications_branch_idx').on('rectifications').columns(['branch_id', 'status']).execute()
      // One open notice per warning: two admins (or two tabs) issuing for the same warning at once.
      await db.schema.createIndex('rectifications_warning_idx').on('rectifications').column('warning_id').execute()
      await db.schema
        .createTable('workdays')
        .addColumn('day', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      // The last day each member studied in each month, kept by the writers of study_sessions: supervision
      // reads these rather than aggregating every session of the window (bench/supervision.ts).
      await db.schema
        .createTable('study_months')
        .addColumn('month', 'text', (c) => c.notNull())
        .addColumn('member_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('last_day', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('study_months_pk', ['member_id', 'month'])
        .execute()
      await sql`insert into study_months (month, member_id, last_day)
        select substr(day, 1, 7), member_id, max(day) from study_sessions group by member_id, substr(day, 1, 7)`.execute(db)
    },
  },
}

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
}
