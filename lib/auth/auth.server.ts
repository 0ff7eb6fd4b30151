import 'server-only'
import type { NextAuthOptions } from 'next-auth'
import CredentialsProvider from 'next-auth/providers/credentials'
import { z } from 'zod'
import { recordAudit } from '../audit/append.server'
import { getSecrets } from '../config/secrets.server'
import { getDb } from '../db/client.server'
import { clientAddress } from './client-address'
import { authLogger, signInProviders, ssoSignIn } from './oidc.server'
import { dummyPasswordHash, verifyPassword } from './password.server'
import { isRole, type Role } from '../vocabulary/roles'
import { loadSessionUser } from './session.server'
import type { SessionUser } from './session-user'
import { clearAccountFailures, recordLoginFailure } from './throttle.server'

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

export const credentialsSchema = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
})

async function authorize(raw: unknown, headers: Record<string, string | string[] | undefined>) {
  const parsed = credentialsSchema.safeParse(raw)
  if (!parsed.success) return null
  const { username, password } = parsed.data
  const db = getDb()
  const sourceIp = clientAddress(headers)
  const user = await db.user.findUnique({ where: { username: username.toLowerCase() } })
  const valid = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()))
  if (!user || !valid || user.disabled || !isRole(user.role)) {
    await recordLoginFailure(db, username, sourceIp)
    await recordAudit(
      db,
      { type: 'login-failed', username, reason: user?.disabled && valid ? 'disabled' : 'bad-credentials' },
      {
        actor: null,
        sourceIp,
      },
    )
    return null
  }
  await clearAccountFailures(db, username)
  await recordAudit(
    db,
    { type: 'login', username: user.username },
    {
      actor: { id: user.id, username: user.username, role: user.role },
      sourceIp,
    },
  )
  return { id: user.id, name: user.displayName, role: user.role, sessionVersion: user.sessionVersion }
}

// Derive the stand-in hash now, not on the first unknown username: otherwise that request
// pays for two scrypt runs and its timing stands out.
void dummyPasswordHash()

export const sessionMaxAgeSeconds = 8 * 60 * 60

export const authOptions: NextAuthOptions = {
  secret: getSecrets().nextAuthSecret,
  session: { strategy: 'jwt', maxAge: sessionMaxAgeSeconds },
  pages: { signIn: '/login', error: '/login' },
  // The password provider only while PARALLAX_LOCAL_LOGIN allows it, then single sign-on.
  providers: signInProviders([
    CredentialsProvider({
      name: 'Parallax account',
      credentials: { username: { label: 'Username', type: 'text' }, password: { label: 'Password', type: 'password' } },
      authorize: (credentials, req) => authorize(credentials, req.headers ?? {}),
    }),
  ]),
  logger: authLogger,
  callbacks: {
    signIn: ssoSignIn,
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
