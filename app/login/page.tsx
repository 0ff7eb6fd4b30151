import { redirect } from 'next/navigation'
import { getCurrentUser } from '@/lib/auth/guard.server'
import { LoginForm } from '@/lib/auth/login-form.client'

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams
  const callbackUrl = typeof params.callbackUrl === 'string' && params.callbackUrl.startsWith('/') ? params.callbackUrl : '/'
  if (await getCurrentUser()) redirect(callbackUrl)
  return (
    <div className="login-wrap">
      <LoginForm callbackUrl={callbackUrl} />
    </div>
  )
}
