// A town starting for real (README, 从空数据库开始): an empty database, the first admin made by the
// command, who signs in with the code on 激活账号, sets a password, changes it on 我的, and signs in again.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, loginAs, phoneContext, screenshot } from './browser'
import { PROJECT_ROOT } from '~/server/config'

const PHONE = '13900000000'

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

describe('a town from an empty database', () => {
  const work = mkdtempSync(join(tmpdir(), 'djy-e2e-empty-'))
  const env = { ...process.env, DATA_DIR: join(work, 'data'), DATABASE_URL: '', SEED_DEMO_DATA: '0', STATIC_DIR: inject('staticDir') }
  let server: ChildProcess
  let baseUrl = ''
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    const port = await freePort()
    baseUrl = `http://127.0.0.1:${port}`
    server = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    const deadline = Date.now() + 60_000
    while (
      !(await fetch(`${baseUrl}/api/health`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}`)
      if (Date.now() > deadline) throw new Error('server did not start within 60 s')
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    browser = await launchChromium()
    page = await (await phoneContext(browser, baseUrl)).newPage()
  })
  afterAll(async () => {
    await browser?.close()
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve))
      server.kill('SIGTERM')
      await exited
    }
    rmSync(work, { recursive: true, force: true })
  })

  it('creates the first admin by the command, who activates with the code and lands on 首页', async () => {
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', 'scripts/admin.ts', 'create-admin', '--phone', PHONE, '--name', '周卫东', '--town', '新杭镇'],
        { cwd: PROJECT_ROOT, env },
        (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
      ),
    )
    const code = /^激活码：([A-Z2-9]{8})$/m.exec(output)?.[1]
    expect(code).toBeDefined()

    await page.goto('/')
    await expect.poll(() => new URL(page.url()).pathname).toBe('/login')
    await page.getByRole('link', { name: '首次登录 / 激活账号' }).click()
    await expect.poll(() => new URL(page.url()).pathname).toBe('/activate')
    await page.getByPlaceholder('请输入手机号').fill(PHONE)
    // As a person types it off the slip: lower case, with the space.
    await page.getByPlaceholder('激活单上的8位激活码').fill(`${code!.slice(0, 4).toLowerCase()} ${code!.slice(4)}`)
    await page.getByPlaceholder('设置新密码').fill('zhen-dangwei-1')
    await page.getByPlaceholder('再输入一次新密码').fill('zhen-dangwei-1')
    await screenshot(page, '60-activate')
    await page.getByRole('button', { name: '激活并登录' }).click()
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 15_000 }).toBe('/')
    await page.getByText('周卫东同志，您好').waitFor()
    await screenshot(page, '61-activated-home')
  })

  it('changes the password on 我的, signs out, and signs in with the new one only', async () => {
    await page.locator('.van-tabbar').getByText('我的').click()
    await page.getByText('修改密码').click()
    await expect.poll(() => new URL(page.url()).pathname).toBe('/me/password')
    await page.getByPlaceholder('现在用的密码').fill('zhen-dangwei-1')
    await page.getByPlaceholder('设置新密码').fill(PHONE)
    await page.getByPlaceholder('再输入一次新密码').fill(PHONE)
    await page.getByRole('button', { name: '确认修改' }).click()
    await page.getByText('密码不能用手机号码').waitFor()
    await page.getByPlaceholder('设置新密码').fill('zhen-dangwei-2')
    await page.getByPlaceholder('再输入一次新密码').fill('zhen-dangwei-2')
    await screenshot(page, '62-change-password')
    await page.getByRole('button', { name: '确认修改' }).click()
    await expect.poll(() => new URL(page.url()).pathname).toBe('/me')

    await page.getByRole('button', { name: '退出登录' }).click()
    await page.getByRole('dialog').getByRole('button', { name: '退出' }).click()
    await expect.poll(() => new URL(page.url()).pathname).toBe('/login')
    await loginAs(page, PHONE, 'zhen-dangwei-1')
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('手机号或密码不正确')
    await loginAs(page, PHONE, 'zhen-dangwei-2')
    await page.getByText('周卫东同志，您好').waitFor()
  })
})
