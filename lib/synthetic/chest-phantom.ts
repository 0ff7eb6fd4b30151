// A synthetic chest CT with exact ground truth: body with a fat layer, two lungs, a
// mediastinum with heart and aorta, spine and ribs, and spherical lung nodules of known
// centre, diameter and density; then CT-like blur and noise. Everything is drawn from a
// seed, so a study can be regenerated bit for bit. The nodule mask is drawn before blur and
// noise: it is the truth the models are scored against.

export interface PhantomOptions {
  seed: number
  /** Nodules to place; 0 gives a lesion-free study. */
  noduleCount: number
  columns?: number
  rows?: number
  slices?: number
  /** mm between pixel centres in-plane, and between slices. */
  pixelSpacing?: number
  sliceSpacing?: number
  /** Nodule diameters are drawn from this range (mm). */
  diameterRange?: [number, number]
  /** Standard deviation of the added noise (HU). */
  noiseHu?: number
}

export interface Nodule {
  /** Centre in patient coordinates (LPS, mm). */
  centre: [number, number, number]
  diameterMm: number
  /** Mean density (HU) before noise. */
  hu: number
}

export interface ChestPhantom {
  columns: number
  rows: number
  slices: number
  pixelSpacing: number
  sliceSpacing: number
  /** Patient position of voxel (0, 0, 0); axial slices, rows running posterior. */
  origin: [number, number, number]
  /** HU per voxel, x fastest, then y (rows), then slice (inferior to superior). */
  hu: Int16Array
  /** 1 inside a nodule, else 0 (exact, before blur and noise). */
  noduleMask: Uint8Array
  nodules: Nodule[]
}

/** Deterministic generator (mulberry32) with uniform and normal draws. */
export function createRandom(seed: number) {
  let state = seed >>> 0
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const normal = () => {
    const u = Math.max(uniform(), 1e-12)
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform())
  }
  return { uniform, normal, between: (low: number, high: number) => low + (high - low) * uniform() }
}

const inEllipse = (x: number, y: number, cx: number, cy: number, a: number, b: number) => ((x - cx) / a) ** 2 + ((y - cy) / b) ** 2 <= 1

