'use client'
import Link from 'next/link'
import { usePathname } from 'next/navigation'
import type { NavItem } from '../auth/access'

export function NavLinks({ items }: { items: Pick<NavItem, 'href' | 'label'>[] }) {
  const pathname = usePathname()
  return (
    <nav aria-label="Main" data-testid="main-nav">
      {items.map((item) => (
        <Link key={item.href} href={item.href} className="nav-link" aria-current={pathname === item.href ? 'page' : undefined}>
          {item.label}
        </Link>
      ))}
    </nav>
  )
}
