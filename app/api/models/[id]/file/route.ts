import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { roles } from '@/lib/vocabulary/roles'
import { route } from '@/lib/auth/route.server'
import { AppError } from '@/lib/errors'
import { findModel } from '@/lib/inference/registry.server'

// Model files are not patient data. The URL carries the SHA-256, so a response can be
// cached for good; the browser checks the hash again before it uses the bytes.
export const GET = route({ roles, params: z.object({ id: z.string().regex(/^[a-z0-9-]{2,63}$/) }) }, async ({ params }) => {
  const model = findModel(params.id)
  if (!model?.filePath) throw new AppError('not_found', 'models', `Model "${params.id}" has no file registered.`)
  const bytes = await readFile(model.filePath)
  return new Response(new Uint8Array(bytes), {
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(bytes.byteLength),
      'cache-control': 'private, max-age=31536000, immutable',
      'x-model-sha256': model.manifest.parallax.file.sha256,
    },
  })
})
