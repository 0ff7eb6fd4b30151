'use client'
import { sendJson } from '../ui/send-json.client'
import type { FindingDecision } from './decision'
import type { FindingLabel, FindingLocation, ProposedFinding, ReadDto, SignatureMeaning, StudyReference } from './types'

// The browser's side of the reads API: small JSON records only, never pixels or masks.

export async function fetchReadsOfStudy(studyInstanceUid: string): Promise<ReadDto[]> {
  const response = await fetch(`/api/reads?study=${encodeURIComponent(studyInstanceUid)}`)
  if (!response.ok) throw new Error(`The reads of this study could not be loaded (HTTP ${response.status}).`)
  return (await response.json()) as ReadDto[]
}

export async function fetchRead(id: string): Promise<ReadDto> {
  const response = await fetch(`/api/reads/${encodeURIComponent(id)}`)
  if (!response.ok) throw new Error(`The read could not be loaded (HTTP ${response.status}).`)
  return (await response.json()) as ReadDto
}

export const openRead = (study: StudyReference) => sendJson('/api/reads', 'POST', { study }) as Promise<ReadDto>

export const proposeFindings = (
  readId: string,
  proposal: { model: { id: string; version: string; sha256: string }; executionProvider: 'webgpu' | 'wasm'; explanationMethod: string | null; findings: ProposedFinding[] },
) => sendJson(`/api/reads/${readId}/findings`, 'POST', { origin: 'ai', ...proposal }) as Promise<ReadDto>

export const addFinding = (readId: string, finding: { label: FindingLabel; location: FindingLocation; measurementMm: number | null; note: string | null }) =>
  sendJson(`/api/reads/${readId}/findings`, 'POST', { origin: 'reader', ...finding }) as Promise<ReadDto>

export const decideFinding = (readId: string, findingId: string, decision: FindingDecision) =>
  sendJson(`/api/reads/${readId}/findings/${findingId}`, 'PATCH', decision) as Promise<ReadDto>

export const signRead = (readId: string, password: string, meaning: SignatureMeaning) =>
  sendJson(`/api/reads/${readId}/signature`, 'POST', { password, meaning }) as Promise<ReadDto>

export const amendRead = (readId: string, reason: string) => sendJson(`/api/reads/${readId}/amendments`, 'POST', { reason }) as Promise<ReadDto>

export const recordExport = (readId: string, destination: 'download' | 'pacs', pacsId: string | null) =>
  sendJson(`/api/reads/${readId}/exports`, 'POST', { destination, pacsId }) as Promise<null>
