import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, loginAs, phoneContext, screenshot } from './browser'
import { dayInShanghai } from '~/domain/calendar'
import { lastCompleteMonth } from '~/domain/honor'
import { openDatabase } from '~/server/db'
import { demoUserId } from '../demo-users'

const baseUrl = inject('baseUrl')
const now = new Date()
// Only a month that has ended is published: last month.
const month = lastCompleteMonth(now)
const monthLabel = `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`

/**
 * Last month's points, which no API can backdate: 钱淑珍 (…004) 1 volunteer point, 赵德明 (…003) 8, written
 * into the server's ledger as `points.adjust` would have on the 15th.
 */
async function earnedLastMonth() {
  const { db } = openDatabase({ dataDir: inject('dataDir') })
  try {
    for (const [phone, points] of [
      ['13800000004', 1],
      ['13800000003', 8],
    ] as const) {
      const memberId = demoUserId(phone)
      const at = new Date(`${month}-15T10:00:00+08:00`).toISOString()
      await db
        .insertInto('points_ledger')
        .values({
          id: `volunteer:e2e-${memberId}`,
          member_id: memberId,
          rule_code: 'volunteer',
          rule_version: 1,
          source_id: `e2e-${memberId}`,
          day: `${month}-15`,
          points,
          reason: '参加村里环境整治',
          created_by: null,
          created_at: at,
        })
        .execute()
      await db.insertInto('points_totals').values({ member_id: memberId, period: month, points }).execute()
    }
  } finally {
    await db.destroy()
  }
}
const tomorrow = dayInShanghai(new Date(now.getTime() + 86_400_000))
// How the page writes a day of this year (and the year when it's the next one).
const tomorrowLabel = `${tomorrow.slice(0, 4) === month.slice(0, 4) ? '' : `${tomorrow.slice(0, 4)}年`}${Number(tomorrow.slice(5, 7))}月${Number(tomorrow.slice(8, 10))}日`

