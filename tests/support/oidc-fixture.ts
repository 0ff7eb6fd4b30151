// The loopback OpenID provider of the end-to-end tests (tests/support/oidc-server.ts): its
// address, the client registered for Parallax, its users and the role map the app is
// started with (playwright.config.ts). Shared by the server, the config and the specs.

export const oidcPort = Number(process.env.PARALLAX_E2E_OIDC_PORT ?? 3901)
export const oidcIssuer = `http://127.0.0.1:${oidcPort}`
export const oidcClient = { id: 'parallax-e2e', secret: 'parallax-e2e-client-secret-0123456789' }
export const oidcProviderName = 'Loopback IdP'
export const oidcRoleMap = 'parallax-radiologists=radiologist,parallax-auditors=auditor'

export interface IdpUser {
  sub: string
  username: string
  password: string
  name: string
  email: string
  groups: string[]
}

const user = (sub: string, username: string, name: string, groups: string[]): IdpUser => ({
  sub,
  username,
  password: `idp-password-${username}`,
  name,
  email: `${username}@idp.example`,
  groups,
})

/** One user per end-to-end case (the specs run in parallel against one provider and one app). */
export const idpUsers = {
  radiologist: user('8c1e7d2a-rad', 'rhea', 'Rhea Radford', ['staff', 'parallax-radiologists']),
  auditor: user('8c1e7d2a-aud', 'aldo', 'Aldo Audette', ['parallax-auditors']),
  toDisable: user('8c1e7d2a-dis', 'dana', 'Dana Disabled', ['parallax-radiologists']),
  unmapped: user('8c1e7d2a-nor', 'nora', 'Nora Nogroup', ['staff']),
  // Claims the username of the local demo administrator: must get an account of its own.
  namesake: user('8c1e7d2a-adm', 'admin', 'Adam Namesake', ['parallax-radiologists']),
} satisfies Record<string, IdpUser>
