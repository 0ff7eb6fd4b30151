'use client'
// Authorization headers for DICOMweb retrieval, by service root. Cornerstone's loader asks
// for extra headers per request (beforeSend, awaited); only requests under a registered root
// get that PACS's header, so a token never goes to another server. The header comes from a
// provider (a PACS access token, renewed before it runs out) rather than a fixed value.
export type AuthorizationProvider = () => Promise<string>

const providersByRoot = new Map<string, AuthorizationProvider>()

export function setRootAuthorization(root: string, provider: AuthorizationProvider | null) {
  if (provider) providersByRoot.set(root, provider)
  else providersByRoot.delete(root)
}

/**
 * Never throws: Cornerstone calls this inside a promise executor, where a rejection would
 * leave the image loading forever. Without a token the request goes out without one and
 * the PACS's refusal (401) fails the image as it should.
 */
export async function authorizationFor(url: string): Promise<Record<string, string>> {
  for (const [root, provider] of providersByRoot) {
    if (!url.startsWith(`${root}/`)) continue
    try {
      return { Authorization: await provider() }
    } catch {
      return {}
    }
  }
  return {}
}
