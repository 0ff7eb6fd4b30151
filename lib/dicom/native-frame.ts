// Reads the first frame of an uncompressed (native) little-endian image as modality values
// (rescale applied), without Cornerstone: the tests' independent reading of pixels, to
// check the viewer's decoder (viewer-decoder.server.ts) against. Compressed files are
// refused with a message saying how to convert them.
import dicomParser from 'dicom-parser'
import type { DicomInstance } from './types'

const NATIVE_LITTLE_ENDIAN = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1'])

export function readNativeFrame(bytes: Uint8Array, instance: DicomInstance): Float32Array {
  if (!NATIVE_LITTLE_ENDIAN.has(instance.transferSyntaxUid)) {
    throw new Error(
      `${instance.source}: transfer syntax ${instance.transferSyntaxUid} is compressed or big endian; convert the series to explicit VR little endian first (e.g. dcmdjpeg / dcmconv +te)`,
    )
  }
  if (instance.samplesPerPixel !== 1) throw new Error(`${instance.source}: only greyscale images can be read here`)
  const dataSet = dicomParser.parseDicom(bytes)
  const element = dataSet.elements.x7fe00010
  if (!element) throw new Error(`${instance.source}: no pixel data`)
  const count = instance.rows * instance.columns
  const bytesPerSample = instance.bitsAllocated / 8
  if (element.length < count * bytesPerSample) throw new Error(`${instance.source}: pixel data is shorter than one frame`)
  const view = new DataView(bytes.buffer, bytes.byteOffset + element.dataOffset, count * bytesPerSample)
  const signed = instance.pixelRepresentation === 1
  const out = new Float32Array(count)
  const { rescaleSlope: slope, rescaleIntercept: intercept } = instance
  for (let p = 0; p < count; p++) {
    let stored: number
    if (bytesPerSample === 2) stored = signed ? view.getInt16(p * 2, true) : view.getUint16(p * 2, true)
    else if (bytesPerSample === 1) stored = signed ? view.getInt8(p) : view.getUint8(p)
    else throw new Error(`${instance.source}: ${instance.bitsAllocated}-bit pixels are not supported here`)
    out[p] = stored * slope + intercept
  }
  return out
}
