/**
 * A same-site path to return to after sign-in. Anything else ("//host", "/\\host",
 * absolute URLs) becomes "/", so the login page cannot be used as an open redirect.
 */
export function safeCallbackPath(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/'
  return value
}
