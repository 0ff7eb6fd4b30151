import 'server-only'
import type { NextAuthOptions } from 'next-auth'
import CredentialsProvider from 'next-auth/providers/credentials'
import { recordAudit } from '../audit/append.server'
import { getSecrets } from '../config/secrets.server'
import { getDb } from '../db/client.server'
import type { Role } from '../vocabulary/roles'
import { authorizeCredentials } from './credentials.server'
import { loadSessionUser } from './session.server'
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
  }
}

export const sessionMaxAgeSeconds = 8 * 60 * 60

export const authOptions: NextAuthOptions = {
  secret: getSecrets().nextAuthSecret,
  session: { strategy: 'jwt', maxAge: sessionMaxAgeSeconds },
  pages: { signIn: '/login', error: '/login' },
  providers: [
    CredentialsProvider({
      name: 'Parallax account',
      credentials: { username: { label: 'Username', type: 'text' }, password: { label: 'Password', type: 'password' } },
      authorize: (credentials, req) => authorizeCredentials(credentials, req.headers ?? {}),
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.uid = user.id
        token.sessionVersion = user.sessionVersion
      }
      return token
    },
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
      if (user) {
        await recordAudit(getDb(), { type: 'logout' }, { actor: { id: user.id, username: user.username, role: user.role } })
      }
    },
  },
}
