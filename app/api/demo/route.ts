import { roles } from '@/lib/vocabulary/roles'
import { route } from '@/lib/auth/route.server'
import { listDemoStudies } from '@/lib/synthetic/demo-studies.server'

export const GET = route({ roles }, async () => Response.json(listDemoStudies()))
