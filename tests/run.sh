#!/usr/bin/env bash
# Runs every test suite and ends with one line "N passed, N failed".
#   tests/run.sh [BUILD_DIR]
# Unit tests run through ctest; tool and pipeline tests through Bats (TAP output is counted
# here because Bats prints no summary line of its own in CI); the hardware modules through
# tests/hls/run.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
export SHOAL_BIN="$PWD/$build/bin"

passed=0 failed=0 skipped=0 rc=0

log=$(mktemp)
ctest --test-dir "$build" --output-on-failure -j "$(nproc 2>/dev/null || echo 2)" 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
summary=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
if [ -n "$summary" ]; then
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$summary")
  nfail=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$summary")
  passed=$((passed + total - nfail)); failed=$((failed + nfail))
else
  failed=$((failed + 1)); rc=1
fi

tap=$(mktemp)
mapfile -t suites < <(find tests/tools tests/pipelines tests/shells tests/scripts -name '*.bats' 2>/dev/null | sort)
if [ "${#suites[@]}" -gt 0 ]; then
  # Files run side by side where GNU parallel is there (tests within a file in order): most
  # tests wait on one single-threaded Verilator, Yosys or nextpnr run.
  jobs=()
  ncpu=$(nproc 2>/dev/null || echo 1)
  if [ "$ncpu" -gt 1 ] && command -v parallel > /dev/null; then
    jobs=(--jobs "$ncpu" --no-parallelize-within-files)
  fi
  bats --formatter tap "${jobs[@]}" "${suites[@]}" 2>&1 | tee "$tap"
  bats_rc=${PIPESTATUS[0]}
  read -r planned p f s < <(awk '/^1\.\.[0-9]+$/ {n = substr($0, 4)} /^ok / && /# skip/ {s++; next}
                               /^ok / {p++; next} /^not ok / {f++; next}
                               END {printf "%d %d %d %d\n", n, p, f, s}' "$tap")
  # Tests that never reported (bats crashed or stopped early) count as failed.
  missing=$((planned - p - f - s))
  [ "$missing" -gt 0 ] && f=$((f + missing))
  if [ "$bats_rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
fi

# The hardware layer library: lint, elaboration and a Verilator testbench per module.
SHOAL_HLS_BUILD="$PWD/$build/hls-tests" tests/hls/run.sh 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
if [ -n "$line" ]; then
  passed=$((passed + $(cut -d' ' -f1 <<<"$line"))); failed=$((failed + $(cut -d' ' -f3 <<<"$line")))
else
  failed=$((failed + 1)); rc=1
fi
rm -f "$log" "$tap"

echo "$skipped skipped (tests on ../shared/models skip themselves where that folder is absent)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || rc=1
exit $rc
