import type { Ijk, VoxelPlane } from '../annotation/voxel-space'
import type { ViewportId } from './events'

// What the labelmap editing tools hand over: a finished gesture in the voxels of the
// labelmap's series (never canvas pixels), so the same edit operation serves the stack and
// every MPR plane. The tools (segment-tools.client.ts) make gestures; the workspace's editor
// (lib/workspace/editing.ts) turns each into one transaction on the labelmap document.

// Points and planes are the edit operations' own types: continuous voxel indices, and the
// viewport's plane as two unit in-plane directions (canvas right and down) in the grid's mm frame.
export type { Ijk, VoxelPlane }

export type SegmentToolId = 'SegmentBrush' | 'SegmentEraser' | 'ThresholdBrush' | 'SegmentScissors' | 'RegionGrow' | 'SegmentClick'

export type SegmentGesture =
  /** Brush, eraser, threshold brush: the centres the cursor passed, in order (one stroke). */
  | { kind: 'stroke'; tool: 'SegmentBrush' | 'SegmentEraser' | 'ThresholdBrush'; centres: Ijk[]; plane: VoxelPlane; viewportId: ViewportId }
  /** Scissors: the drag from `start` to `end` (rectangle corners, or circle/sphere centre and a point on its rim). */
  | { kind: 'scissors'; start: Ijk; end: Ijk; radiusMm: number; plane: VoxelPlane; viewportId: ViewportId }
  /** Region grow: the seed clicked. */
  | { kind: 'grow'; seed: Ijk; plane: VoxelPlane; viewportId: ViewportId }

/** The shape the scissors cut, for their outline while dragging. */
export type ScissorsShape = 'rectangle' | 'circle' | 'sphere'

/** What the tools edit: the workspace provides it for the selected series' document. */
export interface SegmentEditor {
  /** The images the document lies on, one per slice, in display order. */
  imageIds: string[]
  /** Columns and rows of each image (the document's grid). */
  grid: { columns: number; rows: number }
  /** Brush radius (mm) for the cursor and the strokes. */
  brushRadiusMm(): number
  scissorsShape(): ScissorsShape
  /** Whether an edit can be made now (a segment is active); the tools ignore the mouse otherwise. */
  canEdit(): boolean
  apply(gesture: SegmentGesture): void
}
