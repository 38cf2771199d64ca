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

# The convolutional models (conv.md §3.2): lowered to Im2Col + MatMul on NHWC data.
CONV_MODELS="cnv_w1a1 small_cnn_w4a4"
conv_atol() { case "$1" in small_cnn_*) echo 1e-4 ;; *) echo 0 ;; esac; }

@test "convolutional models keep their expected outputs after streamline (cnv_w1a1 exactly)" {
  require_shared
  for m in $CONV_MODELS; do
    streamlined_shared $m "$BATS_TEST_TMPDIR/$m"
    run onnx-exec "$BATS_TEST_TMPDIR/$m.onnx" "$SHARED/$m/input.npy" --expect "$SHARED/$m/expected_output.npy" \
      --atol "$(conv_atol $m)" -o "$BATS_TEST_TMPDIR/$m.npy"
    assert_success
  done
}

@test "cnv_w1a1 streamlines to FINN's graph: Im2Col, XnorPopcountMatMul and NHWC thresholds" {
  require_shared
  streamlined_shared cnv_w1a1 "$BATS_TEST_TMPDIR/c"
  run onnx-info --json "$BATS_TEST_TMPDIR/c.onnx"
  assert_success
  run py -c 'import json, sys; print(" ".join(n["op_type"] for n in json.load(sys.stdin)["nodes"]))' <<<"$output"
  conv="Im2Col XnorPopcountMatMul MultiThreshold"
  assert_output "MultiThreshold Transpose Im2Col MatMul MultiThreshold $conv MaxPoolNHWC $conv $conv MaxPoolNHWC $conv $conv Transpose Reshape XnorPopcountMatMul MultiThreshold XnorPopcountMatMul MultiThreshold XnorPopcountMatMul TopK"
  run py -c '
import onnx, sys
from onnx import numpy_helper as nh, helper
m = onnx.load(sys.argv[1])
g = m.graph
init = {i.name: nh.to_array(i) for i in g.initializer}
dt = {a.tensor_name: {p.key: p.value for p in a.quant_parameter_tensor_names} for a in g.quantization_annotation}
shape = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim] for v in list(g.value_info) + list(g.output)}
for n in g.node:
    a = {x.name: helper.get_attribute_value(x) for x in n.attribute}
    a = {k: v.decode() if isinstance(v, bytes) else v for k, v in a.items()}
    o = n.output[0]
    if n.op_type == "MultiThreshold":
        print(n.name, a.get("data_layout", "NCHW"), a["out_dtype"], a.get("out_bias", 0.0), dt[o]["finn_datatype"])
    elif n.op_type in ("MatMul", "XnorPopcountMatMul"):
        w = n.input[1]
        print(n.name, list(init[w].shape), dt[w]["finn_datatype"], sorted(set(init[w].flatten().tolist())), dt[o]["finn_datatype"])
    elif n.op_type == "Im2Col":
        print(n.name, a["kernel_size"], a["stride"], a["pad_amount"], a["input_shape"], shape[o])
    elif n.op_type == "MaxPoolNHWC":
        print(n.name, a["kernel_shape"], a["strides"], shape[o])
    elif n.op_type in ("Transpose", "Reshape"):
        print(n.name, a.get("perm", ""), shape[o], dt.get(o, {}).get("tensor_layout"))
' "$BATS_TEST_TMPDIR/c.onnx"
  assert_success
  assert_line --index 0 "MultiThreshold_0 NCHW INT8 -128.0 INT8"
  assert_line --index 1 "Transpose_0 [0, 2, 3, 1] [1, 32, 32, 3] ['N', 'H', 'W', 'C']"
  assert_line --index 2 "Im2Col_0 [3, 3] [1, 1] [0, 0, 0, 0] (1,32,32,3) [1, 30, 30, 27]"
  assert_line --index 3 "MatMul_0 [27, 64] BIPOLAR [-1.0, 1.0] INT32"
  assert_line --index 4 "MultiThreshold_1 NHWC BINARY 0.0 BINARY"
  assert_line --index 5 "Im2Col_1 [3, 3] [1, 1] [0, 0, 0, 0] (1,30,30,64) [1, 28, 28, 576]"
  assert_line --index 6 "XnorPopcountMatMul_0 [576, 64] BINARY [0.0, 1.0] UINT32"
  assert_line --index 7 "MultiThreshold_2 NHWC BINARY 0.0 BINARY"
  assert_line --index 8 "MaxPoolNHWC_0 [2, 2] [2, 2] [1, 14, 14, 64]"
  assert_line --index 19 "Im2Col_5 [3, 3] [1, 1] [0, 0, 0, 0] (1,3,3,256) [1, 1, 1, 2304]"
  assert_line --index 22 "Transpose_1 [0, 3, 1, 2] [1, 256, 1, 1] ['N', 'C', 'H', 'W']"
  assert_line --index 23 "Reshape_0  [1, 256] ['N', 'C']"
}

