// `npm run admin -- create-admin` as a town runs it: a child process on the server's database, while the
// server (built with buildApp on the same SQLite file, or the same PostgreSQL database) is running.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { databases, startServer, type TestServer } from './helpers'
import { activate, cookieOf } from './accounts-helpers'
import { clientId, pullAll } from './sync-helpers'
import { PROJECT_ROOT } from '~/server/config'
import { openDatabase } from '~/server/db'

/** Each run is a Node process that loads the server's code (a few seconds on a busy machine). */
const CLI_TIMEOUT = 180_000

interface Run {
  status: number
  stdout: string
  stderr: string
}

function runAdmin(args: string[], env: { DATA_DIR: string; DATABASE_URL?: string | undefined }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/admin.ts', ...args],
      { cwd: PROJECT_ROOT, env: { ...process.env, SESSION_SECRET: 'cli-test-secret', DATABASE_URL: '', ...env } },
      (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    )
  })
}

/** The one line with the code, and the code. */
function codeOf(run: Run): string {
  const lines = run.stdout.split('\n').filter((l) => l.startsWith('激活码：'))
  expect(lines).toHaveLength(1)
  const code = /^激活码：([A-Z2-9]{8})$/.exec(lines[0] ?? '')?.[1]
  if (!code) throw new Error(`no code in: ${run.stdout}`)
  return code
}

describe.each(databases)('the first admin on an empty %s database', (kind) => {
  let server: TestServer
  let env: { DATA_DIR: string; DATABASE_URL?: string | undefined }
  beforeAll(async () => {
    server = await startServer(kind, { seedDemoData: false })
    env = { DATA_DIR: server.config.dataDir, DATABASE_URL: server.config.databaseUrl }
  })
  afterAll(() => server.close())

  it('creates the town and its admin with a code, while the server keeps answering and writing', { timeout: CLI_TIMEOUT }, async () => {
    expect(
      (await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { phone: '13900000000', password: 'x' } })).statusCode,
    ).toBe(401)
    // The server writes (failed logins are rows) for as long as the command runs: two writers at once.
    let running = true
    let served = 0
    const traffic = (async () => {
      while (running) {
        const r = await server.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: `10.40.${served % 250}.1`,
          payload: { phone: '13911110000', password: 'x' },
        })
        if (r.statusCode === 401 || r.statusCode === 429) served++
        else throw new Error(`server answered ${r.statusCode} during the command`)
      }
    })()
    const run = await runAdmin(['create-admin', '--phone', '139 0000 0000', '--name', '周卫东', '--town', '新杭镇'], env).finally(() => {
      running = false
    })
    await traffic
    expect(served).toBeGreaterThan(0)
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/已创建“新杭镇”和管理员 周卫东（13900000000）/)
    expect(run.stdout).toMatch(/首次登录 \/ 激活账号/)
    const code = codeOf(run)

    const signedIn = await activate(server.app, { phone: '13900000000', code, password: 'zhen-dangwei-1' })
    expect(signedIn.statusCode).toBe(200)
    expect(signedIn.json()).toMatchObject({
      user: { phone: '13900000000', name: '周卫东', role: 'admin' },
      branch: null,
      town: { name: '新杭镇' },
    })
    expect(signedIn.json().town.id).toMatch(/^town-[a-z2-9]{8}$/)

    // What a device sees on its first sync: the admin's own row and the points rules, published with the town.
    const cookie = cookieOf(signedIn)
    const device = await pullAll(server.app, cookie, clientId())
    expect(device.members.map((m) => m.name)).toEqual(['周卫东'])
    expect([...device.rows.keys()].filter((key) => key.startsWith('points_rules/')).length).toBeGreaterThan(5)

    const audit = await server.withDb((db) => db.selectFrom('audit_log').selectAll().execute())
    const adminId = signedIn.json().user.id
    expect(audit.map((a) => [a.action, a.actor_id, a.target_id])).toEqual([['admin.create', adminId, adminId]])
    expect(audit[0]?.detail_json).not.toContain(code)
  })

  it('adds a second admin to the same town, refuses another town, a taken phone and a bad phone', { timeout: CLI_TIMEOUT }, async () => {
    const second = await runAdmin(['create-admin', '--phone', '13900000001', '--name', '李秀英', '--gender', '女'], env)
    expect(second.status).toBe(0)
    expect(second.stdout).toMatch(/已为“新杭镇”添加管理员 李秀英/)
    const signedIn = await activate(server.app, { phone: '13900000001', code: codeOf(second), password: 'zhen-dangwei-2' })
    expect(signedIn.json()).toMatchObject({ user: { role: 'admin' }, town: { name: '新杭镇' } })
    // The first admin's device gets the new colleague's row on its next pull.
    const device = await pullAll(server.app, cookieOf(signedIn), clientId())
    expect(device.members.map((m) => m.name).sort()).toEqual(['周卫东', '李秀英'].sort())

    for (const [args, message] of [
      [['--phone', '13900000002', '--name', '王芳', '--town', '别的镇'], /已经是“新杭镇”，不能再建“别的镇”/],
      [['--phone', '13900000000', '--name', '周卫东'], /手机号 13900000000 已被“周卫东”的账号使用/],
      [['--phone', '1390000', '--name', '王芳'], /手机号应为11位数字/],
    ] as const) {
      const run = await runAdmin(['create-admin', ...args], env)
      expect(run.status).not.toBe(0)
      expect(run.stderr).toMatch(message)
      expect(run.stdout).not.toMatch(/激活码/)
    }
    const towns = await server.withDb((db) => db.selectFrom('towns').selectAll().execute())
    expect(towns.map((t) => t.name)).toEqual(['新杭镇'])
    expect(await server.withDb((db) => db.selectFrom('users').select('name').where('role', '=', 'admin').execute())).toHaveLength(2)
  })
})

describe('create-admin refuses what it is not given', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'djy-cli-'))
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  it('names what is missing, in Chinese, and writes nothing', { timeout: CLI_TIMEOUT }, async () => {
    for (const [args, message] of [
      [['create-admin', '--name', '周卫东', '--town', '新杭镇'], /缺少 --phone（手机号）/],
      [['create-admin', '--phone', '13900000000', '--town', '新杭镇'], /缺少 --name（姓名）/],
      [['create-admin', '--phone', '13900000000', '--name', '周卫东'], /数据库中还没有镇，请用 --town 写明镇的名称/],
      [['create-admin', '--phone', '13900000000', '--name', '周卫东', '--town', '新杭镇', '--gender', '未知'], /--gender 只能是“男”或“女”/],
      [['create-admin', '--phone', '13900000000', '--name', '周卫东', '--birth-date', '1975-02-30'], /出生日期不存在/],
      [['create-admin', '--phone'], /不认识的参数或缺少取值：--phone/],
      [['make-admin'], /用法：npm run admin -- create-admin/],
    ] as const) {
      const run = await runAdmin([...args], { DATA_DIR: dataDir })
      expect(run.status, args.join(' ')).not.toBe(0)
      expect(run.stderr).toMatch(message)
    }
    const { db } = openDatabase({ dataDir })
    try {
      expect(await db.selectFrom('users').select('id').execute()).toEqual([])
      expect(await db.selectFrom('towns').select('id').execute()).toEqual([])
    } finally {
      await db.destroy()
    }
  })
})
