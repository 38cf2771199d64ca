#!/usr/bin/env bash
# Builds the fuzz targets (clang, libFuzzer, ASan + UBSan) in their own build directory and
# runs each for a while, one at a time. Usage (make fuzz runs it):
#   fuzz/run.sh [TARGET...]         all targets when none is named
# Environment:
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_RUNS      stop a target after this many executions instead (default: no limit)
#   FUZZ_BUILD     build directory (default build-fuzz)
# Crashes, leaks and timeouts land in $FUZZ_BUILD/fuzz/crashes/TARGET/ (libFuzzer's
# crash-*, leak-*, timeout-*, oom-* files); the corpus each run grows stays in
# $FUZZ_BUILD/fuzz/corpus/TARGET/ for the next run. Ends with one line per target
# ("TARGET: N execs in S s, ok" or "..., FAILED (see ...)"), then "N passed, N failed";
# exits 1 if any target found something.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${FUZZ_BUILD:-build-fuzz}
seconds=${FUZZ_SECONDS:-60}
runs=${FUZZ_RUNS:--1}
all=(onnx_tidy npy build_config folding_config executor)
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=("${all[@]}")

# -max_len per target: whole small models for the loader, short documents elsewhere.
max_len() {
  case "$1" in
    onnx_tidy) echo 262144 ;;
    executor) echo 1024 ;;
    *) echo 4096 ;;
  esac
}

if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -DSHOAL_FUZZ=ON -DSHOAL_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null || exit 1
fi
cmake --build "$build" --target shoal_fuzz -j "$(nproc 2>/dev/null || echo 2)" || exit 1

work="$build/fuzz"
rm -rf "$work/seeds"
"$build/bin/fuzz_seeds" "$work/seeds" > /dev/null || exit 1
# The shared models, where the workspace has them (never copied into the repository).
shared=../shared/models
if [ -d "$shared" ]; then
  while IFS= read -r f; do
    case "$f" in
      *.onnx) t=onnx_tidy ;;
      *.npy) t=npy ;;
      *dataflow_build_config.json) t=build_config ;;
      *config_alternatives.json | *hw_config*.json) t=folding_config ;;
      *) continue ;;
    esac
    [ "$(stat -c %s "$f")" -le "$(max_len $t)" ] || continue
    mkdir -p "$work/seeds/$t"
    cp "$f" "$work/seeds/$t/shared_$(echo "$f" | tr '/' '_')"
  done < <(find "$shared" -type f)
fi

passed=0 failed=0 summary=()
for t in "${targets[@]}"; do
  corpus="$work/corpus/$t" crashes="$work/crashes/$t"
  mkdir -p "$corpus" "$crashes"
  seeds=("$work/seeds/$t")
  [ -d "fuzz/corpus/$t" ] && seeds+=("fuzz/corpus/$t")
  [ -d "fuzz/regressions/$t" ] && seeds+=("fuzz/regressions/$t")
  dict=()
  case "$t" in build_config | folding_config) dict=(-dict=fuzz/json.dict) ;; esac
  log="$work/$t.log"
  echo "== fuzz_$t for ${seconds} s"
  # One process, one thread (what -jobs=1 -workers=1 amount to, without libFuzzer's
  # fuzz-N.log indirection), niced: the machine is shared.
  start=$(date +%s)
  nice -n 10 "$build/bin/fuzz_$t" -max_total_time="$seconds" -runs="$runs" \
    -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$crashes/" "${dict[@]}" \
    "$corpus" "${seeds[@]}" > "$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    summary+=("$t: ${execs:-?} execs in $took s, ok")
  else
    failed=$((failed + 1))
    grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz finding|.*runtime error)' "$log" | head -5
    summary+=("$t: ${execs:-?} execs in $took s, FAILED (exit $rc; $log, $crashes/)")
  fi
done
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
