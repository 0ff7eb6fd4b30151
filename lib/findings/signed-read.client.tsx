'use client'
import { useState } from 'react'
import type { DicomSeries } from '../dicom/types'
import { storeInstance } from '../dicomweb/stow.client'
import { downloadBlob } from '../http/download.client'
import { pacsById } from '../dicomweb/pacs.client'
import { pacsAuthorization } from '../dicomweb/pacs-token.client'
import { newReportIdentity, writeMeasurementReport, type ReportStudyContext } from './measurement-report'
import type { ExportDestination } from './schema'
import { signatureMeanings, type ReadDto, type SignatureProblem, type StudyReference } from './types'

// A signed read on screen: its signature manifest (21 CFR 11.50: printed name, UTC date and
// time, meaning) and its export as a DICOM SR, built here from the read and the loaded
// images, then downloaded or stored to the study's PACS (STOW-RS) by this browser.

const problemMessages: Record<SignatureProblem, string> = {
  'content-changed': 'does not match the stored content',
  'not-server-signed': 'made before the server signed signatures: cannot be verified',
  'no-public-key': 'no public key to verify it with (PARALLAX_AUDIT_PUBLIC_KEY)',
  'bad-signature': "not signed by the server's audit key",
  'audit-mismatch': 'disagrees with the audit trail',
}

export function SignatureManifest({ read }: { read: ReadDto }) {
  const signature = read.signature!
  return (
    <div
      className="card"
      style={{ padding: '.5rem .7rem', fontSize: '.8rem' }}
      data-testid="signature-manifest"
      data-valid={signature.valid ? 'true' : 'false'}
      data-problem={signature.problem ?? ''}
      data-content-hash={signature.contentHash}
    >
      <div>
        <strong>Electronically signed</strong> by <span data-testid="signature-name">{signature.printedName}</span>
      </div>
      <div data-testid="signature-time">{signature.signedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}</div>
      <div>
        Meaning: <span data-testid="signature-meaning">{signatureMeanings[signature.meaning]}</span>
      </div>
      <div className="muted" style={{ wordBreak: 'break-all' }}>
        Content SHA-256 {signature.contentHash}{' '}
        {signature.problem ? <span className="badge bad">{problemMessages[signature.problem]}</span> : <span className="badge ok">verified</span>}
      </div>
    </div>
  )
}

function reportContext(studySeries: DicomSeries[]): ReportStudyContext {
  const instances = studySeries.flatMap((series) => series.instances)
  const first = instances[0]!
  return {
    patientName: first.patientName,
    patientId: first.patientId,
    patientBirthDate: first.patientBirthDate,
    patientSex: first.patientSex,
    studyInstanceUid: first.studyInstanceUid,
    studyDate: first.studyDate,
    studyTime: first.studyTime,
    studyId: first.studyId,
    accessionNumber: first.accessionNumber,
    referringPhysicianName: first.referringPhysicianName,
    studyDescription: first.studyDescription,
    images: new Map(
      instances.map((instance) => [
        instance.sopInstanceUid,
        { sopClassUid: instance.sopClassUid, sopInstanceUid: instance.sopInstanceUid, seriesInstanceUid: instance.seriesInstanceUid },
      ]),
    ),
  }
}

interface SrExportProps {
  read: ReadDto
  studySeries: DicomSeries[]
  study: StudyReference
  /** Storing to the PACS writes to the clinical record: radiologists only (the server checks too). */
  canStore: boolean
  /** Records the export on the server (audited) before it is made. */
  recordExport: (destination: ExportDestination, pacsId: string | null) => Promise<null>
  onError: (message: string) => void
}

export function SrExport({ read, studySeries, study, canStore, recordExport, onError }: SrExportProps) {
  const [stored, setStored] = useState<string | null>(null)

  function build(): Uint8Array | null {
    try {
      return writeMeasurementReport(read, reportContext(studySeries), newReportIdentity(new Date()))
    } catch (error) {
      onError(`The report could not be built: ${(error as Error).message}`)
      return null
    }
  }

  function download() {
    const bytes = build()
    if (!bytes) return
    void recordExport('download', null).catch((error: Error) => onError(error.message))
    downloadBlob(`parallax-read-${read.id}-v${read.version}.dcm`, new Blob([bytes as BlobPart], { type: 'application/dicom' }))
  }

  async function store() {
    const bytes = build()
    if (!bytes || !study.sourceRef) return
    try {
      const pacs = await pacsById(study.sourceRef)
      // Audited first: a store that then fails leaves an attempt on record, never a report without one.
      await recordExport('pacs', pacs.id)
      await storeInstance(pacs.wadoRoot, await pacsAuthorization(pacs.id, 'write'), bytes)
      setStored(`Stored to ${pacs.name}.`)
    } catch (error) {
      onError((error as Error).message)
    }
  }

  return (
    <div className="form-row" style={{ marginTop: '.4rem' }}>
      <button type="button" data-testid="export-sr" onClick={download}>
        Download DICOM SR
      </button>
      {canStore && study.source === 'dicomweb' && study.sourceRef && (
        <button type="button" data-testid="store-sr" onClick={() => void store()}>
          Store SR to the PACS
        </button>
      )}
      {stored && (
        <span className="muted" data-testid="store-sr-status">
          {stored}
        </span>
      )}
    </div>
  )
}
