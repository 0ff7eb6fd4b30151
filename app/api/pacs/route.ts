import { roles } from '@/lib/vocabulary/roles'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { listPacsServers } from '@/lib/dicomweb/pacs.server'

// The PACS servers the browser queries itself: where they are, never their credential (the
// browser reaches them with a token of its own, POST /api/pacs/[id]/token).
export const GET = route({ roles }, async () => Response.json(await listPacsServers(getDb())))
