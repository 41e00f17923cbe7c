import { buildApp } from './app'
import { configFromEnv } from './config'

const config = configFromEnv()
const app = await buildApp(config)

let closing = false
// A keep-alive socket whose request finishes after close() began would keep the process alive: end it with the response.
app.addHook('onSend', async (_request, reply) => {
  if (closing) reply.header('connection', 'close')
})
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  // `on`, not `once`: a second signal (npm relays the one a process group got) must not kill the process mid-close.
  process.on(signal, () => {
    if (closing) return
    closing = true
    app.log.info(`${signal}: 等待进行中的请求完成后关闭`)
    // close() stops accepting, lets requests in flight finish, then closes the database (onClose).
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error(error)
        process.exit(1)
      },
    )
  })
}

await app.listen({ port: config.port, host: config.host })
const database = config.databaseUrl ? 'PostgreSQL' : `SQLite (${config.dataDir})`
console.log(`\n智慧党建云已启动: http://localhost:${config.port}  数据库: ${database}\n`)
