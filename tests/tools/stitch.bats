#!/usr/bin/env bats
# stitch: step_set_fifo_depths (DWC and FIFO insertion, FIFO sizing by simulation) and
# step_create_stitched_ip.

# One stitch of the facile-like model for the whole file: the sizing simulations are the
# expensive part, and every test below only reads what it wrote (or re-stitches a copy).
setup_file() {
  load test_helper
  stitched_facile "$BATS_FILE_TMPDIR/f"
}

setup() {
  load test_helper
  F=$BATS_FILE_TMPDIR/f
}

# "op_type name key=value ..." per node of a model, for the attributes named after it.
nodes_of() {
  py -c '
import onnx, sys
m = onnx.load(sys.argv[1])
for n in m.graph.node:
    a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
    a = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in a.items()}
    print(n.op_type, n.name, *["%s=%s" % (k, a[k]) for k in sys.argv[2:] if k in a])
' "$@"
}

@test "stitch --help explains both steps" {
  run stitch --help
  assert_success
  assert_output --partial "step_set_fifo_depths"
  assert_output --partial "step_create_stitched_ip"
  assert_output --partial "--write-config"
}

@test "a width converter where the beats differ, a FIFO only where one fills up" {
  run nodes_of "$F/stitched.onnx" depth folded_shape inWidth outWidth shape dataType
  # layer 1 sends 1 element a beat, layer 2 (SIMD 11) takes 11: 6 -> 66 bits. Layer 1 reads
  # its input only in its first neuron fold; while it spends 310 cycles on the other ten,
  # layer 0 sends it ~22 beats (one per 14 cycles) of the next frame: that FIFO is kept, at
  # 32 (FINN's optimize_depth); the others never hold more than 2 beats and are removed.
  assert_output "StreamingFCLayer_Batch StreamingFCLayer_Batch_0
StreamingFIFO StreamingFIFO_0 depth=32 folded_shape=[1, 31, 1] dataType=UINT6
StreamingFCLayer_Batch StreamingFCLayer_Batch_1
StreamingDataWidthConverter_Batch StreamingDataWidthConverter_Batch_0 inWidth=6 outWidth=66\
 shape=[1, 11] dataType=UINT6
StreamingFCLayer_Batch StreamingFCLayer_Batch_2
StreamingFCLayer_Batch StreamingFCLayer_Batch_3
Thresholding_Batch Thresholding_Batch_0"
}

@test "the sizing line: every edge measured, the sized design no slower than the deep one" {
  run cat "$F/stitch.log"
  assert_line --index 1 "stitch: 7 layers in $F/st/stitched_ip"
  [[ ${lines[0]} =~ ^stitch:\ ([0-9]+)\ FIFOs\ measured\ over\ ([0-9]+)\ frames\;\ total\ FIFO\ \
bits\ ([0-9]+)\;\ ([0-9]+)\ cycles\ sized\ vs\ ([0-9]+)\ deep$ ]]
  local fifos=${BASH_REMATCH[1]} frames=${BASH_REMATCH[2]} bits=${BASH_REMATCH[3]}
  local sized=${BASH_REMATCH[4]} deep=${BASH_REMATCH[5]}
  # 6 layers once the DWC is in, so 5 edges; frames = max(4, layers)
  [ "$fifos" -eq 5 ]
  [ "$frames" -eq 6 ]
  # one FIFO of 32 UINT6 beats is kept
  [ "$bits" -eq 192 ]
  # the sized design is never slower; it can only gain the latency (at most 2 cycles each,
  # hls/README.md) of the 4 FIFOs it removed
  [ "$sized" -le "$deep" ]
  [ "$sized" -ge $((deep - 2 * 4)) ]
  # the frames come one per max_cycles (434) after the first, which takes at most the
  # critical path (434 + 341 + 3 + 3 + 1 cycles for this folding)
  [ "$deep" -gt $((5 * 434)) ]
  [ "$deep" -le $((5 * 434 + 782)) ]
}

