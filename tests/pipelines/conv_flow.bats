#!/usr/bin/env bats
# Convolutional networks through the front end and the estimate-only build: execution
# exactness after every step, FINN v0.6's dataflow node list and its estimate reports
# (../shared/docs/reference/conv.md §3.3, §7).

setup() { load ../tools/test_helper; }

CONV_MODELS="cnv_w1a1 small_cnn_w4a4"

# cnv_w1a1's outputs are class indices (exact); small_cnn_w4a4's are logits (README: 1e-4).
conv_atol() {
  case "$1" in small_cnn_*) echo 1e-4 ;; *) echo 0 ;; esac
}

# Runs $2 on the shared model $1's inputs and compares with its expected outputs.
expect_exact() {
  local m=$1 model=$2
  onnx-exec "$model" "$SHARED/$m/input.npy" --expect "$SHARED/$m/expected_output.npy" \
    --atol "$(conv_atol "$m")" -o "$BATS_TEST_TMPDIR/out.npy"
}

@test "both conv models give their expected outputs as given, after tidy, streamline and to-hls" {
  require_shared
  for m in $CONV_MODELS; do
    local d="$BATS_TEST_TMPDIR/$m"
    mkdir -p "$d"
    run expect_exact "$m" "$(shared_model "$m")"
    assert_success
    onnx-tidy "$(shared_model "$m")" -o "$d/tidy.onnx"
    run expect_exact "$m" "$d/tidy.onnx"
    assert_success
    streamline "$d/tidy.onnx" -o "$d/streamlined.onnx"
    run expect_exact "$m" "$d/streamlined.onnx"
    assert_success
    to-hls "$d/streamlined.onnx" -o "$d/parent.onnx" --child "$d/child.onnx"
    run expect_exact "$m" "$d/parent.onnx"
    assert_success
  done
}

# "op_type name {attr=value, ...}" per node of a model, from onnx-info --json.
node_list() {
  py -c '
import json, sys
j = json.load(open(sys.argv[1]))
keys = sys.argv[2].split(",") if len(sys.argv) > 2 else []
for n in j["nodes"]:
    a = n.get("attributes", {})
    print(n["op_type"], n["name"], " ".join("%s=%s" % (k, a[k]) for k in keys if k in a))
' <(onnx-info --json "$1") "${2:-}"
}

@test "to-hls of cnv_w1a1: FINN v0.6's 19 dataflow nodes with their attributes, a Transpose in the parent" {
  require_shared
  local d="$BATS_TEST_TMPDIR"
  streamlined_shared cnv_w1a1 "$d/s"
  to-hls "$d/s.onnx" -o "$d/parent.onnx" --child "$d/child.onnx"
  run node_list "$d/parent.onnx"
  assert_output "Transpose Transpose_0 
StreamingDataflowPartition StreamingDataflowPartition_0 "
  run node_list "$d/child.onnx" IFMDim,OFMDim,ConvKernelDim,IFMChannels,Stride,MW,MH,numInputVectors,PoolDim,ImgDim,NumChannels,inputDataType,weightDataType,outputDataType
  assert_success
  assert_line --index 0 "Thresholding_Batch Thresholding_Batch_0 numInputVectors=[1, 32, 32] NumChannels=3 inputDataType=UINT8 weightDataType=UINT8 outputDataType=INT8"
  assert_line --index 1 "ConvolutionInputGenerator ConvolutionInputGenerator_0 IFMDim=[32, 32] OFMDim=[30, 30] ConvKernelDim=[3, 3] IFMChannels=3 Stride=[1, 1] inputDataType=INT8 outputDataType=INT8"
  assert_line --index 2 "StreamingFCLayer_Batch StreamingFCLayer_Batch_0 MW=27 MH=64 numInputVectors=[1, 30, 30] inputDataType=INT8 weightDataType=BIPOLAR outputDataType=BINARY"
  assert_line --index 3 "ConvolutionInputGenerator ConvolutionInputGenerator_1 IFMDim=[30, 30] OFMDim=[28, 28] ConvKernelDim=[3, 3] IFMChannels=64 Stride=[1, 1] inputDataType=BINARY outputDataType=BINARY"
  assert_line --index 4 "StreamingFCLayer_Batch StreamingFCLayer_Batch_1 MW=576 MH=64 numInputVectors=[1, 28, 28] inputDataType=BINARY weightDataType=BINARY outputDataType=BINARY"
  assert_line --index 5 "StreamingMaxPool_Batch StreamingMaxPool_Batch_0 PoolDim=2 ImgDim=28 NumChannels=64"
  assert_line --index 6 "ConvolutionInputGenerator ConvolutionInputGenerator_2 IFMDim=[14, 14] OFMDim=[12, 12] ConvKernelDim=[3, 3] IFMChannels=64 Stride=[1, 1] inputDataType=BINARY outputDataType=BINARY"
  assert_line --index 7 "StreamingFCLayer_Batch StreamingFCLayer_Batch_2 MW=576 MH=128 numInputVectors=[1, 12, 12] inputDataType=BINARY weightDataType=BINARY outputDataType=BINARY"
  assert_line --index 8 "ConvolutionInputGenerator ConvolutionInputGenerator_3 IFMDim=[12, 12] OFMDim=[10, 10] ConvKernelDim=[3, 3] IFMChannels=128 Stride=[1, 1] inputDataType=BINARY outputDataType=BINARY"
  assert_line --index 9 "StreamingFCLayer_Batch StreamingFCLayer_Batch_3 MW=1152 MH=128 numInputVectors=[1, 10, 10] inputDataType=BINARY weightDataType=BINARY outputDataType=BINARY"
  assert_line --index 10 "StreamingMaxPool_Batch StreamingMaxPool_Batch_1 PoolDim=2 ImgDim=10 NumChannels=128"
  assert_line --index 11 "ConvolutionInputGenerator ConvolutionInputGenerator_4 IFMDim=[5, 5] OFMDim=[3, 3] ConvKernelDim=[3, 3] IFMChannels=128 Stride=[1, 1] inputDataType=BINARY outputDataType=BINARY"
  assert_line --index 12 "StreamingFCLayer_Batch StreamingFCLayer_Batch_4 MW=1152 MH=256 numInputVectors=[1, 3, 3] inputDataType=BINARY weightDataType=BINARY outputDataType=BINARY"
  assert_line --index 13 "ConvolutionInputGenerator ConvolutionInputGenerator_5 IFMDim=[3, 3] OFMDim=[1, 1] ConvKernelDim=[3, 3] IFMChannels=256 Stride=[1, 1] inputDataType=BINARY outputDataType=BINARY"
  assert_line --index 14 "StreamingFCLayer_Batch StreamingFCLayer_Batch_5 MW=2304 MH=256 numInputVectors=[1, 1, 1] inputDataType=BINARY weightDataType=BINARY outputDataType=BINARY"
  assert_line --index 15 "StreamingFCLayer_Batch StreamingFCLayer_Batch_6 MW=256 MH=512 numInputVectors=[1] inputDataType=BINARY weightDataType=BINARY outputDataType=BINARY"
  assert_line --index 16 "StreamingFCLayer_Batch StreamingFCLayer_Batch_7 MW=512 MH=512 numInputVectors=[1] inputDataType=BINARY weightDataType=BINARY outputDataType=BINARY"
  assert_line --index 17 "StreamingFCLayer_Batch StreamingFCLayer_Batch_8 MW=512 MH=10 numInputVectors=[1] inputDataType=BINARY weightDataType=BINARY outputDataType=UINT16"
  assert_line --index 18 "LabelSelect_Batch LabelSelect_Batch_0 inputDataType=UINT16 outputDataType=UINT8"
  [ "${#lines[@]}" -eq 19 ]
}

