// npm run audit:verify — recomputes the audit hash chain and checks every signed checkpoint
// against the witness (PARALLAX_AUDIT_WITNESS_DIR) and the pinned public key; exit 0 when
// intact, 1 naming the first bad seq (and checkpoint) otherwise. Needs no private key.
import { verifyAuditTrail } from '../lib/audit/checkpoints.server'
import { auditWitness } from '../lib/audit/witness.server'
import { getDb } from '../lib/db/client.server'

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
await getDb().$disconnect()
process.exit(verdict.ok ? 0 : 1)
