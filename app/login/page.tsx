import { redirect } from 'next/navigation'
import { safeCallbackPath } from '@/lib/auth/callback-path'
import { getCurrentUser } from '@/lib/auth/guard.server'
import { LoginForm } from '@/lib/auth/login-form.client'

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams
  const callbackUrl = safeCallbackPath(params.callbackUrl)
  if (await getCurrentUser()) redirect(callbackUrl)
  return (
    <div className="login-wrap">
      <LoginForm callbackUrl={callbackUrl} />
    </div>
  )
}
