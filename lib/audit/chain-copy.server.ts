import 'server-only'
import type pg from 'pg'

// One seq range of the PostgreSQL trail as a single `COPY (SELECT …) TO STDOUT (FORMAT binary)`:
// one statement (one snapshot) that the server streams without a round trip per page, and
// binary, so the canonical text arrives as its UTF-8 bytes with no escaping to undo. The
// bytes are hashed where they lie (node:crypto takes a Buffer view): no string is built
// for the ~700 bytes of each event, which was most of the client's time per row. pg has no
// COPY TO of its own; this is the query object it accepts for one (as pg-copy-streams' is).

/** A row of a scan: its seq, stored prevHash and hash, and the hash input (prevHash + canonical text), null where the database could not write it. */
export type ScanVisitor = (seq: number, prevHash: string, input: string | Uint8Array | null, hash: string) => void

/** The COPY stream did not have the shape asked for: nothing of it is trusted. */
export class ChainReadError extends Error {}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1')

interface Connection {
  query(text: string): void
  sendCopyFail(message: string): void
}

/** Columns, in order: seq (int4), prevHash (text), prevHash || canonical (text), hash (text). */
class BinaryCopyScan {
  private headerRead = false
  private failure: Error | null = null

  constructor(
    private readonly text: string,
    private readonly visit: ScanVisitor,
    private readonly settle: (error: Error | null) => void,
  ) {}

  submit(connection: Connection): void {
    connection.query(this.text)
  }

  // The client's views into its read buffer, valid only during this call (it reuses the buffer).
  handleCopyData(message: { chunk: Buffer }): void {
    if (this.failure) return
    try {
      this.rows(message.chunk)
    } catch (error) {
      this.failure = error instanceof Error ? error : new ChainReadError(String(error))
    }
  }

  private rows(chunk: Buffer): void {
    let at = 0
    if (!this.headerRead) {
      if (chunk.length < 19 || !chunk.subarray(0, 11).equals(SIGNATURE)) throw new ChainReadError('the COPY stream did not start with the binary signature')
      at = 19 + chunk.readInt32BE(15)
      this.headerRead = true
    }
    while (at < chunk.length) {
      const fields = chunk.readInt16BE(at)
      at += 2
      if (fields === -1) return
      if (fields !== 4) throw new ChainReadError(`a COPY row had ${fields} fields, 4 were asked for`)
      if (chunk.readInt32BE(at) !== 4) throw new ChainReadError('a COPY row’s seq was not a 4-byte integer')
      const seq = chunk.readInt32BE(at + 4)
      at += 8
      const prevLength = chunk.readInt32BE(at)
      const prevHash = chunk.toString('latin1', at + 4, at + 4 + prevLength)
      at += 4 + prevLength
      const inputLength = chunk.readInt32BE(at)
      const input = inputLength < 0 ? null : chunk.subarray(at + 4, at + 4 + inputLength)
      at += 4 + Math.max(inputLength, 0)
      const hashLength = chunk.readInt32BE(at)
      const hash = chunk.toString('latin1', at + 4, at + 4 + hashLength)
      at += 4 + hashLength
      if (at > chunk.length) throw new ChainReadError(`a COPY row (seq ${seq}) ran past its message`)
      this.visit(seq, prevHash, input, hash)
    }
  }

  handleReadyForQuery(): void {
    this.settle(this.failure)
  }

  handleError(error: Error): void {
    this.failure ??= error
    // The client answers a broken connection with no ReadyForQuery: settle now.
    this.settle(this.failure)
  }

  handleCommandComplete(): void {}
  handleRowDescription(): void {
    this.failure ??= new ChainReadError('the COPY statement answered with rows')
  }
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(connection: Connection): void {
    connection.sendCopyFail('the chain reader only reads')
  }
}

/** Streams `select` (four columns as BinaryCopyScan reads them) through `visit`, in the order the statement gives. */
export function copyScan(client: pg.Client, select: string, visit: ScanVisitor): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false
    const scan = new BinaryCopyScan(`COPY (${select}) TO STDOUT (FORMAT binary)`, visit, (error) => {
      if (settled) return
      settled = true
      if (error) reject(error)
      else resolve()
    })
    client.query(scan as unknown as pg.QueryConfig)
  })
}
