'use client'
import { z } from 'zod'
import { getJson, sendJson } from '../http/send-json.client'
import type { ExportDestination, FindingDecision, FindingProposal, ReaderFinding } from './schema'
import { readDtoSchema, type ReadDto, type SignatureMeaning, type StudyReference } from './types'

// The browser's side of the reads API: small JSON records only, never pixels or masks. Every
// answer is checked against the DTO schema the server builds it by; failures throw ApiError
// (lib/ui/api-error.ts) with the server's code, such as `conflict:findings`.

export const fetchReadsOfStudy = (studyInstanceUid: string): Promise<ReadDto[]> => getJson(`/api/reads?study=${encodeURIComponent(studyInstanceUid)}`, readDtoSchema.array())

export const fetchRead = (id: string): Promise<ReadDto> => getJson(`/api/reads/${encodeURIComponent(id)}`, readDtoSchema)

export const openRead = (study: StudyReference): Promise<ReadDto> => sendJson('/api/reads', 'POST', { study }, readDtoSchema)

export const proposeFindings = (readId: string, proposal: FindingProposal): Promise<ReadDto> =>
  sendJson(`/api/reads/${readId}/findings`, 'POST', { origin: 'ai', ...proposal }, readDtoSchema)

export const addFinding = (readId: string, finding: ReaderFinding): Promise<ReadDto> =>
  sendJson(`/api/reads/${readId}/findings`, 'POST', { origin: 'reader', ...finding }, readDtoSchema)

export const decideFinding = (readId: string, findingId: string, decision: FindingDecision): Promise<ReadDto> =>
  sendJson(`/api/reads/${readId}/findings/${findingId}`, 'PATCH', decision, readDtoSchema)

/** Signs the read as it was shown: `contentHash` is the shown read's, and the server refuses (409) any other content. */
export const signRead = (readId: string, password: string, meaning: SignatureMeaning, contentHash: string): Promise<ReadDto> =>
  sendJson(`/api/reads/${readId}/signature`, 'POST', { password, meaning, contentHash }, readDtoSchema)

export const amendRead = (readId: string, reason: string): Promise<ReadDto> => sendJson(`/api/reads/${readId}/amendments`, 'POST', { reason }, readDtoSchema)

/** Records an export before the browser makes it (204). */
export const recordExport = (readId: string, destination: ExportDestination, pacsId: string | null): Promise<null> =>
  sendJson(`/api/reads/${readId}/exports`, 'POST', { destination, pacsId }, z.null())
