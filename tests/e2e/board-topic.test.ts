import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { launchChromium, loginAs, phoneContext, screenshot } from './browser'
import { deadlineAfter, shanghaiMonthDay } from '~/domain/board'

const baseUrl = inject('baseUrl')
const TOPIC = '/board/topics/t-hexing-road'
const TOPIC_TITLE = '村东组道路硬化，大家有什么意见？'
const TAG = Date.now().toString(36)
const TEXT = `朱大娘家门口的路灯坏了一个月，晚上出门看不见，希望尽快换新。（${TAG}）`
const REPLY = `已联系电工更换路灯，今晚恢复照明。（${TAG}）`
const RESIDENT = '朱秀英'

/** Opens the topic once the device has synced it. */
async function openTopic(page: Page): Promise<void> {
  await page.goto(TOPIC)
  await page.locator('.topic-title').getByText(TOPIC_TITLE).waitFor({ timeout: 20_000 })
  await page.locator('.comment-card').first().waitFor({ timeout: 20_000 })
}

/** Waits for popups and toasts to finish moving, so a screenshot shows them still. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'))
}

async function signIn(context: BrowserContext, phone: string): Promise<Page> {
  const page = await context.newPage()
  await page.goto('/login')
  await loginAs(page, phone)
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
  return page
}

/** The card of the comment this test writes; the list is virtualised, so it is brought into view first. */
function card(page: Page): Locator {
  return page.locator('.comment-card').filter({ hasText: TEXT })
}

async function scrollToEnd(page: Page): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight))
}

const STAT_KEYS = ['comments', 'accepted', 'resolved', 'resolvedWithinDeadline', 'comments-need'] as const

/** The branch's figures on 议事统计 as this phone has them (all months), read in a tab of its own. */
async function branchStats(page: Page): Promise<Record<(typeof STAT_KEYS)[number], number>> {
  const tab = await page.context().newPage()
  try {
    await tab.goto('/board/stats')
    await tab.locator('[data-stat="comments"]').waitFor()
    const entries = await Promise.all(
      STAT_KEYS.map(async (key) => [key, Number(await tab.locator(`[data-stat="${key}"]`).textContent())] as const),
    )
    return Object.fromEntries(entries) as Record<(typeof STAT_KEYS)[number], number>
  } finally {
    await tab.close()
  }
}

