// Debian's nginx for tests: the README's configuration blocks, run as a plain process with
// its own prefix, pid and temp folders in a scratch directory. Mandatory under CI=true
// (scripts/install-system-deps.sh installs it); elsewhere a missing binary is a notice.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const nginxBinary = process.env.NGINX_PATH ?? '/usr/sbin/nginx'

/** Why nginx cannot run here (printed), or null; throws under CI=true. */
export function missingNginx(what: string): string | null {
  if (existsSync(nginxBinary)) return null
  const message = `nginx not found at ${nginxBinary}: ${what} is not run (apt-get install -y nginx-light, or set NGINX_PATH).`
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: this test is mandatory)`)
  console.warn(`[skipped] ${message}`)
  return message
}

/**
 * The README's ```nginx block that contains `marker`, with its example names and addresses
 * replaced by the test's (each must be there: the test runs what the README says).
 */
export function readmeNginxBlock(marker: string, replacements: [string, string][]): string {
  const readme = readFileSync(path.resolve('README.md'), 'utf8')
  const block = [...readme.matchAll(/```nginx\n([\s\S]*?)```/g)].map((match) => match[1]!).find((text) => text.includes(marker))
  assert.ok(block, `the README has an nginx configuration with ${JSON.stringify(marker)}`)
  let config = block
  for (const [from, to] of replacements) {
    assert.ok(config.includes(from), `the README's nginx configuration has ${JSON.stringify(from)}`)
    config = config.replaceAll(from, to)
  }
  return config
}

export interface Nginx {
  stop(): Promise<void>
}

/** One line of the access log that `startNginx` writes when asked (`accessLog`). */
export interface LoggedRequest {
  method: string
  /** The path and query the client asked for. */
  uri: string
  /** The status nginx answered with. */
  status: number
}

// One JSON object a line: what the tests read back (tokens and credentials are never logged).
const logFormat = `log_format parallax_test escape=json '{"method":"$request_method","uri":"$request_uri","status":$status}';`

/** The requests nginx has logged to `file` so far, in the order it finished them. */
export function readAccessLog(file: string): LoggedRequest[] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LoggedRequest)
}

/**
 * Starts nginx with `httpBlock` inside `http {}`, in `dir`, and waits until `ready` says
 * it answers. With `accessLog`, every request is logged there (see `readAccessLog`).
 */
export async function startNginx(dir: string, httpBlock: string, ready: () => Promise<boolean>, { accessLog }: { accessLog?: string } = {}): Promise<Nginx> {
  // Workers may run as nobody: their temp files go where they can write.
  const temp = path.join(dir, 'nginx-temp')
  mkdirSync(temp, { recursive: true })
  chmodSync(dir, 0o755)
  chmodSync(temp, 0o777)
  const config = path.join(dir, 'nginx.conf')
  writeFileSync(
    config,
    `worker_processes 1;\nerror_log ${dir}/nginx-error.log;\npid ${dir}/nginx.pid;\nevents {}\nhttp {\n  ${logFormat}\n  access_log ${accessLog ? `${accessLog} parallax_test` : 'off'};\n` +
      ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${temp}/${kind};\n`).join('') +
      `${httpBlock}}\n`,
  )
  const nginx: ChildProcess = spawn(nginxBinary, ['-p', dir, '-c', config, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  nginx.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const stop = async () => {
    if (nginx.exitCode !== null || nginx.signalCode !== null) return
    const exited = new Promise((resolve) => nginx.once('exit', resolve))
    nginx.kill('SIGTERM')
    await exited
  }
  for (let tries = 0; !(await ready().catch(() => false)); tries++) {
    if (nginx.exitCode !== null || tries > 100) {
      await stop()
      throw new Error(`nginx did not start: ${stderr}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { stop }
}
