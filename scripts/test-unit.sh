#!/usr/bin/env bash
# Unit and data-layer tests (node's test runner). Server modules are imported under the
# react-server condition, as Next.js does, so `import 'server-only'` resolves.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find lib tests/data tests/dicomweb tests/fuzz tests/unit -name '*.test.ts' 2>/dev/null | sort)
exec node --conditions=react-server --import tsx --test --test-reporter=spec "${files[@]}"