describe('a comment on behalf of a household, from an offline phone to 已办结', () => {
  let browser: Browser
  let memberContext: BrowserContext
  let secretaryContext: BrowserContext
  let member: Page
  let secretary: Page
  let photoDir: string
  let photoPath: string
  let statsBefore: Awaited<ReturnType<typeof branchStats>>

  beforeAll(async () => {
    photoDir = mkdtempSync(join(tmpdir(), 'board-topic-'))
    photoPath = join(photoDir, 'street-light.jpg')
    // A camera-sized photo with some detail, so compression has something to do.
    const { data, info } = await sharp({ create: { width: 2400, height: 1800, channels: 3, background: { r: 90, g: 140, b: 200 } } })
      .composite([
        {
          input: Buffer.from('<svg width="2400" height="1800"><circle cx="1200" cy="900" r="600" fill="#c8102e"/></svg>'),
          top: 0,
          left: 0,
        },
      ])
      .raw()
      .toBuffer({ resolveWithObject: true })
    await sharp(data, { raw: info }).jpeg({ quality: 92 }).toFile(photoPath)

    browser = await launchChromium()
    memberContext = await phoneContext(browser, baseUrl)
    secretaryContext = await phoneContext(browser, baseUrl)
  })
  afterAll(async () => {
    await browser?.close()
    rmSync(photoDir, { recursive: true, force: true })
  })

  it('shows the member the topic with its comments, counts and closing day', async () => {
    member = await signIn(memberContext, '13800000010')
    await openTopic(member)
    // The service worker must control the page, so it reloads with no network later.
    await member.evaluate(() => navigator.serviceWorker.ready)
    if (!(await member.evaluate(() => Boolean(navigator.serviceWorker.controller)))) await member.reload()
    await member.waitForFunction(() => Boolean(navigator.serviceWorker.controller))
    await member.locator('.comment-card').first().waitFor({ timeout: 20_000 })

    expect(await member.locator('.topic-branch').textContent()).toBe('合兴村党支部')
    expect(await member.locator('.topic-category').textContent()).toBe('民生服务')
    expect(await member.getByTestId('topic-closes').textContent()).toMatch(/^截止 \d+月\d+日$/)
    expect(await member.getByTestId('topic-counts').textContent()).toMatch(/留言 \d+ 条 · 已办结 \d+ 条/)
    // A member can't edit the topic.
    expect(await member.locator('.topic-edit').count()).toBe(0)
    // The seed's resolved comment shows its reply, the accepted one its deadline.
    const resolved = member.locator('.comment-card').filter({ hasText: '路面最好修到四米五' })
    expect(await resolved.locator('.comment-status').textContent()).toBe('已办结')
    expect(await resolved.textContent()).toContain('办理结果：已纳入设计方案')
    await settled(member)
    await screenshot(member, 'board-topic-120-member-topic')
  })

  it('the secretary has the topic open, with 修改 and the handling buttons', async () => {
    secretary = await signIn(secretaryContext, '13800000101')
    statsBefore = await branchStats(secretary)
    await openTopic(secretary)
    expect(await secretary.locator('.topic-edit').getAttribute('href')).toBe('/board/topics/t-hexing-road/edit')
    // The seed's accepted comment is past its deadline: 已超期, in red, and a filter for it.
    const overdue = secretary.locator('.comment-card').filter({ hasText: '路灯建议用太阳能的' })
    expect(await overdue.locator('.comment-status').textContent()).toBe('已超期')
    expect(await overdue.locator('.comment-status').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(200, 16, 46)')
    await secretary.locator('.topic-filter').filter({ hasText: '已超期' }).waitFor()
    await settled(secretary)
    await screenshot(secretary, 'board-topic-121-secretary-head')
    const pending = secretary.locator('.comment-card').filter({ hasText: '施工期间希望留一条能走电动车的便道' })
    await pending.scrollIntoViewIfNeeded()
    await pending.getByRole('button', { name: '受理' }).waitFor()
    // The secretary sees who the member wrote for.
    expect(await pending.locator('.comment-resident').textContent()).toBe('代 易福林户 留言')
    await settled(secretary)
    await screenshot(secretary, 'board-topic-122-secretary-comments')

    // 合并 asks for the comment to merge into and a reason, and for a confirmation (here declined: nothing changes).
    const advice = secretary.locator('.comment-card').filter({ hasText: '这边修路先铺碎石再浇混凝土' })
    await advice.getByRole('button', { name: '合并' }).click()
    const sheet = secretary.locator('.handle-popup')
    await sheet.getByRole('button', { name: '确认合并' }).click()
    await sheet.getByText('请选择合并到的留言').waitFor()
    await sheet.getByText('请写明原因（至少2个字）').waitFor()
    const targets = sheet.locator('.handle-target')
    expect(await targets.count()).toBeGreaterThan(0)
    expect(await sheet.locator('.handle-targets').textContent()).not.toContain('这边修路先铺碎石')
    await targets.filter({ hasText: '路面最好修到四米五' }).click()
    await sheet.locator('#handle-reason').fill('同属路面施工，一并办理')
    await settled(secretary)
    await screenshot(secretary, 'board-topic-137-merge-sheet')
    await sheet.getByRole('button', { name: '确认合并' }).click()
    const dialog = secretary.locator('.van-dialog')
    await dialog.getByText('确定把这条留言合并到所选留言一并办理吗？').waitFor()
    await dialog.getByRole('button', { name: '再想想' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await sheet.getByRole('button', { name: '取消' }).click()
    await sheet.waitFor({ state: 'hidden' })
    expect(await advice.locator('.comment-status').textContent()).toBe('待处理')
  })

  it('lets the member write a comment for a household with a photo while offline: 待发送, and still there after a reload', async () => {
    await memberContext.setOffline(true)
    await member.getByRole('button', { name: '写留言' }).click()
    const composer = member.locator('.composer')
    await composer.waitFor()
    // Nothing filled in: the form says what is missing, in Chinese.
    await composer.getByRole('button', { name: '发送留言' }).click()
    await composer.getByText('请填写内容').waitFor()
    await composer.getByText('请选择类别').waitFor()

    await composer.locator('textarea').fill(TEXT)
    expect(await composer.getByTestId('comment-count').textContent()).toContain(`已输入 ${TEXT.length}/500`)
    await composer.getByRole('radio', { name: '生活需求' }).click()
    await composer.getByTestId('household-picker').click()
    const sheet = member.locator('.van-action-sheet')
    await sheet.getByText('不代农户').waitFor()
    expect(await sheet.textContent()).toContain('合兴村二组43号')
    await settled(member)
    await screenshot(member, 'board-topic-123-household-picker')
    await sheet.getByText(`${RESIDENT}户`).click()
    await composer.getByTestId('household-picker').getByText(`${RESIDENT}户`).waitFor()
    await composer.locator('.composer-uploader input[type="file"]').setInputFiles(photoPath)
    await composer.locator('.van-uploader__preview').waitFor()
    expect(await composer.getByText('当前没有网络').count()).toBe(1)
    await settled(member)
    await screenshot(member, 'board-topic-124-composer-offline')

    await composer.getByRole('button', { name: '发送留言' }).click()
    await member.getByText('已保存，联网后自动发送').waitFor()
    const mine = card(member)
    await mine.waitFor()
    await mine.locator('.comment-pending').getByText('待发送').waitFor()
    expect(await mine.locator('.comment-resident').textContent()).toBe(`代 ${RESIDENT}户 留言`)
    expect(await mine.locator('.comment-category').textContent()).toBe('生活需求')
    expect(await mine.locator('.comment-status').textContent()).toBe('待处理')
    // The photo shows from the phone's own copy, waiting to be sent.
    await mine.getByTestId('photo-uploading').getByText('上传中 0%').waitFor()
    expect(await mine.locator('.photo-img').evaluate((img: HTMLImageElement) => img.src.startsWith('blob:'))).toBe(true)
    // The form is empty again for the next household.
    await member.getByRole('button', { name: '写留言' }).click()
    expect(await member.locator('.composer textarea').inputValue()).toBe('')
    expect(await member.locator('.composer .van-uploader__preview').count()).toBe(0)
    await member.locator('.composer').getByRole('button', { name: '取消' }).click()
    await settled(member)
    await screenshot(member, 'board-topic-125-pending-comment')

    await member.reload()
    await card(member).waitFor({ timeout: 20_000 })
    await card(member).scrollIntoViewIfNeeded()
    await card(member).locator('.comment-pending').getByText('待发送').waitFor()
    expect(await card(member).locator('.comment-resident').textContent()).toBe(`代 ${RESIDENT}户 留言`)
    await card(member).locator('.photo-img').waitFor()
    await settled(member)
    await screenshot(member, 'board-topic-126-pending-after-reload')
  })

  it('sends it once the phone is back online, and the secretary sees it appear with the resident, no reload', async () => {
    await memberContext.setOffline(false)
    await card(member).locator('.comment-pending').waitFor({ state: 'detached', timeout: 20_000 })
    await card(member).getByTestId('photo-uploading').waitFor({ state: 'detached', timeout: 20_000 })

    await expect
      .poll(
        async () => {
          await scrollToEnd(secretary)
          return card(secretary).count()
        },
        { timeout: 20_000 },
      )
      .toBe(1)
    const seen = card(secretary)
    await seen.scrollIntoViewIfNeeded()
    expect(await seen.locator('.comment-resident').textContent()).toBe(`代 ${RESIDENT}户 留言`)
    expect(await seen.locator('.comment-author').textContent()).toBe('许光荣')
    expect(await seen.locator('.comment-status').textContent()).toBe('待处理')
  })

  it('the secretary accepts it with a 3-day deadline, then resolves it with a reply', async () => {
    const seen = card(secretary)
    await seen.getByRole('button', { name: '受理' }).click()
    const sheet = secretary.locator('.handle-popup')
    await sheet.getByText('限时 ').waitFor()
    expect(await sheet.getByTestId('accept-deadline').textContent()).toBe(`限时 ${shanghaiMonthDay(deadlineAfter(new Date(), 7))}前办结`)
    for (let i = 0; i < 4; i++) await sheet.locator('.van-stepper__minus').click()
    expect(await sheet.locator('.van-stepper__input').inputValue()).toBe('3')
    const due = shanghaiMonthDay(deadlineAfter(new Date(), 3))
    expect(await sheet.getByTestId('accept-deadline').textContent()).toBe(`限时 ${due}前办结`)
    expect(await sheet.textContent()).toContain('本人（')
    await settled(secretary)
    await screenshot(secretary, 'board-topic-127-accept-sheet')
    await sheet.getByRole('button', { name: '确认受理' }).click()
    await sheet.waitFor({ state: 'hidden' })
    await expect.poll(() => seen.locator('.comment-status').textContent()).toBe('已受理')
    expect(await seen.locator('.comment-outcome').textContent()).toContain(`限时 ${due}前办结`)
    // Confirmed by the server.
    await seen.locator('.comment-pending').waitFor({ state: 'detached', timeout: 20_000 })
    await settled(secretary)
    await screenshot(secretary, 'board-topic-128-accepted')

    await seen.getByRole('button', { name: '办结' }).click()
    await sheet.getByRole('button', { name: '确认办结' }).click()
    await sheet.getByText('请填写办理结果（至少2个字）').waitFor()
    await sheet.locator('textarea').fill(REPLY)
    await settled(secretary)
    await screenshot(secretary, 'board-topic-129-resolve-sheet')
    await sheet.getByRole('button', { name: '确认办结' }).click()
    await sheet.waitFor({ state: 'hidden' })
    await expect.poll(() => seen.locator('.comment-status').textContent()).toBe('已办结')
    await seen.locator('.comment-pending').waitFor({ state: 'detached', timeout: 20_000 })
    expect(await seen.locator('.comment-reply').textContent()).toBe(REPLY)
    expect(await seen.getByRole('button', { name: '办结' }).count()).toBe(0)
    // The photo the member sent reaches the secretary from the server.
    await expect
      .poll(
        async () =>
          (await seen.locator('.photo-img').count()) &&
          seen.locator('.photo-img').evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0)),
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0)
    expect(await seen.locator('.photo-img').getAttribute('src')).toMatch(/^\/api\/photos\/p-/)
    await settled(secretary)
    await screenshot(secretary, 'board-topic-130-resolved-secretary')

    // 议事统计 counts it: one more 生活需求 comment, accepted, resolved, and within its 3-day deadline.
    const after = await branchStats(secretary)
    expect(after).toEqual({
      comments: statsBefore.comments + 1,
      accepted: statsBefore.accepted + 1,
      resolved: statsBefore.resolved + 1,
      resolvedWithinDeadline: statsBefore.resolvedWithinDeadline + 1,
      'comments-need': statsBefore['comments-need'] + 1,
    })
  })

  it('the member sees 已办结 and the reply without reloading, and the photo is on the server', async () => {
    const mine = card(member)
    await expect.poll(() => mine.locator('.comment-status').textContent(), { timeout: 20_000 }).toBe('已办结')
    expect(await mine.locator('.comment-reply').textContent()).toBe(REPLY)
    expect(await mine.getByRole('button', { name: '修改' }).count()).toBe(0)
    expect(await mine.getByRole('button', { name: '删除' }).count()).toBe(0)
    const photoId = await mine.locator('[data-photo-id]').getAttribute('data-photo-id')
    expect(photoId).toMatch(/^p-/)
    expect(await mine.locator('.photo-img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0)
    const served = await member.evaluate(async (id) => {
      const response = await fetch(`/api/photos/${id}`, { cache: 'no-store' })
      const bitmap = await createImageBitmap(await response.blob())
      return { status: response.status, type: response.headers.get('content-type'), width: bitmap.width }
    }, photoId!)
    expect(served.status).toBe(200)
    expect(served.type).toBe('image/jpeg')
    // Compressed on the phone to at most 1600 px on the long side.
    expect(served.width).toBe(1600)
    await mine.scrollIntoViewIfNeeded()
    await settled(member)
    await screenshot(member, 'board-topic-131-resolved-member')

    // Tapping the photo opens it full screen.
    await mine.locator('.photo-cell').click()
    await member.locator('.van-image-preview').waitFor()
    await settled(member)
    await screenshot(member, 'board-topic-132-photo-preview')
    await member.locator('.van-image-preview__close-icon').click()
    await member.locator('.van-image-preview').waitFor({ state: 'hidden' })
  })

  it('shows another member of the branch the comment without the resident’s name, and lets them like it', async () => {
    const otherContext = await phoneContext(browser, baseUrl)
    const other = await signIn(otherContext, '13800000009')
    await openTopic(other)
    await expect
      .poll(
        async () => {
          await scrollToEnd(other)
          return card(other).count()
        },
        { timeout: 20_000 },
      )
      .toBe(1)
    const seen = card(other)
    await seen.scrollIntoViewIfNeeded()
    expect(await seen.locator('.comment-status').textContent()).toBe('已办结')
    expect(await seen.locator('.comment-resident').count()).toBe(0)
    expect(await seen.textContent()).not.toContain(RESIDENT)
    expect(await seen.locator('.comment-reply').textContent()).toBe(REPLY)
    // No handling for a member.
    expect(await other.getByRole('button', { name: '受理' }).count()).toBe(0)

    await seen.getByRole('button', { name: /点赞/ }).click()
    await seen.getByRole('button', { name: /已赞/ }).waitFor()
    expect(await seen.locator('.comment-like-count').textContent()).toBe('1')
    await settled(other)
    await screenshot(other, 'board-topic-133-other-member')

    // The like reaches the author's phone.
    await expect.poll(() => card(member).locator('.comment-like-count').textContent(), { timeout: 20_000 }).toBe('1')
    await otherContext.close()
  })

  it('lets the author change and delete a comment while it is 待处理, after a confirmation', async () => {
    const draft = `临时测试留言，稍后修改（${TAG}）`
    const changed = `修改后的留言：希望便道铺些碎石（${TAG}）`
    await member.getByRole('button', { name: '写留言' }).click()
    const composer = member.locator('.composer').first()
    await composer.locator('textarea').fill(draft)
    await composer.getByRole('radio', { name: '其他' }).click()
    await composer.getByRole('button', { name: '发送留言' }).click()
    await member.getByText('已发送').waitFor()
    const row = member.locator('.comment-card').filter({ hasText: draft })
    await row.waitFor()
    await row.locator('.comment-pending').waitFor({ state: 'detached', timeout: 20_000 })

    await row.getByRole('button', { name: '修改' }).click()
    const editor = member.locator('.composer').filter({ hasText: '修改留言' })
    await editor.waitFor()
    expect(await editor.locator('textarea').inputValue()).toBe(draft)
    await editor.locator('textarea').fill(changed)
    await settled(member)
    await screenshot(member, 'board-topic-134-edit')
    await editor.getByRole('button', { name: '保存修改' }).click()
    const edited = member.locator('.comment-card').filter({ hasText: changed })
    await edited.waitFor()
    await edited.locator('.comment-pending').waitFor({ state: 'detached', timeout: 20_000 })

    await edited.getByRole('button', { name: '删除' }).click()
    const dialog = member.locator('.van-dialog')
    await dialog.getByText('确定删除这条留言吗？删除后不能恢复。').waitFor()
    await settled(member)
    await screenshot(member, 'board-topic-135-delete-confirm')
    await dialog.getByRole('button', { name: '取消' }).click()
    expect(await edited.count()).toBe(1)
    await edited.getByRole('button', { name: '删除' }).click()
    await dialog.getByRole('button', { name: '删除' }).click()
    await edited.waitFor({ state: 'detached' })
    await member.getByText('已删除').waitFor()
  })

  it('scrolls to the comment named in ?comment=, and says so plainly when a topic is not on the phone', async () => {
    await member.goto(`${TOPIC}?comment=c-hexing-road-1`)
    const target = member.locator('[data-comment-id="c-hexing-road-1"]')
    await target.waitFor({ timeout: 20_000 })
    await expect.poll(() => target.evaluate((el) => el.classList.contains('comment-card--highlight'))).toBe(true)
    await member.goto('/board/topics/t-no-such-topic')
    await member.getByText('话题不存在或未同步').waitFor()
    await screenshot(member, 'board-topic-136-not-found')
  })
})
