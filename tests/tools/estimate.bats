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

# A tiny convolution block in FINN's hardware form (conv.md §3.3) into $1/conv.onnx:
# x [1,6,6,2] UINT4 -> FMPadding_Batch (pad 1) -> ConvolutionInputGenerator (3x3) ->
# StreamingFCLayer_Batch (MW 18, MH 4, INT2 weights, no activation, 6x6 vectors) ->
# StreamingMaxPool_Batch (2x2), all at SIMD = PE = 1, with a random input in $1/x.npy and
# numpy's reference output (pad, windows in (ky, kx, c) order, matmul, pool) in $1/y.npy.
make_conv_block() {
  mkdir -p "$1"
  py - "$1" <<'PY'
import sys, numpy as np, onnx
from onnx import helper as h, numpy_helper as nh, TensorProto as T
d = sys.argv[1]
rng = np.random.default_rng(4)
w = rng.integers(-2, 2, size=(18, 4)).astype(np.float32)
def hw(op, i, o, name, **attrs):
    return h.make_node(op, i, o, name=name, domain="finn.custom_op.fpgadataflow",
                       backend="fpgadataflow", **attrs)
nodes = [
    hw("FMPadding_Batch", ["x"], ["p"], "pad", ImgDim=[6, 6], Padding=[1, 1, 1, 1],
       NumChannels=2, SIMD=1, inputDataType="UINT4"),
    hw("ConvolutionInputGenerator", ["p"], ["s"], "swg", ConvKernelDim=[3, 3], IFMChannels=2,
       IFMDim=[8, 8], OFMDim=[6, 6], SIMD=1, Stride=[1, 1], Dilation=[1, 1],
       inputDataType="UINT4", outputDataType="UINT4"),
    hw("StreamingFCLayer_Batch", ["s", "w"], ["f"], "fc", MW=18, MH=4, SIMD=1, PE=1,
       numInputVectors=[1, 6, 6], inputDataType="UINT4", weightDataType="INT2",
       outputDataType="INT32", accDataType="INT32", noActivation=1, mem_mode="decoupled"),
    hw("StreamingMaxPool_Batch", ["f"], ["y"], "pool", ImgDim=6, PoolDim=2, NumChannels=4,
       dataType="INT32"),
]
g = h.make_graph(nodes, "conv_block",
                 [h.make_tensor_value_info("x", T.FLOAT, [1, 6, 6, 2])],
                 [h.make_tensor_value_info("y", T.FLOAT, [1, 3, 3, 4])],
                 initializer=[nh.from_array(w, "w")])
for t, dt in [("x", "UINT4"), ("w", "INT2"), ("y", "INT32")]:
    a = g.quantization_annotation.add()
    a.tensor_name = t
    e = a.quant_parameter_tensor_names.add()
    e.key, e.value = "finn_datatype", dt
m = h.make_model(g, opset_imports=[h.make_opsetid("", 11),
                                   h.make_opsetid("finn.custom_op.fpgadataflow", 1)])
onnx.save(m, d + "/conv.onnx")
x = rng.integers(0, 16, size=(1, 6, 6, 2)).astype(np.float32)
np.save(d + "/x.npy", x)
p = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
win = np.stack([p[:, ky:ky + 6, kx:kx + 6, :] for ky in range(3) for kx in range(3)], axis=3)
f = win.reshape(1, 6, 6, 18) @ w
np.save(d + "/y.npy", f.reshape(1, 3, 2, 3, 2, 4).max(axis=(2, 4)))
PY
}

