import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { assertModelIntegrity, ModelIntegrityError, sha256Hex } from './model-integrity'

describe('model integrity', () => {
  const bytes = new TextEncoder().encode('not really an onnx model, but bytes all the same')
  const expected = createHash('sha256').update(bytes).digest('hex')

  it('hashes like node:crypto', async () => {
    assert.equal(await sha256Hex(bytes), expected)
    assert.equal(await sha256Hex(bytes.buffer), expected)
  })

  it('accepts matching bytes and refuses a single flipped bit', async () => {
    await assertModelIntegrity(bytes, expected)
    const tampered = bytes.slice()
    tampered[7]! ^= 1
    await assert.rejects(assertModelIntegrity(tampered, expected), (error: unknown) => {
      assert.ok(error instanceof ModelIntegrityError)
      assert.match(error.message, /SHA-256 is [0-9a-f]{12}…, but its manifest says [0-9a-f]{12}…: the file was refused/)
      return true
    })
  })
})
