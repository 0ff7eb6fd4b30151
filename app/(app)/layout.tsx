import type { ReactNode } from 'react'
import { redirect } from 'next/navigation'
import { getCurrentUser } from '@/lib/auth/guard.server'
import { AppShell } from '@/lib/ui/app-shell'

export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser()
  if (!user) redirect('/login')
  return <AppShell user={user}>{children}</AppShell>
}
