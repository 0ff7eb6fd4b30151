import Link from 'next/link'
import { pageRoles } from '@/lib/auth/access'
import { requirePageUser } from '@/lib/auth/guard.server'
import { roleLabels } from '@/lib/vocabulary/roles'
import { getDb } from '@/lib/db/client.server'
import { homeCards } from '@/lib/ui/home-cards.server'

export default async function HomePage() {
  const user = await requirePageUser('/', pageRoles.home)
  const cards = await homeCards(getDb(), user)
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
            Parallax decodes studies and runs its models inside this browser. The server keeps only small derived records — findings, signatures and the audit trail — never pixels
            or masks.
          </p>
        </section>
        {cards.map((card) => (
          <section className="card" key={card.href} data-testid="home-card" data-page={card.href}>
            <h2 style={{ marginTop: 0 }}>
              <Link href={card.href}>{card.label}</Link>
            </h2>
            <p className="muted">{card.purpose}</p>
            {card.waiting && (
              <p data-testid="home-card-status" data-count={card.count ?? ''}>
                {card.waiting}
              </p>
            )}
          </section>
        ))}
      </div>
    </>
  )
}
