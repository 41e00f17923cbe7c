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
const RECONNECT_MS = { first: 200, max: 10_000 }

/**
 * Several instances on one PostgreSQL: every instance LISTENs, a change is sent with NOTIFY, and each
 * instance (the sender included) hears it and pokes its own streams. The listening connection is
 * remade when PostgreSQL drops it (a restart, a failover); pokes sent meanwhile are lost, which costs
 * only latency: devices also pull every 30 s.
 */
export class PostgresNotifier extends LocalNotifier {
  private listener: pg.Client | undefined
  private closed = false
  private retryMs = RECONNECT_MS.first
  private retryTimer: ReturnType<typeof setTimeout> | undefined

  private constructor(
    private readonly databaseUrl: string,
    private readonly pool: pg.Pool,
    private readonly log: (error: unknown) => void,
  ) {
    super()
  }

  static async connect(databaseUrl: string, log: (error: unknown) => void = console.error): Promise<PostgresNotifier> {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 })
    // An idle pooled connection that PostgreSQL closes emits 'error' on the pool; unhandled, it would crash.
    pool.on('error', log)
    const notifier = new PostgresNotifier(databaseUrl, pool, log)
    await notifier.listen()
    return notifier
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl })
    client.on('notification', (message) => {
      if (message.channel !== CHANNEL || !message.payload) return
      this.emitter.emit('scopes', JSON.parse(message.payload) as string[])
    })
    client.on('error', (error) => {
      this.log(error)
      this.reconnectSoon(client)
    })
    client.on('end', () => this.reconnectSoon(client))
    await client.connect()
    await client.query(`LISTEN ${CHANNEL}`)
    this.listener = client
    this.retryMs = RECONNECT_MS.first
  }

  private reconnectSoon(lost: pg.Client): void {
    if (this.closed || this.listener !== lost || this.retryTimer) return
    this.listener = undefined
    lost.end().catch(() => {})
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.listen().catch((error: unknown) => {
        this.log(error)
        this.retryMs = Math.min(RECONNECT_MS.max, this.retryMs * 2)
        this.listener = lost // so the next failure schedules another try
        this.reconnectSoon(lost)
      })
    }, this.retryMs)
  }

  override async notify(scopes: string[]): Promise<void> {
    if (scopes.length > 0) await this.pool.query('select pg_notify($1, $2)', [CHANNEL, JSON.stringify(scopes)])
  }

  override async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.retryTimer)
    await super.close()
    await this.listener?.end().catch(() => {})
    await this.pool.end()
  }
}
