import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Vec3 } from '../dicom/geometry'
import { ijkToWorld, insideFrame, voxelFrameOf, voxelPlaneOf, worldToIjk, type FramePlane } from './voxel-frame'

const close = (actual: readonly number[], expected: readonly number[], what: string) =>
  actual.forEach((value, axis) => assert.ok(Math.abs(value - expected[axis]!) < 1e-9, `${what}: ${actual.join(', ')} is not ${expected.join(', ')}`))

/** An axial series: rows along +x, columns along +y, `slices` images `step` mm apart from z0. */
function axialPlanes(slices: number, z0: number, step: number, columnSpacing = 0.7, rowSpacing = 0.5): FramePlane[] {
  return Array.from({ length: slices }, (_, k) => ({
    position: [-10, 20, z0 + k * step] as Vec3,
    rowDirection: [1, 0, 0] as Vec3,
    columnDirection: [0, 1, 0] as Vec3,
    columnSpacing,
    rowSpacing,
  }))
}

describe('voxel frame', () => {
  it('maps world points to continuous column, row, slice indices and back, on anisotropic spacing', () => {
    const frame = voxelFrameOf(axialPlanes(5, 0, 2.5), 64, 48)
    assert.deepEqual(frame.grid.spacing, [0.7, 0.5, 2.5])
    close(worldToIjk(frame, [-10 + 3 * 0.7, 20 + 4 * 0.5, 2 * 2.5]), [3, 4, 2], 'voxel centre')
    close(worldToIjk(frame, [-10 + 3.25 * 0.7, 20, 1.25]), [3.25, 0, 0.5], 'between centres')
    close(ijkToWorld(frame, [7, 9, 3]), [-10 + 7 * 0.7, 20 + 9 * 0.5, 7.5], 'back to world')
  })

  it('follows the display order when it runs against the normal', () => {
    const frame = voxelFrameOf(axialPlanes(4, 30, -3), 8, 8)
    assert.deepEqual(frame.grid.spacing[2], 3)
    close(worldToIjk(frame, [-10, 20, 24]), [0, 0, 2], 'third image')
  })

  it('gives an axial stack the plane {u: column axis, v: row axis} and a sagittal view the row and slice axes', () => {
    const frame = voxelFrameOf(axialPlanes(5, 0, 2), 16, 16)
    const axial = voxelPlaneOf(frame, [0.7, 0, 0], [0, 0.5, 0])
    close(axial.u, [1, 0, 0], 'axial u')
    close(axial.v, [0, 1, 0], 'axial v')
    // A sagittal viewport: anterior→posterior to the right, head up (so down is −z).
    const sagittal = voxelPlaneOf(frame, [0, 0.3, 0], [0, 0, -0.3])
    close(sagittal.u, [0, 1, 0], 'sagittal u')
    close(sagittal.v, [0, 0, -1], 'sagittal v')
  })

  it('handles an oblique series (rotated rows) exactly', () => {
    const c = Math.cos(0.3)
    const s = Math.sin(0.3)
    const planes: FramePlane[] = [0, 1, 2].map((k) => ({
      position: [1 - 5 * k * s, 2, 3 + 5 * k * c],
      rowDirection: [c, 0, s],
      columnDirection: [0, 1, 0],
      columnSpacing: 1,
      rowSpacing: 1,
    }))
    const frame = voxelFrameOf(planes, 10, 10)
    const point = ijkToWorld(frame, [2.5, 3, 1.5])
    close(worldToIjk(frame, point), [2.5, 3, 1.5], 'round trip')
    close(frame.grid.axes[2]!, [-s, 0, c], 'slice axis = row × column')
  })

  it('takes voxel cells, not just centres, as inside the grid', () => {
    const frame = voxelFrameOf(axialPlanes(3, 0, 1), 4, 4)
    assert.ok(insideFrame(frame, [-0.49, 3.49, 2.49]))
    assert.ok(!insideFrame(frame, [-0.51, 0, 0]))
    assert.ok(!insideFrame(frame, [0, 0, 2.5]))
  })
})
