import type { ReactNode } from 'react'
import { headers } from 'next/headers'
import { redirect } from 'next/navigation'
import { safeCallbackPath } from '@/lib/auth/callback-path'
import { getCurrentUser } from '@/lib/auth/guard.server'
import { AppShell } from '@/lib/ui/app-shell'

export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser()
  if (!user) {
    const path = safeCallbackPath((await headers()).get('x-parallax-path'))
    redirect(`/login?callbackUrl=${encodeURIComponent(path)}`)
  }
  return <AppShell user={user}>{children}</AppShell>
}
