// npm run audit:checkpoint — signs a checkpoint over the audit events written since the
// last one (the server also does this every PARALLAX_CHECKPOINT_MINUTES, default 15).
import { createAuditCheckpoints } from '../lib/audit/checkpoints.server'
import { getDb } from '../lib/db/client.server'

const written = await createAuditCheckpoints(getDb())
console.log(written.length ? `Signed ${written.length} checkpoint(s), up to seq ${written.at(-1)!.toSeq} (root ${written.at(-1)!.rootHash.slice(0, 16)}…)` : 'Nothing new to sign.')
await getDb().$disconnect()
