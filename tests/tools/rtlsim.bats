#!/usr/bin/env bats
# rtlsim: execution of a stitched design with Verilator, and step_measure_rtlsim_performance.

# One stitched facile-like model for the whole file (its simulator is then in the cache), and
# its estimate reports to compare the measured performance with.
setup_file() {
  load test_helper
  stitched_facile "$BATS_FILE_TMPDIR/f"
  estimate "$BATS_FILE_TMPDIR/f/folded.onnx" --report-dir "$BATS_FILE_TMPDIR/f/rep"
}

setup() {
  load test_helper
  F=$BATS_FILE_TMPDIR/f
}

# A value of a JSON file: json_of FILE KEY.
json_of() {
  py -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

@test "rtlsim --help names both modes and the cache" {
  run rtlsim --help
  assert_success
  assert_line --index 0 "Usage: rtlsim STITCHED.onnx INPUT.npy -o OUTPUT.npy [--trace OUT.fst]"
  assert_output --partial "SHOAL_SIM_CACHE"
  assert_output --partial "stable_throughput[images/s]"
}

@test "the outputs are onnx-exec's on the folded child, bit for bit, and the expected ones" {
  run rtlsim "$F/stitched.onnx" "$F/input.npy" -o "$BATS_TEST_TMPDIR/out.npy"
  assert_success
  # stitch built this very design when it checked the sized FIFOs
  assert_line --index 0 "rtlsim: simulator from the cache"
  assert_line --index 1 --regexp '^rtlsim: [0-9]+ cycles in [0-9.e-]+ s$'
  onnx-exec "$F/folded.onnx" "$F/input.npy" -o "$BATS_TEST_TMPDIR/ref.npy"
  cmp "$BATS_TEST_TMPDIR/out.npy" "$BATS_TEST_TMPDIR/ref.npy"
  run py -c '
import numpy as np, sys
a, e = np.load(sys.argv[1]), np.load(sys.argv[2])
# several distinct labels: a stuck output could not pass
print(a.shape, a.dtype, (a == e).all(), len(np.unique(a)))' \
    "$BATS_TEST_TMPDIR/out.npy" "$F/expected_output.npy"
  assert_output "(16, 1) float32 True 9"
}

@test "a single sample in the model's shape comes back in the output's shape" {
  py -c 'import numpy as np, sys; np.save(sys.argv[2], np.load(sys.argv[1])[3:4])' \
    "$F/input.npy" "$BATS_TEST_TMPDIR/one.npy"
  rtlsim "$F/stitched.onnx" "$BATS_TEST_TMPDIR/one.npy" -o "$BATS_TEST_TMPDIR/one_out.npy"
  run py -c '
import numpy as np, sys
a, e = np.load(sys.argv[1]), np.load(sys.argv[2])
print(a.shape, a[0][0] == e[3][0])' "$BATS_TEST_TMPDIR/one_out.npy" "$F/expected_output.npy"
  assert_output "(1, 1) True"
}

@test "--perf: FINN's keys in FINN's order, their formulas, and stable_throughput" {
  run rtlsim "$F/stitched.onnx" --perf --report-dir "$BATS_TEST_TMPDIR/r" -n 7
  assert_success
  assert_line --index 0 "rtlsim: simulator from the cache"
  run py -c '
import json, sys
p = json.load(open(sys.argv[1]))
e = json.load(open(sys.argv[2]))
print(*p)
c, n, lat, clk = p["cycles"], p["N"], p["latency_cycles"], 10e-9
close = lambda a, b: abs(a - b) <= 1e-9 * abs(b)
assert close(p["runtime[ms]"], c * clk * 1e3)
assert close(p["throughput[images/s]"], n / (c * clk))
# 14 INT6 inputs and one UINT4 output per frame, in bytes (FINN: really MB/s)
assert close(p["DRAM_in_bandwidth[Mb/s]"], n * 14 * 6 / 8 * 1e-6 / (c * clk))
assert close(p["DRAM_out_bandwidth[Mb/s]"], n * 1 * 4 / 8 * 1e-6 / (c * clk))
assert close(p["stable_throughput[images/s]"], n / ((c - lat) * clk))
# layer 0 takes exactly NF*SF = 434 cycles a frame, back to back (hls/README.md)
assert c - lat == (n - 1) * e["max_cycles"], (c, lat)
assert lat <= e["critical_path_cycles"], (lat, e["critical_path_cycles"])
assert p["stable_throughput[images/s]"] >= e["estimated_throughput_fps"]
print(p["fclk[mhz]"], n, type(c).__name__, type(lat).__name__)
' "$BATS_TEST_TMPDIR/r/rtlsim_performance.json" "$F/rep/estimate_network_performance.json"
  assert_success
  assert_output "cycles runtime[ms] throughput[images/s] DRAM_in_bandwidth[Mb/s]\
 DRAM_out_bandwidth[Mb/s] fclk[mhz] N latency_cycles stable_throughput[images/s]
100.0 7 int int"
}

@test "--perf: N defaults to the number of layers (FINN v0.6); with one frame, all is latency" {
  rtlsim "$F/stitched.onnx" --perf --report-dir "$BATS_TEST_TMPDIR/all"
  run json_of "$BATS_TEST_TMPDIR/all/rtlsim_performance.json" N
  assert_output "7"  # 5 layers, a FIFO and a width converter
  rtlsim "$F/stitched.onnx" --perf --report-dir "$BATS_TEST_TMPDIR/one" -n 1
  run py -c '
import json, sys
p = json.load(open(sys.argv[1]))
print(p["N"], p["cycles"] == p["latency_cycles"],
      p["stable_throughput[images/s]"] == p["throughput[images/s]"])
' "$BATS_TEST_TMPDIR/one/rtlsim_performance.json"
  assert_output "1 True True"
}

@test "the input mode streams frames as fast as --perf does: the same cycles for 16 frames" {
  run rtlsim "$F/stitched.onnx" "$F/input.npy" -o "$BATS_TEST_TMPDIR/out.npy"
  [[ ${lines[1]} =~ ^rtlsim:\ ([0-9]+)\ cycles ]]
  local cycles=${BASH_REMATCH[1]}
  rtlsim "$F/stitched.onnx" --perf --report-dir "$BATS_TEST_TMPDIR/r" -n 16
  run json_of "$BATS_TEST_TMPDIR/r/rtlsim_performance.json" cycles
  assert_output "$cycles"
}

@test "--trace writes an FST waveform of the whole run, and the same outputs" {
  run rtlsim "$F/stitched.onnx" "$F/input.npy" -o "$BATS_TEST_TMPDIR/out.npy" \
    --trace "$BATS_TEST_TMPDIR/wave.fst"
  assert_success
  [[ ${lines[1]} =~ ^rtlsim:\ ([0-9]+)\ cycles ]]
  local cycles=${BASH_REMATCH[1]}
  onnx-exec "$F/folded.onnx" "$F/input.npy" -o "$BATS_TEST_TMPDIR/ref.npy"
  cmp "$BATS_TEST_TMPDIR/out.npy" "$BATS_TEST_TMPDIR/ref.npy"
  # the FST header block (gtkwave's fstapi): type 0, then big-endian start and end times
  # (two time steps a clock); the run is the reset plus the cycles counted
  run py -c '
import struct, sys
b = open(sys.argv[1], "rb").read()
start, end = struct.unpack(">QQ", b[9:25])
scopes, variables = struct.unpack(">QQ", b[41:57])
cycles = int(sys.argv[2])
print(b[0], start, 2 * cycles <= end < 2 * (cycles + 16), scopes > 7, variables > 100)
' "$BATS_TEST_TMPDIR/wave.fst" "$cycles"
  assert_output "0 0 True True True"
}

@test "the design is found relative to the model: a moved copy simulates from the cache" {
  cp -r "$F" "$BATS_TEST_TMPDIR/copy"
  mv "$F/st" "$F/st.away"
  run rtlsim "$BATS_TEST_TMPDIR/copy/stitched.onnx" "$F/input.npy" -o "$BATS_TEST_TMPDIR/o.npy"
  mv "$F/st.away" "$F/st"
  assert_success
  assert_line --index 0 "rtlsim: simulator from the cache"
  onnx-exec "$F/folded.onnx" "$F/input.npy" -o "$BATS_TEST_TMPDIR/ref.npy"
  cmp "$BATS_TEST_TMPDIR/o.npy" "$BATS_TEST_TMPDIR/ref.npy"
}

@test "Verilator's run-time library and precompiled headers are made once per cache" {
  export SHOAL_SIM_CACHE=$BATS_TEST_TMPDIR/cache
  run rtlsim "$F/stitched.onnx" "$F/input.npy" -o "$BATS_TEST_TMPDIR/a.npy"
  assert_success
  assert_line --index 0 --regexp '^rtlsim: built the simulator in [0-9.]+ s$'
  local rt
  rt=$(echo "$SHOAL_SIM_CACHE"/runtime-*)
  run ls "$rt" "$rt/verilated.h.gch"
  assert_output "$rt:
verilated.h.gch
verilated.o
verilated_threads.o

$rt/verilated.h.gch:
fast.gch
slow.gch"
  local first
  first=$(grep -l "verilated\.cpp" "$SHOAL_SIM_CACHE"/*/build.log)
  # another design (a 2-bit facile-like MLP) takes both from the cache
  local s=$BATS_TEST_TMPDIR/s
  stitched_small "$s" > /dev/null
  run rtlsim "$s/stitched.onnx" "$s/input.npy" -o "$BATS_TEST_TMPDIR/b.npy"
  assert_success
  assert_line --index 0 --regexp '^rtlsim: built the simulator in [0-9.]+ s$'
  [ "$(ls -d "$SHOAL_SIM_CACHE"/runtime-* | wc -l)" = 1 ]
  [ "$(ls "$SHOAL_SIM_CACHE"/*/build.log | wc -l)" = 2 ]
  # only the first build compiled verilated.cpp
  [ "$(grep -l "verilated\.cpp" "$SHOAL_SIM_CACHE"/*/build.log)" = "$first" ]
  onnx-exec "$F/folded.onnx" "$F/input.npy" -o "$BATS_TEST_TMPDIR/ref.npy"
  cmp "$BATS_TEST_TMPDIR/a.npy" "$BATS_TEST_TMPDIR/ref.npy"
  onnx-exec "$s/folded.onnx" "$s/input.npy" -o "$BATS_TEST_TMPDIR/ref_b.npy"
  cmp "$BATS_TEST_TMPDIR/b.npy" "$BATS_TEST_TMPDIR/ref_b.npy"
}

@test "memory files are read as the simulation starts: new weights, the same simulator" {
  # the cache key covers the Verilog, not the .dat files: reversing layer 2's weight rows
  # changes only its weight file, so the cached simulator must pick the new one up
  py -c '
import onnx, sys
import numpy as np
from onnx import numpy_helper as nh
m = onnx.load(sys.argv[1])
t = [t for t in m.graph.initializer if t.name == m.graph.node[4].input[1]][0]
t.CopyFrom(nh.from_array(np.ascontiguousarray(nh.to_array(t)[::-1]), t.name))
onnx.save(m, sys.argv[2])' "$F/stitched.onnx" "$BATS_TEST_TMPDIR/edited.onnx"
  stitch "$BATS_TEST_TMPDIR/edited.onnx" -o "$BATS_TEST_TMPDIR/s/s.onnx" --stitch-only 2>/dev/null
  run rtlsim "$BATS_TEST_TMPDIR/s/s.onnx" "$F/input.npy" -o "$BATS_TEST_TMPDIR/new.npy"
  assert_success
  assert_line --index 0 "rtlsim: simulator from the cache"
  # onnx-exec runs the stitched model in software (FIFOs and DWCs as identities)
  onnx-exec "$BATS_TEST_TMPDIR/s/s.onnx" "$F/input.npy" -o "$BATS_TEST_TMPDIR/ref.npy"
  cmp "$BATS_TEST_TMPDIR/new.npy" "$BATS_TEST_TMPDIR/ref.npy"
  onnx-exec "$F/folded.onnx" "$F/input.npy" -o "$BATS_TEST_TMPDIR/old.npy"
  run cmp -s "$BATS_TEST_TMPDIR/new.npy" "$BATS_TEST_TMPDIR/old.npy"
  assert_failure  # the edit does change the outputs
}

@test "a wrong input shape, an out-of-range value, an unstitched model: one-line errors" {
  cd "$BATS_TEST_TMPDIR"
  py -c 'import numpy as np; np.save("bad.npy", np.zeros((16, 13), np.float32))'
  run rtlsim "$F/stitched.onnx" bad.npy -o out.npy
  assert_failure 1
  assert_output "rtlsim: error: bad.npy has shape [16, 13], but model input 'global_in' takes\
 [1, 14] (one sample, or a batch whose rows have that shape)"
  py -c 'import numpy as np; a = np.zeros((2, 14), np.float32); a[1, 3] = 100; np.save("big.npy", a)'
  run rtlsim "$F/stitched.onnx" big.npy -o out.npy
  assert_failure 1
  assert_output "rtlsim: error: sample 1, element 3: 100 is not a value of the input datatype INT6"
  run rtlsim "$F/folded.onnx" "$F/input.npy" -o out.npy
  assert_failure 1
  assert_output "rtlsim: error: $F/folded.onnx records no stitched design (run stitch first)"
  run rtlsim "$F/folded.onnx" --perf --report-dir r
  assert_failure 1
  assert_output "rtlsim: error: $F/folded.onnx records no stitched design (run stitch first)"
  [ ! -e out.npy ]
  [ ! -e r ]
}

@test "bad usage: no -o, --perf without a report dir or with an input, N below 1" {
  run rtlsim "$F/stitched.onnx" "$F/input.npy"
  assert_failure 2
  assert_line --index 0 "rtlsim: error: -o OUTPUT.npy is required"
  run rtlsim "$F/stitched.onnx" --perf
  assert_failure 2
  assert_line --index 0 "rtlsim: error: --perf needs --report-dir DIR"
  run rtlsim "$F/stitched.onnx" "$F/input.npy" --perf --report-dir "$BATS_TEST_TMPDIR/r"
  assert_failure 2
  assert_line --index 0 "rtlsim: error: --perf takes no input .npy"
  run rtlsim "$F/stitched.onnx" --perf --report-dir "$BATS_TEST_TMPDIR/r" -n 0
  assert_failure 1
  assert_output "rtlsim: error: the batch size must be at least 1, not 0"
}

# The full flow on a shared model, at PE=SIMD=1 and at 1e6 fps (10 ns): the parent through
# the simulated child gives the expected output, and the measured performance meets the
# estimate: stable throughput within 2% of estimated_throughput_fps, the first frame out
# within critical_path_cycles.
shared_flow() {
  local m=$1 fps d
  for fps in "" 1000000; do
    d=$BATS_TEST_TMPDIR/$m${fps:+_$fps}
    hw_flow_shared $m "$d" "$fps"
    run onnx-exec "$d/parent.onnx" "$SHARED/$m/input.npy" --partition "$d/stitched.onnx" \
      --rtlsim --expect "$SHARED/$m/expected_output.npy" --atol "$(shared_atol $m)" \
      -o "$d/out.npy"
    assert_success
    assert_line --partial "output matches"
    rtlsim "$d/stitched.onnx" --perf --report-dir "$d/rep" -n 20
    run py -c '
import json, sys
p = json.load(open(sys.argv[1] + "/rtlsim_performance.json"))
e = json.load(open(sys.argv[1] + "/estimate_network_performance.json"))
stable, est = p["stable_throughput[images/s]"], e["estimated_throughput_fps"]
lat, crit = p["latency_cycles"], e["critical_path_cycles"]
# FINN divides N frames by the N-1 intervals after the first, which flatters by N/(N-1);
# the interval itself must also be within 2% of max_cycles
interval = (p["cycles"] - lat) / (p["N"] - 1)
print(sys.argv[2], p["N"], stable >= 0.98 * est or "stable %g < 0.98 * %g" % (stable, est),
      interval <= e["max_cycles"] / 0.98 or "%g cycles a frame" % interval,
      lat <= crit or "latency %d > critical path %d" % (lat, crit))
' "$d/rep" "$(basename "$d")"
    # the folder names the folding, should this fail
    assert_output "$(basename "$d") 20 True True True"
  done
}

@test "facile_like: the full flow, simulated, at PE=SIMD=1 and at 1e6 fps" {
  require_shared
  shared_flow facile_like
}

@test "TFC_1W1A: the full flow, simulated, at PE=SIMD=1 and at 1e6 fps" {
  require_shared
  shared_flow TFC_1W1A
}

@test "TFC_1W2A: the full flow, simulated, at PE=SIMD=1 and at 1e6 fps" {
  require_shared
  shared_flow TFC_1W2A
}

@test "TFC_2W2A: the full flow, simulated, at PE=SIMD=1 and at 1e6 fps" {
  require_shared
  shared_flow TFC_2W2A
}

@test "unsw_nb15-mlp-w2a2: the full flow, simulated, at PE=SIMD=1 and at 1e6 fps" {
  require_shared
  shared_flow unsw_nb15-mlp-w2a2
}

# Issue 17: a generated MLP ending in FINN's TopK (make_topk_mlp) through the whole flow at
# PE=SIMD=1 and at 1e6 fps (10 ns); the simulated parent gives the class indices exactly, from
# the child as to-hls writes it and from the child without outputDataType on its
# LabelSelect_Batch (FINN v0.6 models), whose output type stitch and rtlsim derive.
@test "a generated MLP ending in FINN's TopK: exact class indices, with and without outputDataType" {
  local src=$BATS_TEST_TMPDIR/src fps d
  make_topk_mlp "$src"
  for fps in "" 1000000; do
    d=$BATS_TEST_TMPDIR/topk${fps:+_$fps}
    mkdir -p "$d"
    onnx-tidy "$src/model.onnx" | streamline | to-hls -o "$d/parent.onnx" 2> /dev/null
    fold "$d/parent_partition_0.onnx" --clk-ns 10 ${fps:+--target-fps $fps} -o "$d/folded.onnx"
    estimate "$d/folded.onnx" --report-dir "$d/rep"
    without_label_select_odt "$d/folded.onnx" "$d/v06.onnx"
    run folding_of "$d/folded.onnx"
    if [ -z "$fps" ]; then
      assert_output "StreamingFCLayer_Batch_0 1 1 -
StreamingFCLayer_Batch_1 1 1 -
LabelSelect_Batch_0 1 - -"
    else
      # 100 cycles a frame: 64 and 80 cycles for the layers, Labels/PE = 10 for LabelSelect
      assert_output "StreamingFCLayer_Batch_0 1 32 64
StreamingFCLayer_Batch_1 1 4 80
LabelSelect_Batch_0 1 - 10"
    fi
    for m in folded v06; do
      stitch "$d/$m.onnx" -o "$d/${m}_stitched.onnx" --out-dir "$d/${m}_st" 2> "$d/$m.log" \
        || { cat "$d/$m.log" >&2; return 1; }
      # the parent's partition node names the child it runs in software; --partition swaps in
      # the stitched design
      run onnx-exec "$d/parent.onnx" "$src/input.npy" --partition "$d/${m}_stitched.onnx" \
        --rtlsim --expect "$src/expected_output.npy" --atol 0 -o "$d/$m.npy"
      assert_success
      assert_line --partial "output matches $src/expected_output.npy (16 values, largest difference 0)"
      run py -c 'import numpy as np, sys; a = np.load(sys.argv[1]); print(a.dtype, a.shape, len(np.unique(a)))' "$d/$m.npy"
      assert_output "int64 (16, 1) 7"
    done
  done
}

@test "--trace into a missing directory, or with --perf, is refused before simulating" {
  run rtlsim "$F/stitched.onnx" "$F/input.npy" -o "$BATS_TEST_TMPDIR/o.npy" \
    --trace "$BATS_TEST_TMPDIR/nodir/x.fst"
  assert_failure 1
  assert_output "rtlsim: error: cannot write '$BATS_TEST_TMPDIR/nodir/x.fst': No such file or directory"
  [ ! -e "$BATS_TEST_TMPDIR/o.npy" ]
  run rtlsim "$F/stitched.onnx" --perf --report-dir "$BATS_TEST_TMPDIR/r" --trace x.fst
  assert_failure 2
  assert_line --index 0 "rtlsim: error: --trace goes with an INPUT.npy run, not --perf"
}

# A graph input annotated BIPOLAR reaches the hardware as one bit per value (-1 -> 0,
# +1 -> 1); the Thresholding_Batch that XNOR conversion puts in front of the first layer must
# compare in that bit domain. Its thresholds used to be compared with the raw bit.
@test "a BIPOLAR graph input through a hardware Thresholding_Batch: exact outputs" {
  local d=$BATS_TEST_TMPDIR
  onnx-mlp --layers 64,32,10 --wdt BIPOLAR --adt BIPOLAR --idt BIPOLAR --last-linear --seed 2 -o "$d/m"
  onnx-tidy "$d/m/model.onnx" | streamline | to-hls -o "$d/parent.onnx" 2> /dev/null
  run py -c '
import json, sys
n = json.load(open(sys.argv[1]))["nodes"][0]
print(n["op_type"], n["attributes"]["inputDataType"], n["attributes"]["outputDataType"])
' <(onnx-info --json "$d/parent_partition_0.onnx")
  assert_output "Thresholding_Batch BIPOLAR BINARY"
  fold "$d/parent_partition_0.onnx" --clk-ns 10 -o "$d/folded.onnx"
  stitch "$d/folded.onnx" -o "$d/stitched.onnx" --out-dir "$d/st" 2> /dev/null
  run onnx-exec "$d/parent.onnx" "$d/m/input.npy" --partition "$d/stitched.onnx" --rtlsim \
    --expect "$d/m/expected_output.npy" -o "$d/out.npy"
  assert_success
}
