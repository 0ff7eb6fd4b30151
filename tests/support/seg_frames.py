"""An independent reading of a binary DICOM SEG, for lib/seg's tests: pydicom parses the
file and this script unpacks the bits itself (no numpy, no dcmjs). Prints JSON: per frame,
its segment number, the SOP Instance UID it derives from, its ImagePositionPatient and its
count of set pixels."""
import json
import sys

import pydicom


def first(sequence):
    return sequence[0] if sequence else None


def main(path):
    ds = pydicom.dcmread(path)
    rows, columns, frames = int(ds.Rows), int(ds.Columns), int(getattr(ds, "NumberOfFrames", 1))
    if ds.SegmentationType != "BINARY" or int(ds.BitsAllocated) != 1:
        raise SystemExit("only binary SEGs are counted here")
    pixels = ds.PixelData
    size = rows * columns
    shared = first(getattr(ds, "SharedFunctionalGroupsSequence", None))
    out = []
    for f, group in enumerate(ds.PerFrameFunctionalGroupsSequence):
        identification = getattr(group, "SegmentIdentificationSequence", None) or shared.SegmentIdentificationSequence
        derivation = first(getattr(group, "DerivationImageSequence", None))
        source = first(derivation.SourceImageSequence) if derivation else None
        plane = first(getattr(group, "PlanePositionSequence", None))
        start = f * size
        count = 0
        for bit in range(start, start + size):
            count += (pixels[bit >> 3] >> (bit & 7)) & 1
        out.append(
            {
                "segment": int(identification[0].ReferencedSegmentNumber),
                "sopInstanceUid": str(source.ReferencedSOPInstanceUID) if source else None,
                "position": [float(v) for v in plane.ImagePositionPatient] if plane else None,
                "voxels": count,
            }
        )
    json.dump({"frames": out, "segments": [int(s.SegmentNumber) for s in ds.SegmentSequence]}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
