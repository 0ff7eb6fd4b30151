#!/usr/bin/env python3
"""Independent reference for lib/agreement's compareMasks, in NumPy and SciPy.

Follows the definitions of lib/agreement/CONTEXT.md with SciPy's own operators:
surface = mask AND NOT binary_erosion(mask, 6-connected structure, border_value=0);
directed distances = distance_transform_edt(NOT surface_other, sampling=spacing) read on
the surface voxels; nearest-rank 95th percentile; ASSD pooled over both directions.

Usage: agreement_reference.py A B --shape SLICES ROWS COLUMNS --spacing COL ROW SLICE
A and B are .npy files (any shape matching --shape, non-zero = inside) or raw uint8
files (columns fastest, then rows, then slices). Prints one JSON object: the figures of
compareMasks and, under "plastimatch", the same distances summarised as plastimatch's
`dice --hausdorff` boundary figures are (see CONTEXT.md).
"""
import argparse
import json
import math

import numpy as np
from scipy import ndimage


def load(path, shape):
    if path.endswith('.npy'):
        data = np.load(path)
    else:
        data = np.fromfile(path, dtype=np.uint8)
    return data.reshape(shape) != 0


def surface(mask):
    structure = ndimage.generate_binary_structure(3, 1)
    return mask & ~ndimage.binary_erosion(mask, structure=structure, border_value=0)


def nearest_rank(sorted_values, p):
    rank = max(1, (p * len(sorted_values) + 99) // 100)
    return float(sorted_values[rank - 1])


def plastimatch_rank(sorted_values, fraction=0.95):
    # plastimatch's hausdorff_distance.cxx: the k-th smallest, k = floor(fraction * n - 1) (0-based).
    ordinal = min(len(sorted_values) - 1, max(0, math.floor(fraction * len(sorted_values) - 1)))
    return float(sorted_values[ordinal])


def compare(a, b, sampling):
    voxel_ml = float(np.prod(sampling)) / 1000.0
    na, nb, both = int(a.sum()), int(b.sum()), int((a & b).sum())
    result = {
        'voxelsA': na,
        'voxelsB': nb,
        'intersectionVoxels': both,
        'volumeAMl': na * voxel_ml,
        'volumeBMl': nb * voxel_ml,
        'volumeDifferenceMl': abs(na - nb) * voxel_ml,
    }
    if na == 0 and nb == 0:
        result.update(dice=1.0, jaccard=1.0, hd95Mm=0.0, assdMm=0.0, hausdorffMm=0.0, plastimatch=None)
        return result
    result['dice'] = 2.0 * both / (na + nb)
    result['jaccard'] = both / (na + nb - both)
    if na == 0 or nb == 0:
        result.update(hd95Mm=None, assdMm=None, hausdorffMm=None, plastimatch=None)
        return result
    sa, sb = surface(a), surface(b)
    a_to_b = np.sort(ndimage.distance_transform_edt(~sb, sampling=sampling)[sa])
    b_to_a = np.sort(ndimage.distance_transform_edt(~sa, sampling=sampling)[sb])
    result['hd95Mm'] = max(nearest_rank(a_to_b, 95), nearest_rank(b_to_a, 95))
    result['assdMm'] = float((a_to_b.sum() + b_to_a.sum()) / (len(a_to_b) + len(b_to_a)))
    result['hausdorffMm'] = float(max(a_to_b[-1], b_to_a[-1]))
    result['surfaceVoxelsA'] = int(len(a_to_b))
    result['surfaceVoxelsB'] = int(len(b_to_a))
    result['plastimatch'] = {
        'boundaryHausdorffMm': result['hausdorffMm'],
        'boundaryAvgAverageMm': float(0.5 * (a_to_b.mean() + b_to_a.mean())),
        'boundaryPercent95Mm': 0.5 * (plastimatch_rank(a_to_b) + plastimatch_rank(b_to_a)),
    }
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('a')
    parser.add_argument('b')
    parser.add_argument('--shape', type=int, nargs=3, required=True, metavar=('SLICES', 'ROWS', 'COLUMNS'))
    parser.add_argument('--spacing', type=float, nargs=3, required=True, metavar=('COLUMN', 'ROW', 'SLICE'))
    args = parser.parse_args()
    shape = tuple(args.shape)
    column, row, slice_ = args.spacing
    # NumPy axes are (slice, row, column): the sampling follows them.
    print(json.dumps(compare(load(args.a, shape), load(args.b, shape), (slice_, row, column))))


if __name__ == '__main__':
    main()
