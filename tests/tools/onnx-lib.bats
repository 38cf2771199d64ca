#!/usr/bin/env bats
# onnx-lib: ONNX's own shape inference and checker, the helper the other tools run.

load test_helper

@test "--help names its modes" {
  run onnx-lib --help
  assert_success
  assert_line --index 0 "usage: onnx-lib infer-shapes [IN.onnx|-] [-o OUT.onnx|-]"
  assert_line --index 1 "       onnx-lib check [IN.onnx|-]"
  assert_line --index 2 "       onnx-lib serve"
}

@test "infer-shapes types standard ops and keeps a custom op's recorded output type" {
  # A Tile (which shoal's own rules do not cover) after a MultiThreshold whose output type is
  # recorded: ONNX skips the custom op and starts from the recorded type.
  py -c '
import onnx, sys, numpy as np
from onnx import helper as h, TensorProto as T, numpy_helper as nh
nodes = [h.make_node("MultiThreshold", ["x", "T"], ["m"], domain="finn.custom_op.general"),
         h.make_node("Tile", ["m", "r"], ["y"])]
g = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", T.FLOAT, [1, 4])],
                 [h.make_tensor_value_info("y", T.FLOAT, None)],
                 [nh.from_array(np.zeros((4, 1), np.float32), "T"),
                  nh.from_array(np.array([3, 2], np.int64), "r")],
                 value_info=[h.make_tensor_value_info("m", T.FLOAT, [1, 4])])
m = h.make_model(g, opset_imports=[h.make_opsetid("", 13), h.make_opsetid("finn.custom_op.general", 1)])
onnx.save(m, sys.argv[1])' "$BATS_TEST_TMPDIR/in.onnx"
  onnx-lib infer-shapes < "$BATS_TEST_TMPDIR/in.onnx" > "$BATS_TEST_TMPDIR/out.onnx"
  run py -c '
import onnx, sys
m = onnx.load(sys.argv[1])
print([d.dim_value for d in m.graph.output[0].type.tensor_type.shape.dim])' "$BATS_TEST_TMPDIR/out.onnx"
  assert_output "[3, 8]"
}

@test "serve answers each request of a stream, a bad one with its message, and ends with stdin" {
  make_facile "$BATS_TEST_TMPDIR/f"
  # Three requests: the model without its value_info, bytes that are no model, the model again.
  run py -c '
import onnx, struct, subprocess, sys
m = onnx.load(sys.argv[1])
del m.graph.value_info[:]
good = m.SerializeToString()
frames = b"".join(struct.pack("<Q", len(r)) + r for r in [good, b"\xff\xff", good])
out = subprocess.run([sys.argv[2], "serve"], input=frames, capture_output=True, check=True).stdout
pos = 0
while pos < len(out):
    status, n = out[pos], struct.unpack("<Q", out[pos + 1:pos + 9])[0]
    body = out[pos + 9:pos + 9 + n]
    pos += 9 + n
    if status == 0:
        r = onnx.ModelProto()
        r.ParseFromString(body)
        print("model", *[(v.name, [d.dim_value for d in v.type.tensor_type.shape.dim]) for v in r.graph.value_info])
    else:
        print("error", body.decode())' "$BATS_TEST_TMPDIR/f/model.onnx" "$BIN/onnx-lib"
  assert_success
  # ONNX types the first MatMul and stops at the MultiThreshold, a custom op.
  assert_output "model ('MatMul_0_out0', [1, 31])
error cannot parse the request as an ONNX model
model ('MatMul_0_out0', [1, 31])"
  run onnx-lib serve extra
  assert_failure 2
  assert_line --index 0 "onnx-lib: error: serve takes no arguments"
}

@test "check passes a generated model and names what the checker rejects" {
  make_facile "$BATS_TEST_TMPDIR/f"
  run onnx-lib check "$BATS_TEST_TMPDIR/f/model.onnx"
  assert_success
  assert_output "passes onnx::checker"
  py -c '
import onnx, sys
m = onnx.load(sys.argv[1])
m.graph.node[0].op_type = "MatMulX"
onnx.save(m, sys.argv[2])' "$BATS_TEST_TMPDIR/f/model.onnx" "$BATS_TEST_TMPDIR/bad.onnx"
  run onnx-lib check "$BATS_TEST_TMPDIR/bad.onnx"
  assert_failure 1
  assert_output --partial "onnx-lib: error: fails onnx::checker: No Op registered for MatMulX"
}

@test "bad input and bad usage are one error line each" {
  run onnx-lib infer-shapes <<< "not a model"
  assert_failure 1
  assert_output "onnx-lib: error: cannot parse - as an ONNX model"
  run onnx-lib reshape
  assert_failure 2
  assert_line --index 0 "onnx-lib: error: unknown mode 'reshape'"
}
