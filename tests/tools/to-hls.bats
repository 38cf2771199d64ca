#!/usr/bin/env bats
# to-hls: step_convert_to_hls + step_create_dataflow_partition.

setup() { load test_helper; }

child_nodes() {
  py -c '
import onnx, sys
m = onnx.load(sys.argv[1])
for n in m.graph.node:
    a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
    a = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in a.items()}
    print(n.name, " ".join("%s=%s" % (k, a[k]) for k in sys.argv[2:] if k in a))
' "$@"
}

@test "to-hls --help says what it writes" {
  run to-hls --help
  assert_success
  assert_output --partial "step_convert_to_hls"
  assert_output --partial "step_create_dataflow_partition"
  assert_output --partial "--child"
}

@test "every shared model gives its expected output through the parent and its child" {
  require_shared
  for m in $SHARED_MODELS; do
    mkdir -p "$BATS_TEST_TMPDIR/$m"
    streamlined_shared $m "$BATS_TEST_TMPDIR/$m/s"
    to-hls "$BATS_TEST_TMPDIR/$m/s.onnx" -o "$BATS_TEST_TMPDIR/$m/parent.onnx"
    [ -f "$BATS_TEST_TMPDIR/$m/parent_partition_0.onnx" ]
    run onnx-exec "$BATS_TEST_TMPDIR/$m/parent.onnx" "$SHARED/$m/input.npy" --expect "$SHARED/$m/expected_output.npy" \
      --atol "$(shared_atol $m)" -o "$BATS_TEST_TMPDIR/$m/o.npy"
    assert_success
  done
}

@test "facile_like: the child is StreamingFCLayer_Batch_0..3 and Thresholding_Batch_0 with 6-bit types" {
  require_shared
  streamlined_shared facile_like "$BATS_TEST_TMPDIR/s"
  run to-hls "$BATS_TEST_TMPDIR/s.onnx" -o "$BATS_TEST_TMPDIR/parent.onnx"
  assert_success
  assert_output "to-hls: every node is hardware; the parent holds only the partition"
  run child_nodes "$BATS_TEST_TMPDIR/parent_partition_0.onnx" MW MH inputDataType weightDataType outputDataType noActivation accDataType mem_mode
  assert_output "StreamingFCLayer_Batch_0 MW=14 MH=31 inputDataType=INT6 weightDataType=INT6 outputDataType=UINT6 noActivation=0 accDataType=INT15 mem_mode=decoupled
StreamingFCLayer_Batch_1 MW=31 MH=11 inputDataType=UINT6 weightDataType=INT6 outputDataType=UINT6 noActivation=0 accDataType=INT17 mem_mode=decoupled
StreamingFCLayer_Batch_2 MW=11 MH=3 inputDataType=UINT6 weightDataType=INT6 outputDataType=UINT6 noActivation=0 accDataType=INT16 mem_mode=decoupled
StreamingFCLayer_Batch_3 MW=3 MH=1 inputDataType=UINT6 weightDataType=INT6 outputDataType=UINT6 noActivation=0 accDataType=INT14 mem_mode=decoupled
Thresholding_Batch_0 inputDataType=UINT6 weightDataType=UINT6 outputDataType=UINT4 mem_mode=const"
  run child_nodes "$BATS_TEST_TMPDIR/parent.onnx" model partition_id
  assert_output "StreamingDataflowPartition_0 model=parent_partition_0.onnx partition_id=0"
}

@test "TFC_1W1A: four XNOR StreamingFCLayer_Batch with popcount thresholds; the host keeps the float parts" {
  require_shared
  streamlined_shared TFC_1W1A "$BATS_TEST_TMPDIR/s"
  run to-hls "$BATS_TEST_TMPDIR/s.onnx" -o "$BATS_TEST_TMPDIR/parent.onnx"
  assert_success
  assert_output "to-hls: nodes on the host: before the partition Reshape_0, MultiThreshold_0; after it Mul_0, Add_0;"
  run child_nodes "$BATS_TEST_TMPDIR/parent_partition_0.onnx" MW MH binaryXnorMode noActivation outputDataType accDataType
  assert_output "StreamingFCLayer_Batch_0 MW=784 MH=64 binaryXnorMode=1 noActivation=0 outputDataType=BINARY accDataType=UINT10
StreamingFCLayer_Batch_1 MW=64 MH=64 binaryXnorMode=1 noActivation=0 outputDataType=BINARY accDataType=UINT7
StreamingFCLayer_Batch_2 MW=64 MH=64 binaryXnorMode=1 noActivation=0 outputDataType=BINARY accDataType=UINT7
StreamingFCLayer_Batch_3 MW=64 MH=10 binaryXnorMode=1 noActivation=1 outputDataType=UINT8 accDataType=UINT8"
  run py -c '
import onnx, sys
from onnx import numpy_helper as nh
m = onnx.load(sys.argv[1])
init = {i.name: nh.to_array(i) for i in m.graph.initializer}
for n in m.graph.node[:3]:
    t = init[n.input[2]]
    mw = [a.i for a in n.attribute if a.name == "MW"][0]
    print(n.name, bool((t == t.round()).all() and t.min() >= 0 and t.max() <= mw))
' "$BATS_TEST_TMPDIR/parent_partition_0.onnx"
  assert_output "StreamingFCLayer_Batch_0 True
StreamingFCLayer_Batch_1 True
StreamingFCLayer_Batch_2 True"
}

