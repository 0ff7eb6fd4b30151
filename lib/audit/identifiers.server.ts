import 'server-only'
import { createHmac } from 'node:crypto'
import { getSecrets } from '../config/secrets.server'

/**
 * Study, series and instance UIDs can identify a patient's examination, so the audit
 * trail stores them as a keyed hash (HMAC-SHA-256 with a salt kept outside the database):
 * the same UID always maps to the same value, so an auditor can follow one study, but the
 * trail alone does not reveal it.
 */
export function hashIdentifier(uid: string): string {
  return createHmac('sha256', getSecrets().auditIdentifierSalt).update(uid).digest('hex')
}
