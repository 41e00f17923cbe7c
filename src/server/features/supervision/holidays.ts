// The working calendar a new database starts with: the State Council's 2026 schedule (国务院办公厅关于
// 2026年部分节假日安排的通知). The admin adds the next year's when it is published (`workday.set`).
import type { WorkdayRow } from '~/domain/supervision'

const off = (name: string, from: string, to: number): WorkdayRow[] => {
  const [y, m, d] = from.split('-').map(Number) as [number, number, number]
  return Array.from({ length: to - d + 1 }, (_, i) => ({
    id: `${y}-${String(m).padStart(2, '0')}-${String(d + i).padStart(2, '0')}`,
    kind: 'holiday' as const,
    name,
  }))
}
const on = (name: string, day: string): WorkdayRow => ({ id: day, kind: 'workday', name: `${name}调休上班` })

export const HOLIDAYS_2026: readonly WorkdayRow[] = [
  ...off('元旦', '2026-01-01', 3),
  on('元旦', '2026-01-04'),
  on('春节', '2026-02-14'),
  ...off('春节', '2026-02-15', 23),
  on('春节', '2026-02-28'),
  ...off('清明节', '2026-04-04', 6),
  ...off('劳动节', '2026-05-01', 5),
  on('劳动节', '2026-05-09'),
  ...off('端午节', '2026-06-19', 21),
  on('国庆节', '2026-09-20'),
  ...off('中秋节', '2026-09-25', 27),
  ...off('国庆节', '2026-10-01', 7),
  on('国庆节', '2026-10-10'),
]
