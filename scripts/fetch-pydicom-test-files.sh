#!/usr/bin/env bash
# Fetches pydicom's test files (truncated, malformed and odd DICOM, many transfer syntaxes)
# for the DICOM parser tests: Debian's python3-pydicom package is downloaded and unpacked
# into .data/pydicom, never installed, and never committed (.data/ is ignored). Does
# nothing when the files are already there.
set -euo pipefail
cd "$(dirname "$0")/.."
target=.data/pydicom
files="$target/usr/lib/python3/dist-packages/pydicom/data/test_files"
if [ -d "$files" ]; then
  echo "[pydicom] test files present in $files"
  exit 0
fi
for tool in apt-get dpkg; do
  command -v "$tool" > /dev/null || { echo "[pydicom] needs $tool (Debian or Ubuntu)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
download() { (cd "$work" && apt-get download -qq python3-pydicom); }
if ! download; then
  # A fresh machine may have no package lists yet; only root can fetch them.
  if [ "$(id -u)" -ne 0 ]; then
    echo "[pydicom] apt-get download failed; as root, run apt-get update and retry" >&2
    exit 1
  fi
  apt-get update -qq
  download
fi

# Unpack beside the target and move it into place, so an interrupted run leaves nothing
# that the check above would take for a complete copy.
rm -rf "$target.partial"
mkdir -p "$target.partial"
dpkg -x "$work"/python3-pydicom_*.deb "$target.partial"
rm -rf "$target"
mv "$target.partial" "$target"
echo "[pydicom] $(ls "$work") unpacked into $target"
