// A town starting for real (README, 从空数据库开始): an empty database, the first admin made by the
// command, who signs in with the code on 激活账号, sets a password, changes it on 我的, and signs in again.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, loginAs, phoneContext, screenshot } from './browser'
import { startTown, type OwnTown } from './town'

const PHONE = '13900000000'

describe('a town from an empty database', () => {
  let town: OwnTown
  let baseUrl = ''
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    town = await startTown(inject('staticDir'), { demoData: false })
    baseUrl = town.baseUrl
    browser = await launchChromium()
    page = await (await phoneContext(browser, baseUrl)).newPage()
  })
  afterAll(async () => {
    await browser?.close()
    await town?.stop()
  })

  it('creates the first admin by the command, who activates with the code and lands on 首页', async () => {
    const output = await town.admin(['create-admin', '--phone', PHONE, '--name', '周卫东', '--town', '新杭镇'])
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
