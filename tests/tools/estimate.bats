#!/usr/bin/env bats
# estimate: step_generate_estimate_reports.

setup() { load test_helper; }

@test "estimate --help lists the reports" {
  run estimate --help
  assert_success
  assert_output --partial "estimate_layer_config_alternatives.json"
  assert_output --partial "op_and_param_counts.json"
}

@test "the shared facile_like model: all five reports byte-identical to the reference build's" {
  require_shared
  child_of "$(shared_model facile_like)" "$BATS_TEST_TMPDIR/c"
  fold "$BATS_TEST_TMPDIR/c/child.onnx" -o "$BATS_TEST_TMPDIR/f.onnx" --target-fps 100 --clk-ns 200.0
  estimate "$BATS_TEST_TMPDIR/f.onnx" --report-dir "$BATS_TEST_TMPDIR/report"
  for f in "$SHARED"/facile_like/expected/*.json; do
    cmp "$f" "$BATS_TEST_TMPDIR/report/$(basename "$f")"
  done
}

@test "a generated facile-like model gives the reference cycles and performance" {
  make_facile "$BATS_TEST_TMPDIR/f"
  child_of "$BATS_TEST_TMPDIR/f/model.onnx" "$BATS_TEST_TMPDIR/c"
  estimate "$BATS_TEST_TMPDIR/c/child.onnx" --clk-ns 200.0 --report-dir "$BATS_TEST_TMPDIR/r" -o "$BATS_TEST_TMPDIR/a.onnx"
  run cat "$BATS_TEST_TMPDIR/r/estimate_layer_cycles.json"
  assert_output "$FACILE_CYCLES"
  run cat "$BATS_TEST_TMPDIR/r/estimate_network_performance.json"
  assert_output "$FACILE_PERFORMANCE"
  run grep -c '"LUT": 2588' "$BATS_TEST_TMPDIR/r/estimate_layer_resources.json"
  assert_output "2"
  run folding_of "$BATS_TEST_TMPDIR/a.onnx"
  assert_line --index 0 "StreamingFCLayer_Batch_0 1 1 434"
}

@test "an integer clock gives an integer latency, as in FINN" {
  make_facile "$BATS_TEST_TMPDIR/f"
  child_of "$BATS_TEST_TMPDIR/f/model.onnx" "$BATS_TEST_TMPDIR/c"
  estimate "$BATS_TEST_TMPDIR/c/child.onnx" --clk-ns 200 --report-dir "$BATS_TEST_TMPDIR/r"
  run grep estimated_latency_ns "$BATS_TEST_TMPDIR/r/estimate_network_performance.json"
  assert_output '  "estimated_latency_ns": 162400'
}

@test "the clock fold recorded is used; without any clock it is an error" {
  make_facile "$BATS_TEST_TMPDIR/f"
  child_of "$BATS_TEST_TMPDIR/f/model.onnx" "$BATS_TEST_TMPDIR/c"
  fold "$BATS_TEST_TMPDIR/c/child.onnx" -o "$BATS_TEST_TMPDIR/f.onnx" --clk-ns 200.0
  estimate "$BATS_TEST_TMPDIR/f.onnx" --report-dir "$BATS_TEST_TMPDIR/r"
  run cat "$BATS_TEST_TMPDIR/r/estimate_network_performance.json"
  assert_output "$FACILE_PERFORMANCE"
  run estimate "$BATS_TEST_TMPDIR/c/child.onnx" --report-dir "$BATS_TEST_TMPDIR/r2"
  assert_failure 1
  assert_output "estimate: error: no clock period: pass --clk-ns (or fold the model with --clk-ns)"
  run estimate "$BATS_TEST_TMPDIR/c/child.onnx" --clk-ns fast --report-dir "$BATS_TEST_TMPDIR/r2"
  assert_output "estimate: error: clock period 'fast' is not a positive number of ns"
  run estimate "$BATS_TEST_TMPDIR/c/child.onnx" --clk-ns 5
  assert_failure 2
  assert_line --index 0 "estimate: error: missing --report-dir DIR"
}
