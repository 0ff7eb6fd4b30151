// HTTPS-only behaviour, switched on by the public URL the app is served at (NEXTAUTH_URL):
// session cookies marked Secure (next-auth's __Secure- and __Host- names), and HSTS on
// every response so browsers never try plain HTTP again.

export const strictTransportSecurity = 'max-age=63072000; includeSubDomains'

export function servedOverHttps(publicUrl: string | undefined = process.env.NEXTAUTH_URL): boolean {
  return publicUrl?.trim().toLowerCase().startsWith('https://') ?? false
}
