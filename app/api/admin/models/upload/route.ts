import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { AppError } from '@/lib/errors'
import { registerModel } from '@/lib/inference/add-model.server'
import { toModelSummary } from '@/lib/inference/model-summary.server'
import { maxModelBytes } from '@/lib/inference/registry.server'

// An admin uploads a model: a multipart form with `manifest` (JSON) and `file` (ONNX).
// The size is checked from Content-Length before anything is read.
export const POST = route({ roles: ['admin'] }, async ({ request, user }) => {
  const declared = Number(request.headers.get('content-length') ?? NaN)
  if (!Number.isFinite(declared)) throw new AppError('bad_request', 'models', 'Uploads need a Content-Length.')
  if (declared > maxModelBytes + 1024 * 1024) throw new AppError('payload_too_large', 'models', `Model files are limited to ${maxModelBytes / 1024 / 1024} MiB.`)
  let form: FormData
  try {
    form = await request.formData()
  } catch {
    throw new AppError('bad_request', 'models', 'Send a multipart form with a manifest and a file.')
  }
  const manifestField = form.get('manifest')
  const file = form.get('file')
  if (manifestField === null || !(file instanceof Blob)) throw new AppError('bad_request', 'models', 'Send both the manifest (JSON) and the model file (ONNX).')
  let manifest: unknown
  try {
    manifest = JSON.parse(typeof manifestField === 'string' ? manifestField : await manifestField.text())
  } catch {
    throw new AppError('bad_request', 'models', 'The manifest is not valid JSON.')
  }
  const bytes = new Uint8Array(await file.arrayBuffer())
  const model = await registerModel(getDb(), { manifest, bytes }, user, 'admin-upload', clientAddress(request.headers))
  return Response.json(toModelSummary(model), { status: 201 })
})
