// Instances → Patient → Study → Series, in the order a study browser shows them:
// patients by name, a patient's studies newest first, a study's series by SeriesNumber,
// and each series' instances in spatial order (series-geometry.ts).
import { orderSeries } from './series-geometry'
import type { DicomInstance, DicomPatient, DicomSeries, DicomStudy } from './types'

export function groupStudies(instances: readonly DicomInstance[]): DicomPatient[] {
  // Patients are keyed by ID; files with no ID are kept apart by name rather than merged.
  const patients = groupBy(instances, (instance) => (instance.patientId ? `id:${instance.patientId}` : `name:${instance.patientName}`))
  return [...patients.values()]
    .map((members): DicomPatient => {
      const first = members[0]!
      return {
        patientId: first.patientId,
        patientName: first.patientName,
        studies: [...groupBy(members, (instance) => instance.studyInstanceUid).values()].map(toStudy).sort(newestFirst),
      }
    })
    .sort((a, b) => compareText(a.patientName, b.patientName) || compareText(a.patientId, b.patientId))
}

function toStudy(members: DicomInstance[]): DicomStudy {
  const first = members[0]!
  return {
    studyInstanceUid: first.studyInstanceUid,
    generatedUid: first.warnings.some((warning) => warning.kind === 'generated-study-uid'),
    studyDate: first.studyDate,
    studyTime: first.studyTime,
    studyDescription: first.studyDescription,
    accessionNumber: first.accessionNumber,
    series: [...groupBy(members, (instance) => instance.seriesInstanceUid).values()].map(toSeries).sort(bySeriesNumber),
  }
}

function toSeries(members: DicomInstance[]): DicomSeries {
  const first = members[0]!
  const { instances, geometry } = orderSeries(members)
  return {
    seriesInstanceUid: first.seriesInstanceUid,
    seriesNumber: first.seriesNumber,
    seriesDescription: first.seriesDescription,
    modality: first.modality,
    instances,
    frameCount: members.reduce((total, instance) => total + instance.numberOfFrames, 0),
    geometry,
  }
}

// DA (YYYYMMDD) and TM (HHMMSS.frac) compare correctly as text; undated studies go last.
function newestFirst(a: DicomStudy, b: DicomStudy): number {
  if (!a.studyDate !== !b.studyDate) return a.studyDate ? -1 : 1
  return compareText(b.studyDate + b.studyTime, a.studyDate + a.studyTime) || compareText(a.studyInstanceUid, b.studyInstanceUid)
}

// Unnumbered series go last; ties fall back to description, then UID, so order is stable.
function bySeriesNumber(a: DicomSeries, b: DicomSeries): number {
  const number = (series: DicomSeries) => series.seriesNumber ?? Number.MAX_SAFE_INTEGER
  return number(a) - number(b) || compareText(a.seriesDescription, b.seriesDescription) || compareText(a.seriesInstanceUid, b.seriesInstanceUid)
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const group = groups.get(key(item))
    if (group) group.push(item)
    else groups.set(key(item), [item])
  }
  return groups
}
