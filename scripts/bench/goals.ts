// The speed goals the bench is held to (issue 14), each checked against what this run
// measured and printed together at the end, so one look says which hold and which do not.
import { table } from './format'

export interface GoalCheck {
  measure: string
  goal: string
  seen: string
  met: boolean
}

const checks: GoalCheck[] = []

const format = (value: number, unit: string) => {
  if (!Number.isFinite(value)) return '–'
  if (unit === '×') return `${value.toFixed(2)}×`
  if (unit === 'ms') return `${value.toFixed(value < 10 ? 1 : 0)} ms`
  return `${Math.round(value).toLocaleString('en-US')} ${unit}`
}

/** Records one goal: `seen` must be at most `max` (or at least `min`) in `unit`. */
export function checkGoal(measure: string, seen: number, unit: string, bound: { max: number } | { min: number }): void {
  const met = 'max' in bound ? seen <= bound.max : seen >= bound.min
  const goal = 'max' in bound ? `≤ ${format(bound.max, unit)}` : `≥ ${format(bound.min, unit)}`
  checks.push({ measure, goal, seen: format(seen, unit), met: Number.isFinite(seen) && met })
}

/** Records a goal checked elsewhere (its own wording). */
export function recordGoal(check: GoalCheck): void {
  checks.push(check)
}

export function printGoals(): void {
  if (checks.length === 0) return
  const met = checks.filter((check) => check.met).length
  console.log(`\nGoals (issue 14): ${met} of ${checks.length} met in this run\n`)
  table([['measure', 'goal', 'seen', 'verdict'], ...checks.map((check) => [check.measure, check.goal, check.seen, check.met ? 'met' : 'NOT met'])])
}
