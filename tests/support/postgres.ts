// Starts a throwaway PostgreSQL cluster for tests and tools: Debian's binaries, a temp
// data directory, a loopback port, trust auth for the local test user only. Set
// PARALLAX_TEST_POSTGRES_URL to use a server you run yourself instead.
import { after } from 'node:test'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { freePort } from './free-port'

export interface PostgresServer {
  /** A URL for a fresh, empty database on this server. */
  createDatabase(name: string): Promise<string>
  stop(): void
}

export class PostgresUnavailableError extends Error {}

function findBinDir(): string {
  const base = '/usr/lib/postgresql'
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : []
  for (const version of versions) {
    const dir = path.join(base, version, 'bin')
    if (existsSync(path.join(dir, 'initdb'))) return dir
  }
  throw new PostgresUnavailableError('PostgreSQL server binaries not found under /usr/lib/postgresql (install with: apt-get install -y postgresql)')
}

export async function startPostgres(): Promise<PostgresServer> {
  const external = process.env.PARALLAX_TEST_POSTGRES_URL
  if (external) return externalServer(external)

  const binDir = findBinDir()
  const isRoot = process.getuid?.() === 0
  // initdb refuses to run as root: run the server as Debian's `postgres` user then.
  const runAs = (cmd: string, args: string[]) =>
    isRoot ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' }) : execFileSync(cmd, args, { stdio: 'pipe' })
  const dataRoot = mkdtempSync(path.join(os.tmpdir(), 'parallax-pg-'))
  chmodSync(dataRoot, 0o777)
  const dataDir = path.join(dataRoot, 'data')
  if (isRoot) execFileSync('chown', ['postgres', dataRoot])
  const port = await freePort()
  runAs(path.join(binDir, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'parallax', '--no-sync', '-E', 'UTF8'])
  runAs(path.join(binDir, 'pg_ctl'), [
    '-D',
    dataDir,
    '-w',
    '-l',
    path.join(dataRoot, 'server.log'),
    '-o',
    `-p ${port} -k ${dataRoot} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
    'start',
  ])
  const adminUrl = `postgresql://parallax@127.0.0.1:${port}/postgres`
  return {
    async createDatabase(name) {
      await runSql(adminUrl, `CREATE DATABASE "${name}"`)
      return `postgresql://parallax@127.0.0.1:${port}/${name}`
    },
    stop() {
      spawnSync(
        isRoot ? 'runuser' : path.join(binDir, 'pg_ctl'),
        isRoot ? ['-u', 'postgres', '--', path.join(binDir, 'pg_ctl'), '-D', dataDir, '-m', 'immediate', 'stop'] : ['-D', dataDir, '-m', 'immediate', 'stop'],
        { stdio: 'pipe' },
      )
      rmSync(dataRoot, { recursive: true, force: true })
    },
  }
}

async function runSql(url: string, sql: string): Promise<void> {
  const { Client } = await import('pg')
  const client = new Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

function externalServer(url: string): PostgresServer {
  const admin = new URL(url)
  return {
    async createDatabase(name) {
      await runSql(admin.toString(), `DROP DATABASE IF EXISTS "${name}"`)
      await runSql(admin.toString(), `CREATE DATABASE "${name}"`)
      const target = new URL(url)
      target.pathname = `/${name}`
      return target.toString()
    },
    stop() {},
  }
}

/**
 * A throwaway PostgreSQL for one test file, stopped after its tests, or why there is none
 * (the file decides what that means: under CI=true each fails the run).
 */
export async function throwawayPostgres(): Promise<{ server: PostgresServer; unavailable: null } | { server: null; unavailable: string }> {
  try {
    const server = await startPostgres()
    after(() => server.stop())
    return { server, unavailable: null }
  } catch (error) {
    if (!(error instanceof PostgresUnavailableError)) throw error
    return { server: null, unavailable: error.message }
  }
}