@test "small_cnn_w4a4 streamlines to INT4 MatMuls on padded Im2Cols and a trailing scale" {
  require_shared
  streamlined_shared small_cnn_w4a4 "$BATS_TEST_TMPDIR/s"
  run py -c '
import onnx, sys
from onnx import numpy_helper as nh, helper
m = onnx.load(sys.argv[1])
g = m.graph
init = {i.name: nh.to_array(i) for i in g.initializer}
dt = {a.tensor_name: {p.key: p.value for p in a.quant_parameter_tensor_names} for a in g.quantization_annotation}
print(" ".join(n.op_type for n in g.node))
for n in g.node:
    a = {x.name: helper.get_attribute_value(x) for x in n.attribute}
    if n.op_type == "MatMul":
        w = n.input[1]
        v = init[w]
        print(n.name, list(v.shape), dt[w]["finn_datatype"], bool((v == v.round()).all() and v.min() >= -7 and v.max() <= 7))
    elif n.op_type == "Im2Col":
        print(n.name, a["pad_amount"], a["input_shape"].decode())
    elif n.op_type == "MultiThreshold":
        print(n.name, a.get("data_layout", b"NCHW").decode(), a["out_dtype"].decode())
    elif n.op_type == "Mul":
        print(n.name, init[n.input[1]].size)
' "$BATS_TEST_TMPDIR/s.onnx"
  assert_success
  assert_line --index 0 "MultiThreshold Transpose Im2Col MatMul MultiThreshold MaxPoolNHWC Im2Col MatMul MultiThreshold MaxPoolNHWC Transpose Flatten MatMul Mul"
  assert_line --index 1 "MultiThreshold_0 NCHW INT4"
  assert_line --index 2 "Im2Col_0 [1, 1, 1, 1] (1,28,28,1)"
  assert_line --index 3 "MatMul_0 [9, 16] INT4 True"
  assert_line --index 4 "MultiThreshold_1 NHWC UINT4"
  assert_line --index 5 "Im2Col_1 [1, 1, 1, 1] (1,14,14,16)"
  assert_line --index 6 "MatMul_1 [144, 32] INT4 True"
  assert_line --index 7 "MultiThreshold_2 NHWC UINT4"
  assert_line --index 8 "MatMul_2 [1568, 10] INT4 True"
  assert_line --index 9 "Mul_0 1"
}

@test "a convolution FINN v0.6 cannot map is one error line naming it, and no output" {
  cd "$BATS_TEST_TMPDIR"
  check_bad() {
    local args=$1 message=$2
    rm -rf bad && mkdir bad
    py "$BATS_TEST_DIRNAME/fixtures/conv_model.py" bad/in.onnx $args
    run streamline bad/in.onnx -o bad/out.onnx
    assert_failure 1
    assert_output "streamline: error: Conv_1: $message"
    run ls bad
    assert_output "in.onnx"
  }
  check_bad "--kernel 3 5" "kernel 3x5 is not square (FINN v0.6 maps only square kernels)"
  check_bad "--dilations 2 2" "dilations [2, 2] are not supported (FINN v0.6 maps only dilation 1)"
  check_bad "--group 2" "group 2 is not supported (FINN v0.6 maps group 1 and depthwise convolutions, group == input channels == output channels)"
  check_bad "--strides 1 2" "strides [1, 2] are not equal (FINN v0.6 maps only equal strides)"
}

@test "a convolution FINN v0.6 can map streamlines and keeps its outputs (padded, strided, depthwise)" {
  cd "$BATS_TEST_TMPDIR"
  for args in "" "--pads 1 1 1 1 --strides 2 2" "--kernel 1 1 --pads 1 1 1 1" "--group 8" "--kernel 5 5 --size 5"; do
    py "$BATS_TEST_DIRNAME/fixtures/conv_model.py" in.onnx $args
    onnx-tidy in.onnx | streamline -o out.onnx
    run py -c '
import numpy as np, sys, onnx
m = onnx.load(sys.argv[1])
d = [x.dim_value for x in m.graph.input[0].type.tensor_type.shape.dim]
np.save("x.npy", np.random.default_rng(2).integers(0, 16, (3, *d[1:])).astype(np.float32))
print(" ".join(n.op_type for n in onnx.load(sys.argv[2]).graph.node))
' in.onnx out.onnx
    assert_success
    refute_output --partial "Conv"
    onnx-exec in.onnx x.npy -o a.npy
    run onnx-exec out.onnx x.npy --expect a.npy --atol 0 -o b.npy
    assert_success
  done
}
