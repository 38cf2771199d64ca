#!/usr/bin/env bats
# pipelines/dataflow.mk: the hardware steps after the estimate-only ones.

setup() {
  load ../tools/test_helper
  MK="$ROOT/pipelines/dataflow.mk"
}

run_make() {
  make --no-print-directory -f "$MK" MODEL="$BATS_TEST_TMPDIR/f/model.onnx" \
    OUT="$BATS_TEST_TMPDIR/out" CLK_NS=10 BIN="$BIN" "$@"
}

@test "IP, sized FIFOs, stitched IP and rtlsim report; Make reruns only what changed" {
  make_facile "$BATS_TEST_TMPDIR/f"
  run run_make TARGET_FPS=1000000 RTLSIM_PERFORMANCE=1 RTLSIM_N=8
  assert_success
  assert_line "Running step: step_hls_codegen"
  assert_line "Running step: step_set_fifo_depths"
  assert_line --regexp "^stitch: [0-9]+ FIFOs measured over [0-9]+ frames; total FIFO bits [0-9]+; [0-9]+ cycles sized vs [0-9]+ deep$"
  local out="$BATS_TEST_TMPDIR/out"
  for f in fifo_sizing.json final_hw_config.json stitched_ip/all_verilog_srcs.txt \
           report/rtlsim_performance.json intermediate_models/step_deployment_package.onnx; do
    [ -s "$out/$f" ] || { echo "missing $f"; false; }
  done
  run py -c 'import json, sys; print(json.load(open(sys.argv[1]))["N"])' "$out/report/rtlsim_performance.json"
  assert_output "8"
  # the stitched design computes the model: rtlsim of the last model vs its expected output
  rtlsim "$out/intermediate_models/step_create_stitched_ip.onnx" \
    "$BATS_TEST_TMPDIR/f/input.npy" -o "$BATS_TEST_TMPDIR/hw.npy"
  onnx-exec "$out/intermediate_models/step_create_stitched_ip.onnx" \
    "$BATS_TEST_TMPDIR/f/input.npy" -o "$BATS_TEST_TMPDIR/sw.npy"
  py -c 'import numpy as n, sys; a, b = n.load(sys.argv[1]), n.load(sys.argv[2]); sys.exit(not (a == b).all())' \
    "$BATS_TEST_TMPDIR/hw.npy" "$BATS_TEST_TMPDIR/sw.npy"

  run run_make TARGET_FPS=1000000 RTLSIM_PERFORMANCE=1 RTLSIM_N=8
  refute_output --partial "Running step"
  # asking for a different number of frames reruns only the measurement
  run run_make TARGET_FPS=1000000 RTLSIM_PERFORMANCE=1 RTLSIM_N=9
  assert_line "Running step: step_measure_rtlsim_performance"
  refute_line "Running step: step_set_fifo_depths"
  refute_line "Running step: step_create_stitched_ip"
}

@test "without STITCHED_IP the stitching steps pass the model on; RTLSIM needs it" {
  make_facile "$BATS_TEST_TMPDIR/f"
  run run_make STITCHED_IP=0
  assert_success
  [ ! -e "$BATS_TEST_TMPDIR/out/stitched_ip" ]
  [ ! -e "$BATS_TEST_TMPDIR/out/report/rtlsim_performance.json" ]
  [ -s "$BATS_TEST_TMPDIR/out/final_hw_config.json" ]
  run run_make STITCHED_IP=0 RTLSIM_PERFORMANCE=1
  assert_failure
  assert_output --partial "RTLSIM_PERFORMANCE=1 needs STITCHED_IP=1"
}

@test "OOC_SYNTH: FINN's ooc_synth_and_timing.json for the part, from yosys" {
  # a 2-bit facile-like MLP: 3 thresholds a neuron, synthesizes in seconds
  onnx-mlp --layers 14,31,11,3,1 --wdt INT2 --adt UINT2 --idt INT2 --seed 3 \
    -o "$BATS_TEST_TMPDIR/f"
  run run_make OOC_SYNTH=1 FPGA_PART=xc7z020clg400-1
  assert_success
  assert_line "Running step: step_out_of_context_synthesis"
  py - "$BATS_TEST_TMPDIR/out/report/ooc_synth_and_timing.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert list(r)[:7] == ["LUT", "FF", "DSP", "BRAM", "WNS", "fmax_mhz",
                       "estimated_throughput_fps"], list(r)
assert r["LUT"] > 100 and r["FF"] > 50, r
assert "yosys" in r["synthesis_tool"] and "estimate" in r["timing"], r
# FINN's formulas: fmax from the clock and WNS, throughput from fmax and max_cycles
assert abs(r["fmax_mhz"] - 1000 / (10 - r["WNS"])) < 1e-6 * r["fmax_mhz"], r
PY
  run run_make OOC_SYNTH=1 FPGA_PART=xc7z020clg400-1
  refute_output --partial "Running step"
}
