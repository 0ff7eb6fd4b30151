import 'server-only'
import { lookup as dnsLookup } from 'node:dns/promises'
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { BlockList, isIP, type LookupFunction, type Socket } from 'node:net'
import { Readable } from 'node:stream'
import { readCappedBytes } from './capped-body'

// Downloads from a URL someone typed (an admin adding a model) without turning the server
// into a way into the networks it can reach (SSRF): private, loopback, link-local and other
// non-public addresses are refused unless an allow-list names them; the host name is
// resolved first and every address checked, and the connection goes to the checked
// address (a second DNS answer cannot swap in another: no rebinding); redirects are
// followed by hand, on the same host only; connect and total timeouts; a size cap. Error
// messages never carry what the server answered, only what went wrong.

export type OutboundFetchErrorKind = 'bad-url' | 'refused-address' | 'redirect' | 'timeout' | 'network' | 'status' | 'too-large'

export class OutboundFetchError extends Error {
  constructor(
    readonly kind: OutboundFetchErrorKind,
    message: string,
  ) {
    super(message)
    this.name = 'OutboundFetchError'
  }
}

/** Host names and addresses (or CIDR ranges) that may be fetched although they are not public. */
export interface OutboundAllowList {
  hosts: ReadonlySet<string>
  addresses: BlockList
}

export interface OutboundFetchOptions {
  maxBytes: number
  allow?: OutboundAllowList
  maxRedirects?: number
  /** Until the TCP (and TLS) connection stands, per hop. */
  connectTimeoutMs?: number
  /** For everything: every hop and the whole body. */
  totalTimeoutMs?: number
}

export const defaultMaxRedirects = 3
export const defaultConnectTimeoutMs = 10_000
export const defaultTotalTimeoutMs = 5 * 60_000

// Not reachable from the public internet, or not an address of one host (IANA special-purpose registries).
const nonPublic = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  nonPublic.addSubnet(network, prefix, 'ipv4')
}
// IPv4-mapped addresses (::ffff:a.b.c.d) are checked against the IPv4 ranges by BlockList itself.
for (const [network, prefix] of [
  // Unspecified, loopback and the deprecated IPv4-compatible form.
  ['::', 96],
  // NAT64 and 6to4 embed an IPv4 address that may be a private one.
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['2002::', 16],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  nonPublic.addSubnet(network, prefix, 'ipv6')
}

const familyOf = (address: string): 'ipv4' | 'ipv6' => (isIP(address) === 6 ? 'ipv6' : 'ipv4')
const bare = (hostname: string) =>
  hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase()

export function isPublicAddress(address: string): boolean {
  return isIP(address) !== 0 && !nonPublic.check(address, familyOf(address))
}

/**
 * Parses an allow-list such as `PARALLAX_MODEL_URL_ALLOW`: host names, addresses and CIDR
 * ranges, separated by commas or spaces. A bad entry is an error, not a silent omission.
 */
export function parseOutboundAllowList(value: string | undefined, name = 'the allow-list'): OutboundAllowList {
  const hosts = new Set<string>()
  const addresses = new BlockList()
  for (const entry of (value ?? '').split(/[\s,]+/).filter(Boolean)) {
    const [rawAddress, prefix, ...rest] = entry.split('/')
    const address = bare(rawAddress!)
    const family = isIP(address)
    if (prefix === undefined && family !== 0) addresses.addAddress(address, familyOf(address))
    else if (prefix !== undefined && family !== 0 && rest.length === 0 && /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)) {
      addresses.addSubnet(address, Number(prefix), familyOf(address))
    } else if (prefix === undefined && /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(address)) hosts.add(address)
    else throw new Error(`${name}: "${entry}" is not a host name, an IP address or a CIDR range.`)
  }
  return { hosts, addresses }
}

const noneAllowed: OutboundAllowList = { hosts: new Set(), addresses: new BlockList() }

function checkTarget(hostname: string, addresses: string[], allow: OutboundAllowList): void {
  if (allow.hosts.has(hostname)) return
  for (const address of addresses) {
    if (allow.addresses.check(address, familyOf(address))) continue
    if (!isPublicAddress(address)) {
      throw new OutboundFetchError(
        'refused-address',
        `${hostname} is a private, loopback, link-local or otherwise non-public address, which is refused unless the allow-list names it.`,
      )
    }
  }
}

async function resolve(hostname: string): Promise<{ address: string; family: 4 | 6 }[]> {
  if (isIP(hostname)) return [{ address: hostname, family: isIP(hostname) as 4 | 6 }]
  try {
    const found = await dnsLookup(hostname, { all: true, verbatim: true })
    if (found.length > 0) return found.map(({ address, family }) => ({ address, family: family as 4 | 6 }))
  } catch {
    // Reported below without the resolver's own words.
  }
  throw new OutboundFetchError('network', `The host name ${hostname} could not be resolved.`)
}

