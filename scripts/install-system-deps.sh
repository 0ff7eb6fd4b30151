#!/usr/bin/env bash
# Installs what the test suite needs from Debian: Chromium for end-to-end tests,
# PostgreSQL for the data-layer tests, Orthanc with its DICOMweb plugin for the PACS tests,
# dicom3tools (dciodvfy) to validate the DICOM objects we write, nginx (the README's
# reverse-proxy configuration in front of the PACS is run in a test), Python 3 with NumPy
# and SciPy and plastimatch (the independent references the agreement metrics are checked
# against),
# and pydicom's test files (downloaded and unpacked into .data/, never installed) for the
# DICOM parser tests. Does nothing for what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/initdb' > /dev/null || missing+=(postgresql)
[ -x "${ORTHANC_PATH:-/usr/sbin/Orthanc}" ] || missing+=(orthanc)
[ -f "${ORTHANC_DICOMWEB_PLUGIN:-/usr/share/orthanc/plugins/libOrthancDicomWeb.so}" ] || missing+=(orthanc-dicomweb)
[ -x "${DCIODVFY_PATH:-/usr/bin/dciodvfy}" ] || missing+=(dicom3tools)
[ -x "${NGINX_PATH:-/usr/sbin/nginx}" ] || missing+=(nginx-light)
"${PYTHON3_PATH:-/usr/bin/python3}" -c 'import numpy, scipy.ndimage' 2> /dev/null || missing+=(python3-numpy python3-scipy)
[ -x "${PLASTIMATCH_PATH:-/usr/bin/plastimatch}" ] || missing+=(plastimatch)
if [ ${#missing[@]} -eq 0 ]; then
  echo "[system] chromium, postgresql, orthanc, orthanc-dicomweb, dicom3tools, nginx, python3-numpy, python3-scipy and plastimatch present"
elif [ "$(id -u)" -ne 0 ]; then
  echo "[system] missing: ${missing[*]}. Install them as root: apt-get install -y ${missing[*]}" >&2
  exit 1
else
  echo "[system] installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi
bash scripts/fetch-pydicom-test-files.sh
