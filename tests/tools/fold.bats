#!/usr/bin/env bats
# fold: SetFolding (step_target_fps_parallelization) and ApplyConfig (step_apply_folding_config).

setup() { load test_helper; }

@test "fold --help explains both steps" {
  run fold --help
  assert_success
  assert_output --partial "step_target_fps_parallelization"
  assert_output --partial "step_apply_folding_config"
  assert_output --partial "--mvau-wwidth-max"
}

@test "PE=SIMD=1 at the reference build's target (100 fps at 200 ns)" {
  make_facile "$BATS_TEST_TMPDIR/f"
  child_of "$BATS_TEST_TMPDIR/f/model.onnx" "$BATS_TEST_TMPDIR/c"
  fold "$BATS_TEST_TMPDIR/c/child.onnx" -o "$BATS_TEST_TMPDIR/folded.onnx" --target-fps 100 --clk-ns 200.0
  run folding_of "$BATS_TEST_TMPDIR/folded.onnx"
  assert_output "StreamingFCLayer_Batch_0 1 1 434
StreamingFCLayer_Batch_1 1 1 341
StreamingFCLayer_Batch_2 1 1 33
StreamingFCLayer_Batch_3 1 1 3
Thresholding_Batch_0 1 - 1"
}

@test "raised target: the facile-like folding FINN's algorithm gives (100 cycles at 10 ns, 1e6 fps)" {
  make_facile "$BATS_TEST_TMPDIR/f"
  child_of "$BATS_TEST_TMPDIR/f/model.onnx" "$BATS_TEST_TMPDIR/c"
  fold "$BATS_TEST_TMPDIR/c/child.onnx" -o "$BATS_TEST_TMPDIR/folded.onnx" --target-fps 1000000 --clk-ns 10
  # FC1 keeps SIMD=31 although 6*31 > 36 bits: the cycle check comes first (estimates.md §4.2)
  run folding_of "$BATS_TEST_TMPDIR/folded.onnx"
  assert_output "StreamingFCLayer_Batch_0 1 7 62
StreamingFCLayer_Batch_1 1 31 11
StreamingFCLayer_Batch_2 1 1 33
StreamingFCLayer_Batch_3 1 1 3
Thresholding_Batch_0 1 - 1"
}

@test "unsw_nb15 at 1e6 fps reproduces the cybersecurity notebooks' foldings" {
  require_shared
  child_of "$(shared_model unsw_nb15-mlp-w2a2)" "$BATS_TEST_TMPDIR/c"
  fold "$BATS_TEST_TMPDIR/c/child.onnx" -o "$BATS_TEST_TMPDIR/a.onnx" --target-fps 1000000 --clk-ns 10.0
  run folding_of "$BATS_TEST_TMPDIR/a.onnx"
  assert_output "StreamingFCLayer_Batch_0 32 15 80
StreamingFCLayer_Batch_1 4 16 64
StreamingFCLayer_Batch_2 4 16 64
StreamingFCLayer_Batch_3 1 1 64"
  fold "$BATS_TEST_TMPDIR/c/child.onnx" -o "$BATS_TEST_TMPDIR/b.onnx" --target-fps 1000000 --clk-ns 10.0 --mvau-wwidth-max 80
  run folding_of "$BATS_TEST_TMPDIR/b.onnx"
  assert_output "StreamingFCLayer_Batch_0 16 40 60
StreamingFCLayer_Batch_1 1 64 64
StreamingFCLayer_Batch_2 1 64 64
StreamingFCLayer_Batch_3 1 1 64"
}

@test "the TFC models at 1e6 fps (100 cycles)" {
  require_shared
  for m in TFC_1W1A TFC_2W2A; do
    child_of "$(shared_model $m)" "$BATS_TEST_TMPDIR/$m"
    fold "$BATS_TEST_TMPDIR/$m/child.onnx" -o "$BATS_TEST_TMPDIR/$m/f.onnx" --target-fps 1000000 --clk-ns 10.0
  done
  run folding_of "$BATS_TEST_TMPDIR/TFC_1W1A/f.onnx"
  assert_output "StreamingFCLayer_Batch_0 32 28 56
StreamingFCLayer_Batch_1 1 64 64
StreamingFCLayer_Batch_2 1 64 64
StreamingFCLayer_Batch_3 1 8 80"
  run folding_of "$BATS_TEST_TMPDIR/TFC_2W2A/f.onnx"
  assert_output "StreamingFCLayer_Batch_0 32 16 98
StreamingFCLayer_Batch_1 4 16 64
StreamingFCLayer_Batch_2 4 16 64
StreamingFCLayer_Batch_3 1 8 80"
}

