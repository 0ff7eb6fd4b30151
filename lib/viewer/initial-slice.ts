import type { DicomSeries } from '../dicom/types'

/** The most superior image of an axial series (largest patient z); 0 when positions are unknown. */
export function initialSliceIndex(series: DicomSeries): number {
  let best = 0
  series.instances.forEach((instance, index) => {
    const z = instance.imagePositionPatient?.[2]
    const bestZ = series.instances[best]?.imagePositionPatient?.[2]
    if (z !== undefined && bestZ !== undefined && z > bestZ) best = index
  })
  return best
}
