#!/usr/bin/env bats
# shoal: the front command of an installation (make install).

setup() { load test_helper; }

@test "an installation runs its tools through the shoal front, pipelines and hls/ included" {
  local p="$BATS_TEST_TMPDIR/prefix"
  cmake --install "$ROOT/build" --prefix "$p" > /dev/null
  run "$p/bin/shoal" --help
  assert_success
  assert_line "  stitch"
  refute_line "  onnx-lib"
  run "$p/bin/shoal" fold --version
  assert_output --regexp "^fold \(shoal\) [0-9]+\.[0-9]+\.[0-9]+$"
  run "$p/bin/shoal" nope
  assert_failure 2
  assert_output "shoal: error: 'nope' is not a shoal tool (shoal --help lists them)"
  run "$p/bin/shoal" ../bin/shoal
  assert_failure 2
  # the installed ipgen finds the hls/ modules under share/shoal/hls
  make_facile "$BATS_TEST_TMPDIR/f"
  cd "$BATS_TEST_TMPDIR/f"
  onnx-tidy model.onnx | streamline | to-hls -o parent.onnx
  fold parent_partition_0.onnx --clk-ns 10 -o folded.onnx
  SHOAL_HLS_DIR= "$p/bin/shoal" ipgen folded.onnx -o ip.onnx
  cmp "$ROOT/hls/shoal_mvau.sv" ip/StreamingFCLayer_Batch_0/shoal_mvau.sv
}
