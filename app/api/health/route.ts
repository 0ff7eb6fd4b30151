// Public liveness probe: says the server is up, nothing more.
export function GET() {
  return Response.json({ status: 'ok' })
}
