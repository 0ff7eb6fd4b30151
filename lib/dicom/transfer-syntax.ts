// The transfer syntaxes an image may use here: exactly those Cornerstone's DICOM image
// loader (5.x, our viewer's decoder) can decode, so an image we accept is one the viewer
// can show. `encapsulated` says whether Pixel Data must be a sequence of compressed
// fragments (true) or a plain byte run whose length we can check (false).

export interface TransferSyntax {
  name: string
  encapsulated: boolean
}

export const DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99'

const TRANSFER_SYNTAXES: Record<string, TransferSyntax> = {
  '1.2.840.10008.1.2': { name: 'Implicit VR Little Endian', encapsulated: false },
  '1.2.840.10008.1.2.1': { name: 'Explicit VR Little Endian', encapsulated: false },
  [DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN]: { name: 'Deflated Explicit VR Little Endian', encapsulated: false },
  '1.2.840.10008.1.2.2': { name: 'Explicit VR Big Endian', encapsulated: false },
  '1.2.840.10008.1.2.1.98': { name: 'Encapsulated Uncompressed Explicit VR Little Endian', encapsulated: true },
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline', encapsulated: true },
  '1.2.840.10008.1.2.4.51': { name: 'JPEG Extended', encapsulated: true },
  '1.2.840.10008.1.2.4.53': { name: 'JPEG Spectral Selection (retired)', encapsulated: true },
  '1.2.840.10008.1.2.4.55': { name: 'JPEG Full Progression (retired)', encapsulated: true },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless', encapsulated: true },
  '1.2.840.10008.1.2.4.70': { name: 'JPEG Lossless SV1', encapsulated: true },
  '1.2.840.10008.1.2.4.80': { name: 'JPEG-LS Lossless', encapsulated: true },
  '1.2.840.10008.1.2.4.81': { name: 'JPEG-LS Near-Lossless', encapsulated: true },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 Lossless', encapsulated: true },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000', encapsulated: true },
  '1.2.840.10008.1.2.4.110': { name: 'JPEG XL Lossless', encapsulated: true },
  '1.2.840.10008.1.2.4.111': { name: 'JPEG XL JPEG Recompression', encapsulated: true },
  '1.2.840.10008.1.2.4.112': { name: 'JPEG XL', encapsulated: true },
  '1.2.840.10008.1.2.4.201': { name: 'HTJ2K Lossless', encapsulated: true },
  '1.2.840.10008.1.2.4.202': { name: 'HTJ2K Lossless RPCL', encapsulated: true },
  '1.2.840.10008.1.2.4.203': { name: 'HTJ2K', encapsulated: true },
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless', encapsulated: true },
  '1.2.840.10008.1.2.8.1': { name: 'Deflated Image Frame Compression', encapsulated: true },
}

export function transferSyntax(uid: string): TransferSyntax | undefined {
  return Object.hasOwn(TRANSFER_SYNTAXES, uid) ? TRANSFER_SYNTAXES[uid] : undefined
}