@test "a generated MLP ending in FINN's TopK: LabelSelect_Batch_0 with FINN's UINT8 output type" {
  local d=$BATS_TEST_TMPDIR/t
  make_topk_mlp "$d"
  onnx-tidy "$d/model.onnx" | streamline | to-hls -o "$d/parent.onnx"
  run child_nodes "$d/parent_partition_0.onnx" MH noActivation outputDataType Labels PE K inputDataType
  assert_output "StreamingFCLayer_Batch_0 MH=32 noActivation=0 outputDataType=BINARY PE=1 inputDataType=BINARY
StreamingFCLayer_Batch_1 MH=10 noActivation=1 outputDataType=UINT8 PE=1 inputDataType=BINARY
LabelSelect_Batch_0 outputDataType=UINT8 Labels=10 PE=1 K=1 inputDataType=UINT8"
  # the indices, UINT32 as InsertTopK annotated them, become UINT8 in the child and the parent
  run py -c '
import onnx, sys
for path in sys.argv[1:]:
    m = onnx.load(path)
    dt = {q.tensor_name: q.quant_parameter_tensor_names[0].value for q in m.graph.quantization_annotation}
    print(m.graph.output[0].name, dt[m.graph.output[0].name])
' "$d/parent_partition_0.onnx" "$d/parent.onnx"
  assert_output "global_out UINT8
global_out UINT8"
  run onnx-exec "$d/parent.onnx" "$d/input.npy" --expect "$d/expected_output.npy" --atol 0 -o "$d/o.npy"
  assert_success
}

@test "the parent runs from any directory, and --child puts the child elsewhere" {
  make_facile "$BATS_TEST_TMPDIR/f"
  mkdir -p "$BATS_TEST_TMPDIR/out/parts"
  onnx-tidy "$BATS_TEST_TMPDIR/f/model.onnx" | streamline -o "$BATS_TEST_TMPDIR/s.onnx"
  to-hls "$BATS_TEST_TMPDIR/s.onnx" -o "$BATS_TEST_TMPDIR/out/p.onnx" --child "$BATS_TEST_TMPDIR/out/parts/df.onnx" \
    --converted "$BATS_TEST_TMPDIR/out/conv.onnx"
  run child_nodes "$BATS_TEST_TMPDIR/out/p.onnx" model
  assert_output "StreamingDataflowPartition_0 model=parts/df.onnx"
  cd /
  run onnx-exec "$BATS_TEST_TMPDIR/out/p.onnx" "$BATS_TEST_TMPDIR/f/input.npy" --expect "$BATS_TEST_TMPDIR/f/expected_output.npy" -o "$BATS_TEST_TMPDIR/o.npy"
  assert_success
  run onnx-exec "$BATS_TEST_TMPDIR/out/conv.onnx" "$BATS_TEST_TMPDIR/f/input.npy" --expect "$BATS_TEST_TMPDIR/f/expected_output.npy" -o "$BATS_TEST_TMPDIR/o.npy"
  assert_success
}

@test "a float MatMul between quantized layers is named, with why" {
  edited_facile "$BATS_TEST_TMPDIR/bad.onnx" '
w = [i for i in m.graph.initializer if i.name == "MatMul_1_param0"][0]
w.CopyFrom(nh.from_array((nh.to_array(w) * 0.37).astype("float32"), "MatMul_1_param0"))
m.graph.quantization_annotation.remove([q for q in m.graph.quantization_annotation if q.tensor_name == "MatMul_1_param0"][0])'
  onnx-tidy "$BATS_TEST_TMPDIR/bad.onnx" | streamline -o "$BATS_TEST_TMPDIR/s.onnx"
  run to-hls "$BATS_TEST_TMPDIR/s.onnx" -o "$BATS_TEST_TMPDIR/p.onnx"
  assert_failure 1
  assert_output "to-hls: error: the hardware partition would split: node 'MatMul_0' (MatMul) cannot become hardware: its weights 'MatMul_1_param0' are FLOAT32, not an integer type; node 'MultiThreshold_0' (MultiThreshold) cannot become hardware: its input 'MatMul_1_out0' is FLOAT32, not an integer type"
  [ ! -e "$BATS_TEST_TMPDIR/p.onnx" ]
  [ ! -e "$BATS_TEST_TMPDIR/p_partition_0.onnx" ]
}

