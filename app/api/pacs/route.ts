import { roles } from '@/lib/vocabulary/roles'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { listPacsServers } from '@/lib/dicomweb/pacs.server'

// The PACS servers the browser queries itself, authorization header included: the browser
// is the DICOMweb client, so every signed-in role gets what it needs to reach them.
export const GET = route({ roles }, async () => Response.json(await listPacsServers(getDb())))
