import { z } from 'zod'
import type { StudySearch } from './schema'

// QIDO-RS (DICOM PS3.18 §10.6) study and series searches, sent by the browser straight to
// the PACS: patient data never passes through our server. Pure and fetch-based, so it runs
// in the browser and in node's tests alike. Answers are DICOM JSON (PS3.18 Annex F.2),
// validated with zod and turned into typed rows; failures become a DicomwebError whose
// message can be shown to the user as it is.

export interface QidoEndpoint {
  /** Service root without a trailing slash, e.g. https://pacs.example.org/dicom-web */
  qidoRoot: string
  /** Sent as the Authorization header when set. */
  authHeader: string | null
}

export interface QidoOptions {
  fetch?: typeof fetch
  /** Aborts the request (a newer search replaces this one). */
  signal?: AbortSignal
  timeoutMs?: number
}

export const defaultQidoTimeoutMs = 30_000

export interface StudyRow {
  studyInstanceUid: string
  /** DICOM PN as stored (components separated by ^), Alphabetic group first; see formatPersonName. */
  patientName: string
  patientId: string
  /** DICOM DA (YYYYMMDD), or '' when the PACS has none. */
  studyDate: string
  studyTime: string
  accessionNumber: string
  studyDescription: string
  modalities: string[]
  seriesCount: number | null
  instanceCount: number | null
}

export interface SeriesRow {
  seriesInstanceUid: string
  modality: string
  seriesNumber: number | null
  seriesDescription: string
  instanceCount: number | null
}

export type DicomwebErrorKind = 'network' | 'timeout' | 'aborted' | 'unauthorized' | 'forbidden' | 'not-found' | 'rejected' | 'server' | 'bad-response'

/** A failed DICOMweb request; `message` is written for the person at the screen. */
export class DicomwebError extends Error {
  constructor(
    readonly kind: DicomwebErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message)
    this.name = 'DicomwebError'
  }
}

const uidPattern = /^[0-9]+(\.[0-9]+)*$/

const tags = {
  studyDate: '00080020',
  studyTime: '00080030',
  accessionNumber: '00080050',
  modality: '00080060',
  modalitiesInStudy: '00080061',
  studyDescription: '00081030',
  seriesDescription: '0008103E',
  patientName: '00100010',
  patientId: '00100020',
  studyInstanceUid: '0020000D',
  seriesInstanceUid: '0020000E',
  seriesNumber: '00200011',
  studySeriesCount: '00201206',
  studyInstanceCount: '00201208',
  seriesInstanceCount: '00201209',
} as const

// Attributes outside the default return set (PS3.18 Table 6.7.1-2a). The related-instance
// counts are in that set already and deliberately not listed: asked for explicitly, Orthanc
// returns the value copied into the files by the modality (a PET slice claiming 896
// instances) instead of counting what it stores.
const studyIncludeFields = [tags.studyDescription]
const seriesIncludeFields = [tags.seriesDescription]

/** A patient name search matches by prefix unless the user typed a wildcard (* or ?). */
export function patientNameMatch(value: string): string {
  return /[*?]/.test(value) ? value : `${value}*`
}

function dicomDate(isoDate: string): string {
  return isoDate.replaceAll('-', '')
}

/**
 * Percent-encodes a query value, but leaves the characters RFC 3986 allows in a query (and
 * DICOM matching uses) as they are: * ? for wildcards, ^ between name components, : / @ ,
 * in IDs. A server that decodes sees the same value either way; Orthanc 1.10 does not
 * decode query values at all, so `MISTER%5ECT` would match nothing there, and it still
 * cannot match a value with a space (which has to be encoded) other than by wildcard.
 */
export function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/%(3F|5E|3A|2F|40|2C)/g, (escape) => decodeURIComponent(escape))
}

function queryUrl(root: string, path: string, params: [string, string][]): URL {
  const query = params.map(([name, value]) => `${name}=${encodeQueryValue(value)}`).join('&')
  return new URL(`${root.replace(/\/+$/, '')}/${path}${query ? `?${query}` : ''}`)
}

