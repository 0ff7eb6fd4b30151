import Link from 'next/link'
import { navigationFor, pageRoles } from '@/lib/auth/access'
import { requirePageUser } from '@/lib/auth/guard.server'
import { roleLabels } from '@/lib/auth/roles'

export default async function HomePage() {
  const user = await requirePageUser('/', pageRoles.home)
  const destinations = navigationFor(user.role).filter((item) => item.href !== '/')
  return (
    <>
      <h1 data-testid="home-heading">Welcome, {user.displayName}</h1>
      <p className="muted">
        Signed in as <strong>{user.username}</strong> · {roleLabels[user.role]}
      </p>
      <div className="grid">
        <section className="card">
          <h2 style={{ marginTop: 0 }}>Images stay on this machine</h2>
          <p className="muted">
            Parallax decodes studies and runs its models inside this browser. The server keeps only small derived
            records — findings, signatures and the audit trail — never pixels or masks.
          </p>
        </section>
        {destinations.map((item) => (
          <section className="card" key={item.href}>
            <h2 style={{ marginTop: 0 }}>
              <Link href={item.href}>{item.label}</Link>
            </h2>
          </section>
        ))}
      </div>
    </>
  )
}
