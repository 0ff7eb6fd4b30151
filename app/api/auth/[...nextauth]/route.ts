import { nextAuthRoute } from '@/lib/auth/nextauth-handlers.server'

export const { GET, POST } = nextAuthRoute
