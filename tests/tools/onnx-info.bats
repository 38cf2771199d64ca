#!/usr/bin/env bats
# onnx-info: inspect a model.

setup() { load test_helper; }

@test "human-readable: inputs, outputs, nodes with attributes, tensors with datatypes" {
  make_facile "$BATS_TEST_TMPDIR/f"
  run onnx-info "$BATS_TEST_TMPDIR/f/model.onnx"
  assert_success
  assert_line "  global_in  [1, 14]  INT6"
  assert_line "  global_out  [1, 1]  UINT4"
  assert_line "  1  MultiThreshold_0  MultiThreshold [finn.custom_op.general]"
  assert_line "      out_dtype=UINT6"
  assert_line "  MatMul_0_param0  [14, 31]  INT6  (initializer)"
  assert_line "  MatMul_0_out0  [1, 31]  INT32"
}

@test "--json is one object with nodes, tensors, shapes and layouts" {
  make_facile "$BATS_TEST_TMPDIR/f"
  run py -c '
import json, subprocess, sys
j = json.loads(subprocess.run(["onnx-info", "--json", sys.argv[1]], capture_output=True, check=True).stdout)
print(len(j["nodes"]), j["nodes"][1]["attributes"]["out_dtype"], j["inputs"][0]["datatype"], j["inputs"][0]["shape"])
print(sorted(j.keys()))' "$BATS_TEST_TMPDIR/f/model.onnx"
  assert_success
  assert_line --index 0 "9 UINT6 INT6 [1, 14]"
  assert_line --index 1 "['inputs', 'ir_version', 'model', 'nodes', 'opsets', 'outputs', 'producer', 'tensors']"
}

@test "layouts show once annotated" {
  require_shared
  run onnx-info "$(shared_model facile_like)"
  assert_success
  assert_output --partial "MultiThreshold_4"
}

@test "--check reports onnx::checker failures" {
  make_facile "$BATS_TEST_TMPDIR/f"
  py -c '
import onnx, sys
m = onnx.load(sys.argv[1])
m.graph.node[0].op_type = "MatMulX"
onnx.save(m, sys.argv[2])' "$BATS_TEST_TMPDIR/f/model.onnx" "$BATS_TEST_TMPDIR/bad.onnx"
  run onnx-info --check "$BATS_TEST_TMPDIR/bad.onnx"
  assert_failure 1
  assert_output --partial "fails onnx::checker: No Op registered for MatMulX"
}

@test "a missing file is one error line" {
  run onnx-info nothing.onnx
  assert_failure 1
  assert_output "onnx-info: error: cannot read 'nothing.onnx': No such file or directory"
}
