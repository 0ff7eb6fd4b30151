import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { safeCallbackPath } from './callback-path'

describe('safeCallbackPath', () => {
  it('keeps same-site paths with their query', () => {
    assert.equal(safeCallbackPath('/audit?before=10'), '/audit?before=10')
  })
  it('refuses anything that could leave the site', () => {
    for (const value of ['//evil.example/x', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '', undefined, ['/a']]) {
      assert.equal(safeCallbackPath(value), '/', String(value))
    }
  })
})