@test "fifo_sizing.json: what was measured, and the depths follow from it" {
  run py -c '
import json, sys, onnx
j = json.load(open(sys.argv[1]))
log = open(sys.argv[3]).read()
print(list(j), j["frames"], j["frame_period_cycles"], j["total_fifo_bits"])
assert "total FIFO bits %d; %d cycles sized vs %d deep" % (
    j["total_fifo_bits"], j["cycles_sized_fifos"], j["cycles_deep_fifos"]) in log
m = onnx.load(sys.argv[2])
kept = {n.name: onnx.helper.get_attribute_value(
    [a for a in n.attribute if a.name == "depth"][0])
    for n in m.graph.node if n.op_type == "StreamingFIFO"}
bits = 0
for name, f in j["fifos"].items():
    occ = f["max_occupancy"]
    # FINN optimize_depth + RemoveShallowFIFOs; a FIFO that filled up would be an error
    assert f["depth"] == (0 if occ <= 2 else 32 if occ <= 32 else occ), (name, f)
    assert 1 <= occ < f["measured_depth"], (name, f)
    assert kept.get(name, 0) == f["depth"], (name, kept)
    bits += f["depth"] * f["width"]
    print(name, f["width"], f["measured_depth"], f["depth"])
assert bits == j["total_fifo_bits"]
' "$F/st/fifo_sizing.json" "$F/stitched.onnx" "$F/stitch.log"
  assert_success
  # measured depths: two frames of the producer's beats + 2 (at least 4): 31, 11, 1, 3, 1
  assert_output "['frames', 'frame_period_cycles', 'cycles_deep_fifos', 'cycles_sized_fifos',\
 'total_fifo_bits', 'seconds', 'fifos'] 6 434 192
StreamingFIFO_0 6 64 32
StreamingFIFO_1 6 24 0
StreamingFIFO_2 66 4 0
StreamingFIFO_3 6 8 0
StreamingFIFO_4 6 4 0"
}

@test "the stitched design is the sized one: rtlsim over the sizing's frames agrees" {
  local sized
  sized=$(py -c 'import json, sys; print(json.load(open(sys.argv[1]))["cycles_sized_fifos"])' \
    "$F/st/fifo_sizing.json")
  # the same 6 random frames (seed 1) as the sizing's check, unthrottled
  rtlsim "$F/stitched.onnx" --perf --report-dir "$BATS_TEST_TMPDIR/r" -n 6 --seed 1
  run py -c 'import json, sys; print(json.load(open(sys.argv[1]))["cycles"])' \
    "$BATS_TEST_TMPDIR/r/rtlsim_performance.json"
  assert_output "$sized"
}

@test "stitched_ip/: the wrapper, the sources list and the Vivado script" {
  local d=$F/st/stitched_ip
  run cat "$d/all_verilog_srcs.txt"
  # library modules first, then the layers in stream order, the top level last
  assert_output "shoal_memstream.sv
shoal_mvau.sv
shoal_fifo.sv
shoal_dwc.sv
shoal_thresholding.sv
StreamingFCLayer_Batch_0.v
StreamingFIFO_0.v
StreamingFCLayer_Batch_1.v
StreamingDataWidthConverter_Batch_0.v
StreamingFCLayer_Batch_2.v
StreamingFCLayer_Batch_3.v
Thresholding_Batch_0.v
finn_design_wrapper.v"
  while read -r f; do [ -s "$d/$f" ] || fail "$f is listed but missing"; done \
    < "$d/all_verilog_srcs.txt"
  # every memory file a layer reads is there too
  run bash -c "cd '$d' && ls *.dat | wc -l"
  assert_output "9"
  run grep -E '^  (in|out)put ' "$d/finn_design_wrapper.v"
  assert_output "  input  wire ap_clk,
  input  wire ap_rst_n,
  input  wire [7:0] s_axis_0_tdata,
  input  wire s_axis_0_tvalid,
  output wire s_axis_0_tready,
  output wire [7:0] m_axis_0_tdata,
  output wire m_axis_0_tvalid,
  input  wire m_axis_0_tready"
  run grep -c "create_project finn_vivado_stitch_proj finn_vivado_stitch_proj -part\
 xczu3eg-sbva484-1-e" "$d/make_project.tcl"
  assert_output "1"
  # FREQ_HZ = round(1e9 / 10 ns)
  run grep -o "set_property value [0-9]* \$freq" "$d/make_project.tcl"
  assert_output "set_property value 100000000 \$freq"
  [ -x "$d/make_project.sh" ]
}

