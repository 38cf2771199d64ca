#!/usr/bin/env bats
# onnx-mlp: synthetic quantized MLPs with test vectors.

setup() { load test_helper; }

@test "onnx-mlp --help names every option" {
  run onnx-mlp --help
  assert_success
  assert_output --partial "--layers"
  assert_output --partial "--odt"
  assert_output --partial "qonnx"
  assert_output --partial "--topk"
  assert_output --partial "InsertTopK"
}

@test "facile-like model: four MatMul + MultiThreshold pairs and a final requantization" {
  make_facile "$BATS_TEST_TMPDIR/f"
  [ -f "$BATS_TEST_TMPDIR/f/model.onnx" ]
  run onnx-info --json "$BATS_TEST_TMPDIR/f/model.onnx"
  assert_success
  run py -c '
import json, sys
j = json.load(open(sys.argv[1]))
ops = [n["op_type"] for n in j["nodes"]]
print(" ".join(ops))
t = {t["name"]: t for t in j["tensors"]}
print(j["inputs"][0]["shape"], j["inputs"][0]["datatype"], j["outputs"][0]["shape"], j["outputs"][0]["datatype"])
print([t["MultiThreshold_%d_param0" % i]["shape"] for i in range(5)])
print([t["MatMul_%d_param0" % i]["datatype"] for i in range(4)])
' <(onnx-info --json "$BATS_TEST_TMPDIR/f/model.onnx")
  assert_success
  assert_line --index 0 "MatMul MultiThreshold MatMul MultiThreshold MatMul MultiThreshold MatMul MultiThreshold MultiThreshold"
  assert_line --index 1 "[1, 14] INT6 [1, 1] UINT4"
  assert_line --index 2 "[[31, 63], [11, 63], [3, 63], [1, 63], [1, 15]]"
  assert_line --index 3 "['INT6', 'INT6', 'INT6', 'INT6']"
}

@test "test vectors are what the executor computes, and outputs are not saturated" {
  make_facile "$BATS_TEST_TMPDIR/f"
  run onnx-exec "$BATS_TEST_TMPDIR/f/model.onnx" "$BATS_TEST_TMPDIR/f/input.npy" --expect "$BATS_TEST_TMPDIR/f/expected_output.npy" -o "$BATS_TEST_TMPDIR/out.npy"
  assert_success
  run py -c 'import numpy as np, sys; e = np.load(sys.argv[1]); i = np.load(sys.argv[2]); print(e.shape, i.shape, i.dtype, len(set(e.flatten())) > 3, i.min() >= -32, i.max() <= 31)' \
    "$BATS_TEST_TMPDIR/f/expected_output.npy" "$BATS_TEST_TMPDIR/f/input.npy"
  assert_output "(16, 1) (16, 14) float32 True True True"
}

@test "the same seed gives byte-identical files, another seed different weights" {
  make_facile "$BATS_TEST_TMPDIR/a"
  make_facile "$BATS_TEST_TMPDIR/b"
  cmp "$BATS_TEST_TMPDIR/a/model.onnx" "$BATS_TEST_TMPDIR/b/model.onnx"
  cmp "$BATS_TEST_TMPDIR/a/input.npy" "$BATS_TEST_TMPDIR/b/input.npy"
  onnx-mlp --layers 14,31,11,3,1 --wdt INT6 --adt UINT6 --idt INT6 --odt UINT4 --seed 4 -o "$BATS_TEST_TMPDIR/c"
  run cmp -s "$BATS_TEST_TMPDIR/a/model.onnx" "$BATS_TEST_TMPDIR/c/model.onnx"
  assert_failure
}

@test "QONNX form has Quant nodes and converts through onnx-tidy with the same outputs" {
  onnx-mlp --layers 20,16,8 --wdt INT3 --adt UINT4 --idt INT4 --format qonnx --seed 5 -o "$BATS_TEST_TMPDIR/q"
  run onnx-info "$BATS_TEST_TMPDIR/q/model.onnx"
  assert_output --partial "Quant"
  assert_output --partial "Relu"
  onnx-tidy "$BATS_TEST_TMPDIR/q/model.onnx" -o "$BATS_TEST_TMPDIR/q/tidy.onnx"
  run onnx-info "$BATS_TEST_TMPDIR/q/tidy.onnx"
  refute_output --partial "Quant ["
  assert_output --partial "MultiThreshold"
  run onnx-exec "$BATS_TEST_TMPDIR/q/tidy.onnx" "$BATS_TEST_TMPDIR/q/input.npy" --expect "$BATS_TEST_TMPDIR/q/expected_output.npy" --atol 1e-5 -o "$BATS_TEST_TMPDIR/o.npy"
  assert_success
}

