import 'server-only'
import type { NextAuthOptions } from 'next-auth'
import CredentialsProvider from 'next-auth/providers/credentials'
import { recordAudit } from '../audit/append.server'
import { getSecrets } from '../config/secrets.server'
import { getDb } from '../db/client.server'
import { servedOverHttps } from '../security/transport'
import type { Role } from '../vocabulary/roles'
import { safeRedirectUrl } from './callback-path'
import { authorizeCredentials } from './credentials.server'
import { authLogger, signInProviders, ssoSignIn } from './oidc.server'
import { loadSessionUser, openSession, revokeSession, sessionPolicy } from './session.server'
import type { SessionUser } from './session-user'

declare module 'next-auth' {
  interface Session {
    /** Present only while the account is valid (see loadSessionUser). */
    account?: SessionUser
  }
  interface User {
    id: string
    name: string
    role: Role
    sessionVersion: number
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    uid?: string
    sessionVersion?: number
    /** The UserSession row this token belongs to (revoked on sign-out). */
    sid?: string
  }
}

export const authOptions: NextAuthOptions = {
  secret: getSecrets().nextAuthSecret,
  // The cookie lives as long as the absolute lifetime; the session row decides the rest.
  session: { strategy: 'jwt', maxAge: Math.floor(sessionPolicy.maxAgeMs / 1000) },
  useSecureCookies: servedOverHttps(),
  pages: { signIn: '/login', error: '/login' },
  // The password provider only while PARALLAX_LOCAL_LOGIN allows it, then single sign-on.
  providers: signInProviders([
    CredentialsProvider({
      name: 'Parallax account',
      credentials: { username: { label: 'Username', type: 'text' }, password: { label: 'Password', type: 'password' } },
      authorize: (credentials, req) => authorizeCredentials(credentials, req.headers ?? {}),
    }),
  ]),
  logger: authLogger,
  callbacks: {
    // An SSO sign-in becomes our account here (id and session version), before jwt opens its session row.
    signIn: ssoSignIn,
    async jwt({ token, user }) {
      if (user) {
        token.uid = user.id
        token.sessionVersion = user.sessionVersion
        token.sid = await openSession(user.id)
      }
      return token
    },
    redirect: ({ url, baseUrl }) => safeRedirectUrl(url, baseUrl),
    // The token only says who signed in; name and role come from the database on every
    // read, so a changed role shows at once and a disabled account shows as signed out.
    async session({ session, token }) {
      const account = await loadSessionUser(token)
      return account ? { expires: session.expires, account } : { expires: session.expires }
    },
  },
  events: {
    async signOut({ token }) {
      const user = await loadSessionUser(token)
      await revokeSession(token?.sid)
      if (user) {
        await recordAudit(getDb(), { type: 'logout' }, { actor: { id: user.id, username: user.username, role: user.role } })
      }
    },
  },
}
