import { isRole, type Role } from '../vocabulary/roles'

// How users sign in, from the environment: local passwords (PARALLAX_LOCAL_LOGIN) and
// OpenID Connect single sign-on (PARALLAX_OIDC_*), with the IdP's group or role claim
// mapped to Parallax roles. Pure, so the start script, the server and the tests read the
// same rules; a misconfiguration stops the server with a message naming the variable.

export const oidcProviderId = 'oidc'

export class SignInConfigError extends Error {
  override name = 'SignInConfigError'
}

/** One entry of PARALLAX_OIDC_ROLE_MAP: users whose claim names `group` get `role`. */
export interface RoleMapping {
  group: string
  role: Role
}

export interface OidcConfig {
  issuer: string
  clientId: string
  clientSecret: string
  /** Shown on the login page as "Sign in with <name>". */
  name: string
  scopes: string
  /** A claim name, or a dotted path into nested claims (Keycloak's `realm_access.roles`). */
  roleClaim: string
  /** In order: the first entry whose group the user holds decides the role. */
  roleMap: RoleMapping[]
}

export interface SignInMethods {
  localLogin: boolean
  oidc: OidcConfig | null
}

/** What the login page offers: the password form, a "Sign in with <name>" button, or both. */
export interface LoginOptions {
  localLogin: boolean
  sso: { id: string; name: string } | null
}

type Env = Record<string, string | undefined>

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]'])

function parseIssuer(raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new SignInConfigError(`PARALLAX_OIDC_ISSUER is not a URL: ${raw}`)
  }
  // Tokens and the client secret travel to the issuer: plain http only on this machine.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackHosts.has(url.hostname))) {
    throw new SignInConfigError(`PARALLAX_OIDC_ISSUER must use https (http only on loopback): ${raw}`)
  }
  if (url.search || url.hash) throw new SignInConfigError(`PARALLAX_OIDC_ISSUER must not have a query or fragment: ${raw}`)
  return raw.replace(/\/+$/, '')
}

/** `group=role` entries separated by commas, e.g. `parallax-radiologists=radiologist,parallax-auditors=auditor`. */
export function parseRoleMap(raw: string): RoleMapping[] {
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  const mappings = entries.map((entry): RoleMapping => {
    // Split at the last '=': group names may contain one, role names never do.
    const at = entry.lastIndexOf('=')
    const group = entry.slice(0, at).trim()
    const role = entry.slice(at + 1).trim()
    if (at < 1 || !group) throw new SignInConfigError(`PARALLAX_OIDC_ROLE_MAP entry "${entry}" is not group=role`)
    if (!isRole(role)) throw new SignInConfigError(`PARALLAX_OIDC_ROLE_MAP entry "${entry}": "${role}" is not a Parallax role`)
    return { group, role }
  })
  if (!mappings.length) throw new SignInConfigError('PARALLAX_OIDC_ROLE_MAP must map at least one IdP group to a Parallax role')
  const groups = mappings.map((mapping) => mapping.group)
  const repeated = groups.find((group, index) => groups.indexOf(group) !== index)
  if (repeated) throw new SignInConfigError(`PARALLAX_OIDC_ROLE_MAP names the group "${repeated}" twice`)
  return mappings
}

function parseOidc(env: Env): OidcConfig | null {
  const required = {
    PARALLAX_OIDC_ISSUER: env.PARALLAX_OIDC_ISSUER?.trim(),
    PARALLAX_OIDC_CLIENT_ID: env.PARALLAX_OIDC_CLIENT_ID?.trim(),
    PARALLAX_OIDC_CLIENT_SECRET: env.PARALLAX_OIDC_CLIENT_SECRET,
  }
  const missing = Object.entries(required)
    .filter(([, value]) => !value)
    .map(([name]) => name)
  if (missing.length === 3) return null
  if (missing.length) throw new SignInConfigError(`Single sign-on needs ${missing.join(' and ')} as well`)
  const issuer = parseIssuer(required.PARALLAX_OIDC_ISSUER!)
  const scopes = (env.PARALLAX_OIDC_SCOPES ?? 'openid profile email').trim().split(/\s+/)
  if (!scopes.includes('openid')) throw new SignInConfigError('PARALLAX_OIDC_SCOPES must include openid')
  return {
    issuer,
    clientId: required.PARALLAX_OIDC_CLIENT_ID!,
    clientSecret: required.PARALLAX_OIDC_CLIENT_SECRET!,
    name: env.PARALLAX_OIDC_NAME?.trim() || new URL(issuer).host,
    scopes: scopes.join(' '),
    roleClaim: env.PARALLAX_OIDC_ROLE_CLAIM?.trim() || 'groups',
    roleMap: parseRoleMap(env.PARALLAX_OIDC_ROLE_MAP ?? ''),
  }
}

export function signInMethodsFrom(env: Env): SignInMethods {
  const local = env.PARALLAX_LOCAL_LOGIN?.trim() ?? '1'
  if (local !== '0' && local !== '1') throw new SignInConfigError(`PARALLAX_LOCAL_LOGIN must be 0 or 1, not "${local}"`)
  const oidc = parseOidc(env)
  if (local === '0' && !oidc)
    throw new SignInConfigError('PARALLAX_LOCAL_LOGIN=0 turns off passwords, but no single sign-on is configured (PARALLAX_OIDC_ISSUER): nobody could sign in')
  return { localLogin: local === '1', oidc }
}

/** The strings a claim holds: a string, or the strings of an array; anything else holds none. */
export function claimValues(claims: Record<string, unknown>, claim: string): string[] {
  // Namespaced claims (Auth0's `https://example.org/roles`) contain dots: try the name whole first.
  const value = Object.hasOwn(claims, claim)
    ? claims[claim]
    : claim.split('.').reduce<unknown>((node, key) => (isRecord(node) && Object.hasOwn(node, key) ? node[key] : undefined), claims)
  if (typeof value === 'string') return [value]
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : []
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The role the IdP's claims grant, or null when no group of the map is held. */
export function roleFromClaims(claims: Record<string, unknown>, config: Pick<OidcConfig, 'roleClaim' | 'roleMap'>): Role | null {
  const held = new Set(claimValues(claims, config.roleClaim))
  return config.roleMap.find((mapping) => held.has(mapping.group))?.role ?? null
}

/** Who the IdP says signed in, read from the ID token's and userinfo's claims. */
export interface SsoIdentity {
  issuer: string
  subject: string
  /** What the account is called in Parallax when it is created (never used to find it). */
  preferredName: string
  displayName: string
  role: Role | null
}

export function ssoIdentityFromClaims(claims: Record<string, unknown>, config: OidcConfig): SsoIdentity {
  const text = (name: string) => {
    const value = claims[name]
    return typeof value === 'string' && value.trim() ? value.trim() : null
  }
  const issuer = text('iss')
  const subject = text('sub')
  // openid-client has validated the ID token, which always carries both.
  if (!issuer || !subject) throw new Error('The identity provider answered without iss or sub claims')
  const host = new URL(issuer).host
  const email = text('email')?.includes('@') ? text('email') : null
  const handle = text('preferred_username')
  // Local usernames cannot contain '@' (lib/users/schema.ts), so an SSO account's name
  // never equals a local one, whatever the IdP user chose.
  const preferredName = (email ?? `${handle ?? subject}@${host}`).toLowerCase().slice(0, 100)
  return { issuer, subject, preferredName, displayName: (text('name') ?? handle ?? email ?? subject).slice(0, 100), role: roleFromClaims(claims, config) }
}
