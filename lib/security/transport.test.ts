import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { servedOverHttps, strictTransportSecurity } from './transport'

describe('servedOverHttps', () => {
  it('is true only for an https public URL', () => {
    assert.equal(servedOverHttps('https://parallax.example.org'), true)
    assert.equal(servedOverHttps('HTTPS://parallax.example.org/'), true)
    assert.equal(servedOverHttps('http://localhost:3000'), false)
    assert.equal(servedOverHttps(''), false)
  })

  it('asks browsers to keep to HTTPS for two years', () => {
    assert.match(strictTransportSecurity, /^max-age=63072000\b/)
  })
})