describe('红黄榜 and 积分规则: the town committee publishes and revises, the member sees it', () => {
  let browser: Browser
  let admin: Page
  let member: Page
  beforeAll(async () => {
    browser = await launchChromium()
    admin = await (await phoneContext(browser, baseUrl)).newPage()
    member = await (await phoneContext(browser, baseUrl)).newPage()
  })
  afterAll(async () => {
    await browser?.close()
  })

  it('the admin sees last month’s lists with everyone’s reasons, then publishes after a confirmation', async () => {
    await earnedLastMonth()
    await admin.goto('/login')
    await loginAs(admin, '13800000901')
    await admin.locator('.van-grid-item').getByText('红黄榜').click()
    await admin.getByText('还没有发布红黄榜').waitFor()
    await admin.getByRole('button', { name: '发布 / 重新发布红黄榜' }).click()
    const form = admin.locator('.publish-form')
    await form.waitFor()
    // The form starts on last month, the last one that has ended; this month isn't offered.
    expect(await form.getByRole('radio', { name: monthLabel }).getAttribute('aria-checked')).toBe('true')
    const thisMonth = dayInShanghai(now).slice(0, 7)
    expect(await form.getByRole('radio', { name: `${thisMonth.slice(0, 4)}年${Number(thisMonth.slice(5, 7))}月` }).count()).toBe(0)
    // The standard is set high so the demo member, whatever else the suite gave them, falls below it.
    const threshold = form.getByRole('spinbutton').first()
    await threshold.fill('500')
    await threshold.press('Tab')
    // No publishing before the names have been seen.
    expect(await form.getByRole('button', { name: '发布', exact: true }).count()).toBe(0)
    await form.getByRole('button', { name: '查看名单' }).click()
    const preview = form.getByTestId('honor-preview')
    await preview.getByText('黄榜（').waitFor({ timeout: 20_000 })
    expect(await preview.textContent()).toMatch(/钱淑珍\s*1 分\s*积分低于公布的标准/)
    await screenshot(admin, '60-honor-publish-preview')
    await form.getByRole('button', { name: '发布', exact: true }).click()
    await admin.locator('.van-dialog').getByText(`发布${monthLabel}红黄榜`).waitFor()
    expect(await admin.locator('.van-dialog').textContent()).toMatch(/红榜 0 人，黄榜 \d+ 人/)
    await admin.getByRole('button', { name: '确认发布' }).click()
    // The toast is readable: dark, not white on white.
    // Read in the same frame the toast is found: on a loaded machine it may be gone by a second round trip.
    const toastBackground = await admin.waitForFunction(() => {
      const toast = [...document.querySelectorAll('.van-toast')].find((el) => /已提交发布|已保存/.test(el.textContent ?? ''))
      return toast ? getComputedStyle(toast).backgroundColor : null
    })
    expect(await toastBackground.jsonValue()).not.toBe('rgb(255, 255, 255)')
    // Synced through the server and back: the month appears, published.
    await admin.locator('.honor-months').getByText(monthLabel).waitFor({ timeout: 20_000 })
    expect(await admin.locator('.honor-meta').textContent()).toContain('积分标准 500 分')
    expect(await admin.getByTestId('honor-my-status').count()).toBe(0)
    await expect.poll(() => admin.locator('.van-toast:visible').count(), { timeout: 10_000 }).toBe(0)
    await screenshot(admin, '69-honor-admin')
  })

  it('the admin revises a rule from tomorrow; today’s rule stays as it is', async () => {
    await admin.locator('.van-nav-bar__left').click()
    await admin.locator('.van-grid-item').getByText('全镇党员').waitFor()
    await screenshot(admin, '67-home-admin')
    await admin.locator('.van-grid-item').getByText('积分规则').click()
    const rule = admin.locator('[data-rule="board-adopted"]')
    await rule.waitFor()
    await rule.getByRole('button', { name: '修改' }).click()
    const form = admin.locator('.revise-form')
    await form.waitFor()
    expect(await form.getByLabel('生效日期').inputValue()).toBe(tomorrow)
    await form.locator('.van-stepper__plus').first().click()
    await form.getByText(`自${tomorrowLabel}起：每条意见建议被采纳 +3，每日最多6分`).waitFor()
    await screenshot(admin, '61-rules-revise-form')
    await form.getByRole('button', { name: '保存修改' }).click()
    await admin.getByRole('button', { name: '确认修改' }).click()
    await rule.locator('.rule-upcoming').waitFor({ timeout: 20_000 })
    expect(await rule.locator('.rule-text').textContent()).toContain('+2')
    await rule.scrollIntoViewIfNeeded()
    await expect.poll(() => admin.locator('.van-toast:visible').count(), { timeout: 10_000 }).toBe(0)
    await screenshot(admin, '68-rules-admin')
  })

  it('the member sees the month, their own status and why, without other members’ reasons', async () => {
    await member.goto('/login')
    await loginAs(member, '13800000004')
    await member.locator('.van-grid-item').getByText('红黄榜').click()
    await member.locator('.honor-months').getByText(monthLabel).waitFor({ timeout: 20_000 })
    const status = member.getByTestId('honor-my-status')
    await status.waitFor()
    expect(await status.textContent()).toContain('本月您在黄榜上')
    expect(await status.textContent()).toContain('本月积分低于公布的标准')
    expect(await status.textContent()).toContain('公布的标准为 500 分')
    expect(await member.locator('.honor-yellow').textContent()).toContain('钱淑珍')
    expect(await member.locator('.honor-yellow').textContent()).not.toContain('低于')
    await screenshot(member, '62-honor-member')
  })

  it('the member’s 积分规则 shows the change to come', async () => {
    await member.locator('.van-nav-bar__left').click()
    await member.getByTestId('today-points').click()
    await member.locator('.points-links').waitFor()
    await screenshot(member, '65-points-links')
    await member.locator('.points-links').getByText('积分规则').click()
    const line = member.locator('[data-rule="board-adopted"] .rule-upcoming')
    await line.waitFor({ timeout: 20_000 })
    expect(await line.textContent()).toContain(`将于${tomorrowLabel}起调整为：每条意见建议被采纳 +3，每日最多6分`)
    expect(await member.locator('[data-rule="article-read"] .rule-text').textContent()).toContain('每篇阅读满60秒 +1，每日最多6分')
    await screenshot(member, '63-rules-member')
  })

  it('the member’s 首页 shows today’s points, the streak and what to study next', async () => {
    await member.goto('/')
    await member.getByTestId('streak').waitFor()
    expect(await member.getByTestId('streak').textContent()).toMatch(/连续学习\s*\d+\s*天/)
    await member.getByTestId('next-study').getByText('第1课').waitFor()
    expect(await member.locator('.van-grid-item').getByText('答题考试').count()).toBe(1)
  })

  it('after the member reads lesson 1 to the end, 首页 moves on to lesson 2 and counts the day; 网上党校 shows the progress', async () => {
    // Fake time in the page, so a minute of reading passes in an instant.
    await member.clock.install()
    await member.getByTestId('next-study').getByText('第1课').click()
    await member.locator('.reader-title').waitFor()
    for (let i = 0; i < 8; i++) {
      await member.mouse.wheel(0, 2000)
      await member.clock.runFor(10_000)
    }
    await member.locator('.van-nav-bar__left').click()
    await member.clock.runFor(2_000)
    // Back to real time, so the sync's own timers (push, then pull) run as on a phone.
    await member.clock.resume()
    // Recorded (the lesson counts at once, even before the server has it) ...
    await member.getByTestId('next-study').getByText('第2课').waitFor({ timeout: 20_000 })
    // ... and once synced (nothing waits in the outbox), the server's progress and points drive 首页.
    await expect.poll(() => member.locator('.van-tabbar .van-badge').count(), { timeout: 20_000 }).toBe(0)
    await expect
      .poll(
        async () => [await member.getByTestId('streak').textContent(), await member.getByTestId('next-study').textContent()].join(' | '),
        { timeout: 20_000 },
      )
      .toMatch(/连续学习\s*1\s*天\s*今天已学习 \| .*第2课/)
    await expect.poll(() => member.getByTestId('today-points').textContent(), { timeout: 20_000 }).toMatch(/今日积分.*\b1\s*\/\s*\d+/)
    await screenshot(member, '64-home-member')

    await member.locator('.van-tabbar').getByText('学习').click()
    const course = member.locator('.study-course').first()
    await course.locator('.material-done-tag').first().waitFor({ timeout: 20_000 })
    expect(await course.locator('.study-course-count').textContent()).toMatch(/已学 1\/\d+ 课/)
    expect(await course.locator('.material-cell').first().textContent()).toContain('已学完')
    await screenshot(member, '66-study-progress')
  })

  it('the admin publishes the month again with a new standard, and the member now finds themself on the 红榜', async () => {
    await admin.goto('/honor')
    await admin.getByRole('button', { name: '发布 / 重新发布红黄榜' }).click()
    const form = admin.locator('.publish-form')
    await form.getByText('重新发布红黄榜').waitFor()
    const [threshold, perBranch] = [form.getByRole('spinbutton').nth(0), form.getByRole('spinbutton').nth(1)]
    expect(await threshold.inputValue()).toBe('500')
    await threshold.fill('0')
    await threshold.press('Tab')
    await perBranch.fill('20')
    await perBranch.press('Tab')
    await form.getByRole('button', { name: '查看名单' }).click()
    await form.getByTestId('honor-preview').getByText('红榜（2 人）').waitFor({ timeout: 20_000 })
    await form.getByRole('button', { name: '重新发布', exact: true }).click()
    await admin.locator('.van-dialog').getByText('原来的名单将被替换').waitFor()
    await admin.getByRole('button', { name: '确认发布' }).click()
    await expect.poll(() => admin.locator('.honor-meta').textContent(), { timeout: 20_000 }).toContain('积分标准 0 分')

    await member.goto('/honor')
    const status = member.getByTestId('honor-my-status')
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toContain('您在本月红榜上')
    expect(await status.textContent()).toContain('本月积分 1 分')
    expect(await member.locator('.honor-red').filter({ hasText: '合兴村党支部' }).textContent()).toMatch(/钱淑珍\s*1 分/)
    await screenshot(member, '70-honor-member-red')
  })

  it('the admin withdraws the month with a reason, and it leaves the member’s phone', async () => {
    await admin.goto('/honor')
    await admin.getByRole('button', { name: `撤回${monthLabel}名单` }).click()
    const form = admin.locator('.withdraw-form')
    await form.waitFor()
    await form.getByRole('button', { name: '撤回', exact: true }).click()
    await form.getByText('请写明撤回原因').waitFor()
    await form.getByRole('textbox').fill('积分标准设置有误，核对后重新发布')
    expect(await form.getByText('请写明撤回原因').count()).toBe(0)
    await screenshot(admin, '71-honor-withdraw')
    await form.getByRole('button', { name: '撤回', exact: true }).click()
    await admin.getByRole('button', { name: '确认撤回' }).click()
    await admin.getByText('还没有发布红黄榜').waitFor({ timeout: 20_000 })

    await member.goto('/honor')
    await member.getByText('还没有发布红黄榜').waitFor({ timeout: 20_000 })
    expect(await member.getByTestId('honor-my-status').count()).toBe(0)
  })
})
