import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useSessionStore } from './stores/session'
import type { Role } from '../domain/users'

declare module 'vue-router' {
  interface RouteMeta {
    title: string
    /** Shown with the tab bar; every tab page needs a signed-in user. */
    tab?: boolean
    public?: boolean
    /** Only these roles may open the page. */
    roles?: Role[]
  }
}

const MANAGERS: Role[] = ['secretary', 'admin']

/** Where a secretary's 总览 is (their branch's page); null for the admin, who sees every branch. */
function ownOverview(): string | null {
  const me = useSessionStore().me
  return me?.user.role === 'secretary' && me.branch ? `/overview/branches/${encodeURIComponent(me.branch.id)}` : null
}

export const routes: RouteRecordRaw[] = [
  { path: '/login', component: () => import('./views/login/LoginPage.vue'), meta: { title: '登录', public: true } },
  { path: '/activate', component: () => import('./views/accounts/ActivatePage.vue'), meta: { title: '激活账号', public: true } },
  { path: '/me/password', component: () => import('./views/accounts/PasswordPage.vue'), meta: { title: '修改密码' } },
  { path: '/accounts/slip', component: () => import('./views/accounts/SlipPage.vue'), meta: { title: '打印激活单', roles: MANAGERS } },
  { path: '/', component: () => import('./views/home/HomePage.vue'), meta: { title: '首页', tab: true } },
  { path: '/study', component: () => import('./views/study/StudyPage.vue'), meta: { title: '学习', tab: true } },
  { path: '/meetings', component: () => import('./views/meetings/MeetingsPage.vue'), meta: { title: '会议', tab: true } },
  { path: '/board', component: () => import('./views/board/BoardPage.vue'), meta: { title: '朋友圈', tab: true } },
  { path: '/me', component: () => import('./views/profile/ProfilePage.vue'), meta: { title: '我的', tab: true } },
  {
    path: '/meetings/new',
    component: () => import('./views/meetings/MeetingEditPage.vue'),
    meta: { title: '安排会议', roles: ['secretary', 'admin'] },
  },
  { path: '/meetings/rates', component: () => import('./views/meetings/AttendanceRatesPage.vue'), meta: { title: '参会率' } },
  { path: '/meetings/scan', component: () => import('./views/meetings/ScanPage.vue'), meta: { title: '扫码签到' } },
  { path: '/meetings/:id', component: () => import('./views/meetings/MeetingDetailPage.vue'), meta: { title: '会议' } },
  {
    path: '/meetings/:id/edit',
    component: () => import('./views/meetings/MeetingEditPage.vue'),
    meta: { title: '修改会议', roles: ['secretary', 'admin'] },
  },
  {
    path: '/meetings/:id/code',
    component: () => import('./views/meetings/CheckinCodePage.vue'),
    meta: { title: '签到码', roles: ['secretary', 'admin'] },
  },
  {
    path: '/meetings/:id/close',
    component: () => import('./views/meetings/MeetingClosePage.vue'),
    meta: { title: '会议记录', roles: ['secretary', 'admin'] },
  },
  { path: '/meetings/:id/room', component: () => import('./views/meetings/RemoteRoomPage.vue'), meta: { title: '远程会场' } },
  { path: '/me/passkeys', component: () => import('./views/profile/PasskeysPage.vue'), meta: { title: '指纹/面容登记' } },
  { path: '/study/:id', component: () => import('./views/study/StudyReaderPage.vue'), meta: { title: '学习' } },
  { path: '/points', component: () => import('./views/points/PointsPage.vue'), meta: { title: '积分明细' } },
  { path: '/points/ranking', component: () => import('./views/points/RankingPage.vue'), meta: { title: '排行榜' } },
  { path: '/quiz', component: () => import('./views/quiz/QuizHubPage.vue'), meta: { title: '答题考试' } },
  { path: '/quiz/daily', component: () => import('./views/quiz/DailyQuizPage.vue'), meta: { title: '每日答题' } },
  { path: '/quiz/weekly', component: () => import('./views/quiz/WeeklyQuizPage.vue'), meta: { title: '每周一答' } },
  { path: '/quiz/exam/:examId', component: () => import('./views/quiz/ExamPage.vue'), meta: { title: '专题考试' } },
  { path: '/points/rules', component: () => import('./views/points/RulesPage.vue'), meta: { title: '积分规则' } },
  { path: '/honor', component: () => import('./views/honor/HonorPage.vue'), meta: { title: '红黄榜' } },
  { path: '/admin/content', component: () => import('./views/admin/ContentAdminPage.vue'), meta: { title: '内容管理', roles: ['admin'] } },
  {
    path: '/admin/materials/:id',
    component: () => import('./views/admin/MaterialEditPage.vue'),
    meta: { title: '编辑学习资料', roles: ['admin'] },
  },
  {
    path: '/admin/questions/:id',
    component: () => import('./views/admin/QuestionEditPage.vue'),
    meta: { title: '编辑题目', roles: ['admin'] },
  },
  {
    path: '/admin/exams/:id',
    component: () => import('./views/admin/ExamEditPage.vue'),
    meta: { title: '编辑专题考试', roles: ['admin'] },
  },
  {
    path: '/board/topics/new',
    component: () => import('./views/board/TopicEditPage.vue'),
    meta: { title: '发布话题', roles: ['secretary', 'admin'] },
  },
  { path: '/board/topics/:id', component: () => import('./views/board/TopicPage.vue'), meta: { title: '话题' } },
  {
    path: '/board/topics/:id/edit',
    component: () => import('./views/board/TopicEditPage.vue'),
    meta: { title: '修改话题', roles: ['secretary', 'admin'] },
  },
  {
    path: '/board/todo',
    component: () => import('./views/board/BoardTodoPage.vue'),
    meta: { title: '待办留言', roles: ['secretary', 'admin'] },
  },
  { path: '/board/stats', component: () => import('./views/board/BoardStatsPage.vue'), meta: { title: '议事统计' } },
  { path: '/notices', component: () => import('./views/board/NoticesPage.vue'), meta: { title: '消息通知' } },
  { path: '/sync', component: () => import('./views/sync/SyncStatusPage.vue'), meta: { title: '同步状态' } },
  {
    path: '/branch/members',
    component: () => import('./views/members/BranchMembersPage.vue'),
    meta: { title: '支部党员', roles: ['secretary', 'admin'] },
  },
  {
    path: '/branch/members/:id/ledger',
    component: () => import('./views/members/MemberLedgerPage.vue'),
    meta: { title: '积分记录', roles: ['admin'] },
  },
  // 管理 (issue 12): branches, members, 党小组, the audit log.
  { path: '/roster', component: () => import('./views/roster/RosterHubPage.vue'), meta: { title: '管理', roles: MANAGERS } },
  {
    path: '/roster/import',
    component: () => import('./views/roster/RosterImportPage.vue'),
    meta: { title: '导入花名册', roles: MANAGERS },
  },
  { path: '/roster/audit', component: () => import('./views/roster/RosterAuditPage.vue'), meta: { title: '操作记录', roles: MANAGERS } },
  { path: '/roster/branches/:id', component: () => import('./views/roster/BranchPage.vue'), meta: { title: '支部', roles: MANAGERS } },
  {
    path: '/roster/groups/new',
    component: () => import('./views/roster/GroupEditPage.vue'),
    meta: { title: '新建党小组', roles: MANAGERS },
  },
  { path: '/roster/groups/:id', component: () => import('./views/roster/GroupEditPage.vue'), meta: { title: '党小组', roles: MANAGERS } },
  {
    path: '/roster/members/new',
    component: () => import('./views/roster/MemberEditPage.vue'),
    meta: { title: '新增党员', roles: MANAGERS },
  },
  { path: '/roster/members/:id', component: () => import('./views/roster/MemberPage.vue'), meta: { title: '党员', roles: MANAGERS } },
  {
    path: '/roster/members/:id/edit',
    component: () => import('./views/roster/MemberEditPage.vue'),
    meta: { title: '编辑党员信息', roles: MANAGERS },
  },
  // 总览 (issue 13): the admin's town page; a secretary has their own branch's page only.
  {
    path: '/overview',
    component: () => import('./views/overview/OverviewPage.vue'),
    meta: { title: '总览', roles: MANAGERS },
    beforeEnter: () => ownOverview() ?? true,
  },
  {
    path: '/overview/branches/:id',
    component: () => import('./views/overview/OverviewBranchPage.vue'),
    meta: { title: '支部总览', roles: MANAGERS },
    beforeEnter: (to) => (to.params.id === useSessionStore().me?.branch?.id ? true : (ownOverview() ?? true)),
  },
  // 预警与整改 (issue 13): warnings and 整改提示单 for a branch's secretaries and the admins; rules and the calendar.
  {
    path: '/supervision/warnings',
    component: () => import('./views/supervision/WarningsPage.vue'),
    meta: { title: '组织生活预警', roles: MANAGERS },
  },
  {
    path: '/supervision/notices',
    component: () => import('./views/supervision/RectificationsPage.vue'),
    meta: { title: '整改提示单', roles: MANAGERS },
  },
  {
    path: '/supervision/notices/new',
    component: () => import('./views/supervision/RectificationIssuePage.vue'),
    meta: { title: '下发整改提示单', roles: ['admin'] },
  },
  {
    path: '/supervision/notices/:id',
    component: () => import('./views/supervision/RectificationPage.vue'),
    meta: { title: '整改提示单', roles: MANAGERS },
  },
  {
    path: '/supervision/rules',
    component: () => import('./views/supervision/WarningRulesPage.vue'),
    meta: { title: '预警规则', roles: MANAGERS },
  },
  {
    path: '/supervision/workdays',
    component: () => import('./views/supervision/WorkdaysPage.vue'),
    meta: { title: '工作日历', roles: ['admin'] },
  },
  { path: '/:rest(.*)*', redirect: '/' },
]

export function createAppRouter() {
  const router = createRouter({ history: createWebHistory(), routes })
  router.beforeEach(async (to) => {
    const session = useSessionStore()
    // The shell mounts while the saved session is read (main.ts): decide only once it is known.
    await session.restore().catch(() => undefined)
    if (!to.meta.public && !session.signedIn) return { path: '/login', query: to.path === '/' ? {} : { next: to.fullPath } }
    if (to.path === '/login' && session.signedIn) return '/'
    if (to.meta.roles && session.me && !to.meta.roles.includes(session.me.user.role)) return '/'
    return true
  })
  router.afterEach((to) => {
    document.title = `${to.meta.title} · 智慧党建云`
  })
  return router
}
