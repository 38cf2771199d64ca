#!/usr/bin/env bats
# onnx-conv: synthetic quantized convolutional networks with test vectors.

setup() { load test_helper; }

@test "onnx-conv --help explains the layer string" {
  run onnx-conv --help
  assert_success
  assert_output --partial "--layers"
  assert_output --partial "c<out>"
  assert_output --partial "m<k>"
  assert_output --partial "f<n>"
}

@test "small_cnn's topology in FINN-ONNX form: Conv + MultiThreshold pairs, pools, flatten, FC" {
  onnx-conv --image 28 --channels 1 --layers c16k3p1,m2,c32k3p1,m2,f10 --wdt INT4 --adt UINT4 \
    --last-linear --samples 4 -o "$BATS_TEST_TMPDIR/s"
  run py -c '
import json, sys
j = json.load(open(sys.argv[1]))
print(" ".join(n["op_type"] for n in j["nodes"]))
print(j["inputs"][0]["shape"], j["inputs"][0]["datatype"], j["outputs"][0]["shape"])
' <(onnx-info --json "$BATS_TEST_TMPDIR/s/model.onnx")
  assert_success
  assert_line --index 0 "Conv MultiThreshold MaxPool Conv MultiThreshold MaxPool Reshape MatMul"
  assert_line --index 1 "[1, 1, 28, 28] UINT8 [1, 10]"
  run onnx-exec "$BATS_TEST_TMPDIR/s/model.onnx" "$BATS_TEST_TMPDIR/s/input.npy" \
    --expect "$BATS_TEST_TMPDIR/s/expected_output.npy" -o "$BATS_TEST_TMPDIR/s/out.npy"
  assert_success
  run py -c 'import numpy as np, sys; e = np.load(sys.argv[1]); i = np.load(sys.argv[2]); print(e.shape, i.shape, i.dtype, i.min() >= 0, i.max() <= 255, len(set(e.flatten())) > 10)' \
    "$BATS_TEST_TMPDIR/s/expected_output.npy" "$BATS_TEST_TMPDIR/s/input.npy"
  assert_output "(4, 10) (4, 1, 28, 28) float32 True True True"
}

@test "every activation level occurs: the thresholds follow the observed accumulators" {
  onnx-conv --image 8 --channels 3 --layers c8k3p1,c4k3 --wdt INT2 --adt UINT2 --seed 3 \
    --samples 16 -o "$BATS_TEST_TMPDIR/a"
  run py -c 'import numpy as np, sys; e = np.load(sys.argv[1]); print(e.shape, sorted(set(e.flatten().tolist())))' \
    "$BATS_TEST_TMPDIR/a/expected_output.npy"
  assert_output "(16, 4, 6, 6) [0.0, 1.0, 2.0, 3.0]"
}

@test "QONNX form has Quant, Relu and BipolarQuant nodes and converts through onnx-tidy" {
  onnx-conv --image 10 --channels 2 --layers c4k3s2p1,c6k1,f5 --wdt INT3 --adt UINT4 \
    --format qonnx --topk --seed 7 -o "$BATS_TEST_TMPDIR/q"
  run onnx-info "$BATS_TEST_TMPDIR/q/model.onnx"
  assert_output --partial "Quant"
  assert_output --partial "Relu"
  assert_output --partial "TopK"
  onnx-tidy "$BATS_TEST_TMPDIR/q/model.onnx" -o "$BATS_TEST_TMPDIR/q/tidy.onnx"
  run onnx-exec "$BATS_TEST_TMPDIR/q/tidy.onnx" "$BATS_TEST_TMPDIR/q/input.npy" \
    --expect "$BATS_TEST_TMPDIR/q/expected_output.npy" -o "$BATS_TEST_TMPDIR/q/out.npy"
  assert_success
  onnx-conv --image 6 --channels 1 --layers c4,f3 --wdt BIPOLAR --adt BIPOLAR --format qonnx \
    -o "$BATS_TEST_TMPDIR/b"
  run onnx-info "$BATS_TEST_TMPDIR/b/model.onnx"
  assert_output --partial "BipolarQuant"
}

@test "the same seed gives byte-identical files, another seed different weights" {
  for d in a b; do
    onnx-conv --image 8 --layers c4k3,m2,f3 --wdt INT2 --adt UINT2 -o "$BATS_TEST_TMPDIR/$d"
  done
  cmp "$BATS_TEST_TMPDIR/a/model.onnx" "$BATS_TEST_TMPDIR/b/model.onnx"
  cmp "$BATS_TEST_TMPDIR/a/expected_output.npy" "$BATS_TEST_TMPDIR/b/expected_output.npy"
  onnx-conv --image 8 --layers c4k3,m2,f3 --wdt INT2 --adt UINT2 --seed 2 -o "$BATS_TEST_TMPDIR/c"
  run cmp -s "$BATS_TEST_TMPDIR/a/model.onnx" "$BATS_TEST_TMPDIR/c/model.onnx"
  assert_failure
}

@test "convolutions FINN cannot map are written as asked (for the flow's error tests)" {
  onnx-conv --image 9 --channels 4 --layers c4k3x5p1.2.1.2,c4k3d2,c4k1g2 --wdt INT2 --adt UINT2 \
    -o "$BATS_TEST_TMPDIR/bad"
  run py -c '
import json, sys
j = json.load(open(sys.argv[1]))
for n in j["nodes"]:
    if n["op_type"] == "Conv":
        a = n["attributes"]
        print(a["kernel_shape"], a["pads"], a["dilations"], a["group"])
' <(onnx-info --json "$BATS_TEST_TMPDIR/bad/model.onnx")
  assert_success
  assert_line --index 0 "[3, 5] [1, 2, 1, 2] [1, 1] 1"
  assert_line --index 1 "[3, 3] [0, 0, 0, 0] [2, 2] 1"
  assert_line --index 2 "[1, 1] [0, 0, 0, 0] [1, 1] 2"
}

@test "bad layer strings and shapes are one-line errors" {
  run onnx-conv --image 8 --layers c4,x2 --wdt INT2 --adt UINT2 -o "$BATS_TEST_TMPDIR/x"
  assert_failure 2
  assert_line --index 0 "onnx-conv: error: --layers: 'x2' starts with neither c (conv), m (max-pool) nor f (fc)"
  run onnx-conv --image 4 --layers c4k5 --wdt INT2 --adt UINT2 -o "$BATS_TEST_TMPDIR/x"
  assert_failure 1
  assert_output "onnx-conv: error: a 5x5 kernel does not fit a 4x4 feature map"
  run onnx-conv --image 8 --layers f4,c2 --wdt INT2 --adt UINT2 -o "$BATS_TEST_TMPDIR/x"
  assert_failure 1
  assert_output "onnx-conv: error: a convolution cannot follow a fully connected layer"
  [ ! -e "$BATS_TEST_TMPDIR/x" ]
}
