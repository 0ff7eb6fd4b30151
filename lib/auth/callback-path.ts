// Where to go after sign-in (or sign-out), so the login page cannot be used as an open
// redirect. Browsers drop tabs and newlines from a URL and read "\" as "/", so
// "/<TAB>/evil.example" or "/\evil.example" arrive as "//evil.example", another site.

const probeOrigin = 'http://parallax.invalid'
// C0 controls, DEL and C1 controls.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/

/**
 * A same-site path to return to after sign-in. Anything else becomes "/": absolute URLs,
 * a second slash at the start ("//host"), backslashes and control characters anywhere.
 */
export function safeCallbackPath(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) return '/'
  if (value.includes('\\') || controlCharacters.test(value)) return '/'
  // Belt and braces: the path must resolve on our own origin, as a browser would read it.
  return new URL(value, probeOrigin).origin === probeOrigin ? value : '/'
}

/**
 * next-auth's redirect callback: a relative path, or an absolute URL on our own origin,
 * passes through safeCallbackPath; everything else goes to the home page.
 */
export function safeRedirectUrl(url: string, baseUrl: string): string {
  const base = new URL(baseUrl)
  let path: string = url
  if (!url.startsWith('/')) {
    try {
      const target = new URL(url)
      path = target.origin === base.origin ? target.pathname + target.search + target.hash : '/'
    } catch {
      path = '/'
    }
  }
  return `${base.origin}${safeCallbackPath(path)}`
}
