// Several instances: the findings API load (findings-api.ts) through nginx, configured as
// the README's "Several instances" says, to one instance and then to two, both on one
// PostgreSQL database, in the same run. The instances run in demo mode (the bench signs in
// with the demo radiologist) and share their secrets, audit key, witness and model store
// as the README asks.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { appInstance, type AppInstance } from '../../tests/support/app-instance'
import { freePort } from '../../tests/support/free-port'
import { missingNginx, readmeNginxBlock, startNginx, type Nginx } from '../../tests/support/nginx'
import { measureFindingsApi, p, requestCount, type Credentials, type FindingsApiResult, type PhaseResult } from './findings-api'
import { ms, perSecond, ratio, table } from './format'
import { ensureProductionBuild } from './server'

export interface InstancesResult {
  one: FindingsApiResult
  two: FindingsApiResult
}

const secondServer = '    server 10.0.0.12:3000 max_fails=1 fail_timeout=5s;\n'

export async function measureInstances(databaseUrl: string, credentials: Credentials, options: { clients: number; iterations: number; prefill: number }): Promise<InstancesResult> {
  const missing = missingNginx('the several-instances bench')
  if (missing) throw new Error(missing)
  ensureProductionBuild()
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'parallax-bench-instances-'))
  const env = {
    DATABASE_URL: databaseUrl,
    PARALLAX_DEMO: '1',
    PARALLAX_DEMO_DIR: path.join(scratch, 'demo'),
    PARALLAX_SECRETS_FILE: path.join(scratch, 'secrets.json'),
    PARALLAX_AUDIT_KEY_FILE: path.join(scratch, 'audit-signing-key.pem'),
    PARALLAX_AUDIT_WITNESS_DIR: path.join(scratch, 'witness'),
    PARALLAX_MODEL_STORE: path.join(scratch, 'models'),
    PARALLAX_TRUSTED_PROXY_HOPS: '1',
  }
  const instances: AppInstance[] = []
  const proxies: Nginx[] = []
  try {
    const [portA, portB] = [await freePort(), await freePort()]
    // One nginx per configuration, each its own address (the app's origin check compares the Host it passes on).
    const proxyFor = async (name: string, servers: 'one' | 'two') => {
      const port = await freePort()
      const dir = path.join(scratch, `nginx-${name}`)
      mkdirSync(dir)
      const config = readmeNginxBlock('upstream parallax', [
        ['10.0.0.11:3000', `127.0.0.1:${portA}`],
        servers === 'one' ? [secondServer, ''] : ['10.0.0.12:3000', `127.0.0.1:${portB}`],
        ['listen 443 ssl;', `listen 127.0.0.1:${port};`],
        ['    ssl_certificate /etc/ssl/parallax.example.org.pem;\n', ''],
        ['    ssl_certificate_key /etc/ssl/parallax.example.org.key;\n', ''],
      ])
      const url = `http://127.0.0.1:${port}`
      proxies.push(await startNginx(dir, config, async () => (await fetch(`${url}/api/health`)).ok))
      return url
    }
    instances.push(appInstance('a', portA, env), appInstance('b', portB, env))
    await Promise.all(instances.map((instance) => instance.start()))
    const toOne = await proxyFor('one', 'one')
    const toTwo = await proxyFor('two', 'two')
    // The first run fills the worklist to its cap; the second sees it as full.
    const one = await measureFindingsApi(toOne, credentials, options)
    const two = await measureFindingsApi(toTwo, credentials, { ...options, prefill: 0 })
    return { one, two }
  } catch (error) {
    const output = instances.map((instance) => instance.output()).join('')
    throw new Error(`${(error as Error).message}${output ? `\ninstances' output:\n${output.slice(-4000)}` : ''}`)
  } finally {
    for (const proxy of proxies) await proxy.stop()
    for (const instance of instances) await instance.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
}

const throughput = (phase: PhaseResult) => (requestCount(phase) * 1000) / phase.wallMs

export function printInstances({ one, two }: InstancesResult): void {
  console.log(
    `\nSeveral instances: the findings API load (${one.clients} clients × ${one.iterations} iterations, as in "Findings API") through nginx to 1 instance, then to 2, one PostgreSQL, same run\n`,
  )
  const row = (label: string, result: FindingsApiResult) => {
    const phase = result.concurrent
    return [
      label,
      String(requestCount(phase)),
      `${(phase.wallMs / 1000).toFixed(1)} s`,
      perSecond(requestCount(phase), phase.wallMs),
      ms(p(phase, 'all', 50)),
      ms(p(phase, 'all', 99)),
      String(phase.errors.length),
      ratio(throughput(phase), throughput(one.concurrent)),
    ]
  }
  table([['through nginx to', 'requests', 'wall', 'throughput', 'p50', 'p99', 'errors', 'throughput ratio'], row('1 instance (baseline)', one), row('2 instances', two)])
  console.log(
    `\nhealth at ${one.clients} clients (routing floor): 1 instance ${perSecond(requestCount(one.healthConcurrent), one.healthConcurrent.wallMs)}, 2 instances ${perSecond(requestCount(two.healthConcurrent), two.healthConcurrent.wallMs)}; ` +
      `the instances, PostgreSQL, nginx and the clients share this machine's ${os.cpus().length} cores, so a second instance adds processes, not cores.`,
  )
}
