import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { safeCallbackPath, safeRedirectUrl } from './callback-path'

// What browsers read as another site, or as something other than a plain path.
const offSite = [
  '//evil.example/x',
  '/\\evil.example',
  '\\/evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '/\u0000/evil.example',
  '/\u007f/evil.example',
  '/\u0085/evil.example',
  '/audit\\..\\..\\evil',
  'https://evil.example',
  'javascript:alert(1)',
  'evil.example',
  '',
  undefined,
  ['/a'],
]

describe('safeCallbackPath', () => {
  it('keeps same-site paths with their query and fragment', () => {
    assert.equal(safeCallbackPath('/audit?before=10'), '/audit?before=10')
    assert.equal(safeCallbackPath('/viewer?study=1.2.3#series'), '/viewer?study=1.2.3#series')
    assert.equal(safeCallbackPath('/'), '/')
  })

  it('refuses anything that could leave the site: a second slash, backslashes, control characters', () => {
    for (const value of offSite) assert.equal(safeCallbackPath(value), '/', JSON.stringify(value))
  })
})

describe('safeRedirectUrl (next-auth redirect callback)', () => {
  const baseUrl = 'http://localhost:3000'

  it('keeps relative paths and absolute URLs on our origin', () => {
    assert.equal(safeRedirectUrl('/login', baseUrl), 'http://localhost:3000/login')
    assert.equal(safeRedirectUrl('http://localhost:3000/audit?before=10', baseUrl), 'http://localhost:3000/audit?before=10')
  })

  it('sends everything else home', () => {
    for (const value of offSite.filter((candidate): candidate is string => typeof candidate === 'string')) {
      assert.equal(safeRedirectUrl(value, baseUrl), 'http://localhost:3000/', JSON.stringify(value))
    }
    for (const value of ['http://localhost:3000.evil.example/', 'http://localhost:3000@evil.example/', 'http://localhost:3000/\t/evil.example', 'http://localhost:4000/']) {
      assert.equal(safeRedirectUrl(value, baseUrl), 'http://localhost:3000/', value)
    }
  })
})
