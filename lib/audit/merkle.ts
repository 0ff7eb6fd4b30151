import { createHash } from 'node:crypto'

// Merkle tree hash as in RFC 6962 (Certificate Transparency) §2.1: leaves and interior
// nodes are hashed with different one-byte prefixes, so a leaf can never pass for a node,
// and the tree over n leaves splits at the largest power of two below n.

const LEAF = Buffer.from([0x00])
const NODE = Buffer.from([0x01])
const EMPTY_ROOT = createHash('sha256').digest()

export function leafHash(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF).update(leaf).digest()
}

function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE).update(left).update(right).digest()
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** MTH(D[n]): the root over the leaves in order (hex). */
export function merkleRoot(leaves: readonly Uint8Array[]): string {
  const hashes = leaves.map(leafHash)
  const root = (from: number, to: number): Buffer => {
    if (to - from === 0) return EMPTY_ROOT
    if (to - from === 1) return hashes[from]!
    const k = largestPowerOfTwoBelow(to - from)
    return nodeHash(root(from, from + k), root(from + k, to))
  }
  return root(0, hashes.length).toString('hex')
}