export function generateChestPhantom(options: PhantomOptions): ChestPhantom {
  const columns = options.columns ?? 256
  const rows = options.rows ?? 256
  const slices = options.slices ?? 48
  const pixelSpacing = options.pixelSpacing ?? 1.4
  const sliceSpacing = options.sliceSpacing ?? 2.5
  const [minDiameter, maxDiameter] = options.diameterRange ?? [3, 30]
  const random = createRandom(options.seed)
  const origin: [number, number, number] = [(-(columns - 1) / 2) * pixelSpacing, (-(rows - 1) / 2) * pixelSpacing, -((slices - 1) / 2) * sliceSpacing]
  const zExtent = ((slices - 1) / 2) * sliceSpacing

  // Anatomy varies a little from study to study.
  const body = { a: random.between(145, 170), b: random.between(100, 120), cy: random.between(0, 15) }
  const lung = { cx: random.between(68, 80), a: random.between(48, 58), b: random.between(68, 80), c: zExtent + random.between(10, 40), cy: random.between(-8, 4) }
  const mediastinum = { a: random.between(38, 48), b: random.between(50, 62), cy: random.between(-22, -10) }
  const ribPhase = random.between(0, 25)

  // Nodules: inside a lung, at least their radius plus 4 mm from its surface.
  const nodules: Nodule[] = []
  for (let attempt = 0; nodules.length < options.noduleCount && attempt < 1000; attempt++) {
    const diameterMm = Math.exp(random.between(Math.log(minDiameter), Math.log(maxDiameter)))
    const side = random.uniform() < 0.5 ? -1 : 1
    const centre: [number, number, number] = [
      side * lung.cx + random.between(-lung.a, lung.a),
      lung.cy + random.between(-lung.b, lung.b),
      random.between(-zExtent + 4, zExtent - 4),
    ]
    const r = diameterMm / 2 + 4
    const lungCentre = [side * lung.cx, lung.cy, 0]
    const inside =
      ((Math.abs(centre[0] - lungCentre[0]!) + r) / lung.a) ** 2 + ((Math.abs(centre[1] - lungCentre[1]!) + r) / lung.b) ** 2 + ((Math.abs(centre[2]) + r) / lung.c) ** 2 <= 1
    const apart = nodules.every(
      (other) => Math.hypot(other.centre[0] - centre[0], other.centre[1] - centre[1], other.centre[2] - centre[2]) > (other.diameterMm + diameterMm) / 2 + 6,
    )
    if (inside && apart) nodules.push({ centre, diameterMm, hu: random.between(-450, 80) })
  }

  const size = columns * rows
  const hu = new Float32Array(size * slices)
  const noduleMask = new Uint8Array(size * slices)
  for (let k = 0; k < slices; k++) {
    const z = origin[2] + k * sliceSpacing
    const lungScale = Math.sqrt(Math.max(0, 1 - (z / lung.c) ** 2))
    const ribsHere = Math.sin(((z + ribPhase) / 25) * 2 * Math.PI) > 0.2
    for (let j = 0; j < rows; j++) {
      const y = origin[1] + j * pixelSpacing
      for (let i = 0; i < columns; i++) {
        const x = origin[0] + i * pixelSpacing
        let value = -1000
        if (inEllipse(x, y, 0, body.cy, body.a, body.b)) {
          value = inEllipse(x, y, 0, body.cy, body.a - 12, body.b - 12) ? 45 : -100
          // Ribs: small bony cross-sections in a ring just inside the muscle wall.
          if (ribsHere) {
            const angle = Math.atan2((y - body.cy) / (body.b - 20), x / (body.a - 20))
            const nearest = Math.round(angle / (Math.PI / 9)) * (Math.PI / 9)
            const rx = Math.cos(nearest) * (body.a - 20)
            const ry = body.cy + Math.sin(nearest) * (body.b - 20)
            if (Math.hypot(x - rx, y - ry) < 5.5 && Math.sin(nearest) < 0.7) value = 650
          }
          for (const side of [-1, 1]) {
            if (lungScale > 0 && inEllipse(x, y, side * lung.cx, lung.cy, lung.a * lungScale, lung.b * lungScale)) value = -860
          }
          if (inEllipse(x, y, 0, mediastinum.cy, mediastinum.a, mediastinum.b)) value = inEllipse(x, y, -8, mediastinum.cy - 10, mediastinum.a * 0.7, mediastinum.b * 0.6) ? 55 : 35
          if (Math.hypot(x - 18, y - (mediastinum.cy + mediastinum.b * 0.55)) < 13) value = 160
          const spineY = body.cy + body.b - 32
          if (Math.hypot(x, y - spineY) < 17) value = Math.hypot(x, y - spineY) < 13 ? 300 : 750
          if (Math.hypot(x, y - spineY - 22) < 7) value = 20
        }
        const index = i + columns * (j + rows * k)
        for (const nodule of nodules) {
          if (Math.hypot(x - nodule.centre[0], y - nodule.centre[1], z - nodule.centre[2]) <= nodule.diameterMm / 2) {
            value = nodule.hu
            noduleMask[index] = 1
          }
        }
        hu[index] = value
      }
    }
  }

  blurInPlane(hu, columns, rows, slices, 0.8)
  const noise = options.noiseHu ?? random.between(12, 22)
  const out = new Int16Array(hu.length)
  for (let v = 0; v < hu.length; v++) out[v] = Math.max(-1024, Math.min(3071, Math.round(hu[v]! + noise * random.normal())))
  return { columns, rows, slices, pixelSpacing, sliceSpacing, origin, hu: out, noduleMask, nodules }
}

/** Separable Gaussian blur within each slice (the scanner's point spread). */
function blurInPlane(data: Float32Array, columns: number, rows: number, slices: number, sigma: number) {
  const radius = Math.ceil(3 * sigma)
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, n) => Math.exp(-((n - radius) ** 2) / (2 * sigma * sigma)))
  const total = kernel.reduce((sum, weight) => sum + weight, 0)
  for (let n = 0; n < kernel.length; n++) kernel[n]! /= total
  const line = new Float32Array(Math.max(columns, rows))
  for (let k = 0; k < slices; k++) {
    const base = k * columns * rows
    for (let j = 0; j < rows; j++) {
      for (let i = 0; i < columns; i++) line[i] = data[base + j * columns + i]!
      for (let i = 0; i < columns; i++) {
        let sum = 0
        for (let n = -radius; n <= radius; n++) sum += kernel[n + radius]! * line[Math.min(columns - 1, Math.max(0, i + n))]!
        data[base + j * columns + i] = sum
      }
    }
    for (let i = 0; i < columns; i++) {
      for (let j = 0; j < rows; j++) line[j] = data[base + j * columns + i]!
      for (let j = 0; j < rows; j++) {
        let sum = 0
        for (let n = -radius; n <= radius; n++) sum += kernel[n + radius]! * line[Math.min(rows - 1, Math.max(0, j + n))]!
        data[base + j * columns + i] = sum
      }
    }
  }
}
