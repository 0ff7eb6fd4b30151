'use client'
import { signIn } from 'next-auth/react'
import { useRouter } from 'next/navigation'
import { useEffect, useState, type FormEvent } from 'react'
import type { LoginOptions } from './oidc-config'

const messages: Record<string, string> = {
  CredentialsSignin: 'Unknown username or wrong password, or the account is disabled.',
  TooManyAttempts: 'Too many failed sign-ins. Wait a few minutes before trying again.',
  // Single sign-on lands back here with one of these (lib/auth/oidc.server.ts, next-auth).
  SsoNoRole: 'You signed in with your organisation, but your account is in no group that has a Parallax role. Ask an administrator to grant you access.',
  SsoDisabled: 'Your Parallax account is disabled. Ask an administrator to enable it.',
  OAuthSignin: 'Single sign-on could not start: the identity provider did not answer. Try again later.',
  OAuthCallback: 'Single sign-on did not complete: it was cancelled or refused by the identity provider. Try again.',
  Callback: 'Single sign-on did not complete: it was cancelled or refused by the identity provider. Try again.',
}

/** A message for an `error` code in the login page's address; codes we do not know get a generic one. */
function messageFor(code: string | null): string | null {
  if (!code) return null
  return Object.hasOwn(messages, code) ? messages[code]! : 'Sign-in failed. Try again.'
}

export function LoginForm({ callbackUrl, options, errorCode }: { callbackUrl: string; options: LoginOptions; errorCode: string | null }) {
  const router = useRouter()
  const [error, setError] = useState<string | null>(messageFor(errorCode))
  const [busy, setBusy] = useState(false)
  // Until React has hydrated, a click would submit the form natively; keep it disabled.
  const [hydrated, setHydrated] = useState(false)
  useEffect(() => setHydrated(true), [])

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    setBusy(true)
    setError(null)
    try {
      const result = await signIn('credentials', {
        redirect: false,
        username: String(form.get('username') ?? ''),
        password: String(form.get('password') ?? ''),
        callbackUrl,
      })
      if (result?.ok && !result.error) {
        router.replace(callbackUrl)
        router.refresh()
        return
      }
      const code = result?.status === 429 ? 'TooManyAttempts' : (result?.error ?? 'CredentialsSignin')
      setError(messages[code] ?? 'Sign-in failed. Try again.')
    } catch {
      setError('The server could not be reached. Check the connection and try again.')
    } finally {
      setBusy(false)
    }
  }

  // next-auth posts to its sign-in endpoint and then navigates to the IdP (a navigation,
  // not a form submission, so the CSP's form-action 'self' does not apply).
  function signInWithSso(providerId: string) {
    setBusy(true)
    setError(null)
    signIn(providerId, { callbackUrl }).catch(() => {
      setError('The server could not be reached. Check the connection and try again.')
      setBusy(false)
    })
  }

  const { localLogin, sso } = options
  return (
    <form className="card login-card" method="post" onSubmit={submit} data-testid="login-form">
      <div className="brand" style={{ padding: 0 }}>
        PARAL<span>LAX</span>
      </div>
      {localLogin && (
        <>
          <label>
            Username
            <input name="username" autoComplete="username" required data-testid="login-username" />
          </label>
          <label>
            Password
            <input name="password" type="password" autoComplete="current-password" required data-testid="login-password" />
          </label>
          <button className="primary" type="submit" disabled={busy || !hydrated} data-testid="login-submit">
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </>
      )}
      {sso && (
        <button className={localLogin ? undefined : 'primary'} type="button" onClick={() => signInWithSso(sso.id)} disabled={busy || !hydrated} data-testid="login-sso">
          Sign in with {sso.name}
        </button>
      )}
      <div role="alert" className="error" data-testid="login-error">
        {error}
      </div>
    </form>
  )
}
