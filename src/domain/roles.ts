// Roles and statuses with their labels, apart from users.ts's schemas: 首页's greeting shows them before
// any validation code has loaded.
import type { Me } from './users'

export const ROLES = ['member', 'secretary', 'admin'] as const
export type Role = (typeof ROLES)[number]

export const ROLE_LABELS: Record<Role, string> = {
  member: '党员',
  secretary: '支部书记',
  admin: '镇党委管理员',
}

export const MEMBER_STATUSES = ['home', 'away'] as const
export type MemberStatus = (typeof MEMBER_STATUSES)[number]

export const MEMBER_STATUS_LABELS: Record<MemberStatus, string> = {
  home: '在家',
  away: '外出务工',
}

export function describeRole(me: Me): string {
  // 新杭镇 + 镇党委管理员 would say 镇 twice.
  if (me.user.role === 'admin') return `${me.town.name.replace(/镇$/, '')}${ROLE_LABELS.admin}`
  return me.branch ? `${me.branch.name} · ${ROLE_LABELS[me.user.role]}` : ROLE_LABELS[me.user.role]
}
