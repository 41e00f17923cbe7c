import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import QRCode from 'qrcode'
import { launchChromium, loginAs, phoneContext, screenshot } from './browser'

const baseUrl = inject('baseUrl')
const MEMBER_ID = 'u-2vdqevmh7a2b'
const TITLE = `扫码签到演练 ${Date.now().toString(36)}`
const BACKFILLED = `补录支部党员大会 ${Date.now().toString(36)}`

/** The date and time in Beijing `minutes` from now, as the form's pickers take them. */
function beijing(minutes: number): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(Date.now() + minutes * 60_000))
      .map((p) => [p.type, p.value]),
  )
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` }
}

/** A picture of a QR code, as a member would pick from the photo album. */
async function qrPicture(text: string) {
  return { name: 'checkin.png', mimeType: 'image/png', buffer: await QRCode.toBuffer(text, { type: 'png', width: 480, margin: 4 }) }
}

describe('checking in to a meeting with no signal on either phone', () => {
  let browser: Browser
  let secretaryContext: BrowserContext
  let memberContext: BrowserContext
  let secretary: Page
  let member: Page
  let token = ''
  beforeAll(async () => {
    browser = await launchChromium()
    secretaryContext = await phoneContext(browser, baseUrl)
    memberContext = await phoneContext(browser, baseUrl)
    secretary = await secretaryContext.newPage()
    member = await memberContext.newPage()
  })
  afterAll(async () => {
    await browser?.close()
  })

  it('lets the secretary schedule a meeting starting in a few minutes, and not one in the past', async () => {
    await secretary.goto('/login')
    await loginAs(secretary, '13800000101')
    await secretary.locator('.van-tabbar').getByText('会议').click()
    await secretary.getByRole('button', { name: '安排会议' }).click()
    await secretary.getByPlaceholder('如：村委会会议室').fill('合兴村村委会会议室')
    const past = beijing(-60)
    await secretary.getByLabel('会议日期').fill(past.date)
    await secretary.getByLabel('开始时间').fill(past.time)
    await secretary.getByLabel('结束时间').fill(beijing(-30).time)
    await secretary.getByRole('button', { name: '发布会议安排' }).click()
    await secretary.getByText('请填写会议名称（至少2个字）').waitFor()
    await secretary.getByText('会议开始时间须晚于现在；不能事后补建会议').waitFor()
    await screenshot(secretary, '90-meeting-form-errors')

    const start = beijing(3)
    const end = beijing(63)
    await secretary.getByPlaceholder('如：三月支部党员大会').fill(TITLE)
    await secretary.getByLabel('会议日期').fill(start.date)
    await secretary.getByLabel('开始时间').fill(start.time)
    // A meeting that would run past midnight ends at 23:59 instead.
    await secretary.getByLabel('结束时间').fill(end.date === start.date ? end.time : '23:59')
    expect(await secretary.getByText('请填写会议名称（至少2个字）').count()).toBe(0)
    await secretary.getByRole('button', { name: '发布会议安排' }).click()
    await secretary.locator('.detail-title').getByText(TITLE).waitFor()
    // Synced: the row came back from the server with the check-in key.
    await secretary.locator('.detail-tags').getByText('待同步').waitFor({ state: 'detached', timeout: 20_000 })
  })

  it('shows the member the meeting in 会议 with their status', async () => {
    await member.goto('/login')
    await loginAs(member, '13800000005')
    await member.locator('.van-tabbar').getByText('会议').click()
    const card = member.locator('.meeting-card').filter({ hasText: TITLE })
    await card.waitFor({ timeout: 20_000 })
    expect(await card.locator('.meeting-my-status').textContent()).toBe('未签到')
    await screenshot(member, '91-meetings-list')
  })

  it('shows the secretary a changing QR code that the member checks in with while both are offline', async () => {
    await secretary.getByText('签到码', { exact: true }).click()
    const qr = secretary.getByTestId('checkin-qr')
    await secretary.locator('.code-image[src^="data:image/png"]').waitFor()
    token = (await qr.getAttribute('data-token')) ?? ''
    expect(token).toMatch(/^DJY1\.mt-[\w-]+\.\d+\.[\w-]{22}$/)
    await screenshot(secretary, '92-checkin-code')

    await Promise.all([secretary.evaluate(() => navigator.serviceWorker.ready), member.evaluate(() => navigator.serviceWorker.ready)])
    await secretaryContext.setOffline(true)
    await memberContext.setOffline(true)
    // The code keeps working with no network: it is made from the key on the phone.
    await secretary.getByText(/秒后自动更换/).waitFor()
    await secretary.getByText('当前没有网络也能签到，联网后自动同步。').waitFor()

    await member.getByRole('button', { name: '扫码签到' }).click()
    // No camera in this browser: the page says so and offers the picture instead.
    await member.locator('.scan-error, .scan-frame').first().waitFor()
    await screenshot(member, '93-scan-camera')
    const album = member.getByTestId('scan-file')
    // Something that is not a check-in code is refused on the phone, and nothing is queued.
    await album.setInputFiles(await qrPicture('https://example.com/not-a-checkin-code'))
    expect(await member.getByTestId('scan-message').textContent()).toBe('这不是本系统的签到码')
    expect(await member.locator('.van-tabbar .van-badge').count()).toBe(0)

    await album.setInputFiles(await qrPicture(token))
    await member.getByText('已签到（待同步）').waitFor()
    await member.getByText('签到已保存在本机，联网后自动发送，由服务器确认。').waitFor()
    expect(await member.getByTestId('scan-result').textContent()).toContain(TITLE)
    await screenshot(member, '94-scan-offline')
  })

  it('counts the member on time once both phones are back online, with no reload', async () => {
    await memberContext.setOffline(false)
    await secretaryContext.setOffline(false)
    await member.getByText('签到成功').waitFor({ timeout: 20_000 })
    await member.getByText('已记为按时参会').waitFor()

    await expect.poll(() => secretary.getByTestId('checked-in-count').textContent(), { timeout: 20_000 }).toBe('1')
    await secretary.getByText('查看名单').click()
    const row = secretary.locator(`[data-attendee="${MEMBER_ID}"]`)
    await expect.poll(() => row.locator('.attendee-outcome').textContent(), { timeout: 20_000 }).toBe('按时')
    expect(await secretary.locator('[data-group="onsite"]').textContent()).toContain('孙长林')
    expect(await secretary.getByTestId('quorum').textContent()).toMatch(/1 \/ 11 到会，需过半 6 人/)
    await row.scrollIntoViewIfNeeded()
    await screenshot(secretary, '95-meeting-detail-secretary')

    await member.getByRole('button', { name: '查看会议' }).click()
    expect(await member.getByTestId('my-status').textContent()).toBe('已签到')
    await screenshot(member, '96-meeting-detail-member')
  })

  it('lets the admin record a meeting already under way only with a reason', async () => {
    const admin = await (await phoneContext(browser, baseUrl)).newPage()
    await admin.goto('/login')
    await loginAs(admin, '13800000901')
    await admin.locator('.van-tabbar').getByText('会议').click()
    await admin.getByRole('button', { name: '安排会议' }).click()
    // The branches come with the first sync.
    await admin.locator('.meeting-edit').getByText('合兴村党支部').click({ timeout: 30_000 })
    await admin.getByPlaceholder('如：三月支部党员大会').fill(BACKFILLED)
    // A party-group meeting of two: closing it must not touch the points other e2e files count on.
    await admin.locator('.meeting-edit').getByText('党小组成员').click()
    await admin.getByLabel('参会人员').getByText('孙长林').click()
    await admin.getByLabel('参会人员').getByText('郑永福').click()
    await admin.getByPlaceholder('如：村委会会议室').fill('合兴村党群服务中心')
    // Two minutes ago, but never on yesterday's date: just after midnight in Beijing the form's one date
    // would hold a meeting that ended before it began (a failure seen at 00:01).
    const today = beijing(0)
    const twoMinutesAgo = beijing(-2)
    const start = twoMinutesAgo.date === today.date ? twoMinutesAgo : { date: today.date, time: '00:00' }
    const end = beijing(60)
    await admin.getByLabel('会议日期').fill(start.date)
    await admin.getByLabel('开始时间').fill(start.time)
    await admin.getByLabel('结束时间').fill(end.date === start.date ? end.time : '23:59')
    await admin.getByRole('button', { name: '发布会议安排' }).click()
    await admin.getByText('补录已开过的会议须写明原因').waitFor()
    await admin.getByPlaceholder('开始时间已过，只有写明原因才能补录').fill('停电导致系统未能提前发布')
    await admin.getByRole('button', { name: '发布会议安排' }).click()
    await admin.locator('.detail-title').getByText(BACKFILLED).waitFor()
    await admin.getByText('补录原因：停电导致系统未能提前发布').waitFor()
    await admin.locator('.detail-tags').getByText('待同步').waitFor({ state: 'detached', timeout: 20_000 })
  })

  it('lets the secretary sign for a member by proxy, close the meeting with minutes, and see it in the rates', async () => {
    // The secretary's phone gets it by the server's poke.
    await secretary.goto('/meetings')
    await secretary.locator('.meeting-card').filter({ hasText: BACKFILLED }).click({ timeout: 20_000 })
    await secretary.getByText('代签', { exact: true }).click()
    await secretary.getByRole('button', { name: '代签' }).click()
    await secretary.getByText('请选择要代签的党员').waitFor()
    await secretary.locator('.proxy-person').getByText('郑永福').click()
    await secretary.getByRole('button', { name: '为郑永福代签' }).click()
    await secretary.getByText('请写明代签原因（至少2个字）').waitFor()
    await secretary.getByPlaceholder('必填，如：老党员没有智能手机，本人到会').fill('老党员没有智能手机，本人到会')
    await screenshot(secretary, '89-meeting-proxy-form')
    await secretary.getByRole('button', { name: '为郑永福代签' }).click()
    await secretary.getByRole('button', { name: '确认代签' }).click()
    await secretary.locator('[data-group="proxy"] [data-attendee="u-2473sdhsfeka"]').waitFor()
    await expect.poll(() => secretary.locator('[data-group="proxy"] .attendee-outcome').textContent(), { timeout: 20_000 }).toBe('代签')

    await secretary.getByText('记录并结束').click()
    const summary = secretary.getByTestId('close-summary')
    expect(await summary.textContent()).toContain('1 人参会，0 人请假，1 人将记为缺席')
    await secretary.getByRole('button', { name: '保存记录并结束会议' }).click()
    await secretary.getByText('会议记录至少10个字').waitFor()
    await secretary
      .getByPlaceholder('会议议程、讨论情况、形成的决定等（至少10个字）')
      .fill('一、传达学习上级文件精神。\n二、讨论村道修缮方案，形成一致意见。')
    await screenshot(secretary, '97-meeting-close')
    await secretary.getByRole('button', { name: '保存记录并结束会议' }).click()
    await secretary.getByRole('button', { name: '确定结束' }).click()
    await secretary.getByText('讨论村道修缮方案，形成一致意见。').waitFor()
    await expect
      .poll(() => secretary.locator('[data-attendee="u-2473sdhsfeka"] .attendee-outcome').textContent(), { timeout: 20_000 })
      .toBe('按时参会')
    expect(await secretary.locator('[data-attendee="u-2vdqevmh7a2b"] .attendee-outcome').textContent()).toBe('缺席')
    await secretary.locator('.detail-tags').getByText('已结束').waitFor()
    await secretary.locator('.detail-tags').getByText('待同步').waitFor({ state: 'detached', timeout: 20_000 })
    expect(await secretary.locator('.detail-tags').textContent()).not.toContain('进行中')
    await screenshot(secretary, '98-meeting-closed')

    await secretary.getByText('查看参会率').click()
    const row = secretary.locator('.rates-item').filter({ hasText: BACKFILLED })
    await row.waitFor()
    expect(await row.locator('.rates-item-value').textContent()).toBe('50%')
    await screenshot(secretary, '99-attendance-rates')
  })
})
