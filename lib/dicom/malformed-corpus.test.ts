// A corpus of malformed files derived by code from real ones: truncations, corrupt lengths
// and VRs, wrong pixel data lengths, absurd nesting, deflate and zip bombs. Every one must
// be rejected with a reason, nothing may throw, and valid files ingested alongside them
// must still load. Nothing here is written to disk.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { constants, deflateRawSync } from 'node:zlib'
import dicomParser from 'dicom-parser'
import { zipSync } from 'fflate'
import { missingSharedData, sharedDataPath } from '../../tests/support/shared-data'
import { concatBytes, deeplyNestedSequence, elementHeader, part10, syntheticCtImage, text, us } from '../../tests/support/dicom-bytes'
import { ingestFiles, type IngestInput } from './ingest'
import { parseInstance } from './parse-instance'

const skip = missingSharedData('transfer-syntaxes')
const skipCt = missingSharedData('ct-chest-lidc0314')

const VARIANTS = {
  explicit: 'CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm',
  implicit: 'CTImage.dcm_LittleEndianImplicitTransferSyntax_1.2.840.10008.1.2.dcm',
  bigEndian: 'CTImage.dcm_BigEndianExplicitTransferSyntax_1.2.840.10008.1.2.2.dcm',
  jpegLs: 'CTImage.dcm_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm',
  rle: 'CTImage.dcm_RLELosslessTransferSyntax_1.2.840.10008.1.2.5.dcm',
  deflated: 'CTImage.dcm_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm',
} as const

function variant(name: keyof typeof VARIANTS): Uint8Array {
  return new Uint8Array(readFileSync(sharedDataPath('transfer-syntaxes', VARIANTS[name])))
}

/** Where an element's header and value start, found with dicom-parser itself. */
function locate(bytes: Uint8Array, tag: string): { header: number; value: number; length: number } {
  const found = dicomParser.parseDicom(bytes).elements[tag]
  assert.ok(found, `${tag} present`)
  // Explicit VR long form (tag, VR, 2 reserved, 32-bit length) puts the VR 8 bytes before
  // the value; the short form and implicit VR have 8-byte headers.
  const vrOfLongForm = String.fromCharCode(...bytes.subarray(found.dataOffset - 8, found.dataOffset - 6))
  const header = found.dataOffset - (/^(OB|OW|OF|SQ|UN|UT)$/.test(vrOfLongForm) ? 12 : 8)
  return { header, value: found.dataOffset, length: found.length }
}

function patched(bytes: Uint8Array, at: number, values: number[]): Uint8Array {
  const copy = Uint8Array.from(bytes)
  copy.set(values, at)
  return copy
}

const le32 = (value: number) => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24]
const ascii = (value: string) => [...value].map((c) => c.charCodeAt(0))

interface Malformed {
  name: string
  bytes: Uint8Array
  /** The reason must match; a loose pattern where the exact wording depends on where the damage lands. */
  reason: RegExp
}

// A cut can land anywhere, so the wording varies with what it cuts: an element, a
// fragment, the deflate stream, the file header, or (at an element boundary just before
// Pixel Data) nothing at all but the pixel data itself.
const TRUNCATED = /^(File is truncated|Deflated data set is corrupt|Not a DICOM file \(only \d+ bytes\)$|No pixel data)/
const CORRUPT = /^(File is truncated or corrupt|Attribute \(\w{4},\w{4}\) has an invalid value representation|A sequence is corrupt|Pixel data is corrupt)/

function truncations(): Malformed[] {
  const out: Malformed[] = []
  for (const key of Object.keys(VARIANTS) as (keyof typeof VARIANTS)[]) {
    const bytes = variant(key)
    // Half the cuts land in the header (meta group and attributes), half in the pixel data
    // (deflated: in the compressed stream, whose inflated offsets are not file offsets).
    const pixels = key === 'deflated' ? null : locate(bytes, 'x7fe00010')
    const headerEnd = pixels ? pixels.value : 4096
    const end = pixels ? pixels.value + pixels.length : bytes.length - 16
    for (let k = 0; k < 25; k++) {
      for (const at of [Math.floor((k * headerEnd) / 25) + (k % 7), headerEnd + Math.floor((k * (end - headerEnd)) / 25) + (k % 7)]) {
        out.push({ name: `${key} cut at ${at}`, bytes: bytes.subarray(0, at), reason: TRUNCATED })
      }
    }
  }
  return out
}

