// npm run models:add -- --id <bundled id> --file <model.onnx>          (a bundled manifest's file)
// npm run models:add -- --manifest <manifest.json> --file <model.onnx>  (a new model)
// npm run models:add -- --manifest <manifest.json> --url <https://…>    (downloaded, then checked)
// The file must match the manifest's SHA-256 and tensor names; the change is audited.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { registerModel } from '../../lib/inference/add-model.server'
import { bundledManifest, fetchModelBytes } from '../../lib/inference/registry.server'
import { setupDatabase } from '../../lib/users/setup.server'
import { getDb } from '../../lib/db/client.server'
import { AppError } from '../../lib/errors'

const usage = 'usage: npm run models:add -- (--id <bundled id> | --manifest <manifest.json>) (--file <model.onnx> | --url <url>)'
const { values } = parseArgs({ options: { id: { type: 'string' }, manifest: { type: 'string' }, file: { type: 'string' }, url: { type: 'string' } } })

function fail(message: string): never {
  console.error(message)
  process.exit(1)
}

if (!!values.id === !!values.manifest || !!values.file === !!values.url) fail(usage)
try {
  const manifest = values.id ? bundledManifest(values.id) : JSON.parse(readFileSync(values.manifest!, 'utf8'))
  const bytes = values.file ? new Uint8Array(readFileSync(values.file)) : await fetchModelBytes(values.url!)
  await setupDatabase({ demo: false })
  const model = await registerModel(getDb(), { manifest, bytes, fetched: !!values.url }, null, 'cli')
  console.log(`Added ${model.manifest.parallax.id} ${model.manifest.version} (${model.manifest.parallax.file.sha256.slice(0, 12)}…) at ${model.filePath}`)
} catch (error) {
  fail(error instanceof AppError || error instanceof SyntaxError ? `Refused: ${error.message}` : `Failed: ${error instanceof Error ? error.message : String(error)}`)
} finally {
  await getDb().$disconnect()
}
