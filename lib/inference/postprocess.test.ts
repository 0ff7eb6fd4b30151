import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { argmaxChannels, diceCoefficient, labelVoxelCounts, removeSmallComponents, sigmoid, softmaxChannels, thresholdChannel } from './postprocess'

type Triple = [number, number, number]

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-6): void {
  assert.equal(actual.length, expected.length)
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tolerance, `index ${i}: ${actual[i]} is not ${expected[i]}`)
  }
}

/** A labels volume with `label` at the given (x, y, z) voxels. */
function labelled(dimensions: Triple, voxels: Triple[], label = 1, labels: Uint8Array = new Uint8Array(dimensions[0] * dimensions[1] * dimensions[2])): Uint8Array {
  const [nx, ny] = dimensions
  for (const [x, y, z] of voxels) labels[x + nx * (y + ny * z)] = label
  return labels
}

function cube(origin: Triple, side: number): Triple[] {
  const voxels: Triple[] = []
  for (let z = 0; z < side; z++) for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) voxels.push([origin[0] + x, origin[1] + y, origin[2] + z])
  return voxels
}

function count(labels: Uint8Array, label: number): number {
  return labels.filter((value) => value === label).length
}

describe('softmaxChannels', () => {
  it('gives known probabilities, channel-first', () => {
    // Two voxels, three channels: logits (1, 2, 3) and (0, 0, 0).
    const logits = Float32Array.of(1, 0, 2, 0, 3, 0)
    const e = Math.E
    const sum = 1 + e + e * e
    assertClose(softmaxChannels(logits, 3), [1 / sum, 1 / 3, e / sum, 1 / 3, (e * e) / sum, 1 / 3])
  })

  it('stays finite for huge logits, and sums to 1 per voxel', () => {
    const probabilities = softmaxChannels(Float32Array.of(1000, -1000, 1001, -1000), 2)
    assertClose(probabilities, [1 / (1 + Math.E), 0.5, Math.E / (1 + Math.E), 0.5])
  })

  it('rejects a length that is not a whole number of channels', () => {
    assert.throws(() => softmaxChannels(new Float32Array(5), 2), RangeError)
  })
})

describe('sigmoid', () => {
  it('gives known values and saturates without NaN', () => {
    assertClose(sigmoid(Float32Array.of(0, 2, -2, 1000, -1000)), [0.5, 1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(2)), 1, 0])
  })
})

describe('argmaxChannels', () => {
  it('picks the largest channel per voxel, the lowest index on ties', () => {
    // Four voxels, three channels.
    const values = Float32Array.of(
      0.1,
      0.5,
      0.3,
      0.2, // channel 0
      0.7,
      0.5,
      0.3,
      0.2, // channel 1
      0.2,
      0.0,
      0.4,
      0.2, // channel 2
    )
    assert.deepEqual(argmaxChannels(values, 3), Uint8Array.of(1, 0, 2, 0))
  })

  it('rejects more channels than 8-bit labels hold', () => {
    assert.throws(() => argmaxChannels(new Float32Array(256), 256), RangeError)
  })
})

describe('thresholdChannel', () => {
  it('labels voxels whose channel probability reaches the threshold', () => {
    const probabilities = Float32Array.of(
      0.9,
      0.5,
      0.2,
      0.1, // channel 0
      0.5,
      0.49,
      0.8,
      0.99, // channel 1
    )
    assert.deepEqual(thresholdChannel(probabilities, 2, 1, 0.5, 3), Uint8Array.of(3, 0, 3, 3))
    assert.deepEqual(thresholdChannel(probabilities, 2, 0, 0.5, 1), Uint8Array.of(1, 1, 0, 0))
  })

  it('rejects a channel or label out of range', () => {
    assert.throws(() => thresholdChannel(new Float32Array(4), 2, 2, 0.5, 1), RangeError)
    assert.throws(() => thresholdChannel(new Float32Array(4), 2, 0, 0.5, 256), RangeError)
  })
})

