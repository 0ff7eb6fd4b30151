// NumPy .npy (format 1.0) for handing training arrays to Python without another format.
const dtypes = { float32: '<f4', uint8: '|u1', int16: '<i2' } as const

export function encodeNpy(data: Float32Array | Uint8Array | Int16Array, shape: number[]): Uint8Array {
  const dtype = data instanceof Float32Array ? dtypes.float32 : data instanceof Int16Array ? dtypes.int16 : dtypes.uint8
  const count = shape.reduce((product, dim) => product * dim, 1)
  if (count !== data.length) throw new Error(`shape ${shape.join('×')} holds ${count} values, not ${data.length}`)
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`
  // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64
  header = header.padEnd(total - 10 - 1, ' ') + '\n'
  const out = new Uint8Array(total + data.byteLength)
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8])
  out.set(new TextEncoder().encode(header), 10)
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total)
  return out
}

/** Reads a C-order .npy array of uint8 (a label mask), as numpy.save writes it (format 1.0 or 2.0). */
export function decodeNpyUint8(bytes: Uint8Array): { data: Uint8Array; shape: number[] } {
  const magic = [0x93, ...new TextEncoder().encode('NUMPY')]
  if (bytes.length < 12 || magic.some((byte, index) => bytes[index] !== byte)) throw new Error('not a .npy file')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const [headerLength, start] = bytes[6]! >= 2 ? [view.getUint32(8, true), 12] : [view.getUint16(8, true), 10]
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength))
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1]
  if (descr !== '|u1' && descr !== '<u1' && descr !== '|b1') throw new Error(`a .npy mask must be uint8, not ${descr ?? 'unknown'}`)
  if (/'fortran_order':\s*True/.test(header)) throw new Error('a .npy mask must be in C order')
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((dim) => dim.trim())
    .filter(Boolean)
    .map(Number)
  const count = shape.reduce((product, dim) => product * dim, 1)
  const data = bytes.subarray(start + headerLength)
  if (data.length !== count) throw new Error(`the .npy holds ${data.length} values for shape ${shape.join('×')}`)
  return { data: data.slice(), shape }
}
