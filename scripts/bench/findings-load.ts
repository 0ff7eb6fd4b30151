// The findings API load from a process of its own: the clients' work (and their garbage
// collection) stays out of the bench process, which holds every other section's leftovers.
// With BENCH_FINDINGS_CLIENT=fetch the bench runs the generator it used first instead, in
// its own process, so figures stay comparable with older runs (http-transport.ts).
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { measureFindingsApi, type Credentials, type FindingsApiResult } from './findings-api'
import { generatorFromEnv } from './http-transport'

interface LoadRequest {
  baseURL: string
  credentials: Credentials
  options: { clients: number; iterations: number; prefill: number }
}

type LoadAnswer = { result: FindingsApiResult } | { error: string }

const childFlag = '--findings-load-child'

export async function measureFindingsLoad(baseURL: string, credentials: Credentials, options: LoadRequest['options']): Promise<FindingsApiResult> {
  const generator = generatorFromEnv()
  if (generator === 'fetch') return measureFindingsApi(baseURL, credentials, { ...options, generator })
  // 'advanced' serialization carries the result's Maps as they are. execArgv brings tsx along.
  const child = fork(fileURLToPath(import.meta.url), [childFlag], { execArgv: process.execArgv, serialization: 'advanced', stdio: 'inherit' })
  return new Promise<FindingsApiResult>((resolve, reject) => {
    let answered = false
    child.once('message', (answer: LoadAnswer) => {
      answered = true
      if ('result' in answer) resolve(answer.result)
      else reject(new Error(`the load generator failed: ${answer.error}`))
    })
    child.once('exit', (code, signal) => {
      if (!answered) reject(new Error(`the load generator exited with ${signal ?? `code ${code}`} before answering`))
    })
    child.send({ baseURL, credentials, options } satisfies LoadRequest)
  })
}

if (process.argv[2] === childFlag) {
  // The clients' keep-alive connections would keep this process alive: it exits once answered.
  const answer = (message: LoadAnswer) => process.send!(message, () => process.exit(0))
  process.once('message', (request: LoadRequest) => {
    measureFindingsApi(request.baseURL, request.credentials, { ...request.options, generator: 'node:http' }).then(
      (result) => answer({ result }),
      (error: unknown) => answer({ error: (error as Error).stack ?? String(error) }),
    )
  })
}