@test "make_project.tcl packages the IP under the Vivado test double; FREQ_HZ is added before it is set" {
  local d=$BATS_TEST_TMPDIR/pkg
  cp -r "$F/st/stitched_ip" "$d"
  run tclsh "$ROOT/tests/shells/vivado_double.tcl" 2022.1 "$d/make_project.tcl"
  assert_success
  run grep -E "^(ipx::add_bus_parameter|set_property (value|ipi_drc))" "$d/calls.log"
  assert_output "ipx::add_bus_parameter FREQ_HZ ipx:busif:ap_clk
set_property value 100000000 ipx:param:FREQ_HZ
set_property value_resolve_type user ipx:param:FREQ_HZ
set_property ipi_drc {ignore_freq_hz true} ipx:core"
  # setting FREQ_HZ on the inferred interface without adding it first stops Vivado
  sed -i '/ipx::add_bus_parameter/d' "$d/make_project.tcl"
  run tclsh "$ROOT/tests/shells/vivado_double.tcl" 2022.1 "$d/make_project.tcl"
  assert_failure
  assert_output "ERROR: [Common 17-55] 'set_property' expects at least one object."
}

@test "the stitched design lints clean (verilator -Wall)" {
  cd "$F/st/stitched_ip"
  run verilator --lint-only -Wall $(cat all_verilog_srcs.txt) --top-module finn_design_wrapper
  assert_success
  assert_output ""
}

@test "the model records FINN's stitch metadata and its regenerated IP, relative paths" {
  run py -c '
import onnx, sys
m = onnx.load(sys.argv[1])
for p in m.metadata_props:
    # the interface names one per line, as a JSON value they are long
    print(p.key, p.value.replace("],\"", "],\n  \""))
for n in m.graph.node:
    a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
    assert a["code_gen_dir_ipgen"].decode() == "st/ip/" + n.name, n.name
    assert a["gen_top_module"].decode() == n.name, n.name
' "$F/stitched.onnx"
  assert_success
  assert_output 'clk_ns 10
vivado_stitch_proj st/stitched_ip
wrapper_filename st/stitched_ip/finn_design_wrapper.v
vivado_stitch_vlnv xilinx_finn:finn:finn_design:1.0
vivado_stitch_ifnames {"clk":["ap_clk"],
  "rst":["ap_rst_n"],
  "s_axis":[["s_axis_0",8]],
  "m_axis":[["m_axis_0",8]],
  "aximm":[],
  "axilite":[],
  "ap_none":[]}
fpga_part xczu3eg-sbva484-1-e'
}

@test "--write-config: final_hw_config.json in FINN's format, with the FIFO's depth" {
  run cat "$F/final_hw_config.json"
  assert_output '{
  "Defaults": {},
  "StreamingFCLayer_Batch_0": {
    "PE": 1,
    "SIMD": 1,
    "ram_style": "auto",
    "resType": "lut",
    "mem_mode": "decoupled",
    "runtime_writeable_weights": 0
  },
  "StreamingFIFO_0": {
    "ram_style": "auto",
    "depth": 32,
    "impl_style": "rtl"
  },
  "StreamingFCLayer_Batch_1": {
    "PE": 1,
    "SIMD": 1,
    "ram_style": "auto",
    "resType": "lut",
    "mem_mode": "decoupled",
    "runtime_writeable_weights": 0
  },
  "StreamingDataWidthConverter_Batch_0": {
    "impl_style": "hls"
  },
  "StreamingFCLayer_Batch_2": {
    "PE": 1,
    "SIMD": 11,
    "ram_style": "auto",
    "resType": "lut",
    "mem_mode": "decoupled",
    "runtime_writeable_weights": 0
  },
  "StreamingFCLayer_Batch_3": {
    "PE": 1,
    "SIMD": 1,
    "ram_style": "auto",
    "resType": "lut",
    "mem_mode": "decoupled",
    "runtime_writeable_weights": 0
  },
  "Thresholding_Batch_0": {
    "PE": 1,
    "ram_style": "distributed",
    "mem_mode": "const",
    "runtime_writeable_weights": 0
  }
}'
}

