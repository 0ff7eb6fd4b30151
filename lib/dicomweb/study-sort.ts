import type { StudyRow } from './qido'

// Client-side sorting of the study list (the rows already fetched; QIDO-RS has no sort).

export const studyColumns = {
  patientName: 'Patient',
  patientId: 'Patient ID',
  studyDate: 'Date',
  modalities: 'Modalities',
  studyDescription: 'Description',
  accessionNumber: 'Accession',
  instanceCount: 'Series / images',
} as const
export type StudyColumn = keyof typeof studyColumns
export type StudySort = { column: StudyColumn; direction: 1 | -1 }

// Natural order (2 before 10) and case-insensitive, as people read names and IDs.
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' })

function isBlank(row: StudyRow, column: StudyColumn): boolean {
  if (column === 'instanceCount') return row.instanceCount === null
  if (column === 'modalities') return row.modalities.length === 0
  return row[column] === ''
}

function compare(a: StudyRow, b: StudyRow, column: StudyColumn): number {
  switch (column) {
    case 'studyDate':
      // DA then TM: both fixed-width from the left (YYYYMMDD, HHMMSS.ffffff).
      return (a.studyDate + a.studyTime).localeCompare(b.studyDate + b.studyTime)
    case 'modalities':
      return collator.compare(a.modalities.join('/'), b.modalities.join('/'))
    case 'instanceCount':
      return (a.instanceCount ?? 0) - (b.instanceCount ?? 0)
    default:
      return collator.compare(a[column], b[column])
  }
}

/** A sorted copy; rows without a value sort last in either direction, ties keep the PACS order. */
export function sortStudies(rows: readonly StudyRow[], sort: StudySort): StudyRow[] {
  return [...rows].sort((a, b) => {
    const blankA = isBlank(a, sort.column)
    const blankB = isBlank(b, sort.column)
    if (blankA || blankB) return blankA === blankB ? 0 : blankA ? 1 : -1
    return compare(a, b, sort.column) * sort.direction
  })
}

/** Clicking the sorted column reverses it; another column starts ascending. */
export function nextSort(current: StudySort, column: StudyColumn): StudySort {
  return current.column === column ? { column, direction: current.direction === 1 ? -1 : 1 } : { column, direction: 1 }
}