@test "a Softmax in the middle is named, with why" {
  edited_facile "$BATS_TEST_TMPDIR/bad.onnx" '
sm = helper.make_node("Softmax", ["MultiThreshold_1_out0"], ["sm_out"], axis=-1)
idx = [i for i, n in enumerate(m.graph.node) if n.name == "MatMul_2"][0]
m.graph.node[idx].input[0] = "sm_out"
m.graph.node.insert(idx, sm)'
  onnx-tidy "$BATS_TEST_TMPDIR/bad.onnx" | streamline -o "$BATS_TEST_TMPDIR/s.onnx"
  run to-hls "$BATS_TEST_TMPDIR/s.onnx" -o "$BATS_TEST_TMPDIR/p.onnx"
  assert_failure 1
  assert_output "to-hls: error: the hardware partition would split: node 'Softmax_0' (Softmax) cannot become hardware: op Softmax has no hardware implementation; node 'MatMul_0' (MatMul) cannot become hardware: its input 'Softmax_0_out0' is FLOAT32, not an integer type; node 'MultiThreshold_0' (MultiThreshold) cannot become hardware: its input 'MatMul_2_out0' is FLOAT32, not an integer type"
}

@test "a model without any hardware-able node says so" {
  py -c '
import onnx
from onnx import helper, TensorProto
g = helper.make_graph([helper.make_node("Softmax", ["x"], ["y"])], "g",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), "'"$BATS_TEST_TMPDIR"'/sm.onnx")'
  run to-hls "$BATS_TEST_TMPDIR/sm.onnx" -o "$BATS_TEST_TMPDIR/p.onnx"
  assert_failure 1
  assert_output "to-hls: error: no node can become hardware (Softmax_0: op Softmax has no hardware implementation)"
}

@test "usage errors" {
  run to-hls x.onnx
  assert_failure 2
  assert_line --index 0 "to-hls: error: missing -o PARENT.onnx"
  run to-hls x.onnx -o p.onnx --mem-mode fast
  assert_failure 2
  assert_line --index 0 "to-hls: error: --mem-mode must be const or decoupled"
}

@test "conv layers FINN v0.6 cannot map are named with why, and nothing is written" {
  cd "$BATS_TEST_TMPDIR"
  # an overlapping 3x3 pool with stride 2 (FINN v0.6 would build a 3x3-stride-3 pool)
  onnx-conv --image 9 --channels 2 --layers c4k3p1,m3s2,f3 --wdt INT2 --adt UINT2 -o pool
  onnx-tidy pool/model.onnx | streamline -o pool/s.onnx
  run to-hls pool/s.onnx -o pool/parent.onnx
  assert_failure 1
  assert_output --partial "to-hls: error: the hardware partition would split: node 'MaxPoolNHWC_0' (MaxPoolNHWC) cannot become hardware: its stride 2 differs from its kernel 3 (StreamingMaxPool_Batch pools non-overlapping windows)"
  [ ! -e pool/parent.onnx ]
  # padding that makes the feature map non-square
  py "$BATS_TEST_DIRNAME/fixtures/conv_model.py" pad.onnx --pads 1 0 1 0
  onnx-tidy pad.onnx | streamline -o pad_s.onnx
  run to-hls pad_s.onnx -o pad_parent.onnx
  assert_failure 1
  assert_output --partial "(Im2Col) cannot become hardware: its padding [1, 0, 1, 0] differs between height and width"
  [ ! -e pad_parent.onnx ]
}

@test "conv nets become FINN's sliding-window layers and keep their outputs: padding, stride, pointwise stride (DownSampler)" {
  cd "$BATS_TEST_TMPDIR"
  onnx-conv --image 12 --channels 3 --layers c8k3s2p1,c6k1s2,m3,f4 --wdt INT3 --adt UINT3 --seed 4 -o n
  onnx-tidy n/model.onnx | streamline -o n/s.onnx
  to-hls n/s.onnx -o n/parent.onnx --child n/child.onnx
  run py -c '
import json, sys
print(" ".join(n["op_type"] for n in json.load(open(sys.argv[1]))["nodes"]))
' <(onnx-info --json n/child.onnx)
  assert_output "FMPadding_Batch ConvolutionInputGenerator StreamingFCLayer_Batch DownSampler StreamingFCLayer_Batch StreamingMaxPool_Batch StreamingFCLayer_Batch"
  run onnx-exec n/parent.onnx n/input.npy --expect n/expected_output.npy -o n/out.npy
  assert_success
}
