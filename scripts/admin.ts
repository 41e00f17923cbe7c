// The town committee's command line (docs/operations.md, 第一个管理员):
//   npm run admin -- create-admin --phone 13900000000 --name 周卫东 --town 新杭镇
// Reads the same environment as the server (DATA_DIR or DATABASE_URL), which may be running meanwhile.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { configFromEnv } from '~/server/config'
import { migrateToLatest, openDatabase } from '~/server/db'
import { seedRulesIfEmpty } from '~/server/features/points/ledger'
import { FEATURES } from '~/server/features'
import { AdminCommandError, createAdmin, parseCreateAdminInput } from '~/server/services/admins'
import { formatCodeExpiry } from '~/domain/accounts'
import { ACTIVATION_DAYS } from '~/domain/roster'

const USAGE = `用法：npm run admin -- create-admin --phone <手机号> --name <姓名> [--town <镇名>]
  --phone       管理员的手机号（登录用），11位
  --name        管理员姓名
  --town        镇的名称：空数据库第一次创建管理员时必填；以后添加管理员可不写
  --gender      男 或 女（不写记为男）
  --birth-date  出生日期 YYYY-MM-DD（可不写）
  --joined      入党日期 YYYY-MM-DD（可不写）
与服务器使用相同的 DATA_DIR 或 DATABASE_URL；服务器运行时也可以执行。`

const GENDERS: Record<string, 'male' | 'female'> = { 男: 'male', 女: 'female', male: 'male', female: 'female' }

function readArguments(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        phone: { type: 'string' },
        name: { type: 'string' },
        town: { type: 'string' },
        gender: { type: 'string' },
        'birth-date': { type: 'string' },
        joined: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    // node:util explains in English; the option it names is enough.
    const option = /'(-[^']+)'/.exec(String(error))?.[1]
    throw new AdminCommandError(option ? `不认识的参数或缺少取值：${option}\n${USAGE}` : USAGE)
  }
}

/** The demo data's town (seeds/town.json): an admin added to it is most likely a mistake worth a warning. */
function demoTownId(seedDir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(seedDir, 'town.json'), 'utf8')) as { town?: { id?: string } }).town?.id
  } catch {
    return undefined
  }
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = readArguments(argv)
  if (values.help) {
    console.log(USAGE)
    return
  }
  if (positionals[0] !== 'create-admin' || positionals.length > 1) throw new AdminCommandError(USAGE)
  const missing = [!values.phone && '--phone（手机号）', !values.name && '--name（姓名）'].filter(Boolean)
  if (missing.length > 0) throw new AdminCommandError(`缺少 ${missing.join('、')}\n${USAGE}`)
  const gender = values.gender === undefined ? undefined : GENDERS[values.gender.trim()]
  if (values.gender !== undefined && !gender) throw new AdminCommandError('--gender 只能是“男”或“女”')
  const input = parseCreateAdminInput({
    phone: values.phone,
    name: values.name,
    town: values.town,
    gender,
    birthDate: values['birth-date'],
    joinedPartyOn: values.joined,
  })

  const config = configFromEnv()
  const { db } = openDatabase(config)
  try {
    await migrateToLatest(db)
    // The points rules come with every database (the server also seeds them at start): the town's first
    // publishing, below, sends them to devices.
    await seedRulesIfEmpty(db, config.seedDir)
    const admin = await createAdmin(db, FEATURES, input)
    const address = config.publicOrigin ?? `http://<服务器地址>:${config.port}`
    console.log(
      admin.townCreated
        ? `已创建“${admin.townName}”和管理员 ${input.name}（${input.phone}）。`
        : `已为“${admin.townName}”添加管理员 ${input.name}（${input.phone}）。`,
    )
    console.log(`激活码：${admin.code}`)
    console.log(`激活码只能使用一次，${ACTIVATION_DAYS}天内有效（至 ${formatCodeExpiry(admin.expiresAt)}，北京时间）。`)
    console.log(`请用手机浏览器打开 ${address}，在登录页点“首次登录 / 激活账号”，输入手机号、激活码，再设置自己的密码。`)
    if (admin.townId === demoTownId(config.seedDir))
      console.error(
        '注意：这个数据库里是演示数据。正式使用请换一个空的 DATA_DIR（或 PostgreSQL 数据库），并用 SEED_DEMO_DATA=0 启动服务器。',
      )
  } finally {
    await db.destroy()
  }
}

try {
  await main(process.argv.slice(2))
} catch (error) {
  if (error instanceof AdminCommandError) {
    console.error(`错误：${error.message}`)
    process.exitCode = 2
  } else {
    console.error(`出错了：${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  }
}
