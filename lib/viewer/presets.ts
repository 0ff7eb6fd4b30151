// Window/level presets as radiologists know them (width/centre in modality units, HU for
// CT). The keys 1–5 select them, as in OHIF.

export interface WindowPreset {
  id: string
  label: string
  width: number
  center: number
  hotkey: string
}

export const windowPresets: readonly WindowPreset[] = [
  { id: 'soft-tissue', label: 'Soft tissue', width: 400, center: 40, hotkey: '1' },
  { id: 'lung', label: 'Lung', width: 1500, center: -600, hotkey: '2' },
  { id: 'mediastinum', label: 'Mediastinum', width: 350, center: 50, hotkey: '3' },
  { id: 'bone', label: 'Bone', width: 2500, center: 480, hotkey: '4' },
  { id: 'brain', label: 'Brain', width: 80, center: 40, hotkey: '5' },
]

export interface VoiRange {
  lower: number
  upper: number
}

export function presetToVoiRange({ width, center }: Pick<WindowPreset, 'width' | 'center'>): VoiRange {
  return { lower: center - width / 2, upper: center + width / 2 }
}

export function voiRangeToWindow({ lower, upper }: VoiRange): { width: number; center: number } {
  return { width: upper - lower, center: (upper + lower) / 2 }
}
