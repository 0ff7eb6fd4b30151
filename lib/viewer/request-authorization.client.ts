'use client'
// Authorization headers for DICOMweb retrieval, by service root. Cornerstone's loader asks
// for extra headers per request (beforeSend); only requests under a registered root get
// that PACS's header, so credentials never go to another server.
const headersByRoot = new Map<string, string>()

export function setRootAuthorization(root: string, authorization: string | null) {
  if (authorization) headersByRoot.set(root, authorization)
  else headersByRoot.delete(root)
}

export function authorizationFor(url: string): Record<string, string> {
  for (const [root, authorization] of headersByRoot) {
    if (url.startsWith(`${root}/`)) return { Authorization: authorization }
  }
  return {}
}
