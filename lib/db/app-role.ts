// The PostgreSQL role the app runs as (DATABASE_URL) when migrations run as the owner
// (PARALLAX_MIGRATION_DATABASE_URL): it owns nothing, so it cannot alter tables or disable
// their triggers, and holds only what the app does to each table. The audit trail and
// what is signed are append-only for it by privilege, besides the triggers that bind the
// owner. A new model needs its entry here (lib/db/app-role.test.ts checks the schema).

export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE'

export const appTablePrivileges: Readonly<Record<string, readonly TablePrivilege[]>> = {
  User: ['SELECT', 'INSERT', 'UPDATE'],
  LoginFailure: ['SELECT', 'INSERT', 'DELETE'],
  UserSession: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  AuditEvent: ['SELECT', 'INSERT'],
  AuditCheckpoint: ['SELECT', 'INSERT'],
  PacsServer: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  Read: ['SELECT', 'INSERT', 'UPDATE'],
  Finding: ['SELECT', 'INSERT', 'UPDATE'],
  ReadSignature: ['SELECT', 'INSERT'],
  ModelRun: ['SELECT', 'INSERT'],
  // Annotation projects: a project's studies, annotators and tasks change as it runs; what
  // was submitted, the agreement computed on it and the consensus made are append-only.
  AnnotationProject: ['SELECT', 'INSERT', 'UPDATE'],
  ProjectStudy: ['SELECT', 'INSERT', 'UPDATE'],
  ProjectAnnotator: ['SELECT', 'INSERT'],
  AnnotationTask: ['SELECT', 'INSERT', 'UPDATE'],
  AnnotationSubmission: ['SELECT', 'INSERT'],
  AgreementRecord: ['SELECT', 'INSERT'],
  ConsensusRecord: ['SELECT', 'INSERT'],
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/**
 * The statements (run by the owner, in one transaction) that leave `role` with exactly
 * these privileges in `schema`: whatever it held before is revoked first.
 */
export function appRoleGrantStatements(role: string, schema = 'public'): string[] {
  const grantee = quoteIdentifier(role)
  const inSchema = quoteIdentifier(schema)
  return [
    `REVOKE ALL ON ALL TABLES IN SCHEMA ${inSchema} FROM ${grantee}`,
    `REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${inSchema} FROM ${grantee}`,
    `GRANT USAGE ON SCHEMA ${inSchema} TO ${grantee}`,
    ...Object.entries(appTablePrivileges).map(([table, privileges]) => `GRANT ${privileges.join(', ')} ON ${inSchema}.${quoteIdentifier(table)} TO ${grantee}`),
    // Serial ids (nextval) for the tables that have them.
    `GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${inSchema} TO ${grantee}`,
  ]
}
