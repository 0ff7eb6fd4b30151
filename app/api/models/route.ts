import { roles } from '@/lib/vocabulary/roles'
import { route } from '@/lib/auth/route.server'
import { listModelSummaries } from '@/lib/inference/model-summary.server'

export const GET = route({ roles }, async () => Response.json(listModelSummaries()))
