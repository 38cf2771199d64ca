# Shared setup for the tool tests: where the tools and the shared models are, and helpers.
bats_load_library bats-support
bats_load_library bats-assert

ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
BIN="${SHOAL_BIN:-$ROOT/build/bin}"
SHARED="$ROOT/../shared/models"
export PATH="$BIN:$PATH"
SHARED_MODELS="facile_like TFC_1W1A TFC_1W2A TFC_2W2A unsw_nb15-mlp-w2a2"

# Tests on the real models skip themselves on a fresh clone, where ../shared is absent.
require_shared() {
  [ -d "$SHARED" ] || skip "../shared/models is absent"
}

# The model file of a shared model directory.
shared_model() {
  local d="$SHARED/$1"
  ls "$d"/*.onnx | head -1
}

# Tolerance for comparing with a model's expected output: exact where the output is
# integer, 1e-4 for the float logits of the TFC models (their READMEs).
shared_atol() {
  case "$1" in TFC_*) echo 1e-4 ;; *) echo 0 ;; esac
}

# A generated facile-like MLP (FINN form) in $1.
make_facile() {
  onnx-mlp --layers 14,31,11,3,1 --wdt INT6 --adt UINT6 --idt INT6 --odt UINT4 --seed 3 -o "$1"
}

# A generated TFC-like XNOR MLP (FINN form) ending in FINN's InsertTopK(k=1) in $1: float input
# quantized to BIPOLAR on the host, a BIPOLAR layer, a linear last layer (UINT8 popcount
# scores in hardware), then TopK; expected_output.npy holds the class indices.
make_topk_mlp() {
  onnx-mlp --layers 64,32,10 --wdt BIPOLAR --adt BIPOLAR --idt BIPOLAR --input-scale 1 \
    --last-linear --topk --seed 2 -o "$1"
}

# Model $1 without the outputDataType of its LabelSelect_Batch nodes, in $2: as models made
# by FINN v0.6, whose LabelSelect_Batch derives its output type.
without_label_select_odt() {
  py -c '
import onnx, sys
m = onnx.load(sys.argv[1])
n = [n for n in m.graph.node if n.op_type == "LabelSelect_Batch"]
assert len(n) == 1, len(n)
keep = [a for a in n[0].attribute if a.name != "outputDataType"]
assert len(keep) == len(n[0].attribute) - 1
del n[0].attribute[:]
n[0].attribute.extend(keep)
onnx.save(m, sys.argv[2])' "$1" "$2"
}

py() { /usr/bin/python3 "$@"; }

# tidy + streamline of a shared model into $2 (a path without extension).
streamlined_shared() {
  onnx-tidy "$(shared_model $1)" | streamline -o "$2.onnx"
}

# A generated facile-like model edited by a python snippet ($2, reading m) into $1.
edited_facile() {
  local out=$1 code=$2
  make_facile "$BATS_TEST_TMPDIR/src"
  py -c "
import onnx, sys
from onnx import numpy_helper as nh, helper
m = onnx.load(sys.argv[1])
$code
onnx.save(m, sys.argv[2])" "$BATS_TEST_TMPDIR/src/model.onnx" "$out"
}

# The folding of every hardware node of a model: "name PE SIMD cycles_estimate" per line.
folding_of() {
  py -c '
import onnx, sys
m = onnx.load(sys.argv[1])
for n in m.graph.node:
    a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
    print(n.name, a.get("PE", "-"), a.get("SIMD", "-"), a.get("cycles_estimate", "-"))
' "$1"
}

# The dataflow child of a shared or generated model, streamlined and converted.
child_of() {
  local src=$1 dir=$2
  mkdir -p "$dir"
  onnx-tidy "$src" | streamline | to-hls --convert-only -o "$dir/conv.onnx"
  to-hls --partition-only "$dir/conv.onnx" -o "$dir/parent.onnx" --child "$dir/child.onnx" 2>/dev/null
}

# The facile-like reference reports (estimates.md §5) that a generated facile-like model
# must reproduce.
FACILE_CYCLES='{
  "StreamingFCLayer_Batch_0": 434,
  "StreamingFCLayer_Batch_1": 341,
  "StreamingFCLayer_Batch_2": 33,
  "StreamingFCLayer_Batch_3": 3,
  "Thresholding_Batch_0": 1
}'
FACILE_PERFORMANCE='{
  "critical_path_cycles": 812,
  "max_cycles": 434,
  "max_cycles_node_name": "StreamingFCLayer_Batch_0",
  "estimated_throughput_fps": 11520.737327188941,
  "estimated_latency_ns": 162400.0
}'

# The folding of the generated facile-like model used by the hardware tests: PE=SIMD=1
# except SIMD=11 on the third layer, so that its stitched design holds a width converter
# (1 -> 11 elements per beat) as well as a FIFO (layer 0 is the slowest, 434 cycles).
# Every layer keeps a single multiplier or eleven, so its Verilator builds stay quick.
FACILE_HW_FOLDING='{"Defaults": {}, "StreamingFCLayer_Batch_2": {"SIMD": 11}}'

# The generated facile-like model through the front end into $1: model.onnx, input.npy,
# expected_output.npy, parent.onnx, its child parent_partition_0.onnx and folded.onnx
# (FACILE_HW_FOLDING, clock 10 ns).
hw_facile() {
  local d=$1
  make_facile "$d"
  onnx-tidy "$d/model.onnx" | streamline | to-hls -o "$d/parent.onnx"
  echo "$FACILE_HW_FOLDING" > "$d/folding.json"
  fold "$d/parent_partition_0.onnx" --clk-ns 10 --config "$d/folding.json" -o "$d/folded.onnx"
}

# hw_facile, then stitched into $1/stitched.onnx with its design in $1/st, stitch's
# messages in $1/stitch.log and FINN's final_hw_config.json in $1/final_hw_config.json.
# The Verilator builds land in the shared cache, so every test file that calls this pays
# for them at most once per machine.
stitched_facile() {
  hw_facile "$1"
  stitch "$1/folded.onnx" -o "$1/stitched.onnx" --out-dir "$1/st" \
    --write-config "$1/final_hw_config.json" 2> "$1/stitch.log" \
    || { cat "$1/stitch.log" >&2; return 1; }
}

# The full hardware flow on a shared model into $2 at a target of $3 fps (empty: none,
# i.e. PE=SIMD=1), clock 10 ns: parent.onnx, folded.onnx, rep/ (estimate reports),
# stitched.onnx with st/.
hw_flow_shared() {
  local m=$1 d=$2 fps=$3
  mkdir -p "$d"
  onnx-tidy "$(shared_model $m)" | streamline | to-hls -o "$d/parent.onnx"
  fold "$d/parent_partition_0.onnx" --clk-ns 10 ${fps:+--target-fps $fps} -o "$d/folded.onnx"
  estimate "$d/folded.onnx" --report-dir "$d/rep"
  stitch "$d/folded.onnx" -o "$d/stitched.onnx" --out-dir "$d/st" 2> "$d/stitch.log" \
    || { cat "$d/stitch.log" >&2; return 1; }
}

# A small facile-like model for the synthesis tests in $1: the facile-like layer sizes with
# $2-bit (default 2) weights, activations and input (3 thresholds per channel at 2 bits
# instead of 63), every layer at PE=SIMD=1 (no cycles_estimate annotated), stitched as it is
# (no FIFO sizing, so no simulation) into $1/stitched.onnx with its design in $1/st. It
# synthesizes in seconds; at 2 bits it fits an ice40up5k, at 3 bits no longer an ice40hx1k.
# The facile-like design itself needs about 11600 iCE40 logic cells, more than any iCE40 has.
stitched_small() {
  local d=$1 bits=${2:-2}
  onnx-mlp --layers 14,31,11,3,1 --wdt INT$bits --adt UINT$bits --idt INT$bits --seed 3 -o "$d"
  onnx-tidy "$d/model.onnx" | streamline | to-hls -o "$d/parent.onnx" 2> /dev/null
  fold "$d/parent_partition_0.onnx" --clk-ns 10 -o "$d/folded.onnx"
  stitch "$d/folded.onnx" -o "$d/stitched.onnx" --out-dir "$d/st" --stitch-only 2> /dev/null
}