export function studySearchUrl(root: string, search: StudySearch): URL {
  const params: [string, string][] = []
  if (search.patientName) params.push(['PatientName', patientNameMatch(search.patientName)])
  if (search.patientId) params.push(['PatientID', search.patientId])
  if (search.accessionNumber) params.push(['AccessionNumber', search.accessionNumber])
  if (search.modality) params.push(['ModalitiesInStudy', search.modality])
  if (search.studyDateFrom || search.studyDateTo) {
    // DICOM range matching: "from-to", "from-" or "-to"; one day is a single date.
    const from = search.studyDateFrom ? dicomDate(search.studyDateFrom) : ''
    const to = search.studyDateTo ? dicomDate(search.studyDateTo) : ''
    params.push(['StudyDate', from === to ? from : `${from}-${to}`])
  }
  for (const field of studyIncludeFields) params.push(['includefield', field])
  params.push(['limit', String(search.limit)], ['offset', String(search.offset)])
  return queryUrl(root, 'studies', params)
}

export function seriesSearchUrl(root: string, studyInstanceUid: string): URL {
  if (!uidPattern.test(studyInstanceUid)) throw new DicomwebError('rejected', `"${studyInstanceUid}" is not a DICOM UID.`)
  return queryUrl(
    root,
    `studies/${studyInstanceUid}/series`,
    seriesIncludeFields.map((field) => ['includefield', field]),
  )
}

export async function searchStudies(endpoint: QidoEndpoint, search: StudySearch, options: QidoOptions = {}): Promise<StudyRow[]> {
  return parseStudies(await qidoGet(endpoint, studySearchUrl(endpoint.qidoRoot, search), options))
}

export async function searchSeries(endpoint: QidoEndpoint, studyInstanceUid: string, options: QidoOptions = {}): Promise<SeriesRow[]> {
  return parseSeries(await qidoGet(endpoint, seriesSearchUrl(endpoint.qidoRoot, studyInstanceUid), options))
}

function statusError(status: number, origin: string): DicomwebError {
  if (status === 401) {
    return new DicomwebError('unauthorized', `The PACS at ${origin} asks for credentials (HTTP 401). Ask an administrator to check its authorization header.`, status)
  }
  if (status === 403) return new DicomwebError('forbidden', `The PACS at ${origin} refused access to these studies (HTTP 403).`, status)
  if (status === 404) {
    return new DicomwebError(
      'not-found',
      `The PACS at ${origin} has no DICOMweb search service at the configured address (HTTP 404). Ask an administrator to check the QIDO-RS root.`,
      status,
    )
  }
  if (status >= 400 && status < 500) return new DicomwebError('rejected', `The PACS at ${origin} rejected the search (HTTP ${status}). Try fewer or simpler filters.`, status)
  return new DicomwebError('server', `The PACS at ${origin} failed to answer (HTTP ${status}). Try again later.`, status)
}

