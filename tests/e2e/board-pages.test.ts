import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { SCHEMA_VERSION } from '~/domain/sync'
import { launchChromium, loginAs, phoneContext, screenshot } from './browser'

const baseUrl = inject('baseUrl')
const TITLE = `村口桥头路灯维修 ${Date.now().toString(36)}`
const TEXT = '村口桥头的两盏路灯坏了一个多月，晚上过桥不安全。请大家说说还有哪里的路灯需要修，一并报给镇里。'

/** A photo as a phone's gallery would hand it over: a 1200x900 picture in a file. */
async function photoFile(dir: string): Promise<string> {
  const path = join(dir, 'bridge.png')
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="900"><rect width="1200" height="900" fill="#5b8bd0"/><rect y="600" width="1200" height="300" fill="#6a8f3a"/><circle cx="900" cy="200" r="90" fill="#ffd84a"/></svg>`
  writeFileSync(path, await sharp(Buffer.from(svg)).png().toBuffer())
  return path
}

/** Sends one mutation straight to the server as `page`'s user (for what other helpers' pages do). */
async function push(page: Page, clientId: string, name: string, args: unknown): Promise<void> {
  const response = await page.request.post('/api/sync/push', {
    data: { clientId, schemaVersion: SCHEMA_VERSION, mutations: [{ id: randomUUID(), name, args, clientTime: new Date().toISOString() }] },
  })
  expect(response.status()).toBe(200)
  const body = (await response.json()) as { results: { status: string; message?: string }[] }
  expect(body.results[0]).toMatchObject({ status: 'applied' })
}

const stat = (page: Page, key: string) => page.locator(`[data-stat="${key}"]`).textContent()

describe('朋友圈 feed, topics, statistics, 待办 and notices', () => {
  let browser: Browser
  let tmp: string
  let memberContext: BrowserContext
  let secretaryContext: BrowserContext
  let member: Page
  let secretary: Page
  let notified: Page
  let topicId = ''
  let topicsBefore = 0

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'board-pages-'))
    browser = await launchChromium()
    memberContext = await phoneContext(browser, baseUrl)
    secretaryContext = await phoneContext(browser, baseUrl)
    member = await memberContext.newPage()
    secretary = await secretaryContext.newPage()
  })
  afterAll(async () => {
    await browser?.close()
    if (tmp) rmSync(tmp, { recursive: true, force: true })
  })

  it("shows a member their branch's topics and the town's, newest first, and not another branch's", async () => {
    await member.goto('/login')
    await loginAs(member, '13800000009')
    await member.locator('.van-tabbar').getByText('朋友圈').click()
    const road = member.locator('[data-topic-id="t-hexing-road"]')
    await road.waitFor({ timeout: 20_000 })
    await member.locator('[data-topic-id="t-town-tea"]').waitFor()
    const ids = await member.locator('[data-topic-id]').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-topic-id')))
    // Posted 10, 20 and 45 days ago; 金鸡窝村's topic is not synced to 合兴村.
    expect(ids.filter((id) => id && !/^t-[0-9a-f]{8}-/.test(id))).toEqual(['t-town-tea', 't-hexing-road', 't-hexing-garbage'])
    expect(await member.locator('[data-topic-id="t-jinjiwo-water"]').count()).toBe(0)

    expect(await road.locator('.topic-card-branch').textContent()).toBe('合兴村党支部')
    expect(await member.locator('[data-topic-id="t-town-tea"] .topic-card-branch').textContent()).toBe('全镇')
    // A closed topic says so, with its comment and resolved counts (nobody can comment on it any more).
    const garbage = member.locator('[data-topic-id="t-hexing-garbage"]')
    expect(await garbage.getByText('已截止').count()).toBe(1)
    expect(await garbage.locator('[data-count="comments"]').textContent()).toContain('留言 2')
    expect(await garbage.locator('[data-count="resolved"]').textContent()).toContain('已办结 1')
    expect(await road.textContent()).toContain('截止')
    expect(await road.textContent()).toContain('民生服务')
    // Members neither post topics nor handle comments.
    expect(await member.getByText('发布话题').count()).toBe(0)
    expect(await member.getByText('待办留言').count()).toBe(0)
    await screenshot(member, 'board-1x-100-feed-member')
  })

  it('opens the statistics of the branch, by month', async () => {
    await member.locator('.board-entries').getByText('议事统计').click()
    await member.locator('[data-stat="comments"]').waitFor()
    expect(await member.getByTestId('stats-scope').textContent()).toBe('合兴村党支部 · 全部时间')
    // Seeded: 7 comments on 合兴村's two topics, 2 resolved well within the deadline, 2 accepted and now
    // past theirs. Other test files add (and handle) comments of their own, never these.
    expect(Number(await stat(member, 'comments'))).toBeGreaterThanOrEqual(7)
    expect(Number(await stat(member, 'resolved'))).toBeGreaterThanOrEqual(2)
    expect(Number(await stat(member, 'resolvedWithinDeadline'))).toBeGreaterThanOrEqual(2)
    expect(Number(await stat(member, 'accepted'))).toBeGreaterThanOrEqual(4)
    expect(await stat(member, 'overdue')).toBe('2')
    expect(await stat(member, 'averageToResolve')).toMatch(/^\d+天(\d+小时)?$/)
    topicsBefore = Number(await stat(member, 'topics'))
    expect(topicsBefore).toBeGreaterThanOrEqual(2)
    await screenshot(member, 'board-1x-101-stats-member')

    // A year ago nothing was posted.
    await member.locator('.stats-filters .van-dropdown-menu__item').first().click()
    await member.locator('.van-dropdown-item__option').last().click()
    await member.getByText(/没有新的话题和留言/).waitFor()
    expect(await member.locator('[data-stat="comments"]').count()).toBe(0)
    await member.locator('.stats-filters .van-dropdown-menu__item').first().click()
    await member.locator('.van-dropdown-item__option').first().click()
    await member.locator('[data-stat="comments"]').waitFor()
    await member.getByText('返回').click()
    await member.locator('[data-topic-id="t-hexing-road"]').waitFor()
  })

  it('lets the secretary post a topic with a photo with no signal: 待发送 at once, published when back online', async () => {
    await secretary.goto('/login')
    await loginAs(secretary, '13800000101')
    await secretary.locator('.van-tabbar').getByText('朋友圈').click()
    await secretary.locator('[data-topic-id="t-hexing-road"]').waitFor({ timeout: 20_000 })
    // The seeded 待处理 comments wait for the secretary: the badge on 待办留言 counts them (and the overdue ones).
    await expect
      .poll(async () => Number(await secretary.locator('[data-entry="todo"] .van-badge').textContent()), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(4)
    await screenshot(secretary, 'board-1x-102-feed-secretary')

    await secretary.evaluate(() => navigator.serviceWorker.ready)
    await secretaryContext.setOffline(true)
    await secretary.locator('.board-entries').getByText('发布话题').click()
    await secretary.getByRole('button', { name: '发布话题' }).click()
    await secretary.getByText('请填写标题（至少2个字）').waitFor()
    await secretary.getByText('请选择话题类别').waitFor()
    await screenshot(secretary, 'board-1x-103-topic-errors')

    expect(await secretary.locator('.topic-edit').getByText('合兴村党支部').count()).toBe(1)
    await secretary.getByPlaceholder('如：村东组道路硬化，大家有什么意见？').fill(TITLE)
    await secretary.getByPlaceholder('说明要商量的事情、背景和希望大家提什么意见').fill(TEXT)
    await secretary.getByRole('radio', { name: '人居环境' }).click()
    expect(await secretary.getByText('请填写标题（至少2个字）').count()).toBe(0)
    // The closing date: two weeks ahead unless changed, picked on a wheel.
    expect(await secretary.locator('.edit-closes').textContent()).toContain('14天后截止')
    await secretary.locator('.edit-closes').click()
    await secretary.locator('.van-popup .van-picker').waitFor()
    await secretary.locator('.van-toast').waitFor({ state: 'hidden' })
    await secretary.locator('.van-popup--bottom').evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)))
    await screenshot(secretary, 'board-1x-104-topic-date')
    await secretary.locator('.van-picker__confirm').click()
    await secretary.locator('.van-popup .van-picker').waitFor({ state: 'hidden' })

    await secretary.locator('.topic-edit input[type="file"]').setInputFiles(await photoFile(tmp))
    await secretary.locator('.topic-edit .van-uploader__preview').waitFor()
    expect(await secretary.locator('.topic-edit input[type="file"]').getAttribute('accept')).toBe('image/*')
    await secretary.locator('.topic-edit .van-uploader').scrollIntoViewIfNeeded()
    await screenshot(secretary, 'board-1x-105-topic-form')
    await secretary.getByRole('button', { name: '发布话题' }).click()
    await secretary.getByText('已保存，联网后发布').waitFor()

    const card = secretary.locator('[data-topic-id]').filter({ hasText: TITLE })
    await card.waitFor()
    topicId = (await card.getAttribute('data-topic-id')) ?? ''
    expect(topicId).toMatch(/^t-[0-9a-f-]{36}$/)
    // Newest first, waiting to be sent, with the photo from the phone itself.
    expect(await secretary.locator('[data-topic-id]').first().getAttribute('data-topic-id')).toBe(topicId)
    await card.getByText('待发送').waitFor()
    expect(await card.locator('.topic-card-branch').textContent()).toBe('合兴村党支部')
    expect(await card.textContent()).toContain('人居环境')
    await expect.poll(() => card.locator('.topic-card-photo img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0)
    await screenshot(secretary, 'board-1x-106-feed-offline')

    await secretaryContext.setOffline(false)
    await card.getByText('待发送').waitFor({ state: 'detached', timeout: 30_000 })
  })

  it("shows the new topic in the member's feed without reloading, photo included once uploaded", async () => {
    const card = member.locator(`[data-topic-id="${topicId}"]`)
    await card.waitFor({ timeout: 30_000 })
    expect(await member.locator('[data-topic-id]').first().getAttribute('data-topic-id')).toBe(topicId)
    expect(await card.locator('.topic-card-title').textContent()).toBe(TITLE)
    expect(await card.getByText('待发送').count()).toBe(0)
    expect(await card.locator('[data-count="comments"]').textContent()).toContain('留言 0')
    // The photo comes from the server once the secretary's phone has sent every byte.
    await expect
      .poll(() => card.locator('.topic-card-photo img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), {
        timeout: 60_000,
      })
      .toBeGreaterThan(0)
    await screenshot(member, 'board-1x-107-feed-member-new')

    await member.locator('.board-entries').getByText('议事统计').click()
    await expect.poll(async () => Number(await stat(member, 'topics')), { timeout: 10_000 }).toBe(topicsBefore + 1)
  })

  it('lists what waits for the secretary in 待办留言: 待处理 first, then 已受理 by deadline, overdue in red', async () => {
    await secretary.locator('.board-entries').getByText('待办留言').click()
    const pending = secretary.locator('[data-comment-id="c-hexing-road-4"]')
    await pending.waitFor()
    expect(await pending.getAttribute('data-status')).toBe('pending')
    expect(await pending.textContent()).toContain('我在苏州工地')
    expect(await pending.textContent()).toContain('待处理')
    expect(await pending.textContent()).toContain('村东组道路硬化')
    // Written on behalf of a household: the secretary sees the resident's name.
    expect(await secretary.locator('[data-comment-id="c-hexing-road-5"]').textContent()).toMatch(/（代 .+）/)
    const overdue = secretary.locator('[data-comment-id="c-hexing-road-2"]')
    expect(await overdue.getAttribute('data-status')).toBe('overdue')
    expect(await overdue.textContent()).toContain('已超期')
    expect(await overdue.locator('.todo-deadline').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(200, 16, 46)')
    // Settled comments (已办结, 不予采纳) are not 待办.
    expect(await secretary.locator('[data-comment-id="c-hexing-road-1"]').count()).toBe(0)
    expect(await secretary.locator('[data-comment-id="c-hexing-garbage-2"]').count()).toBe(0)
    // Another branch's comments are not this secretary's.
    expect(await secretary.locator('[data-comment-id="c-jinjiwo-water-2"]').count()).toBe(0)
    const statuses = await secretary.locator('[data-comment-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')))
    const firstHandled = statuses.findIndex((s) => s !== 'pending')
    expect(firstHandled).toBeGreaterThan(0)
    expect(statuses.slice(firstHandled).every((s) => s !== 'pending')).toBe(true)
    expect(await pending.getAttribute('href')).toBe('/board/topics/t-hexing-road?comment=c-hexing-road-4#c-hexing-road-4')
    await screenshot(secretary, 'board-1x-108-todo')
  })

  it('tells a member when their comment is handled, in 消息 and under 我的, and marks it read once seen', async () => {
    const context = await phoneContext(browser, baseUrl)
    notified = await context.newPage()
    await notified.goto('/login')
    await loginAs(notified, '13800000006')
    await notified.locator('.van-tabbar').getByText('朋友圈').click()
    await notified.locator(`[data-topic-id="${topicId}"]`).waitFor({ timeout: 20_000 })
    await notified.locator('.board-entries').getByText('消息').click()
    await notified.getByText('暂无消息').waitFor()
    await screenshot(notified, 'board-1x-109-notices-empty')
    await notified.getByText('返回').click()

    // The comment and its handling go straight to the server (their pages are tested elsewhere).
    const commentId = `c-${randomUUID()}`
    await push(notified, `e2e-board-pages-m-${randomUUID().slice(0, 8)}`, 'comment.post', {
      comment: { id: commentId, topicId, text: '桥西头那盏也不亮了，顺便看看。', category: 'suggestion', householdId: null, photos: [] },
    })
    await push(secretary, `e2e-board-pages-s-${randomUUID().slice(0, 8)}`, 'comment.act', {
      commentId,
      action: { type: 'accept', days: 5 },
    })

    const bell = notified.locator('[data-entry="notices"] .van-badge')
    await expect.poll(() => bell.textContent(), { timeout: 30_000 }).toBe('1')
    await notified.locator('.van-tabbar').getByText('我的').click()
    const cell = notified.locator('.van-cell').filter({ hasText: '消息通知' })
    expect(await cell.locator('.profile-unread').textContent()).toBe('1')
    await cell.scrollIntoViewIfNeeded()
    await screenshot(notified, 'board-1x-110-profile-notices')

    await cell.click()
    const notice = notified.locator(`[data-notice-id^="${commentId}"]`)
    await notice.waitFor()
    expect(await notice.locator('.notice-title').textContent()).toBe('您的留言已受理')
    expect(await notice.locator('.notice-title').evaluate((el) => getComputedStyle(el).fontWeight)).toBe('700')
    expect(await notice.textContent()).toContain('桥西头那盏也不亮了')
    await screenshot(notified, 'board-1x-111-notices')
    // Opening the page read it: no badge any more, and after the sync it is no longer unread.
    await notified.getByText('返回').click()
    await notified.locator('.van-cell').filter({ hasText: '消息通知' }).waitFor()
    expect(await notified.locator('.van-cell').filter({ hasText: '消息通知' }).locator('.profile-unread').count()).toBe(0)
    await notified.locator('.van-tabbar').getByText('朋友圈').click()
    await notified.locator(`[data-topic-id="${topicId}"]`).waitFor()
    await expect.poll(() => notified.locator('[data-entry="notices"] .van-badge').count(), { timeout: 20_000 }).toBe(0)
    await notified.locator('.board-entries').getByText('消息').click()
    await notice.waitFor()
    expect(await notice.locator('.notice-title').evaluate((el) => getComputedStyle(el).fontWeight)).toBe('400')
    // The server has it read: after a reload (nothing remembered in the page) it is still not new.
    await expect
      .poll(
        async () => {
          await notified.reload()
          await notice.waitFor()
          return notice.locator('.notice-title').evaluate((el) => getComputedStyle(el).fontWeight)
        },
        { timeout: 30_000, interval: 2_000 },
      )
      .toBe('400')
    await notice.click()
    await notified.waitForURL(new RegExp(`/board/topics/${topicId}\\?comment=${commentId}#${commentId}$`))

    // The secretary's 待办 now has it, accepted, with its five-day deadline.
    const row = secretary.locator(`[data-comment-id="${commentId}"]`)
    await row.waitFor({ timeout: 20_000 })
    expect(await row.getAttribute('data-status')).toBe('accepted')
    expect(await row.locator('.todo-deadline').textContent()).toMatch(/^限 \d+月\d+日 前办结$/)
  })
  it("lets the admin see the town's figures or one branch's, and choose where a topic goes", async () => {
    const admin = await (await phoneContext(browser, baseUrl)).newPage()
    await admin.goto('/login')
    await loginAs(admin, '13800000901')
    await admin.locator('.van-tabbar').getByText('朋友圈').click()
    // The admin sees every branch's topics.
    await admin.locator('[data-topic-id="t-jinjiwo-water"]').waitFor({ timeout: 30_000 })
    await admin.locator('.board-entries').getByText('议事统计').click()
    await admin.locator('[data-stat="comments"]').waitFor()
    expect(await admin.getByTestId('stats-scope').textContent()).toBe('全镇 · 全部时间')
    const townTopics = Number(await stat(admin, 'topics'))
    expect(townTopics).toBeGreaterThanOrEqual(8)
    await admin.locator('.stats-filters .van-dropdown-menu__item').nth(1).click()
    await admin.locator('.van-dropdown-item__option').filter({ hasText: '金鸡窝村党支部' }).click()
    await expect.poll(() => admin.getByTestId('stats-scope').textContent()).toBe('金鸡窝村党支部 · 全部时间')
    // seeds/board.json's one topic, and the demo routine's monthly topics (supervision/demo.ts), which
    // depend on the day the demo was loaded: fewer than the town's, and at least the seeded one.
    await expect.poll(async () => Number(await stat(admin, 'topics'))).toBeLessThan(townTopics)
    expect(Number(await stat(admin, 'topics'))).toBeGreaterThanOrEqual(1)
    expect(Number(await stat(admin, 'comments'))).toBeGreaterThanOrEqual(2)
    expect(Number(await stat(admin, 'resolved'))).toBeGreaterThanOrEqual(1)
    await screenshot(admin, 'board-1x-112-stats-admin')

    await admin.getByText('返回').click()
    await admin.locator('.board-entries').getByText('发布话题').click()
    await admin.getByRole('radio', { name: '全镇' }).waitFor()
    await admin.getByRole('button', { name: '发布话题' }).click()
    await admin.getByText('请选择发布到全镇还是哪个支部').waitFor()
    await admin.locator('.van-toast').waitFor({ state: 'hidden' })
    await screenshot(admin, 'board-1x-113-topic-admin')
  })
})
