import { roles } from '@/lib/auth/roles'
import { route } from '@/lib/auth/route.server'
import { listDemoStudies } from '@/lib/synthetic/demo-studies.server'

export const GET = route({ roles }, async () => Response.json(listDemoStudies()))
