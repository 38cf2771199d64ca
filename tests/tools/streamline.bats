#!/usr/bin/env bats
# streamline: FINN's step_streamline.

setup() { load test_helper; }

@test "streamline --help names the step and its parts" {
  run streamline --help
  assert_success
  assert_output --partial "Usage: streamline [IN.onnx|-] [-o OUT.onnx|-]"
  assert_output --partial "step_streamline"
  assert_output --partial "ConvertBipolarMatMulToXnorPopcount"
}

@test "every shared model gives its expected output after streamline" {
  require_shared
  for m in $SHARED_MODELS; do
    streamlined_shared $m "$BATS_TEST_TMPDIR/$m"
    run onnx-exec "$BATS_TEST_TMPDIR/$m.onnx" "$SHARED/$m/input.npy" --expect "$SHARED/$m/expected_output.npy" \
      --atol "$(shared_atol $m)" -o "$BATS_TEST_TMPDIR/$m.npy"
    assert_success
  done
}

@test "TFC_1W1A: XnorPopcountMatMul layers with popcount-domain thresholds, as FINN's worked example" {
  require_shared
  streamlined_shared TFC_1W1A "$BATS_TEST_TMPDIR/t"
  run py -c '
import onnx, sys
from onnx import numpy_helper as nh
m = onnx.load(sys.argv[1])
print(" ".join(n.op_type for n in m.graph.node))
init = {i.name: nh.to_array(i) for i in m.graph.initializer}
for n in m.graph.node:
    if n.op_type == "MultiThreshold" and n.name != "MultiThreshold_0":
        t = init[n.input[1]]
        print(n.name, t.shape, int(t.min()), int(t.max()))
' "$BATS_TEST_TMPDIR/t.onnx"
  assert_success
  assert_line --index 0 "Reshape MultiThreshold XnorPopcountMatMul MultiThreshold XnorPopcountMatMul MultiThreshold XnorPopcountMatMul MultiThreshold XnorPopcountMatMul Mul Add"
  assert_line --index 1 "MultiThreshold_1 (64, 1) 306 473"
  assert_line --index 2 "MultiThreshold_2 (64, 1) 20 44"
  assert_line --index 3 "MultiThreshold_3 (64, 1) 26 56"
}

@test "unsw_nb15: everything folds into four MatMul + MultiThreshold pairs" {
  require_shared
  streamlined_shared unsw_nb15-mlp-w2a2 "$BATS_TEST_TMPDIR/u"
  run onnx-info --json "$BATS_TEST_TMPDIR/u.onnx"
  run py -c 'import json, sys; print(" ".join(n["op_type"] for n in json.load(sys.stdin)["nodes"]))' <<<"$output"
  assert_output "MatMul MultiThreshold MatMul MultiThreshold MatMul MultiThreshold MatMul MultiThreshold"
}

@test "generated QONNX models (scaled weights, Relu, signed and bipolar activations) keep their outputs" {
  for args in "--wdt INT3 --adt UINT4 --idt INT4" "--wdt INT2 --adt INT2 --idt INT2 --input-scale 0.25" \
              "--wdt BIPOLAR --adt BIPOLAR --idt BIPOLAR" "--wdt INT4 --adt UINT3 --idt UINT4 --topk"; do
    rm -rf "$BATS_TEST_TMPDIR/q"
    onnx-mlp --layers 24,16,10 $args --format qonnx -o "$BATS_TEST_TMPDIR/q"
    onnx-tidy "$BATS_TEST_TMPDIR/q/model.onnx" | streamline -o "$BATS_TEST_TMPDIR/q/s.onnx"
    run onnx-exec "$BATS_TEST_TMPDIR/q/s.onnx" "$BATS_TEST_TMPDIR/q/input.npy" --expect "$BATS_TEST_TMPDIR/q/expected_output.npy" \
      --atol 1e-4 -o "$BATS_TEST_TMPDIR/q/o.npy"
    assert_success
  done
}

@test "a streamlined model is a fixpoint and the output is deterministic" {
  make_facile "$BATS_TEST_TMPDIR/f"
  onnx-tidy "$BATS_TEST_TMPDIR/f/model.onnx" | streamline -o "$BATS_TEST_TMPDIR/a.onnx"
  onnx-tidy "$BATS_TEST_TMPDIR/f/model.onnx" | streamline > "$BATS_TEST_TMPDIR/b.onnx"
  cmp "$BATS_TEST_TMPDIR/a.onnx" "$BATS_TEST_TMPDIR/b.onnx"
  streamline "$BATS_TEST_TMPDIR/a.onnx" -o "$BATS_TEST_TMPDIR/c.onnx"
  cmp "$BATS_TEST_TMPDIR/a.onnx" "$BATS_TEST_TMPDIR/c.onnx"
}

@test "bad input is one error line and no output" {
  cd "$BATS_TEST_TMPDIR"
  : > empty.onnx
  run streamline empty.onnx -o out.onnx
  assert_failure 1
  assert_output "streamline: error: empty.onnx: empty file, not an ONNX model"
  [ ! -e out.onnx ]
}