@test "a folding config with Defaults, and final_hw_config.json in FINN's format" {
  make_facile "$BATS_TEST_TMPDIR/f"
  child_of "$BATS_TEST_TMPDIR/f/model.onnx" "$BATS_TEST_TMPDIR/c"
  cat > "$BATS_TEST_TMPDIR/cfg.json" <<'JSON'
{"Defaults": {"ram_style": ["distributed", ["StreamingFCLayer_Batch"]], "resType": ["dsp", ["StreamingFCLayer_Batch"]]},
 "StreamingFCLayer_Batch_0": {"PE": 31, "SIMD": 2}, "Thresholding_Batch_0": {"ram_style": "block"}}
JSON
  fold "$BATS_TEST_TMPDIR/c/child.onnx" -o "$BATS_TEST_TMPDIR/a.onnx" --config "$BATS_TEST_TMPDIR/cfg.json" \
    --write-config "$BATS_TEST_TMPDIR/final_hw_config.json"
  run cat "$BATS_TEST_TMPDIR/final_hw_config.json"
  assert_output --partial '{
  "Defaults": {},
  "StreamingFCLayer_Batch_0": {
    "PE": 31,
    "SIMD": 2,
    "ram_style": "distributed",
    "resType": "dsp",
    "mem_mode": "decoupled",
    "runtime_writeable_weights": 0
  },'
  assert_output --partial '"Thresholding_Batch_0": {
    "PE": 1,
    "ram_style": "block",
    "mem_mode": "const",
    "runtime_writeable_weights": 0
  }
}'
  run folding_of "$BATS_TEST_TMPDIR/a.onnx"
  assert_line --index 0 "StreamingFCLayer_Batch_0 31 2 7"
}

@test "impossible foldings and unknown names are errors naming node, attribute and allowed values" {
  make_facile "$BATS_TEST_TMPDIR/f"
  child_of "$BATS_TEST_TMPDIR/f/model.onnx" "$BATS_TEST_TMPDIR/c"
  cd "$BATS_TEST_TMPDIR"
  echo '{"Defaults": {}, "StreamingFCLayer_Batch_0": {"PE": 4}}' > pe.json
  run fold c/child.onnx -o out.onnx --config pe.json
  assert_failure 1
  assert_output "fold: error: node 'StreamingFCLayer_Batch_0' (StreamingFCLayer_Batch): PE=4 does not divide MH=31 (allowed: 1, 31)"
  echo '{"Defaults": {}, "StreamingFCLayer_Batch_1": {"SIMD": 2}}' > simd.json
  run fold c/child.onnx -o out.onnx --config simd.json
  assert_output "fold: error: node 'StreamingFCLayer_Batch_1' (StreamingFCLayer_Batch): SIMD=2 does not divide MW=31 (allowed: 1, 31)"
  echo '{"Defaults": {}, "StreamingFCLayer_Batch_9": {"PE": 1}}' > node.json
  run fold c/child.onnx -o out.onnx --config node.json
  assert_output "fold: error: the folding config names 'StreamingFCLayer_Batch_9', which is not a node of the model"
  echo '{"Defaults": {}, "StreamingFCLayer_Batch_0": {"PF": 1}}' > attr.json
  run fold c/child.onnx -o out.onnx --config attr.json
  assert_output "fold: error: node 'StreamingFCLayer_Batch_0' (StreamingFCLayer_Batch) has no attribute 'PF'"
  echo '{"Defaults": {}, "StreamingFCLayer_Batch_0": {"ram_style": "fast"}}' > value.json
  run fold c/child.onnx -o out.onnx --config value.json
  assert_output "fold: error: node 'StreamingFCLayer_Batch_0' (StreamingFCLayer_Batch): attribute 'ram_style' must be one of auto, block, distributed, ultra (got 'fast')"
  echo '{"StreamingFCLayer_Batch_0": {"PE": 1}}' > nodefaults.json
  run fold c/child.onnx -o out.onnx --config nodefaults.json
  assert_output "fold: error: the folding config has no \"Defaults\" entry"
  echo '{"Defaults": ' > broken.json
  run fold c/child.onnx -o out.onnx --config broken.json
  assert_output --regexp "^fold: error: broken.json: not valid JSON"
  [ ! -e out.onnx ]
  run fold c/child.onnx -o out.onnx --target-fps 100
  assert_failure 2
  assert_line --index 0 "fold: error: --target-fps needs --clk-ns"
}

