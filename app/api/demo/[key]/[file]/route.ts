import { z } from 'zod'
import { roles } from '@/lib/vocabulary/roles'
import { route } from '@/lib/auth/route.server'
import { AppError } from '@/lib/errors'
import { readDemoFile } from '@/lib/synthetic/demo-studies.server'

// Synthetic demo images only: they come from the server to the browser, never the other way.
const params = z.object({ key: z.string().regex(/^[a-z0-9-]{1,40}$/), file: z.string().regex(/^[\w.-]{1,64}\.dcm$/) })

export const GET = route({ roles, params }, async ({ params }) => {
  const bytes = readDemoFile(params.key, params.file)
  if (!bytes) throw new AppError('not_found', 'api', 'No such demo file.')
  return new Response(new Uint8Array(bytes), { headers: { 'content-type': 'application/dicom', 'cache-control': 'private, max-age=86400' } })
})
