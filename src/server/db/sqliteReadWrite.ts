// SQLite with a second connection for reads (issue 14). Kysely's own SQLite driver has one connection,
// held by a transaction until it ends: while a push batch runs, every other request (health checks, pulls,
// sign-ins) waits for it. In WAL mode a reader never waits for the writer and sees what was last committed,
// as a PostgreSQL reader at READ COMMITTED does; so a statement that only reads, outside a transaction,
// runs on the reader at once, and everything else (writes, transactions, pragmas) takes the writer in turn.
import type Database from 'better-sqlite3'
import { CompiledQuery, SqliteDialect, type DatabaseConnection, type Driver, type QueryResult } from 'kysely'

/** Statements that must run where the transaction (or the connection's settings) is. */
const WRITER_ONLY = /^\s*(begin|commit|end|rollback|savepoint|release|pragma)\b/i

/** One waiter at a time, in the order they asked. */
class Turn {
  private tail: Promise<void> = Promise.resolve()

  take(): Promise<() => void> {
    let release!: () => void
    const mine = new Promise<void>((resolve) => (release = resolve))
    const ready = this.tail.then(() => release)
    this.tail = this.tail.then(() => mine)
    return ready
  }
}

/** Prepared statements by text: compiling one costs more than running most of them. */
class Statements {
  private readonly cache = new Map<string, Database.Statement>()

  constructor(readonly db: Database.Database) {}

  get(sql: string): Database.Statement {
    let statement = this.cache.get(sql)
    if (!statement) {
      statement = this.db.prepare(sql)
      // Bounded: queries with a list of n parameters make a text per n.
      if (this.cache.size >= 1_000) this.cache.delete(this.cache.keys().next().value as string)
      this.cache.set(sql, statement)
    }
    return statement
  }
}

function run(statements: Statements, { sql, parameters }: CompiledQuery): QueryResult<unknown> {
  const statement = statements.get(sql)
  if (statement.reader) return { rows: statement.all(parameters) }
  const { changes, lastInsertRowid } = statement.run(parameters)
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] }
}

/** What Kysely holds as a connection: the reader for single reads, the writer (in its turn) from its first other statement until released. */
class Session implements DatabaseConnection {
  private release: (() => void) | undefined

  constructor(private readonly driver: ReadWriteDriver) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.release && !WRITER_ONLY.test(query.sql)) {
      const statement = this.driver.reader.get(query.sql)
      if (statement.reader && statement.readonly) return { rows: statement.all(query.parameters) as R[] }
    }
    await this.holdWriter()
    return run(this.driver.writer, query) as QueryResult<R>
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    await this.holdWriter()
    for (const row of this.driver.writer.db.prepare(query.sql).iterate(query.parameters)) yield { rows: [row as R] }
  }

  async holdWriter(): Promise<void> {
    this.release ??= await this.driver.turn.take()
  }

  letGo(): void {
    this.release?.()
    this.release = undefined
  }
}

class ReadWriteDriver implements Driver {
  readonly turn = new Turn()
  readonly writer: Statements
  readonly reader: Statements

  constructor(writer: Database.Database, reader: Database.Database) {
    this.writer = new Statements(writer)
    this.reader = new Statements(reader)
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new Session(this)
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'))
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'))
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'))
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoted(name)}`))
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${quoted(name)}`))
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release ${quoted(name)}`))
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    ;(connection as Session).letGo()
  }

  async destroy(): Promise<void> {
    this.reader.db.close()
    this.writer.db.close()
  }
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`

/** Kysely's SQLite dialect (its adapter, compiler and introspection) over a writer and a reader of one file. */
export class SqliteReadWriteDialect extends SqliteDialect {
  constructor(
    private readonly writer: Database.Database,
    private readonly reader: Database.Database,
  ) {
    super({ database: writer })
  }

  override createDriver(): Driver {
    return new ReadWriteDriver(this.writer, this.reader)
  }
}