/** GET a QIDO-RS URL and return its parsed JSON body (204 No Content is an empty list). */
export async function qidoGet(endpoint: QidoEndpoint, url: URL, options: QidoOptions): Promise<unknown> {
  const fetchImpl = options.fetch ?? globalThis.fetch
  const timeout = AbortSignal.timeout(options.timeoutMs ?? defaultQidoTimeoutMs)
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout
  const headers: Record<string, string> = { accept: 'application/dicom+json' }
  if (endpoint.authHeader) headers.authorization = endpoint.authHeader
  // Whatever stopped the request, while connecting or while reading the answer.
  const stopped = (networkMessage: string) =>
    options.signal?.aborted
      ? new DicomwebError('aborted', 'The search was cancelled.')
      : timeout.aborted
        ? new DicomwebError('timeout', `The PACS at ${url.origin} did not answer within ${Math.round((options.timeoutMs ?? defaultQidoTimeoutMs) / 1000)} s.`)
        : new DicomwebError('network', networkMessage)
  let response: Response
  try {
    // No cookies: the PACS is another site, and our session must never reach it.
    response = await fetchImpl(url, { headers, signal, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' })
  } catch {
    // A browser reports a refused connection, a failed DNS lookup, a missing CORS header
    // and a CSP block identically (TypeError), so the message names all of them.
    throw stopped(
      `Could not reach the PACS at ${url.origin}. It may be offline, or it does not allow requests from this site (CORS), or its address is not in this site's list of PACS servers.`,
    )
  }
  if (response.status === 204) return []
  if (!response.ok) throw statusError(response.status, url.origin)
  let text: string
  try {
    text = await response.text()
  } catch {
    throw stopped(`The connection to the PACS at ${url.origin} broke off while it answered.`)
  }
  try {
    return JSON.parse(text)
  } catch {
    throw new DicomwebError('bad-response', `The PACS at ${url.origin} did not answer with DICOM JSON. Ask an administrator to check the QIDO-RS root.`)
  }
}

// DICOM JSON (PS3.18 F.2): an array of objects keyed by eight hex digits, each attribute
// { vr, Value? } (BulkDataURI and InlineBinary are not used by these searches).
const attributeSchema = z.object({ vr: z.string().regex(/^[A-Z]{2}$/), Value: z.array(z.unknown()).optional() })
const datasetSchema = z.record(z.string().regex(/^[0-9A-Fa-f]{8}$/), attributeSchema)
const responseSchema = z.array(datasetSchema)
type Dataset = z.infer<typeof datasetSchema>

function parseResponse(json: unknown, what: string): Dataset[] {
  const result = responseSchema.safeParse(json)
  if (!result.success) {
    throw new DicomwebError('bad-response', `The PACS answered the ${what} search with data that is not DICOM JSON (${result.error.issues[0]?.message ?? 'unexpected shape'}).`)
  }
  // Tags are upper-case hex in the standard; some servers send lower case.
  return result.data.map((dataset) => Object.fromEntries(Object.entries(dataset).map(([tag, attribute]) => [tag.toUpperCase(), attribute])))
}

function firstValue(dataset: Dataset, tag: string): unknown {
  return dataset[tag]?.Value?.[0]
}

function text(dataset: Dataset, tag: string): string {
  const value = firstValue(dataset, tag)
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : ''
}

function texts(dataset: Dataset, tag: string): string[] {
  return (dataset[tag]?.Value ?? []).filter((value): value is string => typeof value === 'string' && value.trim() !== '').map((value) => value.trim())
}

/** IS and US values are JSON numbers by the standard; some servers send numeric strings. */
function integer(dataset: Dataset, tag: string): number | null {
  const value = firstValue(dataset, tag)
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN
  return Number.isInteger(number) ? number : null
}

/** PN values are objects with Alphabetic, Ideographic and Phonetic groups; the first one present wins. */
function personName(dataset: Dataset, tag: string): string {
  const value = firstValue(dataset, tag)
  if (typeof value !== 'object' || value === null) return ''
  for (const group of ['Alphabetic', 'Ideographic', 'Phonetic']) {
    const text = (value as Record<string, unknown>)[group]
    if (typeof text === 'string' && text.trim() !== '') return text.trim()
  }
  return ''
}

function uid(dataset: Dataset, tag: string, what: string): string {
  const value = text(dataset, tag)
  if (!uidPattern.test(value)) throw new DicomwebError('bad-response', `The PACS sent a ${what} without a valid ${what} Instance UID.`)
  return value
}

export function parseStudies(json: unknown): StudyRow[] {
  return parseResponse(json, 'study').map((dataset) => ({
    studyInstanceUid: uid(dataset, tags.studyInstanceUid, 'study'),
    patientName: personName(dataset, tags.patientName),
    patientId: text(dataset, tags.patientId),
    studyDate: text(dataset, tags.studyDate),
    studyTime: text(dataset, tags.studyTime),
    accessionNumber: text(dataset, tags.accessionNumber),
    studyDescription: text(dataset, tags.studyDescription),
    modalities: texts(dataset, tags.modalitiesInStudy),
    seriesCount: integer(dataset, tags.studySeriesCount),
    instanceCount: integer(dataset, tags.studyInstanceCount),
  }))
}

export function parseSeries(json: unknown): SeriesRow[] {
  return parseResponse(json, 'series').map((dataset) => ({
    seriesInstanceUid: uid(dataset, tags.seriesInstanceUid, 'series'),
    modality: text(dataset, tags.modality),
    seriesNumber: integer(dataset, tags.seriesNumber),
    seriesDescription: text(dataset, tags.seriesDescription),
    instanceCount: integer(dataset, tags.seriesInstanceCount),
  }))
}

/** "DOE^JANE^M^DR" → "DOE, JANE M" (family, given middle; prefix and suffix left out). */
export function formatPersonName(pn: string): string {
  const [family = '', given = '', middle = ''] = pn.split('^').map((part) => part.trim())
  const rest = [given, middle].filter(Boolean).join(' ')
  return family && rest ? `${family}, ${rest}` : family || rest
}

/** DICOM DA "20120414" → "2012-04-14"; anything else is shown as it came. */
export function formatDicomDate(da: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(da)
  return match ? `${match[1]}-${match[2]}-${match[3]}` : da
}
