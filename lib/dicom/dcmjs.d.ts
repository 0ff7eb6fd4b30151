// The part of dcmjs (no bundled types) that writes Part 10 files from naturalised data sets.
declare module 'dcmjs' {
  type NaturalDataSet = Record<string, unknown>
  export const data: {
    DicomMetaDictionary: {
      denaturalizeDataset(dataset: NaturalDataSet): Record<string, unknown>
      uid(): string
      date(): string
      time(): string
    }
    DicomDict: new (meta: Record<string, unknown>) => { dict: Record<string, unknown>; write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer }
  }
  const dcmjs: { data: typeof data }
  export default dcmjs
}
