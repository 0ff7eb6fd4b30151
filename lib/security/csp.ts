// Content-Security-Policy: everything from our own origin; network access (connect-src)
// only to ourselves and the configured PACS origins, so page code cannot send pixels
// anywhere else; WebAssembly allowed for codecs and inference; workers from self or blob.

export function pacsOrigins(raw: string | undefined = process.env.PARALLAX_PACS_ORIGINS): string[] {
  return (raw ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((value) => new URL(value).origin)
}

export function buildContentSecurityPolicy({ nonce, dev, connectOrigins }: { nonce: string; dev: boolean; connectOrigins: string[] }): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", "'wasm-unsafe-eval'", ...(dev ? ["'unsafe-eval'"] : [])],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...connectOrigins, ...(dev ? ['ws:'] : [])],
    'worker-src': ["'self'", 'blob:'],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  }
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ')
}
