// The audit trail's trust root outside the database, tested as its owner would attack it:
// every checkpoint also in the witness (one file each, never rewritten), the signing key
// never regenerated once something is signed and pinned by the witness or configuration,
// and four tampering attacks, each detected with the first bad seq and checkpoint named:
// triggers off and events rewritten with recomputed hashes, checkpoints deleted,
// checkpoints re-signed with a new key, the trail truncated with its last checkpoint.
import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createPrivateKey, generateKeyPairSync } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Db } from '../../lib/db/client.server'
import { runScript } from '../support/run-script'
import type { ProductionContext, ProductionModules } from './production-context'

export function defineTamperTests(c: ProductionContext): void {
  describe('the audit trust root outside the database', () => {
    let m: ProductionModules
    let db: Db

    before(() => {
      m = c.m
      db = c.db
    })

    const verify = () => m.checkpoints.verifyAuditTrail(db)
    const witnessFiles = () => readdirSync(c.witnessDir).sort()
    const checkpointRows = () => db.auditCheckpoint.findMany({ orderBy: { fromSeq: 'asc' } })
    const verifyCli = () => runScript('scripts/audit-verify.ts', { env: { DATABASE_URL: c.urls.appUrl } })

    /** The verdict's failure, in the parts the tests name. */
    async function failure() {
      const verdict = await verify()
      assert.ok(!verdict.ok, 'the tampering went unnoticed')
      return { firstBadSeq: verdict.firstBadSeq, problem: verdict.problem, checkpoint: verdict.checkpoint, message: verdict.message }
    }

    it('generates the signing key with the first checkpoint, and writes every checkpoint to the witness once', async () => {
      assert.equal(existsSync(c.keyFile), false)
      assert.deepEqual(witnessFiles(), [])
      while ((await db.auditCheckpoint.count()) < 4) {
        await c.appendEvents(3, `sign-${await db.auditCheckpoint.count()}`)
        assert.equal((await m.checkpoints.createAuditCheckpoints(db)).length, 1)
      }
      assert.ok(existsSync(c.keyFile))
      assert.deepEqual(witnessFiles(), ['checkpoint-0000000001.json', 'checkpoint-0000000002.json', 'checkpoint-0000000003.json', 'checkpoint-0000000004.json'])
      const publicKey = m.key.localPublicKey()!
      for (const [offset, row] of (await checkpointRows()).entries()) {
        const file = path.join(c.witnessDir, witnessFiles()[offset]!)
        assert.equal(statSync(file).mode & 0o777, 0o444, 'read-only once written')
        const record = m.witness.witnessRecordSchema.parse(JSON.parse(readFileSync(file, 'utf8')))
        assert.equal(record.index, offset + 1)
        const { id: _id, signedAt, ...signed } = row
        assert.deepEqual(record.checkpoint, { ...signed, signedAt: signedAt.toISOString() })
        assert.equal(record.publicKey, m.witness.publicKeyText(publicKey))
      }
      const verdict = await verify()
      assert.ok(verdict.ok && verdict.checkpoints === 4, JSON.stringify(verdict))
    })

    it('never rewrites a witness record: the same one again is a no-op, another is refused', async () => {
      const witness = m.witnessStore.auditWitness()
      const [first] = (await witness.entries()).sort((a, b) => a.index - b.index)
      await witness.append(first!)
      await assert.rejects(witness.append({ index: 1, text: first!.text.replace('"version":1', '"version":2') }), m.witnessStore.WitnessConflictError)
      assert.equal(readFileSync(path.join(c.witnessDir, 'checkpoint-0000000001.json'), 'utf8'), first!.text)
    })

    it('once checkpoints exist, a missing signing key stops signing (and the start) instead of being regenerated; verifying needs no private key', async () => {
      const away = `${c.keyFile}.away`
      renameSync(c.keyFile, away)
      try {
        const entries = await m.witnessStore.auditWitness().entries()
        await assert.rejects(m.key.auditSigningKey(db, entries), (error: unknown) => {
          assert.ok(error instanceof m.key.AuditKeyError)
          assert.match(error.message, /is missing, but checkpoints were signed with it \(database: 4, witness: 4\)/)
          return true
        })
        await c.appendEvents(1, 'keyless')
        await assert.rejects(m.checkpoints.createAuditCheckpoints(db), m.key.AuditKeyError)
        assert.equal(existsSync(c.keyFile), false, 'no new key was generated')
        const first = m.witness.witnessRecordSchema.parse(JSON.parse(readFileSync(path.join(c.witnessDir, 'checkpoint-0000000001.json'), 'utf8')))
        process.env.PARALLAX_AUDIT_PUBLIC_KEY = first.publicKey
        assert.ok((await verify()).ok, 'the witness and the configured public key suffice')
      } finally {
        renameSync(away, c.keyFile)
      }
    })

    it('the configured public key pins the key: another one is refused for signing and fails verification', async () => {
      const other = m.witness.publicKeyText(generateKeyPairSync('ed25519').publicKey)
      const pinned = process.env.PARALLAX_AUDIT_PUBLIC_KEY
      process.env.PARALLAX_AUDIT_PUBLIC_KEY = other
      try {
        await assert.rejects(m.key.auditSigningKey(db, []), /is not the one PARALLAX_AUDIT_PUBLIC_KEY pins/)
        assert.equal((await failure()).problem, 'key-mismatch')
      } finally {
        process.env.PARALLAX_AUDIT_PUBLIC_KEY = pinned
      }
      delete process.env.PARALLAX_AUDIT_PUBLIC_KEY
      assert.ok((await verify()).ok, 'the witness pins the same key')
    })

    // The four attacks of someone who owns the database (and on SQLite, the file): each is
    // undone afterwards, and the trail verifies again, so only that attack broke it.

    it('1 of 4: triggers off, an event rewritten and every later hash recomputed: the chain verifies, the checkpoint over it does not', async () => {
      const checkpoints = await checkpointRows()
      const third = checkpoints[2]!
      const target = third.fromSeq + 1
      const original = await db.auditEvent.findMany({ where: { seq: { gte: target } }, orderBy: { seq: 'asc' } })
      await c.withTriggersOff(['AuditEvent'], async (owner) => {
        let prevHash = (await owner.auditEvent.findUniqueOrThrow({ where: { seq: target - 1 } })).hash
        for (const row of original) {
          const fields = { ...row, details: row.seq === target ? '{"method":"GET","resource":"/nothing-to-see"}' : row.details }
          const hash = m.chain.hashEvent(prevHash, fields)
          await owner.auditEvent.update({ where: { seq: row.seq }, data: { details: fields.details, prevHash, hash } })
          prevHash = hash
        }
      })
      assert.ok((await m.verify.verifyAuditChain(db)).ok, 'the chain alone cannot tell')
      const found = await failure()
      assert.deepEqual({ ...found, message: undefined }, { firstBadSeq: third.fromSeq, problem: 'checkpoint-mismatch', checkpoint: { index: 3, of: 4 }, message: undefined })
      assert.match(found.message, new RegExp(`^the events of checkpoint 3 of 4 \\(events ${third.fromSeq}–${third.toSeq}\\) differ from what it signed`))
      const cli = await verifyCli()
      assert.equal(cli.code, 1)
      assert.match(cli.stderr, new RegExp(`^FAILED at seq ${third.fromSeq} \\(checkpoint 3 of 4\\): .*\\(checkpoint-mismatch\\)`))

      await c.withTriggersOff(['AuditEvent'], async (owner) => {
        for (const row of original) await owner.auditEvent.update({ where: { seq: row.seq }, data: { details: row.details, prevHash: row.prevHash, hash: row.hash } })
      })
      assert.ok((await verify()).ok)
    })

    it('2 of 4: checkpoints deleted: the witness names the first one gone, and nothing more is signed over the trail', async () => {
      const saved = await checkpointRows()
      await c.withTriggersOff(['AuditCheckpoint'], async (owner) => {
        await owner.auditCheckpoint.delete({ where: { fromSeq: saved[3]!.fromSeq } })
      })
      const last = await failure()
      assert.deepEqual({ ...last, message: undefined }, { firstBadSeq: saved[3]!.fromSeq, problem: 'checkpoint-missing', checkpoint: { index: 4, of: 4 }, message: undefined })
      assert.match(last.message, /^checkpoint 4 of 4 \(events \d+–\d+\) is in the witness but not in the database, which holds 3 checkpoints to the witness's 4/)
      await assert.rejects(m.checkpoints.createAuditCheckpoints(db), /Not signing audit checkpoints: checkpoint 4 of 4/)

      await c.withTriggersOff(['AuditCheckpoint'], async (owner) => {
        await owner.auditCheckpoint.deleteMany({ where: { fromSeq: { in: [saved[1]!.fromSeq, saved[2]!.fromSeq] } } })
      })
      assert.deepEqual((await failure()).checkpoint, { index: 2, of: 4 })

      await db.auditCheckpoint.createMany({ data: saved.slice(1) })
      assert.ok((await verify()).ok)
    })

    it('3 of 4: checkpoints re-signed with a new key (and the key file replaced): not signed by the pinned key', async () => {
      const saved = await checkpointRows()
      const originalKey = readFileSync(c.keyFile)
      const forger = generateKeyPairSync('ed25519')
      await c.withTriggersOff(['AuditCheckpoint'], async (owner) => {
        await owner.auditCheckpoint.deleteMany({})
        for (const row of saved) {
          const range = await owner.auditEvent.findMany({ where: { seq: { gte: row.fromSeq, lte: row.toSeq } }, orderBy: { seq: 'asc' } })
          const { signedAt, ...forged } = m.checkpoint.createCheckpoint(range, forger.privateKey, new Date())
          await owner.auditCheckpoint.create({ data: { ...forged, signedAt: new Date(signedAt) } })
        }
      })
      writeFileSync(c.keyFile, forger.privateKey.export({ type: 'pkcs8', format: 'pem' }))
      try {
        const found = await failure()
        assert.deepEqual({ ...found, message: undefined }, { firstBadSeq: 1, problem: 'bad-signature', checkpoint: { index: 1, of: 4 }, message: undefined })
        assert.match(found.message, /^checkpoint 1 of 4 \(events 1–\d+\) was replaced in the database by one not signed by the pinned audit key/)
        await assert.rejects(m.key.auditSigningKey(db, await m.witnessStore.auditWitness().entries()), /is not the one the audit witness's first checkpoint pins/)
      } finally {
        writeFileSync(c.keyFile, originalKey)
      }
      assert.equal(createPrivateKey(readFileSync(c.keyFile)).asymmetricKeyType, 'ed25519')
      await c.withTriggersOff(['AuditCheckpoint'], async (owner) => {
        await owner.auditCheckpoint.deleteMany({})
      })
      await db.auditCheckpoint.createMany({ data: saved })
      assert.ok((await verify()).ok)
    })

    it("4 of 4: the trail truncated with the checkpoint over its end: the checkpoint count fell below the witness's", async () => {
      const saved = await checkpointRows()
      const last = saved[3]!
      const removed = await db.auditEvent.findMany({ where: { seq: { gte: last.fromSeq } }, orderBy: { seq: 'asc' } })
      await c.withTriggersOff(['AuditEvent', 'AuditCheckpoint'], async (owner) => {
        await owner.auditEvent.deleteMany({ where: { seq: { gte: last.fromSeq } } })
        await owner.auditCheckpoint.delete({ where: { fromSeq: last.fromSeq } })
      })
      const chain = await m.verify.verifyAuditChain(db)
      assert.ok(chain.ok && chain.headSeq === last.fromSeq - 1, 'what is left is a whole chain, with whole checkpoints')
      const found = await failure()
      assert.deepEqual({ ...found, message: undefined }, { firstBadSeq: last.fromSeq, problem: 'checkpoint-missing', checkpoint: { index: 4, of: 4 }, message: undefined })
      const cli = await verifyCli()
      assert.equal(cli.code, 1)
      assert.match(cli.stderr, new RegExp(`^FAILED at seq ${last.fromSeq} \\(checkpoint 4 of 4\\): checkpoint 4 of 4 .* \\(checkpoint-missing\\)`))

      await db.auditEvent.createMany({ data: removed })
      await db.auditCheckpoint.create({ data: last })
      assert.ok((await verify()).ok)
    })

    it('a checkpoint that reached the database but not the witness (a crash between) is refused until the next signing adds it', async () => {
      const privateKey = createPrivateKey(readFileSync(c.keyFile))
      const head = (await checkpointRows()).at(-1)!.toSeq
      await c.appendEvents(2, 'crash')
      const range = await db.auditEvent.findMany({ where: { seq: { gt: head } }, orderBy: { seq: 'asc' } })
      const { signedAt, ...checkpoint } = m.checkpoint.createCheckpoint(range, privateKey, new Date())
      await db.auditCheckpoint.create({ data: { ...checkpoint, signedAt: new Date(signedAt) } })
      assert.deepEqual({ ...(await failure()), message: undefined }, { firstBadSeq: head + 1, problem: 'unwitnessed', checkpoint: { index: 5, of: 5 }, message: undefined })
      assert.deepEqual(await m.checkpoints.createAuditCheckpoints(db), [])
      assert.equal(witnessFiles().length, 5)
      const cli = await verifyCli()
      assert.equal(cli.code, 0, cli.stderr)
      assert.match(cli.stdout, /, 5 signed checkpoint\(s\) verified against the witness in /)
    })
  })
}