/** A lookup that answers only the address we checked, whatever the resolver would say now. */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) (callback as unknown as (error: null, addresses: { address: string; family: number }[]) => void)(null, [{ address, family }])
    else callback(null, address, family)
  }
}

interface Hop {
  url: URL
  address: string
  family: 4 | 6
  connectTimeoutMs: number
  signal: AbortSignal
}

function get({ url, address, family, connectTimeoutMs, signal }: Hop): Promise<IncomingMessage> {
  return new Promise((resolvePromise, reject) => {
    const options: RequestOptions = {
      method: 'GET',
      hostname: bare(url.hostname),
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      headers: { accept: '*/*', 'user-agent': 'Parallax' },
      lookup: pinnedLookup(address, family),
      // A fresh connection per request: a pooled socket may be connected to another address.
      agent: false,
      signal,
    }
    const request: ClientRequest = url.protocol === 'https:' ? httpsRequest(options) : httpRequest(options)
    const connectTimer = setTimeout(
      () => request.destroy(new OutboundFetchError('timeout', `${url.host} did not accept a connection within ${Math.round(connectTimeoutMs / 100) / 10} s.`)),
      connectTimeoutMs,
    )
    request.once('socket', (socket: Socket) => socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer)))
    request.once('response', (response) => {
      clearTimeout(connectTimer)
      resolvePromise(response)
    })
    request.once('error', (error) => {
      clearTimeout(connectTimer)
      reject(error)
    })
    request.end()
  })
}

const redirectStatuses = new Set([301, 302, 303, 307, 308])

function parseTarget(raw: string | URL): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new OutboundFetchError('bad-url', 'Not a valid URL.')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundFetchError('bad-url', 'Only http and https URLs are fetched.')
  if (url.username || url.password) throw new OutboundFetchError('bad-url', 'URLs with a user name or password are not fetched.')
  return url
}

/** GETs the URL and returns its body, under the rules above. */
export async function fetchOutbound(rawUrl: string, options: OutboundFetchOptions): Promise<Uint8Array> {
  const allow = options.allow ?? noneAllowed
  const maxRedirects = options.maxRedirects ?? defaultMaxRedirects
  const totalTimeoutMs = options.totalTimeoutMs ?? defaultTotalTimeoutMs
  const signal = AbortSignal.timeout(totalTimeoutMs)
  const tooLarge = () => new OutboundFetchError('too-large', `The file is larger than the limit of ${options.maxBytes} bytes.`)
  let url = parseTarget(rawUrl)
  try {
    for (let redirects = 0; ; redirects++) {
      const hostname = bare(url.hostname)
      const addresses = await resolve(hostname)
      checkTarget(
        hostname,
        addresses.map((entry) => entry.address),
        allow,
      )
      const response = await get({ url, ...addresses[0]!, connectTimeoutMs: options.connectTimeoutMs ?? defaultConnectTimeoutMs, signal })
      const status = response.statusCode ?? 0
      if (redirectStatuses.has(status)) {
        response.resume()
        const location = response.headers.location
        if (!location) throw new OutboundFetchError('redirect', `${url.host} answered a redirect (HTTP ${status}) without saying where to.`)
        const next = parseTarget(new URL(location, url))
        if (next.host !== url.host || (url.protocol === 'https:' && next.protocol === 'http:')) {
          throw new OutboundFetchError('redirect', `${url.host} redirected to another host or to plain http, which is not followed.`)
        }
        if (redirects >= maxRedirects) throw new OutboundFetchError('redirect', `More than ${maxRedirects} redirects: not followed further.`)
        url = next
        continue
      }
      if (status < 200 || status > 299) {
        response.resume()
        throw new OutboundFetchError('status', `${url.host} answered HTTP ${status}.`)
      }
      if (Number(response.headers['content-length'] ?? 0) > options.maxBytes) {
        response.destroy()
        throw tooLarge()
      }
      return await readCappedBytes(Readable.toWeb(response) as ReadableStream<Uint8Array>, options.maxBytes, tooLarge)
    }
  } catch (error) {
    if (error instanceof OutboundFetchError) throw error
    if (signal.aborted) throw new OutboundFetchError('timeout', `The download did not finish within ${Math.round(totalTimeoutMs / 100) / 10} s.`)
    throw new OutboundFetchError('network', `The connection to ${url.host} failed.`)
  }
}