@test "a convolution block: onnx-info, execution, SetFolding, config and estimate reports" {
  d="$BATS_TEST_TMPDIR"
  make_conv_block "$d"
  run onnx-info "$d/conv.onnx"
  assert_success
  assert_output --partial "pad  FMPadding_Batch [finn.custom_op.fpgadataflow]  {SIMD=1}"
  assert_output --partial "swg  ConvolutionInputGenerator [finn.custom_op.fpgadataflow]  {SIMD=1}"
  assert_output --partial "pool  StreamingMaxPool_Batch [finn.custom_op.fpgadataflow]"
  run onnx-exec "$d/conv.onnx" "$d/x.npy" --expect "$d/y.npy" --atol 0
  assert_success
  assert_output --partial "output matches"

  # 100 cycles (1e6 fps at 10 ns). First pass: the SWG (C 2) stops at SIMD 2 with 348
  # cycles, the bottleneck; the second pass folds everything else strictly below it.
  run fold "$d/conv.onnx" -o "$d/f.onnx" --target-fps 1000000 --clk-ns 10
  assert_success
  assert_output "fold: warning: SetFolding doesn't know how to handle op_type StreamingMaxPool_Batch
fold: warning: Node ConvolutionInputGenerator_0 is bottleneck with 348 cycles, running second pass"
  run folding_of "$d/f.onnx"
  assert_output "FMPadding_Batch_0 - 1 128
ConvolutionInputGenerator_0 - 2 348
StreamingFCLayer_Batch_0 1 9 288
StreamingMaxPool_Batch_0 - - 54"
  run onnx-exec "$d/f.onnx" "$d/x.npy" --expect "$d/y.npy" --atol 0
  assert_success

  estimate "$d/f.onnx" --report-dir "$d/r"
  run cat "$d/r/estimate_layer_cycles.json"
  assert_output '{
  "FMPadding_Batch_0": 128,
  "ConvolutionInputGenerator_0": 348,
  "StreamingFCLayer_Batch_0": 288,
  "StreamingMaxPool_Batch_0": 54
}'
  # SWG at SIMD 2, UINT4, 8x8x2, k 3: LUTRAM 300 + (3+1)*2*4*ceil(8/64); block: 4 BRAMs of
  # 36 bits; ultra: 4 URAMs. FINN lists block, distributed, ultra.
  run py -c 'import json, sys
alt = json.load(open(sys.argv[1]))
print(len(alt["FMPadding_Batch_0"]), len(alt["StreamingFCLayer_Batch_0"]))
for a in alt["ConvolutionInputGenerator_0"]: print(a["BRAM_18K"], a["LUT"], a["URAM"])
res = json.load(open(sys.argv[2]))
print(res["ConvolutionInputGenerator_0"]["LUT"], res["StreamingMaxPool_Batch_0"]["LUT"], res["FMPadding_Batch_0"]["LUT"])' \
    "$d/r/estimate_layer_config_alternatives.json" "$d/r/estimate_layer_resources.json"
  assert_output "1 2
4 300 0
0 332 0
0 300 4
332 0 0"

  cat > "$d/cfg.json" <<'JSON'
{"Defaults": {"SIMD": [2, ["FMPadding_Batch", "ConvolutionInputGenerator"]]},
 "ConvolutionInputGenerator_0": {"ram_style": "ultra"}}
JSON
  fold "$d/f.onnx" -o "$d/g.onnx" --config "$d/cfg.json" --write-config "$d/final_hw_config.json"
  run cat "$d/final_hw_config.json"
  assert_output --partial '{
  "Defaults": {},
  "FMPadding_Batch_0": {
    "SIMD": 2
  },
  "ConvolutionInputGenerator_0": {
    "SIMD": 2,
    "ram_style": "ultra"
  },
  "StreamingFCLayer_Batch_0": {'
  refute_output --partial "StreamingMaxPool_Batch_0"
  echo '{"Defaults": {}, "ConvolutionInputGenerator_0": {"SIMD": 4}}' > "$d/bad.json"
  run fold "$d/f.onnx" -o "$d/h.onnx" --config "$d/bad.json"
  assert_failure 1
  assert_output "fold: error: node 'ConvolutionInputGenerator_0' (ConvolutionInputGenerator): SIMD=4 does not divide IFMChannels=2 (allowed: 1, 2)"
}
