// npm run users:create-admin -- <username> [--display-name "<name>"]
// Creates an administrator (the first one of a production database, which starts without
// accounts): migrates first, then asks for the password twice on a terminal, or reads it
// from the first line of standard input (`printf '%s\n' "$PASSWORD" | npm run …`).
// Audited as user-created by the system; the demo passwords are refused.
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { AppError } from '../../lib/errors'
import { getDb } from '../../lib/db/client.server'
import { createAdministrator, FirstAdminError, setupDatabase } from '../../lib/users/setup.server'

const { positionals, values } = parseArgs({ allowPositionals: true, options: { 'display-name': { type: 'string' } } })
const username = positionals[0]
if (!username || positionals.length > 1) {
  console.error('usage: npm run users:create-admin -- <username> [--display-name "<name>"]')
  process.exit(2)
}

/** One line from a terminal without echoing it. */
function askHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin
    process.stdout.write(prompt)
    stdin.setRawMode(true)
    stdin.resume()
    stdin.setEncoding('utf8')
    let answer = ''
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          stdin.setRawMode(false)
          stdin.pause()
          stdin.off('data', onData)
          process.stdout.write('\n')
          return resolve(answer)
        }
        if (char === '\u0003') {
          stdin.setRawMode(false)
          return reject(new Error('cancelled'))
        }
        answer = char === '\u007f' || char === '\b' ? answer.slice(0, -1) : answer + char
      }
    }
    stdin.on('data', onData)
  })
}

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) {
    const first = await askHidden('Password (12 characters or more): ')
    if ((await askHidden('Again: ')) !== first) throw new FirstAdminError('The passwords differ.')
    return first
  }
  const lines = createInterface({ input: process.stdin })
  for await (const line of lines) return line
  throw new FirstAdminError('No password on standard input.')
}

try {
  await setupDatabase({ demo: false })
  const password = await readPassword()
  const admin = await createAdministrator(getDb(), { username, displayName: values['display-name'] ?? username, password })
  console.log(`Created administrator "${admin.username}" (${admin.id}).`)
} catch (error) {
  if (!(error instanceof FirstAdminError || error instanceof AppError)) throw error
  console.error(`Refused: ${error.message}`)
  process.exitCode = 1
} finally {
  await getDb().$disconnect()
}
