'use client'
import { signIn } from 'next-auth/react'
import { useRouter } from 'next/navigation'
import { useEffect, useState, type FormEvent } from 'react'

const messages: Record<string, string> = {
  CredentialsSignin: 'Unknown username or wrong password, or the account is disabled.',
  TooManyAttempts: 'Too many failed sign-ins. Wait a few minutes before trying again.',
}

export function LoginForm({ callbackUrl }: { callbackUrl: string }) {
  const router = useRouter()
  const [error, setError] = useState<string | null>(null)
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

  return (
    <form className="card login-card" method="post" onSubmit={submit} data-testid="login-form">
      <div className="brand" style={{ padding: 0 }}>
        PARAL<span>LAX</span>
      </div>
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
      <div role="alert" className="error" data-testid="login-error">
        {error}
      </div>
    </form>
  )
}
