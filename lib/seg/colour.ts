// Segment colours: DICOM stores them as CIELab scaled to 0–65535 (PS3.3 C.10.7.1.1); dcmjs converts.
import dcmjs from 'dcmjs'

const colors = (dcmjs as unknown as { data: { Colors: { rgb2DICOMLAB(rgb: number[]): number[]; dicomlab2RGB(lab: number[]): number[] } } }).data.Colors

/** sRGB 0–255 → DICOM CIELab (PS3.3 C.10.7.1.1), as dcmjs converts it. */
export function rgbToDicomLab(rgb: readonly number[]): number[] {
  return colors.rgb2DICOMLAB(rgb.map((value) => value / 255)).map((value) => Math.round(value))
}

export function dicomLabToRgb(lab: readonly number[]): [number, number, number] {
  const [r, g, b] = colors.dicomlab2RGB([...lab]).map((value) => Math.min(255, Math.max(0, Math.round(value * 255))))
  return [r!, g!, b!]
}
