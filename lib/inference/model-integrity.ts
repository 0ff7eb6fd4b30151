// The browser trusts a model file only if its SHA-256 matches the manifest: the same check
// for a fresh download and for a copy from Cache Storage. WebCrypto exists in browsers,
// workers and Node alike.

export class ModelIntegrityError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`The model file's SHA-256 is ${actual.slice(0, 12)}…, but its manifest says ${expected.slice(0, 12)}…: the file was refused.`)
    this.name = 'ModelIntegrityError'
  }
}

export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes instanceof Uint8Array ? bytes.slice() : bytes)
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

export async function assertModelIntegrity(bytes: ArrayBuffer | Uint8Array, expectedSha256: string): Promise<void> {
  const actual = await sha256Hex(bytes)
  if (actual !== expectedSha256) throw new ModelIntegrityError(expectedSha256, actual)
}
