import dcmjs from 'dcmjs'
import { IMPLEMENTATION_CLASS_UID } from './part10'

// A naturalised data set (dcmjs keywords) written as a DICOM Part 10 file in Explicit VR
// Little Endian, with our implementation's file meta information. Works in the browser too.

const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1'

export function writePart10(dataset: Record<string, unknown>, sopClassUid: string, sopInstanceUid: string): Uint8Array {
  const { DicomMetaDictionary, DicomDict } = dcmjs.data
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sopClassUid,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: 'PARALLAX_1',
    _vrMap: { FileMetaInformationVersion: 'OB' },
  }
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta))
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset)
  return new Uint8Array(dict.write())
}
