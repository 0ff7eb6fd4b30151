// Colour maps for heatmaps: perceptually ordered dark-to-bright scales, as stops that the
// overlay interpolates into a 256-entry table and the colour bar shows as a gradient.

export type ColormapName = 'inferno' | 'jet'

const stops: Record<ColormapName, [number, number, number][]> = {
  inferno: [
    [0, 0, 4],
    [40, 11, 84],
    [101, 21, 110],
    [159, 42, 99],
    [212, 72, 66],
    [245, 125, 21],
    [250, 193, 39],
    [252, 255, 164],
  ],
  jet: [
    [0, 0, 131],
    [0, 60, 170],
    [5, 255, 255],
    [255, 255, 0],
    [250, 0, 0],
    [128, 0, 0],
  ],
}

export const colormapNames = Object.keys(stops) as ColormapName[]

/** 256 RGB entries. */
export function colormapTable(name: ColormapName): Uint8Array {
  const points = stops[name]
  const table = new Uint8Array(256 * 3)
  for (let i = 0; i < 256; i++) {
    const position = (i / 255) * (points.length - 1)
    const low = Math.floor(position)
    const high = Math.min(low + 1, points.length - 1)
    const weight = position - low
    for (let c = 0; c < 3; c++) table[i * 3 + c] = Math.round(points[low]![c]! * (1 - weight) + points[high]![c]! * weight)
  }
  return table
}

export function colormapGradient(name: ColormapName): string {
  const points = stops[name]
  return `linear-gradient(to right, ${points.map((rgb, index) => `rgb(${rgb.join(',')}) ${((100 * index) / (points.length - 1)).toFixed(0)}%`).join(', ')})`
}
