import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { Enums, metaData, registerDefaultProviders, utilities } from '@cornerstonejs/metadata'
import { missingSharedData, sharedDataPath } from '../../tests/support/shared-data'
import { naturalizeForPage } from './naturalize'
import { mayNeedNormalising } from './normalise-for-decoder'
import { HEAD_BYTES, parseInstanceHeader } from './parse-instance'

// The ingestion worker's dataset, once it has crossed to the page (a structured clone that
// transfers Pixel Data), must give Cornerstone's loader exactly what the loader's own read
// and parse of the file gives it: the same modules for the viewport and tools, the same
// compressed frame for the decoder.

const skipCorpus = missingSharedData('transfer-syntaxes')
const skipCt = missingSharedData('ct-chest-lidc0314')

registerDefaultProviders()
const NATURALIZED = Enums.MetadataModules.NATURALIZED
const MODULES = ['imagePixelModule', 'imagePlaneModule', 'generalSeriesModule', 'generalImageModule', 'voiLutModule', 'modalityLutModule', 'sopCommonModule']

function filesOf(dir: string, count = Infinity): { name: string; bytes: Uint8Array }[] {
  return readdirSync(sharedDataPath(dir))
    .filter((name) => name.endsWith('.dcm'))
    .sort()
    .slice(0, count)
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(sharedDataPath(dir, name))) }))
}

const freshBuffer = (bytes: Uint8Array) => bytes.slice().buffer

function frameOf(imageId: string) {
  const frame = metaData.getTyped(Enums.MetadataModules.COMPRESSED_FRAME_DATA, imageId, { frameIndex: 0 }) as { pixelData: unknown; transferSyntaxUid: string } | undefined
  const parts = [frame?.pixelData].flat(2) as (ArrayBuffer | ArrayBufferView)[]
  const bytes = parts.map((part) => (part instanceof ArrayBuffer ? new Uint8Array(part) : new Uint8Array(part.buffer, part.byteOffset, part.byteLength)))
  return { transferSyntaxUid: frame?.transferSyntaxUid, bytes: Buffer.concat(bytes) }
}

let nextId = 0

async function comparePaths(name: string, bytes: Uint8Array): Promise<void> {
  const page = `dicomfile:naturalize-page-${nextId}`
  const loader = `dicomfile:naturalize-loader-${nextId++}`
  try {
    const made = await naturalizeForPage(new Uint8Array(freshBuffer(bytes)))
    assert.ok(made, `${name}: the worker could not naturalize a file the loader reads`)
    const crossed = structuredClone(made.natural, { transfer: made.transfer })
    // Transferred, not copied: the worker's Pixel Data buffers are detached.
    assert.ok(made.transfer.length > 0 && made.transfer.every((buffer) => buffer.byteLength === 0), `${name}: Pixel Data was not transferred`)
    utilities.setCacheData(NATURALIZED, page, crossed)
    await utilities.addDicomPart10Instance(loader, freshBuffer(bytes))
    for (const module of MODULES) assert.deepEqual(metaData.get(module, page), metaData.get(module, loader), `${name}: ${module}`)
    const [fromPage, fromLoader] = [frameOf(page), frameOf(loader)]
    assert.ok(fromLoader.bytes.length > 0, `${name}: no compressed frame`)
    assert.equal(fromPage.transferSyntaxUid, fromLoader.transferSyntaxUid, name)
    assert.ok(fromPage.bytes.equals(fromLoader.bytes), `${name}: the frames differ`)
  } finally {
    utilities.clearTypedCacheData(NATURALIZED, page)
    utilities.clearTypedCacheData(NATURALIZED, loader)
  }
}

describe('naturalizeForPage', () => {
  it('gives the loader what its own read gives, for every file ingestion hands over from its head', { skip: skipCorpus ?? false }, async () => {
    let compared = 0
    for (const { name, bytes } of filesOf('transfer-syntaxes')) {
      // Only files accepted from their heads are naturalized by the worker (ingest.worker.ts).
      const header = bytes.length > HEAD_BYTES ? parseInstanceHeader(bytes.subarray(0, HEAD_BYTES), bytes.length, name, 0) : null
      if (!header || mayNeedNormalising(bytes.subarray(0, HEAD_BYTES), header)) continue
      await comparePaths(name, bytes)
      compared += 1
    }
    assert.ok(compared >= 20, `only ${compared} files compared`)
  })

  it('does so for the CT the bench loads', { skip: skipCt ?? false }, async () => {
    for (const { name, bytes } of filesOf('ct-chest-lidc0314', 8)) await comparePaths(name, bytes)
  })

  it('gives null for bytes dcmjs cannot read, leaving the file to the loader', async () => {
    assert.equal(await naturalizeForPage(new Uint8Array(300).fill(7)), null)
  })
})