@test "to-hls of small_cnn_w4a4: TH, PAD, SWG, FC, MP, PAD, SWG, FC, MP, FC; Transpose, SDP, Mul in the parent" {
  require_shared
  local d="$BATS_TEST_TMPDIR"
  streamlined_shared small_cnn_w4a4 "$d/s"
  to-hls "$d/s.onnx" -o "$d/parent.onnx" --child "$d/child.onnx"
  run py -c '
import json, sys
for f in sys.argv[1:]:
    print(" ".join(n["op_type"] for n in json.load(open(f))["nodes"]))
' <(onnx-info --json "$d/parent.onnx") <(onnx-info --json "$d/child.onnx")
  assert_line --index 0 "Transpose StreamingDataflowPartition Mul"
  assert_line --index 1 "Thresholding_Batch FMPadding_Batch ConvolutionInputGenerator StreamingFCLayer_Batch StreamingMaxPool_Batch FMPadding_Batch ConvolutionInputGenerator StreamingFCLayer_Batch StreamingMaxPool_Batch StreamingFCLayer_Batch"
  run node_list "$d/child.onnx" ImgDim,Padding,NumChannels,MW,numInputVectors,outputDataType
  assert_line --index 1 "FMPadding_Batch FMPadding_Batch_0 ImgDim=[28, 28] Padding=[1, 1, 1, 1] NumChannels=1"
  assert_line --index 9 "StreamingFCLayer_Batch StreamingFCLayer_Batch_2 MW=1568 numInputVectors=[1] outputDataType=INT24"
}

# The estimate-only build of shared model $1 at target_fps $2 (clock 10 ns, xczu3eg) into $3.
estimate_build() {
  cat > "$3.json" <<JSON
{
  "output_dir": "$3",
  "target_fps": $2,
  "synth_clk_period_ns": 10.0,
  "fpga_part": "xczu3eg-sbva484-1-e",
  "steps": ["step_tidy_up", "step_streamline", "step_convert_to_hls", "step_create_dataflow_partition",
            "step_target_fps_parallelization", "step_apply_folding_config", "step_generate_estimate_reports"],
  "generate_outputs": ["estimate_reports"]
}
JSON
  build-dataflow "$(shared_model "$1")" "$3.json" > /dev/null
}

