#!/usr/bin/env bats
# build-dataflow killed (SIGKILL, its whole process group: make, the tools, Verilator and
# Yosys) at random moments: no output is ever truncated, and the rerun finishes with the
# reports of an uninterrupted run.

# The hardware build of a generated facile-like MLP: every output shoal makes, OOC
# synthesis as the layers' sum (Yosys per layer, parallel), the Ultra96 bitfile step
# (its Vivado project; no Vivado here).
setup_file() {
  load ../tools/test_helper
  local d=$BATS_FILE_TMPDIR
  make_facile "$d/f" > /dev/null
  cat > "$d/cfg.json" <<JSON
{
  "output_dir": "unused",
  "target_fps": 1000000,
  "synth_clk_period_ns": 10.0,
  "board": "Ultra96",
  "generate_outputs": ["estimate_reports", "stitched_ip", "rtlsim_performance",
                       "out_of_context_synth", "bitfile", "pynq_driver", "deployment_package"]
}
JSON
  # The check after every kill and after the rerun (see the test).
  cat > "$d/check.py" <<'PY'
import json, os, re, sys

ref, out, phase = sys.argv[1:4]
# Files that differ between two complete runs: logs, and measured times.
VARIABLE = {"time_per_step.json", "fifo_sizing.json"}
# Raw work files of Yosys and the simulators, which write them in place; a rerun never
# reuses them (Yosys outputs only with a matching cache.key, written after them). ABC's
# scratch directories under synth/tmp outlive a kill inside ABC; the next synth run clears
# them, which the final check sees.
WORK = ("synth/layers/", "synth/xilinx/", "synth/tmp/", "fifo_sizing/")
# Temporaries of writes under way: write_file_atomic's, the pipeline's, ipgen's staging.
TEMP = re.compile(r"^\..+\.tmp[A-Za-z0-9]{6}$|\.tmp$|^\.ipgen-[A-Za-z0-9]{6}$")
problems = []
seen = set()
for root, dirs, files in os.walk(out):
    for name in dirs + files:
        rel = os.path.relpath(os.path.join(root, name), out)
        if TEMP.search(name) and phase == "final":
            problems.append("left behind: " + rel)
    dirs[:] = [x for x in dirs if not TEMP.search(x)]
    for name in files:
        path = os.path.join(root, name)
        rel = os.path.relpath(path, out)
        if TEMP.search(name):
            continue
        seen.add(rel)
        if name.endswith(".log"):
            continue
        if rel in VARIABLE:
            try:
                json.load(open(path))
            except ValueError as e:
                problems.append("not whole: %s (%s)" % (rel, e))
            continue
        if phase == "killed" and rel.startswith(WORK):
            continue
        expected = os.path.join(ref, rel)
        if not os.path.exists(expected):
            problems.append("not in the uninterrupted run: " + rel)
        elif open(path, "rb").read() != open(expected, "rb").read():
            problems.append("differs from the uninterrupted run: " + rel)
if phase == "final":
    for root, dirs, files in os.walk(ref):
        for name in files:
            rel = os.path.relpath(os.path.join(root, name), ref)
            if rel not in seen:
                problems.append("missing: " + rel)
print("\n".join(problems) if problems else "%s: %d files whole" % (phase, len(seen)))
sys.exit(1 if problems else 0)
PY
}

setup() {
  load ../tools/test_helper
  D=$BATS_FILE_TMPDIR
}

# Starts the build into out$1 (cache dir $2), kills its process group after $3 ms, waits
# until every process of it is gone, prints the step it was in.
kill_build_at() {
  local out=$1 cache=$2 at=$3 pid n
  SHOAL_SIM_CACHE=$cache/sim SHOAL_SYNTH_CACHE=$cache/synth \
    setsid build-dataflow f/model.onnx cfg.json --ooc-layer-sum --output-dir "$out" \
    > "$out.log" 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
  kill -KILL -- "-$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
  for n in $(seq 100); do pgrep -g "$pid" > /dev/null || break; sleep 0.1; done
  if pgrep -g "$pid" > /dev/null; then
    echo "processes of the killed build still run" >&2
    return 1
  fi
  grep -o 'Running step: [a-z_]*' "$out.log" | tail -1 | cut -d' ' -f3
}

# The rerun after a kill, then the comparison with the uninterrupted run.
rerun_and_compare() {
  local out=$1 cache=$2
  SHOAL_SIM_CACHE=$cache/sim SHOAL_SYNTH_CACHE=$cache/synth \
    build-dataflow f/model.onnx cfg.json --ooc-layer-sum --output-dir "$out" > "$out.rerun.log" 2>&1 \
    || { cat "$out.rerun.log" >&2; return 1; }
  grep -qx "Completed successfully" "$out.rerun.log"
  py check.py ref "$out" final
  # the reports as such, once more
  for r in ref/report/*.json ref/final_hw_config.json; do
    cmp "$r" "$out/${r#ref/}" || return 1
  done
}

@test "SIGKILL at 10 random moments: no truncated output, and the rerun equals an uninterrupted run" {
  cd "$D"
  local start ms_cold ms_warm seed i at step
  # The uninterrupted run, from empty caches; again with them filled (its time sets the
  # range of most kill moments; both runs must agree).
  start=$(date +%s%N)
  SHOAL_SIM_CACHE=$D/cache_a/sim SHOAL_SYNTH_CACHE=$D/cache_a/synth \
    build-dataflow f/model.onnx cfg.json --ooc-layer-sum --output-dir ref > ref.log 2>&1
  ms_cold=$(( ($(date +%s%N) - start) / 1000000 ))
  start=$(date +%s%N)
  SHOAL_SIM_CACHE=$D/cache_a/sim SHOAL_SYNTH_CACHE=$D/cache_a/synth \
    build-dataflow f/model.onnx cfg.json --ooc-layer-sum --output-dir ref2 > ref2.log 2>&1
  ms_warm=$(( ($(date +%s%N) - start) / 1000000 ))
  run py check.py ref ref2 final
  assert_success
  seed=${KILL_SEED:-$RANDOM}
  RANDOM=$seed
  echo "# uninterrupted: ${ms_cold} ms from empty caches, ${ms_warm} ms with them; seed $seed (KILL_SEED=$seed repeats the moments)" >&3
  for i in $(seq 10); do
    if [ "$i" -le 2 ]; then
      # from empty caches (the second time only the synthesis cache is empty): the kill
      # may land in a Verilator build or a Yosys run
      [ "$i" -eq 2 ] && rm -rf "$D/cache_b/synth"
      at=$(( (RANDOM * 32768 + RANDOM) % (ms_cold + 1) ))
      cache=$D/cache_b
    else
      at=$(( (RANDOM * 32768 + RANDOM) % (ms_warm + 1) ))
      cache=$D/cache_a
    fi
    run kill_build_at "out$i" "$cache" "$at"
    assert_success
    echo "# kill $i at ${at} ms, in ${output:-(before the first step)}" >&3
    run py check.py ref "out$i" killed
    assert_success
    run rerun_and_compare "out$i" "$cache"
    assert_success
  done
}
