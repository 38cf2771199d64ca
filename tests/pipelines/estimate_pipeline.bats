#!/usr/bin/env bats
# pipelines/estimate.mk: one rule per step; Make redoes only what changed.

setup() {
  load ../tools/test_helper
  MK="$ROOT/pipelines/estimate.mk"
}

run_make() { make --no-print-directory -f "$MK" MODEL="$BATS_TEST_TMPDIR/f/model.onnx" OUT="$BATS_TEST_TMPDIR/out" CLK_NS=200.0 BIN="$BIN" "$@"; }

@test "touching the folding config reruns fold and estimate, not tidy" {
  make_facile "$BATS_TEST_TMPDIR/f"
  echo '{"Defaults": {}}' > "$BATS_TEST_TMPDIR/fold.json"
  run run_make TARGET_FPS=100 FOLDING_CONFIG="$BATS_TEST_TMPDIR/fold.json"
  assert_success
  assert_line "Running step: step_tidy_up"
  run run_make TARGET_FPS=100 FOLDING_CONFIG="$BATS_TEST_TMPDIR/fold.json"
  refute_output --partial "Running step"
  touch -d '+1 second' "$BATS_TEST_TMPDIR/fold.json"
  run run_make TARGET_FPS=100 FOLDING_CONFIG="$BATS_TEST_TMPDIR/fold.json"
  refute_line "Running step: step_tidy_up"
  refute_line "Running step: step_target_fps_parallelization"
  assert_line "Running step: step_apply_folding_config"
  assert_line "Running step: step_generate_estimate_reports"
}

@test "changing a setting reruns the steps from the first that uses it" {
  make_facile "$BATS_TEST_TMPDIR/f"
  run_make TARGET_FPS=100 > /dev/null
  run run_make TARGET_FPS=1000000
  refute_line "Running step: step_create_dataflow_partition"
  assert_line "Running step: step_target_fps_parallelization"
  assert_line "Running step: step_generate_estimate_reports"
  run run_make TARGET_FPS=1000000 MEM_MODE=const
  assert_line "Running step: step_convert_to_hls"
  refute_line "Running step: step_streamline"
}

@test "each step writes intermediate_models/<step>.onnx; a single step can be asked for" {
  make_facile "$BATS_TEST_TMPDIR/f"
  run run_make step_streamline
  assert_success
  [ -f "$BATS_TEST_TMPDIR/out/intermediate_models/step_streamline.onnx" ]
  [ ! -e "$BATS_TEST_TMPDIR/out/intermediate_models/step_convert_to_hls.onnx" ]
  run make -f "$MK" OUT="$BATS_TEST_TMPDIR/out"
  assert_failure
  assert_output --partial "MODEL=... is required"
}
