import { existsSync } from 'node:fs'
import { defineConfig } from '@playwright/test'

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
  '**/workspace-labelmap.spec.ts',
  '**/lesion-models.spec.ts',
  '**/model-exactness.spec.ts',
  '**/second-read.spec.ts',
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
  webServer: {
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
    },
  },
})