function corruptLengths(): Malformed[] {
  const explicit = variant('explicit')
  const implicit = variant('implicit')
  const bigEndian = variant('bigEndian')
  const name = locate(explicit, 'x00100010')
  const pixels = locate(explicit, 'x7fe00010')
  const description = locate(explicit, 'x00081030')
  const implicitName = locate(implicit, 'x00100010')
  const implicitPixels = locate(implicit, 'x7fe00010')
  const bigName = locate(bigEndian, 'x00100010')
  return [
    { name: 'explicit PN length 0xFFF0', bytes: patched(explicit, name.header + 6, [0xf0, 0xff]), reason: CORRUPT },
    { name: 'explicit description length 0xFFFF', bytes: patched(explicit, description.header + 6, [0xff, 0xff]), reason: CORRUPT },
    { name: 'explicit description length 0', bytes: patched(explicit, description.header + 6, [0, 0]), reason: CORRUPT },
    { name: 'explicit pixel length 0xFFFFFFF0', bytes: patched(explicit, pixels.header + 8, le32(0xfffffff0)), reason: CORRUPT },
    { name: 'explicit pixel length undefined', bytes: patched(explicit, pixels.header + 8, le32(0xffffffff)), reason: CORRUPT },
    {
      name: 'implicit PN length 0xFFFFFFF0',
      bytes: patched(implicit, implicitName.header + 4, le32(0xfffffff0)),
      reason: /^File is truncated or corrupt: attribute \(0010,0010\) declares 4294967280 bytes, but only \d+ remain$/,
    },
    {
      name: 'implicit pixel length 0x7FFFFFFF',
      bytes: patched(implicit, implicitPixels.header + 4, le32(0x7fffffff)),
      reason: /^File is truncated or corrupt: attribute \(7FE0,0010\) declares 2147483647 bytes, but only 524288 remain$/,
    },
    { name: 'big endian PN length 0xFFF0', bytes: patched(bigEndian, bigName.header + 6, [0xff, 0xf0]), reason: CORRUPT },
  ]
}

function corruptVrs(): Malformed[] {
  const explicit = variant('explicit')
  const name = locate(explicit, 'x00100010')
  const pixels = locate(explicit, 'x7fe00010')
  const studyUid = locate(explicit, 'x0020000d')
  const invalid = /invalid value representation/
  return [
    { name: 'PN → ZZ', bytes: patched(explicit, name.header + 4, ascii('ZZ')), reason: invalid },
    { name: 'PN → NUL NUL', bytes: patched(explicit, name.header + 4, [0, 0]), reason: invalid },
    { name: 'PN → OB (length read from the wrong bytes)', bytes: patched(explicit, name.header + 4, ascii('OB')), reason: CORRUPT },
    { name: 'UI → SQ (value parsed as items)', bytes: patched(explicit, studyUid.header + 4, ascii('SQ')), reason: CORRUPT },
    { name: 'pixel OW → US (short length form)', bytes: patched(explicit, pixels.header + 4, ascii('US')), reason: CORRUPT },
    { name: 'pixel OW → ZZ', bytes: patched(explicit, pixels.header + 4, ascii('ZZ')), reason: CORRUPT },
  ]
}

