import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { RankingReply } from '~/domain/points'
import { launchChromium, loginAs, phoneContext, screenshot } from './browser'

const baseUrl = inject('baseUrl')

describe('studying offline earns points once the network is back', () => {
  let browser: Browser
  let context: BrowserContext
  let page: Page
  beforeAll(async () => {
    browser = await launchChromium()
    context = await phoneContext(browser, baseUrl)
    page = await context.newPage()
  })
  afterAll(async () => {
    await browser?.close()
  })

  it('lists the courses and the library, and finds a material offline by a Chinese word', async () => {
    await page.goto('/login')
    await loginAs(page, '13800000003')
    await page.locator('.van-tabbar').getByText('学习').click()
    await page.getByText('第1课').first().waitFor()
    await page.evaluate(() => navigator.serviceWorker.ready)
    await screenshot(page, '20-study-school')
    await context.setOffline(true)
    await page.getByPlaceholder('搜索学习资料（无网络也能搜）').fill('党费')
    await page.getByText(/找到 \d+ 篇/).waitFor()
    expect(await page.locator('.material-cell').count()).toBeGreaterThan(0)
    await screenshot(page, '21-study-search-offline')
    await page.getByPlaceholder('搜索学习资料（无网络也能搜）').fill('')
  })

  it('counts active reading time, records it offline as 待确认, and confirms it online', async () => {
    // Fake time in the page, so a minute of reading passes in an instant.
    await page.clock.install()
    await page.getByText('第1课').first().click()
    await page.locator('.reader-title').waitFor()
    for (let i = 0; i < 7; i++) {
      await page.mouse.wheel(0, 200)
      await page.clock.runFor(10_000)
    }
    expect(await page.locator('.reader-timer').textContent()).toMatch(/1 分 \d\d 秒/)
    await screenshot(page, '22-reader')
    await page.locator('.van-nav-bar__left').click()
    // Leaving the reader records the session: one change waits to sync.
    await page.clock.runFor(1_000)
    expect(await page.locator('.van-tabbar .van-badge').textContent()).toBe('1')
    await page.locator('.van-tabbar').getByText('首页').click()
    await page.getByTestId('today-points').click()
    await page.getByText('待确认（联网同步后由服务器核定）').waitFor()
    await page.locator('.points-pending').getByText('阅读文章').waitFor()
    await screenshot(page, '23-points-pending')

    await context.setOffline(false)
    await page.clock.runFor(2_000)
    await page.locator('.points-ledger').getByText('阅读文章').waitFor({ timeout: 20_000 })
    expect(await page.locator('.points-pending').count()).toBe(0)
    expect(Number(await page.locator('.points-totals strong').first().textContent())).toBeGreaterThanOrEqual(1)
    await screenshot(page, '24-points-confirmed')
  })

  it('moves the member up the branch ranking, with their own place shown', async () => {
    await page.getByText('排行榜').click()
    await page.getByTestId('my-place').waitFor()
    // Other e2e files share the server (a closed meeting gives +2): the member is ahead of everyone with fewer points.
    const ranking = (await (await page.request.get('/api/points/ranking?scope=branch&period=month')).json()) as RankingReply
    const mine = ranking.rows.find((row) => row.isMe)!
    expect(mine.points).toBeGreaterThanOrEqual(1)
    expect(mine.place).toBe(1 + ranking.rows.filter((row) => row.points > mine.points).length)
    expect(await page.getByTestId('my-place').textContent()).toContain(`第 ${mine.place} 名`)
    expect(await page.locator('.ranking-mine').textContent()).toContain(`${mine.points} 分`)
    await screenshot(page, '25-ranking')
  })

  it('answers the daily quiz offline, then shows the server’s grading and explanations once online', async () => {
    await context.setOffline(true)
    await page.locator('.van-nav-bar__left').click()
    await page.locator('.van-nav-bar__left').click()
    await page.getByText('答题考试').click()
    await page.getByText('每日答题').first().click()
    const questions = page.locator('.quiz-question')
    await questions.first().waitFor()
    expect(await questions.count()).toBe(5)
    for (let i = 0; i < 5; i++) {
      const options = questions.nth(i).locator('.van-radio, .van-checkbox')
      await options.nth(0).click()
      if ((await questions.nth(i).locator('.van-checkbox').count()) > 0) await options.nth(1).click()
    }
    await screenshot(page, '26-quiz-offline')
    await page.getByRole('button', { name: '提交答案' }).click()
    await page.getByTestId('quiz-waiting').waitFor()
    await context.setOffline(false)
    await page.clock.runFor(2_000)
    await page.getByTestId('quiz-result').waitFor({ timeout: 20_000 })
    expect(await page.getByTestId('quiz-result').textContent()).toMatch(/今日答对 \d \/ 5 题/)
    expect(await page.locator('.quiz-result .van-cell').count()).toBe(5)
    await screenshot(page, '27-quiz-result')
  })

  it('downloads an audio lesson on request and plays it back offline, seeking included', async () => {
    await page.clock.resume()
    // Back from 每日答题 to 答题考试, then home.
    await page.locator('.van-nav-bar__left').click()
    await page.locator('.van-nav-bar__left').click()
    await page.locator('.van-tabbar').getByText('学习').click()
    await page.locator('.van-tab').getByText('学习智库').click()
    const audio = page
      .locator('.study-library .material-cell')
      .filter({ has: page.getByText('音频', { exact: true }) })
      .first()
    await audio.click()
    await page.getByRole('button', { name: '下载离线收听' }).click()
    await page.getByText('已下载，可离线收听').waitFor()
    await screenshot(page, '28-audio-downloaded')
    const src = await page.locator('.reader-audio').getAttribute('src')
    await context.setOffline(true)
    // What the <audio> element asks for when the member drags to the middle: a range, served from the cache.
    const answer = await page.evaluate(async (url) => {
      const response = await fetch(url!, { headers: { range: 'bytes=100-199' } })
      return { status: response.status, length: (await response.arrayBuffer()).byteLength }
    }, src)
    expect(answer).toEqual({ status: 206, length: 100 })
    await page.locator('.van-nav-bar__left').click()
    await page.locator('.van-tabbar').getByText('我的').click()
    await page.getByText(/离线音视频/).waitFor()
    expect(await page.locator('.van-cell').filter({ hasText: '离线音视频' }).textContent()).toMatch(/1 个，\d+ KB/)
    await context.setOffline(false)
  })
})
