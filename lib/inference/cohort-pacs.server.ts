import 'server-only'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { MultipartError, multipartParts } from '../dicomweb/multipart'
import { DicomwebError, parseSeries, parseStudies, qidoGet, type QidoEndpoint } from '../dicomweb/qido'
import { shardOf } from './cohort'
import { finished, runCohort, type CohortOptions, type CohortResult } from './cohort-runner.server'
import { findModel } from './registry.server'

// A cohort on a PACS: the studies a QIDO-RS query finds and each one's series, this shard's
// share of them less those the output folder already holds as done (resume), each series'
// instances retrieved with WADO-RS into a temporary folder tree, then the very same folder
// cohort run on it (runCohort: workers, SEG and record per series, summary CSV). The
// temporary folder is removed afterwards; patient data stays on disk only while it runs.

export interface PacsSource {
  /** DICOMweb service root (QIDO-RS and WADO-RS), without a trailing slash. */
  root: string
  /** Sent as the Authorization header when set. */
  authorization: string | null
  /** QIDO-RS study query as a URL query string, e.g. ModalitiesInStudy=CT&StudyDate=20200101-20211231. */
  query: string
  timeoutMs: number
}

export interface PacsSeriesRef {
  studyInstanceUid: string
  seriesInstanceUid: string
}

export interface PacsCohortResult extends CohortResult {
  /** Series the query found (in this shard). */
  found: number
  /** Series retrieved and run now. */
  retrieved: number
}

const pageSize = 500

export function pacsSource(target: string, query: string | undefined, env: NodeJS.ProcessEnv = process.env): PacsSource {
  let url: URL
  try {
    url = new URL(target)
  } catch {
    throw new Error(`--cohort-pacs takes the PACS's DICOMweb root URL (e.g. https://pacs.example.org/dicom-web), not "${target}"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--cohort-pacs takes an http(s) URL, not ${url.protocol}`)
  if (url.search || url.hash) throw new Error('--cohort-pacs takes the DICOMweb root without a query; give the query with --query')
  const search = new URLSearchParams(query ?? '')
  for (const key of ['limit', 'offset']) if (search.has(key)) throw new Error(`--query must not set ${key}: the cohort pages through every match`)
  return { root: url.href.replace(/\/+$/, ''), authorization: env.PARALLAX_PACS_AUTHORIZATION || null, query: search.toString(), timeoutMs: 120_000 }
}

/** Every series of every study the query finds, paging through the studies. */
export async function listPacsSeries(source: PacsSource): Promise<PacsSeriesRef[]> {
  const endpoint: QidoEndpoint = { qidoRoot: source.root, authHeader: source.authorization }
  const options = { timeoutMs: source.timeoutMs }
  const studies: string[] = []
  for (let offset = 0; ; offset += pageSize) {
    const url = new URL(`${source.root}/studies?${source.query}`)
    url.searchParams.set('limit', String(pageSize))
    url.searchParams.set('offset', String(offset))
    const page = parseStudies(await qidoGet(endpoint, url, options))
    studies.push(...page.map((study) => study.studyInstanceUid))
    if (page.length < pageSize) break
  }
  const refs: PacsSeriesRef[] = []
  for (const studyInstanceUid of new Set(studies)) {
    const series = parseSeries(await qidoGet(endpoint, new URL(`${source.root}/studies/${studyInstanceUid}/series`), options))
    refs.push(...series.map((one) => ({ studyInstanceUid, seriesInstanceUid: one.seriesInstanceUid })))
  }
  return refs
}

/** WADO-RS retrieve of a series, as stored (any transfer syntax): each instance's Part 10 bytes. */
export async function retrieveSeries(source: PacsSource, ref: PacsSeriesRef): Promise<Uint8Array[]> {
  const url = `${source.root}/studies/${ref.studyInstanceUid}/series/${ref.seriesInstanceUid}`
  const headers: Record<string, string> = { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' }
  if (source.authorization) headers.authorization = source.authorization
  const timeout = AbortSignal.timeout(source.timeoutMs)
  const where = `series ${ref.seriesInstanceUid} from ${new URL(source.root).origin}`
  let response: Response
  let body: Uint8Array
  try {
    response = await fetch(url, { headers, signal: timeout })
    if (!response.ok) throw new DicomwebError('server', `The PACS refused the retrieve of ${where} (HTTP ${response.status}).`, response.status)
    body = new Uint8Array(await response.arrayBuffer())
  } catch (error) {
    if (error instanceof DicomwebError) throw error
    throw new DicomwebError(
      timeout.aborted ? 'timeout' : 'network',
      `Could not retrieve ${where}: ${timeout.aborted ? `no answer within ${source.timeoutMs / 1000} s` : String(error)}`,
    )
  }
  try {
    const parts = multipartParts(body, response.headers.get('content-type') ?? '')
    // A Part 10 file: 128 bytes of preamble, then "DICM".
    const notDicom = parts.findIndex((part) => part.length < 132 || new TextDecoder().decode(part.subarray(128, 132)) !== 'DICM')
    if (notDicom >= 0) throw new MultipartError(`part ${notDicom + 1} of ${parts.length} is not a DICOM Part 10 file`)
    return parts
  } catch (error) {
    throw new DicomwebError('bad-response', `The PACS's answer for ${where} is not DICOM: ${error instanceof Error ? error.message : String(error)}`)
  }
}

export async function runPacsCohort(
  options: Omit<CohortOptions, 'folder'> & { source: PacsSource; onRetrieve?: (done: number, total: number) => void },
): Promise<PacsCohortResult> {
  const model = findModel(options.modelId)
  if (!model) throw new Error(`No model "${options.modelId}" in the registry`)
  const { shard } = options
  const found = (await listPacsSeries(options.source)).filter((ref) => !shard || shardOf(ref.seriesInstanceUid, shard.count) === shard.index)
  const pending = found.filter((ref) => !finished(options, model.manifest, ref.studyInstanceUid, ref.seriesInstanceUid))
  const folder = mkdtempSync(path.join(os.tmpdir(), 'parallax-pacs-cohort-'))
  try {
    for (const [index, ref] of pending.entries()) {
      options.onRetrieve?.(index, pending.length)
      const dir = path.join(folder, `study${index}`)
      mkdirSync(dir)
      ;(await retrieveSeries(options.source, ref)).forEach((bytes, k) => writeFileSync(path.join(dir, `${k}.dcm`), bytes))
    }
    options.onRetrieve?.(pending.length, pending.length)
    const result = await runCohort({ ...options, folder })
    return { ...result, progress: { ...result.progress, total: found.length, resumed: found.length - pending.length }, found: found.length, retrieved: pending.length }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}