@test "--stitch-only stitches the model as it is: a depth set by a config reaches the Verilog" {
  # FINN's auto_fifo_depths=False path: the depths come from a config, not a simulation
  echo '{"Defaults": {}, "StreamingFIFO_0": {"depth": 64}}' > "$BATS_TEST_TMPDIR/c.json"
  fold "$F/stitched.onnx" --config "$BATS_TEST_TMPDIR/c.json" -o "$BATS_TEST_TMPDIR/d64.onnx"
  run stitch "$BATS_TEST_TMPDIR/d64.onnx" -o "$BATS_TEST_TMPDIR/s.onnx" --stitch-only
  assert_success
  # no sizing: no "FIFOs measured" line and no fifo_sizing.json
  assert_output "stitch: 7 layers in $BATS_TEST_TMPDIR/stitched_ip"
  [ ! -e "$BATS_TEST_TMPDIR/fifo_sizing.json" ]
  run grep -o "shoal_fifo #(.DEPTH([0-9]*), .WIDTH([0-9]*))" \
    "$BATS_TEST_TMPDIR/stitched_ip/StreamingFIFO_0.v"
  assert_output "shoal_fifo #(.DEPTH(64), .WIDTH(6))"
  # the rest of the design is what the full run stitched
  run diff -r -x 'StreamingFIFO_0.v' "$F/st/stitched_ip" "$BATS_TEST_TMPDIR/stitched_ip"
  assert_success
}

@test "--size-fifos-only then --stitch-only is the full run in two steps" {
  mkdir "$BATS_TEST_TMPDIR/two"
  cd "$BATS_TEST_TMPDIR/two"
  run stitch "$F/folded.onnx" -o sized.onnx --size-fifos-only
  assert_success
  assert_output --regexp '^stitch: 5 FIFOs measured over 6 frames; total FIFO bits 192; '
  [ ! -e stitched_ip ]
  run py -c 'import onnx; print(len(onnx.load("sized.onnx").metadata_props))'
  assert_output "1"  # the clock only: nothing stitched yet
  stitch sized.onnx -o stitched.onnx --stitch-only --out-dir st
  diff -r "$F/st/stitched_ip" st/stitched_ip
}

@test "--clk-ns overrides the model's clock: metadata, FREQ_HZ and the wrapper's comment" {
  stitch "$F/stitched.onnx" -o "$BATS_TEST_TMPDIR/s5.onnx" --stitch-only --clk-ns 5 \
    --part xc7z020clg400-1 2>/dev/null
  run py -c 'import onnx, sys
print({p.key: p.value for p in onnx.load(sys.argv[1]).metadata_props}["clk_ns"])' \
    "$BATS_TEST_TMPDIR/s5.onnx"
  assert_output "5"
  cd "$BATS_TEST_TMPDIR/stitched_ip"
  run grep -o "set_property value [0-9]* \|-part [^ ]*" make_project.tcl
  assert_output "-part xc7z020clg400-1
set_property value 200000000 "
  run grep -c "clock period 5 ns" finn_design_wrapper.v
  assert_output "1"
}

@test "no clock, a parent model, FIFOs already in, a missing DWC: one-line errors" {
  cd "$BATS_TEST_TMPDIR"
  # the unfolded child records no clock (an error, as in estimate)
  run stitch "$F/parent_partition_0.onnx" -o out.onnx
  assert_failure 1
  assert_output "stitch: error: the model records no clock period: give --clk-ns"
  run stitch "$F/folded.onnx" -o out.onnx --clk-ns fast
  assert_failure 1
  assert_output "stitch: error: clock period 'fast' is not a positive number of ns"
  run stitch "$F/parent.onnx" -o out.onnx --clk-ns 10
  assert_failure 1
  assert_output "stitch: error: node 'StreamingDataflowPartition_0' (StreamingDataflowPartition)\
 is not a hardware layer"
  run stitch "$F/stitched.onnx" -o out.onnx
  assert_failure 1
  assert_output "stitch: error: the model already holds FIFOs (node 'StreamingFIFO_0'\
 (StreamingFIFO)); size FIFOs on a model without them"
  # --stitch-only inserts nothing: layer 1's 1-element beats cannot feed layer 2's 11
  run stitch "$F/folded.onnx" -o out.onnx --stitch-only
  assert_failure 1
  assert_output "stitch: error: node 'StreamingFCLayer_Batch_1' (StreamingFCLayer_Batch) sends\
 8-bit beats to node 'StreamingFCLayer_Batch_2' (StreamingFCLayer_Batch), which takes 72-bit beats"
  run stitch "$F/folded.onnx" -o out.onnx --stitch-only --size-fifos-only
  assert_failure 2
  assert_line --index 0 "stitch: error: --size-fifos-only and --stitch-only exclude each other"
  [ ! -e out.onnx ]
}
