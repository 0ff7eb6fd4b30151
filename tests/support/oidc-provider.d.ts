// oidc-provider 8 ships no types (they live in @types/oidc-provider, not installed here):
// the part of its API that tests/support/oidc-server.ts uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http'

  interface Grant {
    addOIDCScope(scope: string): void
    save(): Promise<string>
  }

  interface GrantConstructor {
    new (properties: { clientId: string; accountId: string | undefined }): Grant
    find(id: string): Promise<Grant | undefined>
  }

  interface Client {
    clientId: string
    clientName?: string
  }

  export interface KoaContextWithOIDC {
    oidc: {
      provider: Provider
      client?: Client
      session?: { accountId?: string; grantIdFor(clientId: string): string | undefined }
      result?: { consent?: { grantId?: string } }
    }
  }

  interface Account {
    accountId: string
    claims(): Promise<Record<string, unknown>>
  }

  export interface Configuration {
    clients: Record<string, unknown>[]
    jwks: { keys: Record<string, unknown>[] }
    cookies: { keys: string[]; long: Record<string, unknown>; short: Record<string, unknown> }
    claims: Record<string, string[] | null>
    scopes: string[]
    features: Record<string, { enabled: boolean }>
    ttl: Record<string, number>
    pkce: { methods: string[]; required: () => boolean }
    interactions: { url: (ctx: KoaContextWithOIDC, interaction: { uid: string }) => string }
    loadExistingGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined>
    findAccount(ctx: KoaContextWithOIDC, sub: string): Promise<Account | undefined>
  }

  export interface InteractionDetails {
    uid: string
    prompt: { name: string }
    params: Record<string, unknown>
  }

  export default class Provider {
    constructor(issuer: string, configuration: Configuration)
    readonly Grant: GrantConstructor
    readonly Client: { find(id: string): Promise<Client | undefined> }
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>
  }
}
