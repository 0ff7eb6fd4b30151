// Prints the findings API section's table (scripts/bench/findings-api.ts measures it).
import os from 'node:os'
import { findingsGoals, operations, p, requestCount, type FindingsApiResult, type Operation, type PhaseResult } from './findings-api'
import { ms, perSecond, ratio, table } from './format'
import type { Generator } from './http-transport'

const generatorNote: Record<Generator, string> = {
  'node:http': 'node:http, one keep-alive connection each, in a process of their own (BENCH_FINDINGS_CLIENT=fetch: the earlier generator)',
  fetch: 'fetch (undici) in the bench process (the earlier generator; its own CPU use counts against the server on 2 cores)',
}

export function printFindings(label: string, result: FindingsApiResult) {
  const { concurrent: many, sequential: one } = result
  const errorsOf = (phase: PhaseResult, op: Operation | 'all') => phase.errors.filter((error) => op === 'all' || error.op === op).length
  const row = (name: string, op: Operation | 'all', manyPhase = many, onePhase = one) => {
    const count = op === 'all' ? requestCount(manyPhase) : (manyPhase.latencies.get(op)?.length ?? 0) + errorsOf(manyPhase, op)
    return [
      name,
      String(count),
      ms(p(manyPhase, op, 50)),
      ms(p(manyPhase, op, 99)),
      ms(p(onePhase, op, 50)),
      ms(p(onePhase, op, 99)),
      ratio(p(manyPhase, op, 50), p(onePhase, op, 50)),
      `${errorsOf(manyPhase, op)} / ${errorsOf(onePhase, op)}`,
    ]
  }
  console.log(
    `\nFindings API on ${label}: ${result.clients} clients (own sessions, one radiologist account) × ${result.iterations} iterations of open read, propose 3 AI findings, accept + modify + reject, worklist; against the same workload from 1 client, same server, same run\n`,
  )
  table([
    [
      'request',
      `n (${result.clients} clients)`,
      `p50 ${result.clients} clients`,
      `p99 ${result.clients} clients`,
      'p50 1 client',
      'p99 1 client',
      'ratio p50',
      `errors (${result.clients} / 1)`,
    ],
    ...operations.map((op) => row(op === 'worklist' ? `worklist (${result.worklistLength} reads)` : op, op)),
    row('all of the above', 'all'),
    row('GET /api/health (floor)', 'health', result.healthConcurrent, result.healthSequential),
  ])
  const rate = (phase: PhaseResult) => `${perSecond(requestCount(phase), phase.wallMs)} (${requestCount(phase)} requests in ${(phase.wallMs / 1000).toFixed(1)} s)`
  console.log(`\nthroughput: ${result.clients} clients ${rate(many)}; 1 client ${rate(one)}; health at ${result.clients} clients ${rate(result.healthConcurrent)}.`)
  console.log(
    `latency: request sent to body read; clients: ${generatorNote[result.generator]}; server on the same ${os.cpus().length}-core machine; ratio = p50 at ${result.clients} clients / p50 at 1 client.`,
  )
  console.log(
    result.prefill >= 500
      ? `before measuring: ${result.prefill} open reads with 3 proposed findings each (warm-up), so the worklist is at its 500-read cap in every phase.`
      : `before measuring: ${result.prefill} open reads (BENCH_FINDINGS_PREFILL), below the worklist's 500-read cap: the worklist grows during the run, so phases see different sizes.`,
  )
  console.log(
    `goals (issue 14): ${findingsGoals(result)
      .map((goal) => `${goal.goal}: ${goal.seen} ${goal.met ? 'met' : 'NOT met'}`)
      .join('; ')}.`,
  )
  const errors = [...many.errors, ...one.errors, ...result.healthConcurrent.errors, ...result.healthSequential.errors]
  if (errors.length > 0) {
    console.log(`\n${errors.length} request(s) FAILED (${many.abandoned + one.abandoned} iteration(s) cut short); the first ones:`)
    for (const error of errors.slice(0, 5)) console.log(`  [${error.op}] ${error.message}`)
  }
}
