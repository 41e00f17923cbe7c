import { readFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { DB_NAME } from '~/app/constants'
import { launchChromium, loginAs, phoneContext, screenshot as take } from './browser'
import type { Exam } from '~/domain/quiz'
import { addDays, dayInShanghai } from '~/domain/calendar'
import { SCHEMA_VERSION } from '~/domain/sync'
import type { Question } from '~/domain/study'

const baseUrl = inject('baseUrl')
const KEY = new Map((JSON.parse(readFileSync('seeds/study/questions.json', 'utf8')) as Question[]).map((q) => [q.id, q]))
// Not in 合兴村 (b-hexing): study.test.ts expects its member to lead that branch's ranking.
const MEMBER = '13800000015'
const ADMIN = '13800000901'

/** A screenshot once transitions have ended and no toast covers the page. */
async function screenshot(page: Page, name: string): Promise<void> {
  await page.waitForFunction(
    () =>
      !document.querySelector('[class*="-enter-active"], [class*="-leave-active"]') &&
      [...document.querySelectorAll<HTMLElement>('.van-toast')].every((toast) => getComputedStyle(toast).display === 'none'),
  )
  await take(page, name)
}

/** Signs in over the API, as a program would; returns the session cookie. */
async function apiLogin(phone: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, password: 'dangjian2026' }),
  })
  expect(response.status).toBe(200)
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('djy_session='))
  return cookie!.split(';')[0]!
}

