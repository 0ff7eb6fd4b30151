// A UID made from text, for objects that arrive without one: the same text gives the same
// UID on every machine and every drop, so files of one study dropped twice (or a read
// opened on them) meet again under one generated Study Instance UID. 2.25 is the root for
// UIDs derived from 128-bit numbers (PS3.5 B.2); ours is a hash of the text (two
// differently seeded 64-bit FNV-1a), not a random UUID, which is what makes it repeatable.

const FNV_OFFSET = 0xcbf29ce484222325n
const FNV_PRIME = 0x100000001b3n
const MASK_64 = (1n << 64n) - 1n

function fnv1a64(bytes: Uint8Array, seed: bigint): bigint {
  let hash = FNV_OFFSET ^ seed
  for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64
  return hash
}

export function uidFromText(text: string): string {
  const bytes = new TextEncoder().encode(text)
  return `2.25.${((fnv1a64(bytes, 0n) << 64n) | fnv1a64(bytes, 0x9e3779b97f4a7c15n)).toString()}`
}
