import Link from 'next/link'

export default function NotFound() {
  return (
    <div className="login-wrap">
      <div className="card">
        <h1>Page not found</h1>
        <Link href="/">Back to the start page</Link>
      </div>
    </div>
  )
}
