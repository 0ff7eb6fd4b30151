// Two production instances (scripts/start.ts, the production build) on one throwaway
// PostgreSQL behind nginx, configured as the README's "Several instances" says, started
// together. Sessions and the login throttle hold across them, a model added through one is
// served by the other, and while clients write through nginx the checkpoint leader is
// killed with SIGKILL and restarted: the other takes over signing, every write a client got
// a 2xx for is in the database, and the audit trail (chain, checkpoints, witness) verifies.
// Runs after the production build (scripts/test-all.sh); mandatory under CI=true, skipped
// with a notice elsewhere when nginx, PostgreSQL or the build is missing.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { appInstance, hasProductionBuild, type AppInstance } from '../support/app-instance'
import { freePort } from '../support/free-port'
import { reluManifest, reluModelBytes, reluModelSha256 } from '../support/model-fixtures'
import { missingNginx, readmeNginxBlock, startNginx, type Nginx } from '../support/nginx'
import { throwawayPostgres } from '../support/postgres'
import { SessionClient } from '../support/session-client'

function missingBuild(): string | null {
  if (hasProductionBuild()) return null
  const message = 'no production build (.next/BUILD_ID): the two-instance test is not run (npx next build --webpack first).'
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: this test is mandatory)`)
  console.warn(`[skipped] ${message}`)
  return message
}

const title = 'two instances on one PostgreSQL behind nginx'
let skip = missingNginx('the two-instance test') ?? missingBuild()
const postgres = skip ? null : await throwawayPostgres()
if (postgres?.unavailable) {
  if (process.env.CI === 'true') throw new Error(`PostgreSQL is required under CI=true: ${postgres.unavailable}`)
  console.warn(`[skipped] ${postgres.unavailable}`)
  skip = postgres.unavailable
}

const password = `two-instances-${randomBytes(12).toString('hex')}`
const modelId = 'relu-two-instances'
const writers = 6
const square = [
  [0, 0, 0],
  [10, 0, 0],
  [10, 10, 0],
  [0, 10, 0],
]

if (skip) it(title, { skip }, () => {})
else
  describe(title, { timeout: 120_000 }, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parallax-two-instances-'))
    let nginx: Nginx | undefined
    let instances: AppInstance[] = []
    let base = ''
    let m: {
      db: import('../../lib/db/client.server').Db
      checkpoints: typeof import('../../lib/audit/checkpoints.server')
    }

    before(async () => {
      const databaseUrl = await postgres!.server!.createDatabase('parallax_two_instances')
      const env = {
        DATABASE_URL: databaseUrl,
        PARALLAX_SECRETS_FILE: path.join(dir, 'secrets.json'),
        PARALLAX_AUDIT_KEY_FILE: path.join(dir, 'audit-signing-key.pem'),
        PARALLAX_AUDIT_WITNESS_DIR: path.join(dir, 'witness'),
        PARALLAX_MODEL_STORE: path.join(dir, 'models'),
        PARALLAX_TRUSTED_PROXY_HOPS: '1',
        // Every 1.2 s: the leader signs, the other checks whether to take over.
        PARALLAX_CHECKPOINT_MINUTES: '0.02',
        PARALLAX_DEMO: '',
      }
      Object.assign(process.env, env)
      const [portA, portB, proxyPort] = [await freePort(), await freePort(), await freePort()]
      base = `http://127.0.0.1:${proxyPort}`
      const appEnv = { ...env, NEXTAUTH_URL: base }
      instances = [appInstance('a', portA, appEnv), appInstance('b', portB, appEnv)]
      // Started together: they migrate one at a time and agree on one secrets file.
      await Promise.all(instances.map((instance) => instance.start()))

      mkdirSync(path.join(dir, 'nginx'))
      const upstream = readmeNginxBlock('upstream parallax', [
        ['10.0.0.11:3000', `127.0.0.1:${portA}`],
        ['10.0.0.12:3000', `127.0.0.1:${portB}`],
        ['listen 443 ssl;', `listen 127.0.0.1:${proxyPort};`],
        ['    ssl_certificate /etc/ssl/parallax.example.org.pem;\n', ''],
        ['    ssl_certificate_key /etc/ssl/parallax.example.org.key;\n', ''],
      ])
      nginx = await startNginx(path.join(dir, 'nginx'), upstream, async () => (await fetch(`${base}/api/health`)).ok)

      const { getDb } = await import('../../lib/db/client.server')
      const { createUser } = await import('../../lib/users/users.server')
      m = { db: getDb(), checkpoints: await import('../../lib/audit/checkpoints.server') }
      for (const [username, role] of [
        ['scale-admin', 'admin'],
        ['scale-reader', 'radiologist'],
        ['scale-locked', 'radiologist'],
      ] as const) {
        await createUser(m.db, { username, displayName: username, role, password }, null)
      }
    })

    after(async () => {
      await nginx?.stop()
      await Promise.all(instances.map((instance) => instance.stop()))
      await m?.db.$disconnect()
      rmSync(dir, { recursive: true, force: true })
    })

    const [a, b] = [() => instances[0]!, () => instances[1]!]
    const leaderOf = () => instances.filter((instance) => /now signs the periodic checkpoints \(leader\)/.test(instance.output()))

    it('elects one checkpoint leader, and only it signs', async () => {
      for (let tries = 0; leaderOf().length === 0 && tries < 50; tries++) await new Promise((resolve) => setTimeout(resolve, 100))
      assert.equal(leaderOf().length, 1, instances.map((instance) => instance.output()).join('\n'))
      const [follower] = instances.filter((instance) => instance !== leaderOf()[0])
      assert.match(follower!.output(), /another instance signs the periodic checkpoints/)
      assert.doesNotMatch(follower!.output(), /signed checkpoint/)
    })

    it("accepts one instance's session on the other", async () => {
      const reader = new SessionClient(base)
      await reader.signIn('scale-reader', password)
      for (const instance of [a(), b()]) {
        const me = await fetch(`${instance.url}/api/me`, { headers: { cookie: reader.cookieHeader() } })
        assert.equal(me.status, 200, `GET /api/me on instance ${instance.name}`)
      }
    })

    it('counts failed sign-ins on both instances toward one throttle', async () => {
      // Five failures split over the two, each from its own address: the account's limit.
      for (let attempt = 0; attempt < 5; attempt++) {
        const client = new SessionClient(instances[attempt % 2]!.url, { 'x-forwarded-for': `192.0.2.${attempt + 10}` })
        assert.equal(await client.trySignIn('scale-locked', 'wrong password, long enough'), 401)
      }
      const client = new SessionClient(a().url, { 'x-forwarded-for': '192.0.2.99' })
      assert.equal(await client.trySignIn('scale-locked', password), 429, 'the right password, but the account is locked on every instance')
    })

    it('serves a model added through one instance from the other, without a restart', async () => {
      const admin = new SessionClient(a().url, { 'x-forwarded-for': '192.0.2.50' })
      await admin.signIn('scale-admin', password)
      const form = new FormData()
      form.set('manifest', JSON.stringify(reluManifest({ id: modelId })))
      form.set('file', new Blob([new Uint8Array(reluModelBytes)]), 'model.onnx')
      const added = await fetch(`${a().url}/api/admin/models/upload`, { method: 'POST', body: form, headers: { cookie: admin.cookieHeader(), origin: a().url } })
      assert.equal(added.status, 201, await added.clone().text())
      const file = await fetch(`${b().url}/api/models/${modelId}/file`, { headers: { cookie: admin.cookieHeader() } })
      assert.equal(file.status, 200)
      assert.equal(
        createHash('sha256')
          .update(new Uint8Array(await file.arrayBuffer()))
          .digest('hex'),
        reluModelSha256,
      )
      const listed = (await (await fetch(`${b().url}/api/models`, { headers: { cookie: admin.cookieHeader() } })).json()) as {
        manifest: { parallax: { id: string } }
        fileUrl: string | null
      }[]
      assert.ok(
        listed.some((model) => model.manifest.parallax.id === modelId && model.fileUrl),
        'listed by the other instance, with its file',
      )
    })

    it('loses no acknowledged write while the leader is killed (SIGKILL) and restarted, and the audit trail verifies', async () => {
      const clients = Array.from({ length: writers }, () => new SessionClient(base))
      for (const client of clients) await client.signIn('scale-reader', password)
      const acknowledged = { reads: new Set<string>(), findings: new Set<string>() }
      const failures: string[] = []
      let running = true
      let sequence = 0
      const write = async (client: SessionClient) => {
        while (running) {
          const uid = `1.2.826.0.1.3680043.9.7433.77.${process.pid}.${sequence++}`
          const read = await client.send('POST', '/api/reads', {
            study: { studyInstanceUid: uid, studyDescription: 'two instances', studyDate: '20260101', accessionNumber: 'SCALE', modality: 'CT', source: 'local', sourceRef: null },
          })
          if (!read.ok) {
            failures.push(`open read: ${read.status}`)
            continue
          }
          const { id } = read.body as { id: string }
          acknowledged.reads.add(id)
          const proposed = await client.send('POST', `/api/reads/${id}/findings`, {
            origin: 'reader',
            label: 'Lung nodule',
            location: { kind: 'bbox', seriesInstanceUid: '1.2.3', sopInstanceUid: '1.2.3.4', frameOfReferenceUid: '1.2.3.5', sliceIndex: 0, points: square },
            measurementMm: 12.5,
            note: null,
          })
          if (!proposed.ok) failures.push(`add finding: ${proposed.status} ${JSON.stringify(proposed.body).slice(0, 200)}`)
          else for (const finding of (proposed.body as { findings: { id: string }[] }).findings) acknowledged.findings.add(finding.id)
        }
      }
      const load = Promise.all(clients.map(write))
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

      await pause(1500)
      const [leader] = leaderOf()
      const survivor = instances.find((instance) => instance !== leader)!
      const beforeKill = acknowledged.reads.size
      await leader!.kill()
      const killedAt = new Date()
      await pause(3000)
      const duringOutage = acknowledged.reads.size - beforeKill
      await leader!.start()
      await pause(1500)
      running = false
      await load

      assert.ok(beforeKill > 0 && duringOutage > 0, `writes before the kill: ${beforeKill}, while one instance was down: ${duringOutage}`)
      assert.match(survivor.output(), /now signs the periodic checkpoints \(leader\)/, 'the survivor took over signing')
      const reads = await m.db.read.findMany({ where: { id: { in: [...acknowledged.reads] } }, select: { id: true } })
      assert.equal(reads.length, acknowledged.reads.size, 'every acknowledged read is in the database')
      const findings = await m.db.finding.findMany({ where: { id: { in: [...acknowledged.findings] } }, select: { id: true } })
      assert.equal(findings.length, acknowledged.findings.size, 'every acknowledged finding is in the database')
      assert.ok(acknowledged.findings.size > 0, failures.slice(0, 5).join('\n'))

      const signedSince = await m.db.auditCheckpoint.count({ where: { signedAt: { gt: killedAt } } })
      assert.ok(signedSince > 0, 'checkpoints were signed after the kill')
      // The events since the last periodic checkpoint too, then the whole trail.
      await m.checkpoints.createAuditCheckpoints(m.db)
      const verdict = await m.checkpoints.verifyAuditTrail(m.db)
      assert.ok(verdict.ok, JSON.stringify(verdict))
      console.log(
        `[two instances] acknowledged ${acknowledged.reads.size} reads and ${acknowledged.findings.size} findings (${duringOutage} reads while one instance was down), ` +
          `${failures.length} refused or cut off by the kill; ${verdict.ok ? verdict.checkpoints : 0} checkpoints verify`,
      )
    })
  })
