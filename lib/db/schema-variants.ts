// Pure text transforms between the SQLite source schema and its PostgreSQL twin.

const header = '// GENERATED from ../schema.prisma by scripts/db/generate.ts: edit that file, not this one.\n'

export function derivePostgresSchema(sqliteSchema: string): string {
  const withProvider = sqliteSchema.replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
  const withOutput = withProvider.replace(/output\s*=\s*"\.\.\/lib\/db\/generated\/sqlite"/, 'output       = "../../lib/db/generated/postgres"')
  if (withProvider === sqliteSchema || withOutput === withProvider) {
    throw new Error('prisma/schema.prisma: expected a sqlite datasource and the sqlite client output path')
  }
  return header + withOutput
}
