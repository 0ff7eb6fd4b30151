import { defineConfig } from 'prisma/config'

// Migrations are applied by scripts/db/setup.ts through Prisma's WebAssembly schema
// engine (the CLI's engine binary cannot be downloaded here); the CLI is used for
// `prisma generate` only.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
})
