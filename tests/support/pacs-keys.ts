// The PACS keys the end-to-end server is started with (playwright.config.ts), so that the
// tests can play the proxy in front of the PACS (the proxy key) and sign tokens the app
// would not issue, expired ones for instance (the token key), to see the proxy refuse them.
export const e2ePacsTokenKey = 'e2e-pacs-token-key-only-for-the-test-server'
export const e2ePacsProxyKey = 'e2e-pacs-proxy-key-only-for-the-test-server'
