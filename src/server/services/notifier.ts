import { EventEmitter } from 'node:events'
import pg from 'pg'

export type ScopesListener = (scopes: string[]) => void

/** Tells this instance's event streams which scopes changed, so their clients pull at once. */
export interface Notifier {
  notify(scopes: string[]): Promise<void>
  subscribe(listener: ScopesListener): () => void
  close(): Promise<void>
}

/** One process (SQLite): an in-memory emitter is enough. */
export class LocalNotifier implements Notifier {
  protected readonly emitter = new EventEmitter().setMaxListeners(0)

  async notify(scopes: string[]): Promise<void> {
    if (scopes.length > 0) this.emitter.emit('scopes', scopes)
  }

  subscribe(listener: ScopesListener): () => void {
    this.emitter.on('scopes', listener)
    return () => this.emitter.off('scopes', listener)
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners()
  }
}

const CHANNEL = 'djy_sync'

/**
 * Several instances on one PostgreSQL: every instance LISTENs, a change is sent with NOTIFY, and each
 * instance (the sender included) hears it and pokes its own streams.
 */
export class PostgresNotifier extends LocalNotifier {
  private constructor(
    private readonly listener: pg.Client,
    private readonly pool: pg.Pool,
  ) {
    super()
  }

  static async connect(databaseUrl: string): Promise<PostgresNotifier> {
    const listener = new pg.Client({ connectionString: databaseUrl })
    await listener.connect()
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 })
    const notifier = new PostgresNotifier(listener, pool)
    listener.on('notification', (message) => {
      if (message.channel !== CHANNEL || !message.payload) return
      const scopes = JSON.parse(message.payload) as string[]
      notifier.emitter.emit('scopes', scopes)
    })
    await listener.query(`LISTEN ${CHANNEL}`)
    return notifier
  }

  override async notify(scopes: string[]): Promise<void> {
    if (scopes.length > 0) await this.pool.query('select pg_notify($1, $2)', [CHANNEL, JSON.stringify(scopes)])
  }

  override async close(): Promise<void> {
    await super.close()
    await this.listener.end()
    await this.pool.end()
  }
}
