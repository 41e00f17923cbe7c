import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchChromium, loginAs, phoneContext, screenshot } from './browser'

const baseUrl = inject('baseUrl')
const TITLE = '冬季用火用电安全要点'

describe('the town committee publishes and withdraws a 学习智库 article', () => {
  let browser: Browser
  let admin: Page
  let memberContext: BrowserContext
  let member: Page
  let materialId = ''

  beforeAll(async () => {
    browser = await launchChromium()
    admin = await (await phoneContext(browser, baseUrl)).newPage()
    memberContext = await phoneContext(browser, baseUrl)
    member = await memberContext.newPage()
  })
  afterAll(async () => {
    await browser?.close()
  })

  it('the admin writes an article, is told what is missing, previews it and publishes it', async () => {
    await admin.goto('/login')
    await loginAs(admin, '13800000901')
    await admin.locator('.van-tabbar').getByText('我的').click()
    await admin.getByText('内容管理', { exact: true }).click()
    await admin.locator('.content-item').first().waitFor()
    expect(await admin.locator('.van-tab--active').textContent()).toContain('学习资料')
    await screenshot(admin, '80-content-admin-list')

    await admin.locator('.content-new').filter({ visible: true }).click()
    await admin.locator('.van-nav-bar__title').getByText('新建学习资料').waitFor()
    await admin.getByRole('button', { name: '发布' }).click()
    await admin.getByText('请填写标题（至少2个字）').waitFor()
    await admin.getByText('文章正文至少10个字').waitFor()
    await admin.waitForFunction(() => document.getAnimations().length === 0)
    await screenshot(admin, '81-content-material-invalid')

    await admin.locator('.van-radio').filter({ hasText: '安全与健康' }).click()
    await admin.getByPlaceholder('2 到 80 个字').fill(TITLE)
    await admin.getByPlaceholder('一两句话说明讲什么（可不填）').fill('天冷取暖，记住这几条，家里老人孩子都安全。')
    await admin
      .getByPlaceholder(/支持 Markdown/)
      .fill('## 取暖要当心\n\n取暖器离被褥、窗帘远一点，**出门前关电源**。\n\n- 不用湿手碰插头\n- 电线老化及时换')
    // The messages go as soon as the fields are right.
    await expect.poll(() => admin.getByText('请填写标题（至少2个字）').count()).toBe(0)
    expect(await admin.getByText('文章正文至少10个字').count()).toBe(0)
    await admin.getByRole('tab', { name: '预览' }).click()
    const preview = admin.getByTestId('material-preview')
    expect(await preview.locator('h2').textContent()).toBe('取暖要当心')
    expect(await preview.locator('strong').textContent()).toBe('出门前关电源')
    expect(await preview.locator('li').count()).toBe(2)

    await admin.getByRole('button', { name: '发布' }).click()
    const cell = admin.locator('.content-item').filter({ hasText: TITLE })
    await cell.waitFor()
    materialId = (await cell.getAttribute('data-material')) ?? ''
    expect(materialId).toMatch(/^m-[a-z0-9]{8}$/)
    expect(await cell.textContent()).toContain('学习智库 · 安全与健康')
    // 待同步 until the server has it; then the list is read again from the server.
    await cell.locator('.content-pending').waitFor({ state: 'detached', timeout: 20_000 })
  })

  it('a member’s device gets it at its next sync, in 学习智库, and can open it', async () => {
    await member.goto('/login')
    await loginAs(member, '13800000001')
    await member.locator('.van-tabbar').getByText('学习').click()
    await member.locator('.van-tab').getByText('学习智库').click()
    const cell = member.locator(`.study-library [data-material="${materialId}"]`)
    await cell.waitFor({ timeout: 20_000 })
    await cell.click()
    expect(await member.locator('.reader-title').textContent()).toBe(TITLE)
    expect(await member.locator('.reader-text h2').textContent()).toBe('取暖要当心')
    await member.locator('.van-nav-bar__left').click()
    await member.locator('.van-tab').getByText('学习智库').click()
    await cell.waitFor()
  })

  it('the admin withdraws it after a confirmation; the member’s device drops it at its next sync', async () => {
    // The member's phone is offline meanwhile: it keeps the article until it syncs again.
    await memberContext.setOffline(true)

    const cell = admin.locator(`.content-item[data-material="${materialId}"]`)
    await cell.getByRole('button', { name: '撤下' }).click()
    const dialog = admin.locator('.content-withdraw-dialog')
    await dialog.waitFor()
    await admin.waitForFunction(() => document.getAnimations().length === 0)
    expect(await dialog.textContent()).toContain(`《${TITLE}》`)
    expect(await dialog.textContent()).toContain('党员的手机会在下次同步时删除这份资料')
    await screenshot(admin, '82-content-withdraw-confirm')
    await dialog.getByRole('button', { name: '确定撤下' }).click()
    const withdrawn = admin.locator(`.content-withdrawn [data-material="${materialId}"]`)
    await withdrawn.waitFor()
    expect(await admin.locator(`.content-withdrawn [data-material="${materialId}"] .van-button`).textContent()).toContain('重新发布')
    await withdrawn.locator('.content-pending').waitFor({ state: 'detached', timeout: 20_000 })
    expect(await admin.locator(`.content-item:not(.content-withdrawn *)[data-material="${materialId}"]`).count()).toBe(0)

    await member.locator(`.study-library [data-material="${materialId}"]`).waitFor()
    await memberContext.setOffline(false)
    await member.locator(`.study-library [data-material="${materialId}"]`).waitFor({ state: 'detached', timeout: 20_000 })
    expect(await member.locator('.study-library .material-cell').count()).toBeGreaterThan(0)
  })

  it('the admin adds a multiple-choice question to the bank and sets an exam with it', async () => {
    await admin.locator('.van-tab').getByText('题库').click()
    await admin.locator('.content-new').filter({ visible: true }).click()
    await admin.locator('.van-nav-bar__title').getByText('新建题目').waitFor()
    await admin.getByRole('button', { name: '保存到题库' }).click()
    await admin.getByText('请填写题干').waitFor()
    await admin.getByText('请点选项前的字母，标出正确答案').waitFor()

    await admin.locator('.van-radio').filter({ hasText: '多选' }).click()
    await admin.locator('.van-radio').filter({ hasText: '安全与健康' }).click()
    await admin.getByPlaceholder('如：党员应当按期缴纳什么？').fill('冬天在家取暖，下面哪些做法是安全的？')
    const options = ['取暖器远离被褥窗帘', '把湿衣服搭在取暖器上烘干', '出门前关掉取暖器电源', '电线老化了继续凑合用']
    for (const [i, text] of options.entries()) await admin.getByPlaceholder(`选项 ${String.fromCharCode(65 + i)}`).fill(text)
    await admin.getByRole('button', { name: '添加选项（最多 6 个）' }).click()
    await admin.getByPlaceholder('选项 E').waitFor()
    await admin.getByRole('button', { name: '删除选项 E' }).click()
    expect(await admin.getByPlaceholder('选项 E').count()).toBe(0)
    await admin.getByRole('button', { name: 'A 设为正确答案' }).click()
    await admin.getByRole('button', { name: 'C 设为正确答案' }).click()
    expect(await admin.locator('.edit-answer strong').textContent()).toBe('A、C')
    await admin
      .getByPlaceholder('说明为什么这样答，党员答完题后能看到')
      .fill('取暖器要远离易燃物，人走断电；湿衣服烘烤和老化电线都容易起火。')
    await admin.evaluate(() => window.scrollTo(0, 0))
    await screenshot(admin, '83-content-question-form')
    await admin.getByRole('button', { name: '保存到题库' }).click()
    const questionCell = admin.locator('.content-item').filter({ hasText: '冬天在家取暖，下面哪些做法是安全的？' })
    await questionCell.waitFor()
    const questionId = (await questionCell.getAttribute('data-question')) ?? ''
    expect(questionId).toMatch(/^q-[a-z0-9]{8}$/)
    await questionCell.locator('.content-pending').waitFor({ state: 'detached', timeout: 20_000 })

    await admin.locator('.van-tab').getByText('专题考试').click()
    await admin.locator('.content-new').filter({ visible: true }).click()
    await admin.locator('.van-nav-bar__title').getByText('新建专题考试').waitFor()
    await admin.getByPlaceholder('如：党章党规知识测试').fill('冬季安全知识小测')
    await admin.locator('.edit-filters .van-tag').filter({ hasText: '安全与健康' }).click()
    await admin.locator(`.edit-bank-item[data-question="${questionId}"]`).click()
    await admin
      .locator('.edit-bank-item')
      .filter({ hasNot: admin.locator(`[data-question="${questionId}"]`) })
      .nth(1)
      .click()
    expect(await admin.getByTestId('exam-count').textContent()).toBe('已选 2 题')
    await screenshot(admin, '84-content-exam-form')
    await admin.getByRole('button', { name: '发布考试' }).click()
    const examCell = admin.locator('.content-item').filter({ hasText: '冬季安全知识小测' })
    await examCell.waitFor()
    expect(await examCell.textContent()).toMatch(/2 题 · 60 分及格/)
    await examCell.locator('.content-pending').waitFor({ state: 'detached', timeout: 20_000 })
    expect(await examCell.textContent()).toContain('进行中')
    await screenshot(admin, '85-content-exams')
  })
})
