import type { Kysely, Migration, MigrationProvider } from 'kysely'

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
      await db.schema.createIndex('points_ledger_member_rule_idx').on('points_ledger').columns(['rule_code', 'day']).execute()
    },
  },
}

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
}