function wrongPixelLengths(): Malformed[] {
  const out: Malformed[] = []
  for (const key of ['explicit', 'implicit', 'bigEndian'] as const) {
    const bytes = variant(key)
    const pixels = locate(bytes, 'x7fe00010')
    const lengthAt = key === 'implicit' ? pixels.header + 4 : pixels.header + 8
    for (const delta of key === 'explicit' ? [-4096, -100, -3, -2, -1, 1, 2, 3, 100, 4096] : [-2, 2]) {
      const length = pixels.length + delta
      const head = bytes.subarray(0, pixels.value)
      const lengthBytes = key === 'bigEndian' ? le32(length).reverse() : le32(length)
      // Pixel data is the last element: shorten or extend the file with it.
      const body = delta < 0 ? bytes.subarray(pixels.value, pixels.value + length) : concatBytes([bytes.subarray(pixels.value), new Uint8Array(delta)])
      out.push({
        name: `${key} pixel data ${delta > 0 ? '+' : ''}${delta} bytes`,
        bytes: patched(concatBytes([head, body]), lengthAt, lengthBytes),
        reason: new RegExp(`^Pixel data is ${length} bytes, expected 524288 \\(512×512, 1 frame, 1 sample/pixel, 16 bits allocated\\)$`),
      })
    }
  }
  return out
}

/**
 * A deflated-syntax image whose data set inflates to `pixelBytes` of pixel data. Built from
 * one 1 MiB zero block compressed with a full flush, repeated: byte-aligned and
 * self-contained, so the bomb takes milliseconds to build however large it inflates.
 */
