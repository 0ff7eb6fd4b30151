import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createPacsServerSchema, dicomwebRootSchema, pacsServerDtoSchema, studySearchSchema, updatePacsServerSchema, usedFilterKeys } from './schema'

const issues = (result: { success: boolean; error?: { issues: { message: string }[] } }) => result.error?.issues.map((issue) => issue.message) ?? []

describe('dicomwebRootSchema', () => {
  it('accepts http and https roots, trimmed and without trailing slashes', () => {
    assert.equal(dicomwebRootSchema.parse(' https://pacs.example.org/dicom-web/ '), 'https://pacs.example.org/dicom-web')
    assert.equal(dicomwebRootSchema.parse('http://127.0.0.1:8042/dicom-web'), 'http://127.0.0.1:8042/dicom-web')
    assert.equal(dicomwebRootSchema.parse('https://PACS.example.org:443/'), 'https://pacs.example.org')
  })

  it('refuses other schemes, credentials in the URL, queries and fragments', () => {
    const cases: [string, RegExp][] = [
      ['ftp://pacs.example.org/dicom-web', /http:\/\/ or https:\/\//],
      ['javascript:alert(1)', /http:\/\/ or https:\/\//],
      ['file:///etc/passwd', /http:\/\/ or https:\/\//],
      ['https://user:secret@pacs.example.org/dicom-web', /user name or password/],
      ['https://token@pacs.example.org/dicom-web', /user name or password/],
      ['https://pacs.example.org/dicom-web?key=1', /query/],
      ['https://pacs.example.org/dicom-web?', /query/],
      ['https://pacs.example.org/dicom-web#x', /fragment/],
      ['pacs.example.org/dicom-web', /not a valid URL/],
      ['', /required/],
      [`https://pacs.example.org/${'a'.repeat(2100)}`, /2048/],
    ]
    for (const [value, message] of cases) {
      const result = dicomwebRootSchema.safeParse(value)
      assert.equal(result.success, false, value)
      assert.match(issues(result).join(' '), message, value)
    }
  })
})

describe('createPacsServerSchema', () => {
  const valid = { name: ' Main PACS ', qidoRoot: 'https://pacs.example.org/dicom-web', wadoRoot: 'https://pacs.example.org/wado/' }

  it('normalises a valid server; the authorization header is optional', () => {
    assert.deepEqual(createPacsServerSchema.parse(valid), {
      name: 'Main PACS',
      qidoRoot: 'https://pacs.example.org/dicom-web',
      wadoRoot: 'https://pacs.example.org/wado',
    })
    assert.equal(createPacsServerSchema.parse({ ...valid, authHeader: 'Bearer abc.def' }).authHeader, 'Bearer abc.def')
    assert.equal(createPacsServerSchema.parse({ ...valid, authHeader: null }).authHeader, null)
  })

  it('refuses an authorization header that would inject another header, or is not ASCII', () => {
    for (const authHeader of ['Bearer a\r\nX-Evil: 1', 'Bearer a\nb', 'Bearer é', '']) {
      assert.equal(createPacsServerSchema.safeParse({ ...valid, authHeader }).success, false, JSON.stringify(authHeader))
    }
  })

  it('refuses unknown fields, a missing root and an over-long name', () => {
    assert.equal(createPacsServerSchema.safeParse({ ...valid, admin: true }).success, false)
    assert.equal(createPacsServerSchema.safeParse({ name: 'x', qidoRoot: valid.qidoRoot }).success, false)
    assert.equal(createPacsServerSchema.safeParse({ ...valid, name: 'n'.repeat(65) }).success, false)
  })
})

describe('updatePacsServerSchema', () => {
  it('takes any one field; null removes the authorization header', () => {
    assert.deepEqual(updatePacsServerSchema.parse({ name: 'Renamed' }), { name: 'Renamed' })
    assert.deepEqual(updatePacsServerSchema.parse({ authHeader: null }), { authHeader: null })
  })

  it('refuses an empty change and unknown fields', () => {
    assert.match(issues(updatePacsServerSchema.safeParse({})).join(), /at least one/)
    assert.equal(updatePacsServerSchema.safeParse({ id: 'other' }).success, false)
  })
})

describe('pacsServerDtoSchema', () => {
  it('is what the browser checks API answers against', () => {
    const dto = { id: 'c1', name: 'A', qidoRoot: 'https://a', wadoRoot: 'https://a', hasAuthHeader: true, createdAt: 'x', updatedAt: 'y' }
    assert.deepEqual(pacsServerDtoSchema.parse(dto), dto)
    assert.equal(pacsServerDtoSchema.safeParse({ ...dto, hasAuthHeader: undefined }).success, false)
    // Says whether a credential is set; a credential itself has no place in it.
    assert.equal('authHeader' in pacsServerDtoSchema.parse({ ...dto, authHeader: 'Basic c2VjcmV0' }), false)
  })
})

describe('studySearchSchema', () => {
  it('turns blank form fields into no filter, with default paging', () => {
    const search = studySearchSchema.parse({ patientName: ' ', patientId: '', modality: '', studyDateFrom: '', studyDateTo: '' })
    assert.deepEqual(Object.fromEntries(Object.entries(search).filter(([, value]) => value !== undefined)), { limit: 100, offset: 0 })
    assert.deepEqual(usedFilterKeys(search), [])
  })

  it('upper-cases the modality and lists the filters used, in a fixed order', () => {
    const search = studySearchSchema.parse({ studyDateTo: '2024-01-31', modality: 'mr', patientName: 'doe' })
    assert.equal(search.modality, 'MR')
    assert.deepEqual(usedFilterKeys(search), ['patientName', 'modality', 'studyDateTo'])
  })

  it('refuses backslashes (DICOM value separators), bad dates, reversed ranges and bad modality codes', () => {
    assert.equal(studySearchSchema.safeParse({ patientId: 'a\\b' }).success, false)
    assert.equal(studySearchSchema.safeParse({ studyDateFrom: '14/04/2012' }).success, false)
    assert.equal(studySearchSchema.safeParse({ studyDateFrom: '2012-13-45' }).success, false)
    assert.match(issues(studySearchSchema.safeParse({ studyDateFrom: '2024-02-01', studyDateTo: '2024-01-01' })).join(), /after the end date/)
    assert.equal(studySearchSchema.safeParse({ modality: 'C T' }).success, false)
    assert.equal(studySearchSchema.safeParse({ accessionNumber: 'x'.repeat(17) }).success, false)
    assert.equal(studySearchSchema.safeParse({ limit: 0 }).success, false)
  })
})