/** The admin publishes exams through the sync API, the way the admin's app does. */
async function publishExams(exams: Exam[]): Promise<void> {
  const cookie = await apiLogin(ADMIN)
  const response = await fetch(`${baseUrl}/api/sync/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({
      clientId: `c_${randomUUID().replaceAll('-', '')}`,
      schemaVersion: SCHEMA_VERSION,
      mutations: exams.map((exam) => ({ id: randomUUID(), name: 'exam.save', args: { exam }, clientTime: new Date().toISOString() })),
    }),
  })
  expect(response.status).toBe(200)
  const { results } = (await response.json()) as { results: Array<{ status: string }> }
  expect(results.map((r) => r.status)).toEqual(exams.map(() => 'applied'))
}

/**
 * Answers every question on the page from the answer key, except the questions listed in `wrong`
 * (answered with an option that is not the first right one) and in `skip` (left blank).
 */
async function answer(page: Page, wrong: number[] = [], skip: number[] = []) {
  const questions = page.locator('.quiz-question')
  const count = await questions.count()
  for (let i = 0; i < count; i++) {
    if (skip.includes(i)) continue
    const question = questions.nth(i)
    const key = KEY.get((await question.getAttribute('data-question'))!)!
    const picks = wrong.includes(i) ? [key.answer[0] === 0 ? 1 : 0] : key.answer
    const options = question.locator('.quiz-option')
    for (const pick of picks) await options.nth(pick).click()
  }
}

describe('每周一答 and 专题考试: answered offline, graded by the server', () => {
  let browser: Browser
  let context: BrowserContext
  let page: Page
  const today = dayInShanghai(new Date())
  beforeAll(async () => {
    browser = await launchChromium()
    context = await phoneContext(browser, baseUrl)
    page = await context.newPage()
  })
  afterAll(async () => {
    await browser?.close()
  })

  it('shows the hub with today’s and this week’s quizzes, and says when there are no exams', async () => {
    await page.goto('/login')
    await loginAs(page, MEMBER)
    await page.waitForURL((url) => url.pathname === '/')
    await page.evaluate(() => navigator.serviceWorker.ready)
    // A fresh load under the service worker, so every page also opens offline.
    await page.goto('/quiz')
    await page.getByTestId('hub-daily').waitFor()
    expect(await page.getByTestId('hub-daily').textContent()).toContain('未完成')
    const weekly = await page.getByTestId('hub-weekly').textContent()
    expect(weekly).toContain('截止 周日')
    expect(weekly).toContain('未完成')
    // Other e2e files share this server and may have published exams: the empty state shows only when the device has none.
    const exams = await page.evaluate(
      (name) =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open(name)
          open.onerror = () => reject(open.error)
          open.onsuccess = () => {
            const count = open.result.transaction('exams').objectStore('exams').count()
            count.onsuccess = () => resolve(count.result)
          }
        }),
      DB_NAME,
    )
    if (exams === 0) await page.getByText('暂时没有专题考试').waitFor()
    else expect(await page.getByText('暂时没有专题考试').count()).toBe(0)
    await screenshot(page, '40-quiz-hub-empty')
  })

  it('answers the ten weekly questions offline, submits them, and shows them waiting for the server', async () => {
    await context.setOffline(true)
    await page.getByTestId('hub-weekly').click()
    const questions = page.locator('.quiz-question')
    await questions.first().waitFor()
    expect(await questions.count()).toBe(10)
    await answer(page, [3])
    expect(await page.getByTestId('quiz-progress').textContent()).toContain('已答 10 / 10 题')
    await questions.nth(1).scrollIntoViewIfNeeded()
    await screenshot(page, '41-quiz-weekly-question')
    await page.getByRole('button', { name: '提交答案' }).click()
    const waiting = page.getByTestId('quiz-waiting')
    await waiting.waitFor()
    expect(await waiting.textContent()).toContain('已提交，联网后由服务器评分')
    expect(await waiting.textContent()).toContain('待评分')
    await screenshot(page, '42-quiz-weekly-waiting')

    // Back on the hub it waits too, and opening it again offers no second submission.
    await page.locator('.van-nav-bar__left').click()
    expect(await page.getByTestId('hub-weekly').textContent()).toContain('待评分')
    await page.getByTestId('hub-weekly').click()
    await page.getByTestId('quiz-waiting').waitFor()
    expect(await page.getByRole('button', { name: '提交答案' }).count()).toBe(0)
  })

  it('shows the grading with the right answers and explanations once online, and the points in 积分明细', async () => {
    await context.setOffline(false)
    const result = page.getByTestId('quiz-result')
    await result.waitFor({ timeout: 20_000 })
    const text = await result.textContent()
    expect(text).toContain('90 分')
    expect(text).toContain('答对 9 / 10 题')
    expect(await page.locator('.quiz-item').count()).toBe(10)
    expect(await page.locator('.quiz-item.wrong').count()).toBe(1)
    expect(await page.locator('.quiz-item-explanation').count()).toBe(10)
    const wrong = await page.locator('.quiz-item.wrong').textContent()
    expect(wrong).toContain('你的答案：')
    expect(wrong).toContain('正确答案：')
    await screenshot(page, '43-quiz-weekly-result')
    await page.locator('.quiz-item.wrong').scrollIntoViewIfNeeded()
    await screenshot(page, '44-quiz-weekly-result-wrong')

    await page.locator('.van-nav-bar__left').click()
    expect(await page.getByTestId('hub-weekly').textContent()).toContain('已完成 90 分')

    await page.goto('/points')
    // 90 of 100 on a rule worth 5 for a full score: 4.5, rounded to 5.
    const entry = page.locator('.points-ledger .van-cell').filter({ hasText: '每周一答' })
    await entry.waitFor({ timeout: 20_000 })
    expect(await entry.textContent()).toContain('+5')
    expect(Number(await page.locator('.points-totals strong').first().textContent())).toBe(5)
  })

  it('takes an exam the admin set, asks before submitting with a question unanswered, and says 已通过', async () => {
    const ids = [...KEY.keys()]
    await publishExams([
      {
        id: 'e2e-party-rules',
        title: '党章党规专题考试',
        summary: '考查党章和党内法规的基本知识。',
        questionIds: ids.slice(0, 5),
        passMark: 60,
        opensOn: today,
        closesOn: addDays(today, 7),
      },
      {
        id: 'e2e-upcoming',
        title: '组织生活知识考试',
        summary: '',
        questionIds: ids.slice(5, 10),
        passMark: 80,
        opensOn: addDays(today, 3),
        closesOn: addDays(today, 10),
      },
      {
        id: 'e2e-closed',
        title: '上月学习测验',
        summary: '',
        questionIds: ids.slice(10, 15),
        passMark: 60,
        opensOn: addDays(today, -30),
        closesOn: addDays(today, -1),
      },
    ])
    // A fresh load syncs at start.
    await page.goto('/quiz')
    const open = page.getByTestId('exams-open')
    await open.getByText('党章党规专题考试').waitFor({ timeout: 20_000 })
    expect(await open.textContent()).toContain('5 题 · 及格 60 分')
    expect(await open.textContent()).toContain('未参加')
    expect(await page.getByTestId('exams-upcoming').textContent()).toContain('组织生活知识考试')
    expect(await page.getByTestId('exams-closed').textContent()).toContain('上月学习测验')

    await open.getByText('党章党规专题考试').click()
    await page.locator('.quiz-question').first().waitFor()
    expect(await page.locator('.quiz-question').count()).toBe(5)
    // Four right, the last one left blank: 80 of 100.
    await answer(page, [], [4])
    await page.getByRole('button', { name: '提交答案' }).click()
    const dialog = page.locator('.van-dialog')
    await dialog.getByText('还有 1 道题没有作答').waitFor()
    await screenshot(page, '45-quiz-exam-confirm')
    await dialog.getByRole('button', { name: '继续作答' }).click()
    await dialog.waitFor({ state: 'hidden' })
    expect(await page.getByTestId('quiz-waiting').count()).toBe(0)
    // The one left is marked.
    expect(await page.locator('.quiz-question.unanswered').count()).toBe(1)
    expect(await page.locator('.quiz-question').nth(4).getAttribute('class')).toContain('unanswered')
    await page.getByRole('button', { name: '提交答案' }).click()
    await dialog.getByRole('button', { name: '仍然提交' }).click()

    const result = page.getByTestId('quiz-result')
    await result.waitFor({ timeout: 20_000 })
    expect(await page.getByTestId('quiz-pass').textContent()).toContain('已通过')
    expect(await result.textContent()).toContain('80 分')
    expect(await result.textContent()).toContain('未作答')
    await screenshot(page, '46-quiz-exam-result')

    await page.locator('.van-nav-bar__left').click()
    expect(await page.getByTestId('exams-open').textContent()).toContain('已通过 80 分')
    await screenshot(page, '47-quiz-hub')

    // A closed exam can't be taken any more.
    await page.getByTestId('exams-closed').getByText('上月学习测验').click()
    expect(await page.getByTestId('quiz-closed').textContent()).toContain('考试已于')
    expect(await page.locator('.quiz-question').count()).toBe(0)
  })
})