@test "limits: folding configs with huge values, one error line, exit 1, no output" {
  make_facile "$BATS_TEST_TMPDIR/f"
  child_of "$BATS_TEST_TMPDIR/f/model.onnx" "$BATS_TEST_TMPDIR/c"
  cd "$BATS_TEST_TMPDIR"
  echo '{"Defaults": {}, "StreamingFCLayer_Batch_0": {"PE": 1099511627776}}' > pe.json
  run fold c/child.onnx -o out.onnx --config pe.json
  assert_failure 1
  assert_output "fold: error: node 'StreamingFCLayer_Batch_0' (StreamingFCLayer_Batch): PE=1099511627776 does not divide MH=31 (allowed: 1, 31)"
  echo '{"Defaults": {"SIMD": [-4, "all"]}}' > negative.json
  run fold c/child.onnx -o out.onnx --config negative.json
  assert_failure 1
  assert_output "fold: error: node 'StreamingFCLayer_Batch_0' (StreamingFCLayer_Batch): SIMD=-4 does not divide MW=14 (allowed: 1, 2, 7, 14)"
  # any declared attribute may be set (FINN's ApplyConfig), but not one that resizes the layer
  echo '{"Defaults": {}, "StreamingFCLayer_Batch_0": {"MW": 4611686018427387904}}' > mw.json
  run fold c/child.onnx -o out.onnx --config mw.json
  assert_failure 1
  assert_output "fold: error: node 'StreamingFCLayer_Batch_0' (StreamingFCLayer_Batch): its attributes describe an input of shape [1, 4611686018427387904], but tensor 'global_in' has shape [1, 14]"
  echo '{"Defaults": {}, "StreamingFCLayer_Batch_0": {"numInputVectors": [4294967296, 4294967296, 1]}}' > niv.json
  run fold c/child.onnx -o out.onnx --config niv.json
  assert_failure 1
  assert_output "fold: error: shape [4294967296, 4294967296, 1, 14] has more elements than int64 can count"
  echo '{"Defaults": {}, "StreamingFCLayer_Batch_0": {"PE": 1e300}}' > float.json
  run fold c/child.onnx -o out.onnx --config float.json
  assert_failure 1
  assert_output "fold: error: node 'StreamingFCLayer_Batch_0' (StreamingFCLayer_Batch): the folding config gives attribute 'PE' an unsupported value 1e+300"
  [ ! -e out.onnx ]
}

@test "limits: a FIFO depth beyond 2^24 beats" {
  cd "$BATS_TEST_TMPDIR"
  py -c '
import onnx
from onnx import helper, TensorProto
n = helper.make_node("StreamingFIFO", ["x"], ["y"], domain="finn.custom_op.fpgadataflow",
    name="StreamingFIFO_0", backend="fpgadataflow", depth=32, folded_shape=[1, 1, 4],
    dataType="UINT4")
g = helper.make_graph([n], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13),
    helper.make_opsetid("finn.custom_op.fpgadataflow", 1)]), "fifo.onnx")'
  echo '{"Defaults": {}, "StreamingFIFO_0": {"depth": 64}}' > ok.json
  fold fifo.onnx -o ok.onnx --config ok.json
  echo '{"Defaults": {}, "StreamingFIFO_0": {"depth": 4611686018427387904}}' > deep.json
  run fold fifo.onnx -o out.onnx --config deep.json
  assert_failure 1
  assert_output "fold: error: node 'StreamingFIFO_0' (StreamingFIFO): attribute 'depth' must be from 2 to 16777216 (got 4611686018427387904)"
  echo '{"Defaults": {"depth": [1, "StreamingFIFO"]}}' > shallow.json
  run fold fifo.onnx -o out.onnx --config shallow.json
  assert_failure 1
  assert_output "fold: error: node 'StreamingFIFO_0' (StreamingFIFO): attribute 'depth' must be from 2 to 16777216 (got 1)"
  # a model that already holds such a depth is refused where the depth is read
  py -c '
import onnx
m = onnx.load("fifo.onnx")
[a for a in m.graph.node[0].attribute if a.name == "depth"][0].i = 2**62
onnx.save(m, "deep.onnx")'
  run estimate deep.onnx --report-dir rep --clk-ns 10
  assert_failure 1
  assert_output "estimate: error: node 'StreamingFIFO_0' (StreamingFIFO): attribute 'depth' must be from 2 to 16777216 (got 4611686018427387904)"
  [ ! -e out.onnx ]
  [ ! -e rep/estimate_layer_resources.json ]
}

@test "limits: a target so low that its cycles per frame overflow int64" {
  make_facile "$BATS_TEST_TMPDIR/f"
  child_of "$BATS_TEST_TMPDIR/f/model.onnx" "$BATS_TEST_TMPDIR/c"
  cd "$BATS_TEST_TMPDIR"
  run fold c/child.onnx -o out.onnx --target-fps 1e-300 --clk-ns 10
  assert_failure 1
  assert_output "fold: error: a target of 1e-300 fps at a 10 ns clock is 1e+308 cycles per frame, more than int64 holds"
  [ ! -e out.onnx ]
}
