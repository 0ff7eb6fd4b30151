// Label volumes travel as run-length pairs [value, count, value, count, …]: a brain
// labelmap of 6 million voxels is a few hundred thousand runs, so JSON stays small.

export function encodeLabelRuns(labels: Uint8Array): number[] {
  const runs: number[] = []
  let index = 0
  while (index < labels.length) {
    const value = labels[index]!
    let end = index + 1
    while (end < labels.length && labels[end] === value) end++
    runs.push(value, end - index)
    index = end
  }
  return runs
}

export function decodeLabelRuns(runs: readonly number[], length: number): Uint8Array {
  if (runs.length % 2 !== 0) throw new Error('Label runs come in value/count pairs')
  const labels = new Uint8Array(length)
  let offset = 0
  for (let r = 0; r < runs.length; r += 2) {
    const value = runs[r]!
    const count = runs[r + 1]!
    if (!Number.isInteger(value) || value < 0 || value > 255 || !Number.isInteger(count) || count < 1) throw new Error(`Bad label run at ${r / 2}`)
    if (offset + count > length) throw new Error(`Label runs cover more than ${length} voxels`)
    labels.fill(value, offset, offset + count)
    offset += count
  }
  if (offset !== length) throw new Error(`Label runs cover ${offset} voxels; ${length} expected`)
  return labels
}
