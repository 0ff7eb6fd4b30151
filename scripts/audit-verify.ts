// npm run audit:verify — recomputes the audit hash chain and checks every signed checkpoint
// against the witness (PARALLAX_AUDIT_WITNESS_DIR) and the pinned public key, then every
// signed read (its content hash, the server's signature and its read-signed event); exit 0
// when intact, 1 naming the first bad seq (and checkpoint) or the reads that fail otherwise.
// Needs no private key.
import { verifyAuditTrail } from '../lib/audit/checkpoints.server'
import { auditWitness } from '../lib/audit/witness.server'
import { getDb } from '../lib/db/client.server'
import { verifySignedReads } from '../lib/findings/signature-verification.server'

const witness = auditWitness()
const verdict = await verifyAuditTrail(getDb(), witness)
if (verdict.ok) {
  console.log(
    `OK: ${verdict.count} audit events, chain intact (head seq ${verdict.headSeq}, hash ${verdict.headHash.slice(0, 16)}…), ${verdict.checkpoints} signed checkpoint(s) verified against the witness in ${witness.location}`,
  )
} else {
  const checkpoint = verdict.checkpoint ? ` (checkpoint ${verdict.checkpoint.index} of ${verdict.checkpoint.of})` : ''
  console.error(`FAILED at seq ${verdict.firstBadSeq}${checkpoint}: ${verdict.message} (${verdict.problem})`)
}
const reads = await verifySignedReads(getDb())
if (reads.ok) console.log(`OK: ${reads.signedReads} signed read(s), every signature verified against its content, the server key and its audit event`)
else console.error(`FAILED: signed reads that do not verify: ${reads.problems.map((entry) => `${entry.readId} (${entry.problem})`).join(', ')}`)
await getDb().$disconnect()
process.exit(verdict.ok && reads.ok ? 0 : 1)