describe('removeSmallComponents', () => {
  const dimensions: Triple = [12, 10, 8]

  it('keeps a 27-voxel cube and removes a 3-voxel line (minVoxels 10)', () => {
    const labels = labelled(dimensions, [...cube([1, 1, 1], 3), [8, 5, 5], [9, 5, 5], [10, 5, 5]])
    assert.deepEqual(removeSmallComponents(labels, dimensions, 10), { removed: 1 })
    assert.deepEqual(labels, labelled(dimensions, cube([1, 1, 1], 3)))
  })

  it('joins diagonal neighbours under 26-connectivity only', () => {
    // A chain of 4 voxels running on diagonally from the cube's far corner (3, 3, 3): each
    // touches the next only at a corner.
    const chain: Triple[] = [
      [4, 4, 4],
      [5, 5, 5],
      [6, 6, 6],
      [7, 7, 7],
    ]
    const voxels = [...cube([1, 1, 1], 3), ...chain]
    const six = labelled(dimensions, voxels)
    assert.deepEqual(removeSmallComponents(six, dimensions, 10, 6), { removed: 4 })
    assert.deepEqual(six, labelled(dimensions, cube([1, 1, 1], 3)))
    const twentySix = labelled(dimensions, voxels)
    assert.deepEqual(removeSmallComponents(twentySix, dimensions, 10, 26), { removed: 0 })
    assert.deepEqual(twentySix, labelled(dimensions, voxels))
    assert.deepEqual(removeSmallComponents(twentySix, dimensions, 32, 26), { removed: 1 })
    assert.equal(count(twentySix, 0), twentySix.length)
  })

  it('treats label values separately', () => {
    // Two touching 2×2×2 cubes of different labels: neither reaches 10 voxels on its own.
    const labels = labelled(dimensions, cube([0, 0, 0], 2), 1)
    labelled(dimensions, cube([2, 0, 0], 2), 2, labels)
    assert.deepEqual(removeSmallComponents(labels, dimensions, 10), { removed: 2 })
    assert.equal(count(labels, 0), labels.length)
    labelled(dimensions, cube([0, 0, 0], 2), 1, labels)
    labelled(dimensions, cube([2, 0, 0], 2), 2, labels)
    assert.deepEqual(removeSmallComponents(labels, dimensions, 8), { removed: 0 })
  })

  it('with nz = 1 works in 2D (4- and 8-connectivity)', () => {
    const flat: Triple = [6, 6, 1]
    // A diagonal line of 4 pixels: 4 components under 4-connectivity, one under 8.
    const diagonal: Triple[] = [
      [0, 0, 0],
      [1, 1, 0],
      [2, 2, 0],
      [3, 3, 0],
    ]
    const four = labelled(flat, diagonal)
    assert.deepEqual(removeSmallComponents(four, flat, 2, 6), { removed: 4 })
    const eight = labelled(flat, diagonal)
    assert.deepEqual(removeSmallComponents(eight, flat, 4, 26), { removed: 0 })
    assert.deepEqual(eight, labelled(flat, diagonal))
  })

  it('does not wrap around the volume edges', () => {
    // (nx − 1, 0, 0) and (0, 1, 0) are consecutive in memory but not neighbours.
    const labels = labelled(dimensions, [
      [11, 0, 0],
      [0, 1, 0],
    ])
    assert.deepEqual(removeSmallComponents(labels, dimensions, 2, 26), { removed: 2 })
  })

  it('rejects labels of the wrong size', () => {
    assert.throws(() => removeSmallComponents(new Uint8Array(10), dimensions, 2), RangeError)
  })
})

describe('labelVoxelCounts', () => {
  it('counts each label value and skips values at or above labelCount', () => {
    assert.deepEqual(labelVoxelCounts(Uint8Array.of(0, 1, 1, 2, 0, 0, 5), 3), [3, 2, 1])
  })
})

describe('diceCoefficient', () => {
  it('gives 2|A∩B|/(|A|+|B|) for the label', () => {
    const a = Uint8Array.of(1, 1, 1, 0, 2, 0)
    const b = Uint8Array.of(0, 1, 1, 1, 1, 2)
    assert.equal(diceCoefficient(a, b, 1), (2 * 2) / (3 + 4))
    assert.equal(diceCoefficient(a, b, 2), 0)
    assert.equal(diceCoefficient(a, a, 1), 1)
  })

  it('is 1 when neither volume has the label', () => {
    assert.equal(diceCoefficient(Uint8Array.of(0, 1), Uint8Array.of(0, 2), 3), 1)
  })
})
