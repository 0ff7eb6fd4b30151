import { route } from '@/lib/auth/route.server'
import { roles } from '@/lib/vocabulary/roles'

export const GET = route({ roles }, ({ user }) => Response.json(user))
