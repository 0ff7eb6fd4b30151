import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { claimValues, parseRoleMap, roleFromClaims, signInMethodsFrom, ssoIdentityFromClaims, SignInConfigError, type OidcConfig } from './oidc-config'

const sso = {
  PARALLAX_OIDC_ISSUER: 'https://login.hospital.example/realms/staff/',
  PARALLAX_OIDC_CLIENT_ID: 'parallax',
  PARALLAX_OIDC_CLIENT_SECRET: 's3cret',
  PARALLAX_OIDC_ROLE_MAP: 'parallax-radiologists=radiologist, parallax-auditors=auditor',
}

const refused = (env: Record<string, string | undefined>, message: RegExp) =>
  assert.throws(
    () => signInMethodsFrom(env),
    (error: unknown) => error instanceof SignInConfigError && message.test(error.message),
  )

describe('signInMethodsFrom', () => {
  it('offers local passwords only when nothing is configured', () => {
    assert.deepEqual(signInMethodsFrom({}), { localLogin: true, oidc: null })
  })

  it('reads single sign-on with its defaults: name from the issuer host, scopes, the groups claim', () => {
    assert.deepEqual(signInMethodsFrom(sso), {
      localLogin: true,
      oidc: {
        issuer: 'https://login.hospital.example/realms/staff',
        clientId: 'parallax',
        clientSecret: 's3cret',
        name: 'login.hospital.example',
        scopes: 'openid profile email',
        roleClaim: 'groups',
        roleMap: [
          { group: 'parallax-radiologists', role: 'radiologist' },
          { group: 'parallax-auditors', role: 'auditor' },
        ],
      },
    })
  })

  it('takes the name, scopes and role claim when given', () => {
    const { oidc } = signInMethodsFrom({ ...sso, PARALLAX_OIDC_NAME: 'Hospital SSO', PARALLAX_OIDC_SCOPES: ' openid  groups ', PARALLAX_OIDC_ROLE_CLAIM: 'realm_access.roles' })
    assert.deepEqual([oidc?.name, oidc?.scopes, oidc?.roleClaim], ['Hospital SSO', 'openid groups', 'realm_access.roles'])
  })

  it('turns local passwords off only with PARALLAX_LOCAL_LOGIN=0, and only when SSO is there', () => {
    assert.equal(signInMethodsFrom({ ...sso, PARALLAX_LOCAL_LOGIN: '0' }).localLogin, false)
    assert.equal(signInMethodsFrom({ ...sso, PARALLAX_LOCAL_LOGIN: '1' }).localLogin, true)
    refused({ PARALLAX_LOCAL_LOGIN: '0' }, /nobody could sign in/)
    refused({ ...sso, PARALLAX_LOCAL_LOGIN: 'no' }, /PARALLAX_LOCAL_LOGIN must be 0 or 1/)
  })

  it('names what is missing from a partial configuration', () => {
    refused({ PARALLAX_OIDC_ISSUER: sso.PARALLAX_OIDC_ISSUER }, /PARALLAX_OIDC_CLIENT_ID and PARALLAX_OIDC_CLIENT_SECRET/)
    refused({ ...sso, PARALLAX_OIDC_CLIENT_SECRET: '' }, /needs PARALLAX_OIDC_CLIENT_SECRET/)
    refused({ ...sso, PARALLAX_OIDC_ROLE_MAP: undefined }, /PARALLAX_OIDC_ROLE_MAP must map at least one/)
  })

  it('accepts plain http only for a loopback issuer', () => {
    assert.equal(signInMethodsFrom({ ...sso, PARALLAX_OIDC_ISSUER: 'http://127.0.0.1:3901' }).oidc?.issuer, 'http://127.0.0.1:3901')
    assert.equal(signInMethodsFrom({ ...sso, PARALLAX_OIDC_ISSUER: 'http://localhost:8080/' }).oidc?.issuer, 'http://localhost:8080')
    refused({ ...sso, PARALLAX_OIDC_ISSUER: 'http://login.hospital.example' }, /must use https/)
    refused({ ...sso, PARALLAX_OIDC_ISSUER: 'login.hospital.example' }, /is not a URL/)
    refused({ ...sso, PARALLAX_OIDC_ISSUER: 'https://login.hospital.example/?tenant=1' }, /query or fragment/)
  })

  it('requires the openid scope', () => {
    refused({ ...sso, PARALLAX_OIDC_SCOPES: 'profile email' }, /must include openid/)
  })
})

