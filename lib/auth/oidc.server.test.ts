import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'

// The sign-in methods are read from the environment when the module loads, as on the server.
let oidc: typeof import('./oidc.server')

before(async () => {
  Object.assign(process.env, {
    PARALLAX_LOCAL_LOGIN: '0',
    PARALLAX_OIDC_ISSUER: 'https://login.hospital.example/realms/staff',
    PARALLAX_OIDC_CLIENT_ID: 'parallax',
    PARALLAX_OIDC_CLIENT_SECRET: 's3cret',
    PARALLAX_OIDC_NAME: 'Hospital SSO',
    PARALLAX_OIDC_ROLE_MAP: 'parallax-radiologists=radiologist',
  })
  oidc = await import('./oidc.server')
})

describe('next-auth providers from the sign-in methods', () => {
  it('with PARALLAX_LOCAL_LOGIN=0 offers no password provider, only single sign-on', () => {
    const providers = oidc.signInProviders([{ id: 'credentials', type: 'credentials', name: 'Parallax account', credentials: {}, authorize: async () => null }])
    assert.deepEqual(
      providers.map((provider) => provider.id),
      ['oidc'],
    )
    assert.deepEqual(oidc.loginOptions(), { localLogin: false, sso: { id: 'oidc', name: 'Hospital SSO' } })
  })

  it('configures the OpenID provider for discovery, the code flow with PKCE, state and nonce, and ID token validation', () => {
    const [provider] = oidc.signInProviders([])
    assert.ok(provider && provider.type === 'oauth')
    assert.equal(provider.wellKnown, 'https://login.hospital.example/realms/staff/.well-known/openid-configuration')
    assert.deepEqual(provider.checks, ['pkce', 'state', 'nonce'])
    assert.equal(provider.idToken, true)
    assert.deepEqual([provider.clientId, provider.clientSecret], ['parallax', 's3cret'])
    assert.deepEqual(typeof provider.authorization === 'object' && provider.authorization.params, { scope: 'openid profile email' })
  })

  it('makes a placeholder user from the claims that no account has (the signIn callback links the account)', async () => {
    const [provider] = oidc.signInProviders([])
    assert.ok(provider && provider.type === 'oauth')
    const user = await provider.profile({ sub: 'abc', name: 'Rhea' }, {})
    assert.match(user.id, /:/)
  })
})
