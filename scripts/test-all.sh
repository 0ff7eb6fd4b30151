#!/usr/bin/env bash
# The whole suite: type check, import boundaries (dependency-cruiser), formatting
# (Prettier), unit + data-layer tests (SQLite and PostgreSQL), then a production build, the
# tests that run it (tests/scale: several instances behind nginx) and the end-to-end tests
# in Chromium. Ends with one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
log_dir=$(mktemp -d)
status=0

echo "== type check"
npx tsc --noEmit || status=1

echo "== import boundaries (dependency-cruiser)"
npm run --silent lint:deps || status=1

echo "== formatting (Prettier; npm run format fixes it)"
npm run --silent format:check || status=1

echo "== unit and data-layer tests"
bash scripts/test-unit.sh 2>&1 | tee "$log_dir/unit.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "== production build"
if npx next build --webpack > "$log_dir/build.log" 2>&1; then
  echo "build ok"
  echo "== tests on the production build (tests/scale)"
  node --conditions=react-server --import tsx --test --test-reporter=spec tests/scale/*.test.ts 2>&1 | tee "$log_dir/scale.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  echo "== end-to-end tests (Chromium)"
  npx playwright test 2>&1 | tee "$log_dir/e2e.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
else
  cat "$log_dir/build.log"
  echo "build failed: end-to-end tests not run"
  status=1
fi

count() { grep -Eo "$1" "$2" 2>/dev/null | grep -Eo '[0-9]+' | tail -1; }
unit_pass=$(count '^ℹ pass [0-9]+' "$log_dir/unit.log"); unit_fail=$(count '^ℹ fail [0-9]+' "$log_dir/unit.log")
scale_pass=$(count '^ℹ pass [0-9]+' "$log_dir/scale.log"); scale_fail=$(count '^ℹ fail [0-9]+' "$log_dir/scale.log")
unit_pass=$(( ${unit_pass:-0} + ${scale_pass:-0} )); unit_fail=$(( ${unit_fail:-0} + ${scale_fail:-0} ))
e2e_pass=$(count '^ +[0-9]+ passed' "$log_dir/e2e.log"); e2e_fail=$(count '^ +[0-9]+ failed' "$log_dir/e2e.log")
unit_skip=$(count '^ℹ skipped [0-9]+' "$log_dir/unit.log"); scale_skip=$(count '^ℹ skipped [0-9]+' "$log_dir/scale.log")
unit_skip=$(( ${unit_skip:-0} + ${scale_skip:-0} )); e2e_skip=$(count '^ +[0-9]+ skipped' "$log_dir/e2e.log")
passed=$(( ${unit_pass:-0} + ${e2e_pass:-0} ))
failed=$(( ${unit_fail:-0} + ${e2e_fail:-0} ))
skipped=$(( ${unit_skip:-0} + ${e2e_skip:-0} ))
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "unit+data: ${unit_pass:-0} passed, ${unit_fail:-0} failed; e2e: ${e2e_pass:-0} passed, ${e2e_fail:-0} failed"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
