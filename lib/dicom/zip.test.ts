import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Zip, ZipDeflate, ZipPassThrough, zipSync } from 'fflate'
import { DEFAULT_ZIP_LIMITS, extractZip, isZip, type ZipLimits, type ZipResult } from './zip'
import { concatBytes } from '../../tests/support/dicom-bytes'

const ramp = (length: number, seed = 0) => Uint8Array.from({ length }, (_, i) => (i * 13 + seed) % 251)

/** Incompressible bytes (a linear congruential generator). */
function noise(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length)
  let state = seed
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0
    out[i] = state >>> 24
  }
  return out
}

function entriesOf(result: ZipResult): Record<string, Uint8Array> {
  assert.ok(result.ok, result.ok ? '' : result.reason)
  assert.deepEqual(result.rejected, [])
  return Object.fromEntries(result.entries.map((entry) => [entry.name, entry.bytes]))
}

function reasonOf(result: ZipResult): string {
  assert.ok(!result.ok, 'expected the archive to be refused')
  return result.reason
}

/** A zip written the streaming way: sizes in trailing data descriptors, as macOS and many tools do. */
function streamedZip(files: Record<string, Uint8Array>, stored: string[] = []): Uint8Array {
  const parts: Uint8Array[] = []
  const zip = new Zip((error, chunk) => {
    if (error) throw error
    parts.push(chunk)
  })
  for (const [name, bytes] of Object.entries(files)) {
    const entry = stored.includes(name) ? new ZipPassThrough(name) : new ZipDeflate(name, { level: 6 })
    zip.add(entry)
    entry.push(bytes, true)
  }
  zip.end()
  return concatBytes(parts)
}

const limits = (overrides: Partial<ZipLimits>): ZipLimits => ({ ...DEFAULT_ZIP_LIMITS, ...overrides })

describe('extractZip', () => {
  it('extracts deflated and stored entries, skipping directories', () => {
    const files = { 'study/a.dcm': ramp(200_000), 'study/b.dcm': ramp(50, 1), 'empty.txt': new Uint8Array(0) }
    const zip = zipSync({ ...files, 'study/': {} as never, 'stored.dcm': [ramp(1000, 2), { level: 0 }] })
    const entries = entriesOf(extractZip(zip))
    assert.deepEqual(Object.keys(entries).sort(), ['empty.txt', 'stored.dcm', 'study/a.dcm', 'study/b.dcm'])
    assert.deepEqual(entries['study/a.dcm'], files['study/a.dcm'])
    assert.deepEqual(entries['stored.dcm'], ramp(1000, 2))
  })

  it('extracts archives whose sizes sit in data descriptors', () => {
    const files = { 'x/1.dcm': ramp(300_000), 'x/2.dcm': ramp(70_000, 5) }
    const entries = entriesOf(extractZip(streamedZip(files, ['x/2.dcm'])))
    assert.deepEqual(entries, files)
  })

  it('refuses too many entries before inflating any', () => {
    const zip = zipSync(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`${i}.dcm`, ramp(10, i)])))
    assert.equal(reasonOf(extractZip(zip, limits({ maxEntries: 10 }))), 'Zip archive has more than 10 entries')
    assert.equal(Object.keys(entriesOf(extractZip(zip, limits({ maxEntries: 11 })))).length, 11)
  })

  it('refuses entries and totals over the size limits before inflating', () => {
    const zip = zipSync({ 'a.dcm': noise(3 * 2 ** 20), 'b.dcm': noise(3 * 2 ** 20, 2) }, { level: 0 })
    assert.equal(reasonOf(extractZip(zip, limits({ maxEntryBytes: 2 * 2 ** 20 }))), 'Zip entry a.dcm is 3 MiB, over the 2 MiB limit')
    assert.equal(reasonOf(extractZip(zip, limits({ maxTotalBytes: 5 * 2 ** 20 }))), 'Zip archive expands to 6 MiB, over the 5 MiB limit')
  })

  it('refuses a high compression ratio (zip bomb) but not a small, very compressible entry', () => {
    const bomb = zipSync({ 'zeros.dcm': new Uint8Array(16 * 2 ** 20) }, { level: 9 })
    assert.match(reasonOf(extractZip(bomb)), /^Zip entry zeros\.dcm expands \d+:1, over the 200:1 limit \(possible zip bomb\)$/)
    const smallZeros = zipSync({ 'mask.dcm': new Uint8Array(512 * 1024) }, { level: 9 })
    assert.equal(entriesOf(extractZip(smallZeros))['mask.dcm']!.length, 512 * 1024)
  })

  it('stops an entry that inflates past its declared size', () => {
    const zip = zipSync({ 'liar.dcm': noise(2 * 2 ** 20) }, { level: 1 })
    const view = new DataView(zip.buffer)
    const central = zip.length - 22 - (46 + 'liar.dcm'.length)
    assert.equal(view.getUint32(central, true), 0x02014b50)
    view.setUint32(22, 1000, true) // local header
    view.setUint32(central + 24, 1000, true) // central directory
    assert.equal(reasonOf(extractZip(zip)), 'Zip entry liar.dcm inflates beyond its declared 1000 bytes (possible zip bomb)')
  })

  it('refuses entries that overlap (shared compressed data)', () => {
    // Two central directory records pointing at one local entry: the "better zip bomb".
    const zip = zipSync({ 'a.dcm': ramp(100_000) }, { level: 0 })
    const view = new DataView(zip.buffer)
    const eocd = zip.length - 22
    const centralStart = view.getUint32(eocd + 16, true)
    const record = zip.subarray(centralStart, eocd)
    const doubled = new Uint8Array(zip.length + record.length)
    doubled.set(zip.subarray(0, eocd))
    doubled.set(record, eocd)
    doubled.set(zip.subarray(eocd), eocd + record.length)
    const out = new DataView(doubled.buffer)
    out.setUint16(eocd + record.length + 8, 2, true)
    out.setUint16(eocd + record.length + 10, 2, true)
    out.setUint32(eocd + record.length + 12, record.length * 2, true)
    assert.equal(reasonOf(extractZip(doubled)), 'Zip entries overlap (possible zip bomb)')
  })

  it('refuses what is not a zip, and rejects a corrupt entry while keeping the others', () => {
    const notZip = new Uint8Array([0x50, 0x4b, 3, 4, ...ramp(500)])
    assert.match(reasonOf(extractZip(notZip)), /^Not a readable zip archive/)

    const zip = zipSync({ 'bad.dcm': ramp(100_000), 'good.dcm': ramp(100_000, 3) }, { level: 6 })
    // Scribble over the middle of the first entry's compressed data.
    zip.fill(0xff, 30 + 'bad.dcm'.length + 200, 30 + 'bad.dcm'.length + 260)
    const result = extractZip(zip)
    assert.ok(result.ok)
    assert.deepEqual(
      result.entries.map((entry) => entry.name),
      ['good.dcm'],
    )
    assert.equal(result.rejected.length, 1)
    assert.equal(result.rejected[0]!.name, 'bad.dcm')
    assert.match(result.rejected[0]!.reason, /^Zip entry is corrupt|^Zip entry is \d+ bytes/)
  })

  it('recognises zips by signature', () => {
    assert.equal(isZip(zipSync({ a: ramp(3) })), true)
    assert.equal(isZip(zipSync({})), true)
    assert.equal(isZip(ramp(100)), false)
  })
})