describe('parseRoleMap', () => {
  it('keeps the order, trims, and allows = inside a group name', () => {
    assert.deepEqual(parseRoleMap(' b=admin , /parallax/readers = radiologist,cn=audit=auditor,'), [
      { group: 'b', role: 'admin' },
      { group: '/parallax/readers', role: 'radiologist' },
      { group: 'cn=audit', role: 'auditor' },
    ])
  })

  it('refuses unknown roles, entries without a group, repeated groups and an empty map', () => {
    assert.throws(() => parseRoleMap('staff=superuser'), /"superuser" is not a Parallax role/)
    assert.throws(() => parseRoleMap('=admin'), /is not group=role/)
    assert.throws(() => parseRoleMap('admin'), /is not group=role/)
    assert.throws(() => parseRoleMap('x=admin,x=auditor'), /names the group "x" twice/)
    assert.throws(() => parseRoleMap(' , '), /at least one/)
  })
})

const mapping: Pick<OidcConfig, 'roleClaim' | 'roleMap'> = {
  roleClaim: 'groups',
  roleMap: [
    { group: 'parallax-admins', role: 'admin' },
    { group: 'parallax-radiologists', role: 'radiologist' },
  ],
}

describe('claims to role', () => {
  it('reads a string, the strings of an array, a dotted path and a namespaced claim name', () => {
    assert.deepEqual(claimValues({ groups: 'a' }, 'groups'), ['a'])
    assert.deepEqual(claimValues({ groups: ['a', 7, null, 'b'] }, 'groups'), ['a', 'b'])
    assert.deepEqual(claimValues({ realm_access: { roles: ['r'] } }, 'realm_access.roles'), ['r'])
    assert.deepEqual(claimValues({ 'https://parallax.example/roles': ['n'] }, 'https://parallax.example/roles'), ['n'])
    assert.deepEqual(claimValues({ groups: { a: true } }, 'groups'), [])
    assert.deepEqual(claimValues({}, 'groups'), [])
    assert.deepEqual(claimValues({ realm_access: 'x' }, 'realm_access.roles'), [])
  })

  it('gives the role of the first map entry the user holds, or none', () => {
    assert.equal(roleFromClaims({ groups: ['staff', 'parallax-radiologists'] }, mapping), 'radiologist')
    assert.equal(roleFromClaims({ groups: ['parallax-radiologists', 'parallax-admins'] }, mapping), 'admin')
    assert.equal(roleFromClaims({ groups: 'parallax-radiologists' }, mapping), 'radiologist')
    assert.equal(roleFromClaims({ groups: ['staff'] }, mapping), null)
    assert.equal(roleFromClaims({ roles: ['parallax-admins'] }, mapping), null)
    // Group names are compared exactly: no case folding, no prefixes.
    assert.equal(roleFromClaims({ groups: ['Parallax-Admins', 'parallax-admins-old'] }, mapping), null)
  })
})

describe('ssoIdentityFromClaims', () => {
  const config = { ...signInMethodsFrom(sso).oidc!, roleMap: mapping.roleMap }
  const iss = 'https://login.hospital.example/realms/staff'

  it('names the account by e-mail, else by preferred_username or subject at the issuer host; never a local-looking name', () => {
    assert.deepEqual(ssoIdentityFromClaims({ iss, sub: 's1', email: 'Rhea@Hospital.example', name: 'Rhea', groups: ['parallax-admins'] }, config), {
      issuer: iss,
      subject: 's1',
      preferredName: 'rhea@hospital.example',
      displayName: 'Rhea',
      role: 'admin',
    })
    const byHandle = ssoIdentityFromClaims({ iss, sub: 's2', preferred_username: 'admin', email: 'admin' }, config)
    assert.deepEqual([byHandle.preferredName, byHandle.displayName, byHandle.role], ['admin@login.hospital.example', 'admin', null])
    assert.equal(ssoIdentityFromClaims({ iss, sub: 'S3' }, config).preferredName, 's3@login.hospital.example')
  })

  it('needs iss and sub', () => {
    assert.throws(() => ssoIdentityFromClaims({ sub: 's1' }, config), /without iss or sub/)
    assert.throws(() => ssoIdentityFromClaims({ iss, sub: ' ' }, config), /without iss or sub/)
  })
})