function deflatedImage(rows: number, columns: number, sopInstanceUid: string): Uint8Array {
  const pixelBytes = rows * columns * 2
  assert.equal(pixelBytes % 2 ** 20, 0)
  const header = concatBytes([
    text(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
    text(0x00080018, 'UI', sopInstanceUid),
    text(0x0020000d, 'UI', '1.2.3.100'),
    text(0x0020000e, 'UI', '1.2.3.101'),
    us(0x00280002, 1),
    us(0x00280010, rows),
    us(0x00280011, columns),
    us(0x00280100, 16),
    elementHeader(0x7fe00010, 'OW', pixelBytes),
  ])
  const block = deflateRawSync(new Uint8Array(2 ** 20), { finishFlush: constants.Z_FULL_FLUSH })
  const stream = concatBytes([
    deflateRawSync(header, { finishFlush: constants.Z_FULL_FLUSH }),
    ...Array.from({ length: pixelBytes / 2 ** 20 }, () => block),
    deflateRawSync(new Uint8Array(0)),
  ])
  return part10(stream, { sopClassUid: '1.2.840.10008.5.1.4.1.1.7', sopInstanceUid, transferSyntaxUid: '1.2.840.10008.1.2.1.99' })
}

/** A zip whose only entry declares a fraction of the bytes it really inflates to. */
function lyingZip(): Uint8Array {
  const real = Uint8Array.from({ length: 4 * 2 ** 20 }, (_, i) => (i * 31) % 253)
  const zip = zipSync({ 'liar.dcm': real }, { level: 6 })
  const view = new DataView(zip.buffer)
  const declared = 2 ** 20
  view.setUint32(22, declared, true) // local file header: uncompressed size
  const central = zip.length - 22 - (46 + 'liar.dcm'.length)
  assert.equal(view.getUint32(central, true), 0x02014b50, 'central directory entry located')
  view.setUint32(central + 24, declared, true) // central directory: uncompressed size
  return zip
}

describe('malformed corpus derived from real files', { skip: skip ?? false }, () => {
  it('rejects 300 truncations of six encodings, never throwing', () => {
    const corpus = truncations()
    assert.equal(corpus.length, 300)
    for (const { name, bytes, reason } of corpus) {
      const result = parseInstance(bytes, name, 0)
      assert.ok(!result.ok, `${name} was accepted`)
      assert.match(result.rejection.reason, reason, name)
    }
  })

  it('rejects corrupt element lengths and VRs', () => {
    for (const { name, bytes, reason } of [...corruptLengths(), ...corruptVrs()]) {
      const result = parseInstance(bytes, name, 0)
      assert.ok(!result.ok, `${name} was accepted`)
      assert.match(result.rejection.reason, reason, `${name}: ${result.rejection.reason}`)
    }
  })

  it('rejects pixel data a few bytes shorter or longer than the header implies', () => {
    for (const { name, bytes, reason } of wrongPixelLengths()) {
      const result = parseInstance(bytes, name, 0)
      assert.ok(!result.ok, `${name} was accepted`)
      assert.match(result.rejection.reason, reason, name)
    }
  })

  it('rejects 100,000 levels of nested sequences without overflowing the stack', () => {
    const deep = syntheticCtImage({ sopInstanceUid: '1.2.3.200', extra: deeplyNestedSequence(0x0040a730, 100_000) })
    const result = parseInstance(deep, 'deep.dcm', 0)
    assert.ok(!result.ok)
    assert.equal(result.rejection.reason, 'Sequences are nested too deeply to read')
    // The same structure, shallow, is fine: depth is what is refused.
    assert.ok(parseInstance(syntheticCtImage({ sopInstanceUid: '1.2.3.201', extra: deeplyNestedSequence(0x0040a730, 20) }), 'shallow.dcm', 0).ok)
  })

  it('refuses a deflate bomb at the limit, yet reads the same construction when it fits', () => {
    const bomb = deflatedImage(4096, 4096, '1.2.3.300') // 32 MiB of pixels from ~33 KB
    assert.ok(bomb.length < 64 * 1024)
    const refused = parseInstance(bomb, 'bomb.dcm', 0, { maxInflatedBytes: 8 * 2 ** 20 })
    assert.ok(!refused.ok)
    assert.equal(refused.rejection.reason, 'Deflated data set expands beyond the 8 MiB limit (possible deflate bomb)')
    const fits = parseInstance(deflatedImage(512, 1024, '1.2.3.301'), 'fits.dcm', 0, { maxInflatedBytes: 8 * 2 ** 20 })
    assert.ok(fits.ok, fits.ok ? '' : fits.rejection.reason)
  })

  it('keeps loading valid files ingested together with the whole malformed corpus and two bombs', { skip: skipCt ?? false }, () => {
    const malformed = [...truncations(), ...corruptLengths(), ...corruptVrs(), ...wrongPixelLengths()]
    const zipBomb = zipSync({ 'zeros.dcm': new Uint8Array(64 * 2 ** 20) }, { level: 9 })
    const ctNames = readdirSync(sharedDataPath('ct-chest-lidc0314')).sort().slice(0, 30)
    const valid: IngestInput[] = ctNames.map((name) => ({ name, bytes: new Uint8Array(readFileSync(sharedDataPath('ct-chest-lidc0314', name))) }))
    const inputs: IngestInput[] = [
      ...malformed.map(({ name, bytes }) => ({ name, bytes })),
      { name: 'deflate-bomb.dcm', bytes: deflatedImage(4096, 4096, '1.2.3.302') },
      { name: 'zip-bomb.zip', bytes: zipBomb },
      { name: 'lying.zip', bytes: lyingZip() },
      ...valid,
    ]
    const { result } = ingestFiles(inputs, { maxInflatedBytes: 8 * 2 ** 20 })

    const rejected = new Map(result.rejected.map((rejection) => [rejection.source, rejection.reason]))
    for (const { name } of malformed) assert.ok(rejected.has(name), `${name} not rejected`)
    assert.match(rejected.get('deflate-bomb.dcm') ?? '', /expands beyond the 8 MiB limit/)
    assert.match(rejected.get('zip-bomb.zip') ?? '', /^Zip entry zeros\.dcm expands \d+:1, over the 200:1 limit \(possible zip bomb\)$/)
    assert.match(rejected.get('lying.zip') ?? '', /^Zip entry liar\.dcm inflates beyond its declared 1048576 bytes/)
    assert.equal(result.rejected.length, malformed.length + 3)

    assert.equal(result.patients.length, 1)
    const series = result.patients[0]!.studies[0]!.series
    assert.equal(series.length, 1)
    assert.equal(series[0]!.instances.length, valid.length)
    assert.deepEqual(series[0]!.instances.map((instance) => instance.source).sort(), ctNames)
  })
})
