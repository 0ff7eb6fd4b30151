#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (Chromium for end-to-end tests,
# PostgreSQL for the data-layer tests). Does nothing when they are already there.
set -euo pipefail
missing=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/initdb' > /dev/null || missing+=(postgresql)
if [ ${#missing[@]} -eq 0 ]; then
  echo "[system] chromium and postgresql present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "[system] missing: ${missing[*]}. Install them as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "[system] installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