# "max_cycles node critical_path LUT BRAM_18K" from an estimate-only build's reports.
estimate_summary() {
  py -c '
import json, sys
p = json.load(open(sys.argv[1] + "/report/estimate_network_performance.json"))
r = json.load(open(sys.argv[1] + "/report/estimate_layer_resources.json"))["total"]
print(p["max_cycles"], p["max_cycles_node_name"], p["critical_path_cycles"], int(r["LUT"]), int(r["BRAM_18K"]))
' "$1"
}

@test "estimate-only builds of cnv_w1a1 at 1000, 1e5 and 1e6 fps give FINN v0.6's numbers" {
  require_shared
  cd "$BATS_TEST_TMPDIR"
  estimate_build cnv_w1a1 1000 c3 && run estimate_summary c3
  assert_output "98304 StreamingFCLayer_Batch_5 798740 14751 120"
  estimate_build cnv_w1a1 100000 c5 && run estimate_summary c5
  assert_output "12544 StreamingFCLayer_Batch_1 133206 63533 243"
  estimate_build cnv_w1a1 1000000 c6 && run estimate_summary c6
  assert_output "12544 StreamingFCLayer_Batch_1 133206 63533 243"
}

@test "estimate-only builds of small_cnn_w4a4 at 1000, 1e5 and 1e6 fps give FINN v0.6's numbers" {
  require_shared
  cd "$BATS_TEST_TMPDIR"
  estimate_build small_cnn_w4a4 1000 s3 && run estimate_summary s3
  assert_output "75264 StreamingFCLayer_Batch_1 171964 3240 7"
  estimate_build small_cnn_w4a4 100000 s5 && run estimate_summary s5
  assert_output "7146 ConvolutionInputGenerator_0 34484 18356 22"
  estimate_build small_cnn_w4a4 1000000 s6 && run estimate_summary s6
  assert_output "7146 ConvolutionInputGenerator_0 34484 18356 22"
}

# One generated conv net through every front-end step and the folding, each model executed
# on the generator's inputs and compared with its expected outputs (exact: integer outputs).
# $1 directory, then onnx-conv's arguments.
sweep_one() {
  local d=$1
  shift
  onnx-conv "$@" --samples 3 -o "$d" || return 1
  local in="$d/input.npy" ex="$d/expected_output.npy"
  onnx-tidy "$d/model.onnx" -o "$d/tidy.onnx" &&
    onnx-exec "$d/tidy.onnx" "$in" --expect "$ex" -o "$d/o1.npy" &&
    streamline "$d/tidy.onnx" -o "$d/s.onnx" &&
    onnx-exec "$d/s.onnx" "$in" --expect "$ex" -o "$d/o2.npy" &&
    to-hls "$d/s.onnx" -o "$d/parent.onnx" --child "$d/child.onnx" &&
    onnx-exec "$d/parent.onnx" "$in" --expect "$ex" -o "$d/o3.npy" &&
    fold "$d/child.onnx" --target-fps 1000000 --clk-ns 10 -o "$d/child.onnx" &&
    onnx-exec "$d/parent.onnx" "$in" --expect "$ex" -o "$d/o4.npy"
}

@test "generated conv nets over kernels 1/3/5, strides 1/2, padding 0/1, 1-64 channels, images 5-32, 1/2/4 bits stay exact through every step" {
  RANDOM=20261206
  local failed=0
  for i in $(seq 1 16); do
    local k=$((RANDOM % 3 * 2 + 1)) s=$((RANDOM % 2 + 1)) p=$((RANDOM % 2)) bits
    bits=$(echo 1 2 4 | cut -d' ' -f$((RANDOM % 3 + 1)))
    local cin=$(echo 1 2 3 4 8 | cut -d' ' -f$((RANDOM % 5 + 1))) cout=$((RANDOM % 64 + 1))
    local img=$((RANDOM % 28 + 5)) fmt=finn
    [ $((i % 2)) -eq 0 ] && fmt=qonnx
    local wdt="INT$bits" adt="UINT$bits"
    if [ "$bits" = 1 ]; then wdt=BIPOLAR adt=BIPOLAR p=0; fi
    [ "$img" -lt "$k" ] && img=$k
    # a 2x2 pool where the conv's output size is even
    local od=$(((img + 2 * p - k) / s + 1)) layers="c${cout}k${k}s${s}p${p}"
    [ $((od % 2)) -eq 0 ] && layers="$layers,m2"
    layers="$layers,c$((RANDOM % 16 + 1))k3p$p,f10"
    [ $(( (od / (od % 2 == 0 ? 2 : 1)) + 2 * p - 3 )) -ge 0 ] || layers="c${cout}k${k}s${s}p${p},f10"
    local args="--image $img --channels $cin --layers $layers --wdt $wdt --adt $adt --format $fmt --seed $i"
    if ! sweep_one "$BATS_TEST_TMPDIR/n$i" $args > "$BATS_TEST_TMPDIR/n$i.log" 2>&1; then
      echo "not exact: onnx-conv $args"
      tail -3 "$BATS_TEST_TMPDIR/n$i.log"
      failed=$((failed + 1))
    fi
  done
  [ "$failed" -eq 0 ]
}
