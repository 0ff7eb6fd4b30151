// How the findings API bench's clients send a request. `node:http` (the default): one
// keep-alive connection per client, as a browser keeps one to the app, and the answer
// gunzipped when the server compressed it (the client asks for gzip, as browsers do, so
// the server does the same work as for them). It costs the client a fraction of what
// `fetch` (undici) does, which matters when the clients share the server's 2 cores.
// `fetch`: the generator the bench used first, kept to compare figures with older runs.
import http from 'node:http'
import { gunzipSync } from 'node:zlib'

export interface Answer {
  status: number
  text: string
  setCookies: string[]
}

export type Send = (method: string, url: string, headers: Record<string, string>, body: string | undefined) => Promise<Answer>

export const generators = ['node:http', 'fetch'] as const
export type Generator = (typeof generators)[number]

export function generatorFromEnv(value = process.env.BENCH_FINDINGS_CLIENT): Generator {
  if (value === undefined || value === '') return 'node:http'
  if (!(generators as readonly string[]).includes(value)) throw new Error(`BENCH_FINDINGS_CLIENT=${value}: choose ${generators.join(' or ')}`)
  return value as Generator
}

const fetchSend: Send = async (method, url, headers, body) => {
  const response = await fetch(url, { method, headers, body, redirect: 'manual' })
  return { status: response.status, text: await response.text(), setCookies: response.headers.getSetCookie() }
}

function httpSend(agent: http.Agent): Send {
  return (method, url, headers, body) =>
    new Promise<Answer>((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(body)
      const request = http.request(
        url,
        { method, agent, headers: { ...headers, 'accept-encoding': 'gzip', ...(payload ? { 'content-length': String(payload.length) } : {}) } },
        (response) => {
          const chunks: Buffer[] = []
          response.on('data', (chunk: Buffer) => chunks.push(chunk))
          response.on('error', reject)
          response.on('end', () => {
            try {
              const raw = Buffer.concat(chunks)
              const bytes = response.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw
              const cookies = response.headers['set-cookie'] ?? []
              resolve({ status: response.statusCode ?? 0, text: bytes.toString('utf8'), setCookies: cookies })
            } catch (error) {
              reject(error as Error)
            }
          })
        },
      )
      request.on('error', reject)
      request.end(payload)
    })
}

/** A sender for one client: with node:http, its own keep-alive connection. */
export function sender(generator: Generator): Send {
  return generator === 'fetch' ? fetchSend : httpSend(new http.Agent({ keepAlive: true, maxSockets: 1 }))
}
