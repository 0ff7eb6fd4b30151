import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { worklist } from '@/lib/findings/reads.server'

export const GET = route({ roles: ['radiologist', 'researcher'] }, async ({ user }) => Response.json(await worklist(getDb(), user)))