@test "bipolar XNOR, binary and signed variants, input scaling and TopK all generate and execute" {
  for args in "--wdt BIPOLAR --adt BIPOLAR --idt BIPOLAR" "--wdt INT2 --adt INT2 --idt UINT2 --topk" \
              "--wdt INT4 --adt UINT3 --idt UINT8 --input-scale 0.0039215686 --last-linear" \
              "--wdt BIPOLAR --adt BIPOLAR --idt BIPOLAR --format qonnx" "--wdt INT2 --adt INT2 --idt INT4 --format qonnx --topk --input-scale 0.5"; do
    rm -rf "$BATS_TEST_TMPDIR/v"
    onnx-mlp --layers 32,16,10 $args -o "$BATS_TEST_TMPDIR/v"
    onnx-tidy "$BATS_TEST_TMPDIR/v/model.onnx" -o "$BATS_TEST_TMPDIR/v/tidy.onnx"
    run onnx-exec "$BATS_TEST_TMPDIR/v/tidy.onnx" "$BATS_TEST_TMPDIR/v/input.npy" --expect "$BATS_TEST_TMPDIR/v/expected_output.npy" --atol 1e-5 -o "$BATS_TEST_TMPDIR/v/o.npy"
    assert_success
  done
  run py -c 'import numpy as np, sys; e = np.load(sys.argv[1]); print(e.dtype, e.shape)' "$BATS_TEST_TMPDIR/v/expected_output.npy"
  assert_output "int64 (16, 1)"
}

@test "--topk in FINN form ends as InsertTopK(k=1) writes it; the expected outputs are the argmax" {
  make_topk_mlp "$BATS_TEST_TMPDIR/t"
  run py -c '
import onnx, sys
from onnx import numpy_helper as nh, helper
m = onnx.load(sys.argv[1])
t = m.graph.node[-1]
a = {x.name: helper.get_attribute_value(x) for x in t.attribute}
init = {i.name: i for i in m.graph.initializer}
dt = {q.tensor_name: q.quant_parameter_tensor_names[0].value for q in m.graph.quantization_annotation}
o = m.graph.output[0]
print(t.op_type, t.name, a, list(t.output))
k = init[t.input[1]]
print(k.data_type == onnx.TensorProto.INT64, nh.to_array(k).tolist())
print(o.name, o.type.tensor_type.elem_type == onnx.TensorProto.INT64,
      [d.dim_value for d in o.type.tensor_type.shape.dim], dt[o.name])
# InsertTopK annotates k and the values with the datatype of the scores
print(dt[t.input[0]], dt[t.input[1]], dt[t.output[0]])
# the scores as the graph output instead, for the check below
vi = [v for v in m.graph.value_info if v.name == t.input[0]]
m.graph.node.remove(t)
m.graph.output.remove(o)
m.graph.output.extend(vi)
onnx.save(m, sys.argv[2])' "$BATS_TEST_TMPDIR/t/model.onnx" "$BATS_TEST_TMPDIR/scores.onnx"
  assert_success
  assert_output "TopK TopK_0 {'axis': -1, 'largest': 1, 'sorted': 1} ['TopK_0_out0', 'global_out']
True [1]
global_out True [1, 1] UINT32
INT32 INT32 INT32"
  onnx-exec "$BATS_TEST_TMPDIR/scores.onnx" "$BATS_TEST_TMPDIR/t/input.npy" -o "$BATS_TEST_TMPDIR/scores.npy"
  run py -c '
import numpy as np, sys
s, e = np.load(sys.argv[1]), np.load(sys.argv[2])
# numpy argmax takes the first of equal maxima, as TopK does
print(s.shape, e.dtype, e.shape, (e[:, 0] == s.argmax(axis=1)).all(), len(np.unique(e)))
' "$BATS_TEST_TMPDIR/scores.npy" "$BATS_TEST_TMPDIR/t/expected_output.npy"
  assert_output "(16, 10) int64 (16, 1) True 7"
}

@test "bad arguments are usage errors (exit 2) naming the problem" {
  run onnx-mlp --layers 14 --wdt INT6 --adt UINT6 --idt INT6 -o "$BATS_TEST_TMPDIR/x"
  assert_failure 1
  assert_output "onnx-mlp: error: --layers needs at least two sizes (input and one layer)"
  run onnx-mlp --layers 14,2 --wdt INT6 --adt UINT66X --idt INT6 -o "$BATS_TEST_TMPDIR/x"
  assert_failure 2
  assert_line --index 0 "onnx-mlp: error: --adt: unknown datatype 'UINT66X'"
  run onnx-mlp --layers 14,a --wdt INT6 --adt UINT6 --idt INT6 -o "$BATS_TEST_TMPDIR/x"
  assert_failure 2
  assert_line --index 0 "onnx-mlp: error: --layers takes comma-separated positive sizes, got '14,a'"
  run onnx-mlp --layers 14,2 --wdt INT6 --adt UINT6 --idt INT6
  assert_failure 2
  assert_line --index 0 "onnx-mlp: error: missing --output (-o)"
}
