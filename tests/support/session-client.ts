// One API client with its own cookie jar (its own next-auth session), like one browser,
// for tests and the bench that drive a running server with fetch. `headers` go with every
// request (a test's X-Forwarded-For, for instance).

export interface Sent {
  ok: boolean
  /** null when the connection failed (an instance killed mid-request). */
  status: number | null
  body: unknown
}

export class SessionClient {
  private readonly cookies = new Map<string, string>()

  constructor(
    readonly baseURL: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  private absorb(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';', 1)[0]!
      const eq = pair.indexOf('=')
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim())
    }
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  /** One password sign-in; returns the callback's status (200 signed in, 401 refused, 429 throttled). */
  async trySignIn(username: string, password: string): Promise<number> {
    const csrfResponse = await fetch(`${this.baseURL}/api/auth/csrf`, { headers: this.headers })
    this.absorb(csrfResponse)
    const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string }
    const response = await fetch(`${this.baseURL}/api/auth/callback/credentials`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...this.headers, 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader(), origin: this.baseURL },
      body: new URLSearchParams({ username, password, csrfToken, json: 'true', callbackUrl: '/' }),
    })
    this.absorb(response)
    await response.arrayBuffer()
    return response.status
  }

  /** Signs in and checks that a session came of it. */
  async signIn(username: string, password: string): Promise<void> {
    const status = await this.trySignIn(username, password)
    if (status !== 200) throw new Error(`sign-in of ${username} answered HTTP ${status}`)
    const me = await fetch(`${this.baseURL}/api/me`, { headers: { ...this.headers, cookie: this.cookieHeader() } })
    await me.arrayBuffer()
    if (me.status !== 200) throw new Error(`sign-in of ${username} gave no session (/api/me answered HTTP ${me.status}; wrong password or throttled?)`)
  }

  /** One JSON request with the session; a failed connection is an answer too (status null). */
  async send(method: string, pathname: string, body?: unknown): Promise<Sent> {
    const headers: Record<string, string> = { ...this.headers, cookie: this.cookieHeader() }
    if (method !== 'GET') Object.assign(headers, { origin: this.baseURL, 'content-type': 'application/json' })
    try {
      const response = await fetch(`${this.baseURL}${pathname}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
      const text = await response.text()
      let parsed: unknown = text
      try {
        parsed = JSON.parse(text)
      } catch {
        // Not JSON (nginx's 502 page): kept as text.
      }
      return { ok: response.ok, status: response.status, body: parsed }
    } catch (error) {
      return { ok: false, status: null, body: (error as Error).message }
    }
  }
}
