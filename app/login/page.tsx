import { redirect } from 'next/navigation'
import { safeCallbackPath } from '@/lib/auth/callback-path'
import { getCurrentUser } from '@/lib/auth/guard.server'
import { LoginForm } from '@/lib/auth/login-form.client'
import { loginOptions } from '@/lib/auth/oidc.server'

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams
  const callbackUrl = safeCallbackPath(params.callbackUrl)
  if (await getCurrentUser()) redirect(callbackUrl)
  return (
    <div className="login-wrap">
      <LoginForm callbackUrl={callbackUrl} options={loginOptions()} errorCode={typeof params.error === 'string' ? params.error : null} />
    </div>
  )
}
