import type { Metadata } from 'next'
import type { ReactNode } from 'react'
import { connection } from 'next/server'
import './globals.css'

export const metadata: Metadata = {
  title: 'Parallax',
  description: 'Medical imaging second reads with in-browser AI. Images never leave the browser.',
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Render per request: the CSP nonce (set in proxy.ts) must reach every page's scripts.
  await connection()
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  )
}
