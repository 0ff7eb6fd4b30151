// npm run audit:verify — recomputes the audit hash chain and checks every signed checkpoint;
// exit 0 when intact, 1 with the first bad seq otherwise.
import { verifyAuditTrail } from '../lib/audit/checkpoints.server'
import { getDb } from '../lib/db/client.server'

const verdict = await verifyAuditTrail(getDb())
if (verdict.ok) {
  console.log(
    `OK: ${verdict.count} audit events, chain intact (head seq ${verdict.headSeq}, hash ${verdict.headHash.slice(0, 16)}…), ${verdict.checkpoints} signed checkpoint(s) verified`,
  )
} else {
  console.error(`FAILED at seq ${verdict.firstBadSeq}: ${verdict.message} (${verdict.problem})`)
}
await getDb().$disconnect()
process.exit(verdict.ok ? 0 : 1)
