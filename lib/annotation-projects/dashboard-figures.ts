import type { AgreementDto, ProjectDto } from './schema'

// What the project dashboard draws, computed from the project's DTO: the pairwise agreement
// matrix (mean Dice per annotator pair over studies and segments), the distribution of Dice,
// and the per-study table with its CSV.

export interface AgreementMatrix {
  annotators: { id: string; name: string }[]
  /** Mean Dice of each pair (symmetric; 1 on the diagonal); null where the pair has no record. */
  dice: (number | null)[][]
  /** How many records each cell averages. */
  counts: number[][]
}

const mean = (values: number[]) => (values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : null)

export function agreementMatrix(project: Pick<ProjectDto, 'annotators' | 'agreements'>): AgreementMatrix {
  const annotators = project.annotators.filter((annotator) => annotator.role === 'annotator').map((annotator) => ({ id: annotator.userId, name: annotator.displayName }))
  const index = new Map(annotators.map((annotator, i) => [annotator.id, i]))
  const values = annotators.map(() => annotators.map((): number[] => []))
  for (const record of project.agreements) {
    const a = index.get(record.annotatorA.id)
    const b = index.get(record.annotatorB.id)
    if (a === undefined || b === undefined) continue
    values[a]![b]!.push(record.dice)
    values[b]![a]!.push(record.dice)
  }
  return {
    annotators,
    dice: values.map((row, i) => row.map((cell, j) => (i === j ? 1 : mean(cell)))),
    counts: values.map((row) => row.map((cell) => cell.length)),
  }
}

/** Counts of Dice values in `bins` equal bins over [0, 1] (1 falls in the last). */
export function diceHistogram(values: readonly number[], bins = 10): number[] {
  const counts = new Array<number>(bins).fill(0)
  for (const value of values) counts[Math.min(bins - 1, Math.max(0, Math.floor(value * bins)))]! += 1
  return counts
}

export interface StudyRow {
  studyId: string
  studyInstanceUid: string
  studyDescription: string
  queueScore: number | null
  submitted: number
  tasks: number
  meanDice: number | null
  meanHd95Mm: number | null
  meanAssdMm: number | null
  consensus: boolean
}

export function studyRows(project: Pick<ProjectDto, 'studies' | 'agreements' | 'consensus'>): StudyRow[] {
  return project.studies.map((study) => {
    const records = project.agreements.filter((record) => record.studyId === study.id)
    const defined = (pick: (record: AgreementDto) => number | null) => records.map(pick).filter((value): value is number => value !== null)
    return {
      studyId: study.id,
      studyInstanceUid: study.studyInstanceUid,
      studyDescription: study.studyDescription,
      queueScore: study.queueScore?.score ?? null,
      submitted: study.tasks.filter((task) => task.status === 'submitted').length,
      tasks: study.tasks.length,
      meanDice: mean(records.map((record) => record.dice)),
      meanHd95Mm: mean(defined((record) => record.hd95Mm)),
      meanAssdMm: mean(defined((record) => record.assdMm)),
      consensus: project.consensus.some((record) => record.studyId === study.id),
    }
  })
}

const csvColumns = ['studyInstanceUid', 'studyDescription', 'queueScore', 'submitted', 'tasks', 'meanDice', 'meanHd95Mm', 'meanAssdMm', 'consensus'] as const

// RFC 4180 quoting; a cell a spreadsheet would run as a formula (= + - @ TAB CR first) gets
// a leading apostrophe, as the audit CSV does (lib/audit/csv-export.ts).
function csvField(value: string | number | boolean | null): string {
  let text = value === null ? '' : String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** The per-study table as CSV (CRLF line ends, a header row). */
export function studyRowsCsv(rows: readonly StudyRow[]): string {
  return [csvColumns.join(','), ...rows.map((row) => csvColumns.map((column) => csvField(row[column])).join(','))].map((line) => `${line}\r\n`).join('')
}

/** A colour for a Dice value on the heat map: dark red (0) through amber to green (1); grey where none. */
export function diceColour(dice: number | null): string {
  if (dice === null) return '#3a3f47'
  const hue = Math.round(Math.max(0, Math.min(1, dice)) * 120)
  return `hsl(${hue} 70% 38%)`
}
