import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { appRoleGrantStatements, appTablePrivileges, quoteIdentifier } from './app-role'

const schemaFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/schema.prisma')

describe("the app role's privileges", () => {
  it('name every model of the schema, and nothing else', () => {
    const models = [...readFileSync(schemaFile, 'utf8').matchAll(/^model (\w+) \{/gm)].map((match) => match[1]).sort()
    assert.deepEqual(Object.keys(appTablePrivileges).sort(), models, 'a new model needs its privileges in lib/db/app-role.ts')
  })

  it('never let the app change or remove audit events, checkpoints, signatures, model runs or annotation records', () => {
    for (const table of ['AuditEvent', 'AuditCheckpoint', 'ReadSignature', 'ModelRun', 'AnnotationSubmission', 'AgreementRecord', 'ConsensusRecord']) {
      assert.deepEqual(appTablePrivileges[table], ['SELECT', 'INSERT'], table)
    }
  })

  it('revoke what the role held before granting, with quoted identifiers', () => {
    const statements = appRoleGrantStatements('app"role')
    assert.equal(statements[0], 'REVOKE ALL ON ALL TABLES IN SCHEMA "public" FROM "app""role"')
    assert.ok(statements.includes('GRANT SELECT, INSERT ON "public"."AuditEvent" TO "app""role"'))
    assert.ok(statements.indexOf('GRANT USAGE ON SCHEMA "public" TO "app""role"') > statements.indexOf('REVOKE ALL ON ALL SEQUENCES IN SCHEMA "public" FROM "app""role"'))
    assert.equal(quoteIdentifier('a"b'), '"a""b"')
  })
})
