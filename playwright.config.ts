import { existsSync } from 'node:fs'
import { defineConfig } from '@playwright/test'
import { e2ePacsProxyKey, e2ePacsTokenKey } from './tests/support/pacs-keys'
import { oidcClient, oidcIssuer, oidcProviderName, oidcRoleMap } from './tests/support/oidc-fixture'

// End-to-end tests drive Debian's Chromium (never a downloaded browser) against the
// production build, served by the same start script as README line 1 (in demo mode), on a
// fresh database. PORT and DATABASE_URL are honoured like everywhere else.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (!existsSync(chromium)) {
  throw new Error(`Chromium not found at ${chromium}. Install it with: apt-get install -y chromium (or set CHROMIUM_PATH).`)
}
const port = Number(process.env.PORT ?? 3000)
const baseURL = `http://localhost:${port}`
const e2eDataDir = '.data/e2e'
const modelSpecs = [
  '**/inference-brain.spec.ts',
  '**/inference-worker.spec.ts',
  '**/provider-auto.spec.ts',
  '**/workspace-labelmap.spec.ts',
  '**/lesion-models.spec.ts',
  '**/model-exactness.spec.ts',
  '**/second-read.spec.ts',
  '**/cli-browser-parity.spec.ts',
  '**/annotation-workflow.spec.ts',
]

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: ['--no-sandbox', '--headless=new', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'],
    },
  },
  // The model specs keep both CPU cores busy for minutes; they run after the rest, so the
  // timing-sensitive app tests (PACS retrieval, viewer loads) never compete with them.
  projects: [
    { name: 'app', testIgnore: modelSpecs },
    { name: 'models', testMatch: modelSpecs, dependencies: ['app'] },
  ],
  // A real OpenID provider on loopback (tests/support/oidc-server.ts) for the single
  // sign-on specs, then the app, configured with it; local passwords stay on for the rest.
  webServer: [
    {
      command: 'npx tsx tests/support/oidc-server.ts',
      url: `${oidcIssuer}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: 'pipe',
      env: { PARALLAX_E2E_APP_URL: baseURL },
    },
    {
      command: `rm -rf ${e2eDataDir} && npx tsx --conditions=react-server scripts/start.ts`,
      url: `${baseURL}/api/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'pipe',
      env: {
        PORT: String(port),
        DATABASE_URL: process.env.DATABASE_URL ?? `file:${e2eDataDir}/parallax.db`,
        PARALLAX_SECRETS_FILE: `${e2eDataDir}/secrets.json`,
        NEXTAUTH_URL: baseURL,
        PARALLAX_MODEL_STORE: `${e2eDataDir}/models`,
        PARALLAX_DEMO_DIR: `${e2eDataDir}/demo`,
        PARALLAX_AUDIT_KEY_FILE: `${e2eDataDir}/audit-signing-key.pem`,
        PARALLAX_AUDIT_WITNESS_DIR: `${e2eDataDir}/audit-witness`,
        // The tests sign in with the demo accounts, which exist only in demo mode.
        PARALLAX_DEMO: '1',
        // The tests stand in for one reverse proxy: they set X-Forwarded-For to simulate
        // clients at other addresses (throttling.spec.ts).
        PARALLAX_TRUSTED_PROXY_HOPS: '1',
        // The tests serve model files to add by URL from a loopback server of their own.
        PARALLAX_MODEL_URL_ALLOW: '127.0.0.1',
        PARALLAX_PACS_TOKEN_KEY: e2ePacsTokenKey,
        PARALLAX_PACS_PROXY_KEY: e2ePacsProxyKey,
        PARALLAX_OIDC_ISSUER: oidcIssuer,
        PARALLAX_OIDC_CLIENT_ID: oidcClient.id,
        PARALLAX_OIDC_CLIENT_SECRET: oidcClient.secret,
        PARALLAX_OIDC_NAME: oidcProviderName,
        PARALLAX_OIDC_SCOPES: 'openid profile email groups',
        PARALLAX_OIDC_ROLE_MAP: oidcRoleMap,
      },
    },
  ],
})
