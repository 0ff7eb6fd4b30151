import Link from 'next/link'

export default function Forbidden() {
  return (
    <div className="login-wrap">
      <div className="card" data-testid="forbidden">
        <h1>Not permitted</h1>
        <p className="muted">Your role does not give access to this page. The attempt has been recorded.</p>
        <Link href="/">Back to the start page</Link>
      </div>
    </div>
  )
}
