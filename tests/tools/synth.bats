#!/usr/bin/env bats
# synth: step_out_of_context_synthesis with Yosys (Xilinx parts: resource counts and a timing
# estimate; iCE40 parts: nextpnr place and route and a bitstream), Vivado where it exists.
# Yosys and nextpnr (seed 1) are deterministic, so counts are compared exactly. The facile-like
# design takes a minute or more per synthesis, so it is synthesized once (xc7); the rest uses small facile-like models (stitched_small) that take seconds. Per-layer results go
# to a synthesis cache of this file's own, so that what a test says was reused is known.

setup_file() {
  load test_helper
  stitched_facile "$BATS_FILE_TMPDIR/f"
  stitched_small "$BATS_FILE_TMPDIR/s"
}

setup() {
  load test_helper
  export SHOAL_SYNTH_CACHE=$BATS_FILE_TMPDIR/synth-cache
  F=$BATS_FILE_TMPDIR/f
  S=$BATS_FILE_TMPDIR/s
}

# The keys of a JSON object, space-separated: keys_of FILE.
keys_of() {
  py -c 'import json, sys; print(*json.load(open(sys.argv[1])))' "$1"
}

# Python over a report: on_report FILE CODE (the report is r).
on_report() {
  py -c "
import json, sys
r = json.load(open(sys.argv[1]))
$2" "$1"
}

@test "synth --help names both flows, the reports and the pin wrapper" {
  run synth --help
  assert_success
  assert_line --index 0 "Usage: synth STITCHED.onnx --part PART [--clk-ns T] --report-dir DIR [--work-dir W] [--per-layer] [--layer-sum] [-j N]"
  assert_output --partial "ooc_synth_and_timing.json"
  assert_output --partial "SHOAL_SYNTH_CACHE"
  assert_output --partial "synth_layer_resources.json"
  assert_output --partial "shoal_ice40_top"
  assert_output --partial "ESTIMATE"
  assert_output --partial "synth_ooc.tcl"
}

@test "missing options are usage errors" {
  run synth "$F/stitched.onnx" --report-dir "$BATS_TEST_TMPDIR/r"
  assert_failure 2
  assert_line --index 0 "synth: error: missing --part PART"
  run synth "$F/stitched.onnx" --part xc7z020clg400-1
  assert_failure 2
  assert_line --index 0 "synth: error: missing --report-dir DIR"
  run synth --part xc7z020clg400-1 --report-dir "$BATS_TEST_TMPDIR/r"
  assert_failure 2
  assert_line --index 0 "synth: error: expected a stitched model"
  run synth "$F/stitched.onnx" --part xc7z020clg400-1 --report-dir "$BATS_TEST_TMPDIR/r" -j 0
  assert_failure 2
  assert_line --index 0 "synth: error: -j must be at least 1, not 0"
  run synth "$F/stitched.onnx" --part ice40up5k-sg48 --report-dir "$BATS_TEST_TMPDIR/r" --layer-sum
  assert_failure 2
  assert_line --index 0 "synth: error: --layer-sum is for Xilinx parts; ice40up5k-sg48 designs are placed and routed whole"
  [ ! -e "$BATS_TEST_TMPDIR/r" ]
}

@test "an unknown part family is an error naming the part and the families" {
  run synth "$F/stitched.onnx" --part ep4ce22f17c6 --report-dir "$BATS_TEST_TMPDIR/r"
  assert_failure 1
  assert_output "synth: error: unknown FPGA part 'ep4ce22f17c6': expected a Xilinx 7-series part (xc7...), an UltraScale(+) part (xczu..., xcu..., xcvu..., xcku..., xcau..., xck26...) or a Lattice iCE40 part (ice40<device>[-<package>] with device lp384, lp1k, lp4k, lp8k, hx1k, hx4k, hx8k, up3k or up5k, e.g. ice40up5k-sg48)"
  [ ! -e "$BATS_TEST_TMPDIR/r" ]
}

@test "a model that was not stitched is an error" {
  cd "$F"
  run synth folded.onnx --part xc7z020clg400-1 --report-dir "$BATS_TEST_TMPDIR/r"
  assert_failure 1
  assert_output "synth: error: folded.onnx records no stitched design (run stitch first)"
}

@test "an unknown iCE40 package is an error before any synthesis" {
  run synth "$F/stitched.onnx" --part ice40up5k-qfp100 --report-dir "$BATS_TEST_TMPDIR/r" \
    --work-dir "$BATS_TEST_TMPDIR/w"
  assert_failure 1
  assert_output "synth: error: nextpnr-ice40 has no package 'qfp100' for ice40up5k-qfp100: Unsupported package 'qfp100'."
  [ ! -e "$BATS_TEST_TMPDIR/w/ice40/yosys.log" ]
}

@test "xc7: facile's exact counts in FINN's key order, the timing estimate, the Vivado script" {
  W=$BATS_FILE_TMPDIR/w7
  run synth "$F/stitched.onnx" --part xc7z020clg400-1 --report-dir "$BATS_FILE_TMPDIR/r7" \
    --work-dir "$W"
  assert_success
  assert_output --regexp '^synth: xc7z020clg400-1 \(yosys synth_xilinx -family xc7\): LUT 4700, FF 1769, DSP 14, BRAM 0; estimated fmax 119\.69 MHz \(critical path 8\.355 ns without routing, clock 10 ns\), 275781 fps; Vivado not on PATH, synth_ooc\.tcl written; [0-9.]+ (s|min)'
  R=$BATS_FILE_TMPDIR/r7/ooc_synth_and_timing.json
  run keys_of "$R"
  assert_output "LUT FF DSP BRAM WNS fmax_mhz estimated_throughput_fps URAM LUT_logic LUTRAM SRL CARRY critical_path_ns max_cycles part clk_ns synthesis_tool timing vivado work_dir"
  run on_report "$R" '
print(r["LUT"], r["FF"], r["DSP"], r["BRAM"], r["URAM"], r["LUT_logic"], r["LUTRAM"], r["SRL"], r["CARRY"])
print(r["WNS"], r["critical_path_ns"], r["max_cycles"], r["clk_ns"])
# FINN formulas (estimates.md 2.9), with the analytical max_cycles of the facile-like model
assert r["fmax_mhz"] == 1000.0 / (10.0 - r["WNS"])
assert r["estimated_throughput_fps"] == r["fmax_mhz"] * 1e6 / 434
assert r["fmax_mhz"] > 0
print(r["synthesis_tool"])
print(r["timing"].startswith("optimistic estimate, not Vivado timing"), r["vivado"], r["work_dir"])'
  assert_line --index 0 "4700.0 1769.0 14.0 0.0 0.0 4670.0 24.0 6.0 546.0"
  assert_line --index 1 "1.645 8.355 434 10.0"
  assert_line --index 2 "yosys 0.23 synth_xilinx -family xc7 -flatten -noiopad -noclkbuf -top finn_design_wrapper"
  assert_line --index 3 "True not run (vivado is not on PATH); ../w7/synth_ooc.tcl is the Vivado script ../w7"
  # the Vivado script reads every source of the stitched design and clocks ap_clk
  grep -qx 'create_project shoal_ooc $out/project -part xc7z020clg400-1 -force' "$W/synth_ooc.tcl"
  grep -qx 'launch_runs impl_1 -to_step route_design -jobs 2' "$W/synth_ooc.tcl"
  grep -qxF "foreach f {$(tr '\n' ' ' < "$F/st/stitched_ip/all_verilog_srcs.txt" | sed 's/ $//')} { lappend sources [file join \$here src \$f] }" "$W/synth_ooc.tcl"
  grep -qx 'create_clock -name ap_clk -period 10.000 \[get_ports ap_clk\]' "$W/synth_ooc.xdc"
  [ -s "$W/xilinx/netlist.v" ] && [ -s "$W/xilinx/yosys.log" ]
}

@test "a rerun in the same work dir reuses the netlist; --clk-ns overrides the model's clock" {
  W=$BATS_FILE_TMPDIR/w7
  # What an ABC run killed with its build leaves in the work dir goes with the next run.
  mkdir -p "$W/tmp/yosys-abc-Xk2bQz"
  echo ".model killed" > "$W/tmp/yosys-abc-Xk2bQz/input.blif"
  run synth "$F/stitched.onnx" --part xc7z020clg400-1 --report-dir "$BATS_TEST_TMPDIR/r" \
    --work-dir "$W" --clk-ns 5
  assert_success
  assert_output --partial "Yosys netlist reused from the work dir"
  run on_report "$BATS_TEST_TMPDIR/r/ooc_synth_and_timing.json" '
print(r["LUT"], r["WNS"], r["clk_ns"], r["fmax_mhz"] == 1000.0 / (5.0 - r["WNS"]))'
  assert_output "4700.0 -3.355 5.0 True"
  [ ! -e "$W/tmp" ]
}

@test "--layer-sum on xcup: every layer alone, in parallel, summed; the layers' report" {
  run synth "$S/stitched.onnx" --part xczu3eg-sbva484-1-e --report-dir "$BATS_TEST_TMPDIR/r" \
    --layer-sum
  assert_success
  assert_output --regexp '^synth: xczu3eg-sbva484-1-e \(yosys synth_xilinx -family xcup, 4 layers alone, summed\): LUT 552, FF 253, DSP 0, BRAM 0; estimated fmax [0-9.]+ MHz \(critical path [0-9.]+ ns without routing, clock 10 ns\), [0-9]+ fps; Vivado not on PATH, synth_ooc\.tcl written; 0 of 4 layers reused from the synthesis cache; per-layer resources in synth_layer_resources\.json; [0-9.]+ (s|min)$'
  # the default work dir is next to the report dir
  [ -s "$BATS_TEST_TMPDIR/synth/layers/StreamingFCLayer_Batch_0/stat.json" ]
  [ ! -e "$BATS_TEST_TMPDIR/synth/xilinx" ]
  run keys_of "$BATS_TEST_TMPDIR/r/synth_layer_resources.json"
  assert_output "StreamingFCLayer_Batch_0 StreamingFCLayer_Batch_1 StreamingFCLayer_Batch_2 StreamingFCLayer_Batch_3 total"
  run on_report "$BATS_TEST_TMPDIR/r/synth_layer_resources.json" '
for name, e in r.items():
    print(name, *e, *e.values())
t = r.pop("total")
assert all(t[k] == float(sum(e[k] for e in r.values())) for k in t)'
  assert_line --index 0 "StreamingFCLayer_Batch_0 LUT FF BRAM URAM DSP 166 73 0.0 0 0"
  assert_line --index 1 "StreamingFCLayer_Batch_1 LUT FF BRAM URAM DSP 183 80 0.0 0 0"
  assert_line --index 2 "StreamingFCLayer_Batch_2 LUT FF BRAM URAM DSP 136 60 0.0 0 0"
  assert_line --index 3 "StreamingFCLayer_Batch_3 LUT FF BRAM URAM DSP 67 40 0.0 0 0"
  assert_line --index 4 "total LUT FF BRAM URAM DSP 552.0 253.0 0.0 0.0 0.0"
  # the critical path is the longest of the layers' own sta runs
  T=$BATS_TEST_TMPDIR run on_report "$BATS_TEST_TMPDIR/r/ooc_synth_and_timing.json" '
import glob, os, re
paths = [int(re.search(r"Latest arrival time in .* is (\d+)", open(f).read()).group(1))
         for f in glob.glob(os.environ["T"] + "/synth/layers/*/sta.txt")]
assert len(paths) == 4 and r["critical_path_ns"] == max(paths) / 1000, (paths, r["critical_path_ns"])
print(r["LUT"], r["FF"], r["LUTRAM"], r["synthesis_tool"])
print(r["timing"])'
  assert_line --index 0 "552.0 253.0 24.0 yosys 0.23 synth_xilinx -family xcup -noiopad -noclkbuf -top <layer>, each layer alone (mapped with its hierarchy), summed"
  assert_line --index 1 --regexp "; per layer \(the longest path is in StreamingFCLayer_Batch_[0-3]\); paths between layers are not seen, each layer's ports end its paths; no delay model for .*RAM32M16"
}

@test "a second work dir takes every layer from the cache; -j 1 gives the same numbers" {
  run synth "$S/stitched.onnx" --part xczu3eg-sbva484-1-e --report-dir "$BATS_TEST_TMPDIR/a" \
    --layer-sum -j 1
  assert_success
  run synth "$S/stitched.onnx" --part xczu3eg-sbva484-1-e --report-dir "$BATS_TEST_TMPDIR/b/r" \
    --work-dir "$BATS_TEST_TMPDIR/b/w" --layer-sum
  assert_success
  assert_output --partial "; 4 of 4 layers reused from the synthesis cache;"
  cmp "$BATS_TEST_TMPDIR/a/synth_layer_resources.json" "$BATS_TEST_TMPDIR/b/r/synth_layer_resources.json"
  # the copies in the work dir are the cached results, with their log
  [ -s "$BATS_TEST_TMPDIR/b/w/layers/StreamingFCLayer_Batch_2/yosys.log" ]
  cmp "$BATS_TEST_TMPDIR/synth/layers/StreamingFCLayer_Batch_2/sta.txt" \
    "$BATS_TEST_TMPDIR/b/w/layers/StreamingFCLayer_Batch_2/sta.txt"
}

@test "--per-layer on xcup: the flattened design's numbers and the layers' report" {
  run synth "$S/stitched.onnx" --part xczu3eg-sbva484-1-e --report-dir "$BATS_TEST_TMPDIR/r" \
    --per-layer
  assert_success
  assert_output --regexp '; per-layer resources in synth_layer_resources\.json; '
  [ -s "$BATS_TEST_TMPDIR/synth/xilinx/stat.json" ]
  run on_report "$BATS_TEST_TMPDIR/r/synth_layer_resources.json" 'print(r["total"]["LUT"])'
  assert_output "552.0"
  # one synthesis of the flattened design: 32 LUTs (5.8 %) more than the layers' sum here
  run on_report "$BATS_TEST_TMPDIR/r/ooc_synth_and_timing.json" '
print(r["LUT"], r["FF"], r["LUTRAM"], r["critical_path_ns"], r["synthesis_tool"])
print(r["timing"])'
  assert_line --index 0 "584.0 253.0 24.0 3.227 yosys 0.23 synth_xilinx -family xcup -flatten -noiopad -noclkbuf -top finn_design_wrapper"
  assert_line --index 1 --regexp "; no delay model for (MUXF9, )?RAM32M16: "
}

@test "iCE40 up5k: a bitstream, a placed-and-routed fmax and nextpnr's utilization" {
  W=$BATS_TEST_TMPDIR/w
  run synth "$S/stitched.onnx" --part ice40up5k-sg48 --report-dir "$BATS_TEST_TMPDIR/r" \
    --work-dir "$W"
  assert_success
  assert_output --regexp "^synth: ice40up5k-sg48 \(yosys synth_ice40, nextpnr-ice40\): 1158/5280 LCs, 0/30 RAM, 0/8 DSP; fmax [0-9.]+ MHz placed and routed \(timing (not )?met at 100\.00 MHz\), [0-9]+ fps; bitstream $W/ice40/finn_design_wrapper\.bin; [0-9.]+ s$"
  R=$BATS_TEST_TMPDIR/r/ooc_synth_and_timing.json
  run keys_of "$R"
  assert_output "LUT FF DSP BRAM WNS fmax_mhz estimated_throughput_fps timing_met utilization bitstream max_cycles part clk_ns synthesis_tool timing io_wrapper work_dir"
  run on_report "$R" '
u = r["utilization"]
print(r["LUT"], r["FF"], r["DSP"], r["BRAM"], *("%s=%d/%d" % (k, v["used"], v["available"]) for k, v in u.items()))
assert r["fmax_mhz"] > 0 and r["timing_met"] == (r["fmax_mhz"] >= 100)
assert abs(r["WNS"] - (10 - 1000 / r["fmax_mhz"])) <= 0.0005
# no cycles_estimate in this model: the layers expected cycles (14 * 31 for the first)
assert r["max_cycles"] == 434 and r["estimated_throughput_fps"] == r["fmax_mhz"] * 1e6 / 434
print(r["bitstream"], r["synthesis_tool"])
print(r["timing"])
print(r["io_wrapper"])'
  assert_line --index 0 "856.0 375.0 0.0 0.0 ICESTORM_LC=1158/5280 ICESTORM_RAM=0/30 ICESTORM_DSP=0/8 SB_IO=8/96"
  assert_line --index 1 "../w/ice40/finn_design_wrapper.bin yosys 0.23 synth_ice40 -dsp -top shoal_ice40_top, nextpnr-ice40 0.4-1+b1, icepack"
  assert_line --index 2 "placed and routed (nextpnr-ice40 --freq 100 --seed 1): fmax of the design core, its I/O wrapped by shoal_ice40_top"
  assert_line --index 3 "shoal_ice40_top: 8 pins, all registered; s_axis_0 TDATA (8 bits) from a serial-in shift register, m_axis_0 TDATA (8 bits) XOR-reduced to one pin by 2 stages of registered 4-input XORs; LUT and FF include its 16 flip-flops"
  # icepack's empty comment block, then the iCE40 preamble 7E AA 99 7E
  run od -An -tx1 -N8 "$W/ice40/finn_design_wrapper.bin"
  assert_output " ff 00 00 ff 7e aa 99 7e"
  [ "$(stat -c %s "$W/ice40/finn_design_wrapper.bin")" -gt 100000 ]
}

@test "a design larger than the device is an error naming the resource and the capacity" {
  stitched_small "$BATS_TEST_TMPDIR/s3" 3 > /dev/null
  run synth "$BATS_TEST_TMPDIR/s3/stitched.onnx" --part ice40hx1k-tq144 \
    --report-dir "$BATS_TEST_TMPDIR/r" --work-dir "$BATS_TEST_TMPDIR/w"
  assert_failure 1
  assert_output "synth: error: the design does not fit ice40hx1k-tq144: it needs 1555 logic cells (ICESTORM_LC), the device has 1280 (275 too many)"
  [ ! -e "$BATS_TEST_TMPDIR/r/ooc_synth_and_timing.json" ]
}

# A stand-in for Vivado on PATH: records its arguments and runs the script under the
# Vivado test double (Vivado 2022.1; the routed design's WNS is $FAKE_WNS).
fake_vivado() {
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  cat > "$BATS_TEST_TMPDIR/bin/vivado" << EOF
#!/bin/sh
echo "\$@" > "\$(dirname "\$0")/args"
while [ \$# -gt 0 ]; do [ "\$1" = -source ] && tcl=\$2; shift; done
VIVADO_DOUBLE_WNS=\$FAKE_WNS exec tclsh "$ROOT/tests/shells/vivado_double.tcl" 2022.1 "\$tcl"
EOF
  chmod +x "$BATS_TEST_TMPDIR/bin/vivado"
}

@test "with vivado on PATH: synth_ooc.tcl runs and res.txt is reported as FINN reports it" {
  fake_vivado
  W=$BATS_TEST_TMPDIR/w
  FAKE_WNS=0.946 PATH="$BATS_TEST_TMPDIR/bin:$PATH" \
    run synth "$S/stitched.onnx" --part xc7z020clg400-1 --report-dir "$BATS_TEST_TMPDIR/r" \
    --work-dir "$W"
  assert_success
  assert_output --regexp '^synth: xc7z020clg400-1 \(vivado\): LUT 1234, BRAM 3, WNS 0\.946 ns at 10 ns, fmax 110\.45 MHz; [0-9.]+ s$'
  assert_equal "$(cat "$BATS_TEST_TMPDIR/bin/args")" \
    "-mode batch -nojournal -log $W/vivado/vivado.log -source $W/synth_ooc.tcl"
  # placed and routed, as FINN's OOC step
  run grep -E "^(launch_runs|set_property strategy|set_property STEPS|set_property \{STEPS)" "$W/calls.log"
  assert_output "set_property strategy Flow_PerfOptimized_high synth_1
set_property STEPS.SYNTH_DESIGN.ARGS.RETIMING true synth_1
set_property {STEPS.SYNTH_DESIGN.ARGS.MORE OPTIONS} {-mode out_of_context} synth_1
launch_runs synth_1 -jobs 2
launch_runs impl_1 -to_step route_design -jobs 2"
  R=$BATS_TEST_TMPDIR/r/ooc_synth_and_timing.json
  run keys_of "$R"
  assert_output "vivado_proj_folder LUT LUTRAM FF DSP BRAM BRAM_18K BRAM_36K URAM Carry WNS Delay vivado_version vivado_build_no fmax_mhz estimated_throughput_fps max_cycles part clk_ns synthesis_tool timing work_dir"
  # FINN's fmax at 10 ns for WNS 0.946 (its cybersecurity example, hardware.md 5) and its
  # BRAM count: 2 RAMB36 + 3 RAMB18 (integer halves) = 3
  run on_report "$R" '
print(r["vivado_proj_folder"], r["LUT"], r["LUTRAM"], r["FF"], r["DSP"], r["BRAM"],
      r["BRAM_18K"], r["BRAM_36K"], r["URAM"], r["Carry"], r["WNS"], r["Delay"],
      r["vivado_version"], r["vivado_build_no"], round(r["fmax_mhz"], 3))
print(r["timing"])
assert r["estimated_throughput_fps"] == r["fmax_mhz"] * 1e6 / 434'
  assert_line --index 0 "../w/vivado 1234.0 34.0 2345.0 4.0 3.0 3.0 2.0 0.0 56.0 0.946 0.946 2022.1 1234567.0 110.448"
  assert_line --index 1 "Vivado post-route timing (out of context)"
  # the memory files by absolute name, so that the runs read them
  run grep -ho '_FILE("[^"]*")' "$W"/src/*.v
  assert_line "_FILE(\"$W/src/StreamingFCLayer_Batch_0_weights.dat\")"
  refute_line --regexp '_FILE\("[^/]'
  ! grep -q "Synth 8-4445" "$W/vivado/project/shoal_ooc.runs/synth_1/runme.log"
  [ ! -e "$W/xilinx" ]
  # --layer-sum gives way to Vivado, and says so
  FAKE_WNS=0.946 PATH="$BATS_TEST_TMPDIR/bin:$PATH" \
    run synth "$S/stitched.onnx" --part xc7z020clg400-1 --report-dir "$BATS_TEST_TMPDIR/r" \
    --work-dir "$W" --layer-sum
  assert_success
  assert_output --regexp '^synth: xc7z020clg400-1 \(vivado\): LUT 1234, .*; --layer-sum not applied: Vivado synthesized the whole design; [0-9.]+ s$'
  # FINN's quirk: WNS exactly 0 gives fmax 0
  FAKE_WNS=0 PATH="$BATS_TEST_TMPDIR/bin:$PATH" \
    run synth "$S/stitched.onnx" --part xc7z020clg400-1 --report-dir "$BATS_TEST_TMPDIR/r" \
    --work-dir "$W"
  assert_success
  run on_report "$R" 'print(r["WNS"], r["fmax_mhz"], r["estimated_throughput_fps"])'
  assert_output "0.0 0.0 0.0"
}

# The shared models on iCE40 parts, at PE=SIMD=1.
@test "shared TFC_1W1A: a bitstream and a placed-and-routed fmax on ice40up5k and ice40hx8k" {
  require_shared
  hw_flow_shared TFC_1W1A "$BATS_TEST_TMPDIR/t" ""
  for part in ice40up5k-sg48 ice40hx8k-ct256; do
    run synth "$BATS_TEST_TMPDIR/t/stitched.onnx" --part $part \
      --report-dir "$BATS_TEST_TMPDIR/r_$part" --work-dir "$BATS_TEST_TMPDIR/w_$part"
    assert_success
    run on_report "$BATS_TEST_TMPDIR/r_$part/ooc_synth_and_timing.json" '
assert r["fmax_mhz"] > 0
print(r["max_cycles"], r["BRAM"], r["utilization"]["ICESTORM_LC"]["used"])'
    # the weights of the first layer (784 x 64 bits) in block RAM
    assert_output --regexp '^50176 16\.0 1[0-9]{3}$'
    run od -An -tx1 -j4 -N4 "$BATS_TEST_TMPDIR/w_$part/ice40/finn_design_wrapper.bin"
    assert_output " 7e aa 99 7e"
  done
}

@test "shared facile_like, parallel threshold form: larger than any iCE40 at PE=SIMD=1, and said so" {
  require_shared
  hw_flow_shared facile_like "$BATS_TEST_TMPDIR/fl" ""
  run synth "$BATS_TEST_TMPDIR/fl/stitched.onnx" --part ice40hx8k-ct256 \
    --report-dir "$BATS_TEST_TMPDIR/r" --work-dir "$BATS_TEST_TMPDIR/w"
  assert_failure 1
  # (ipgen --thresholds search, which the pipeline uses for iCE40 parts, makes it fit)
  assert_output --regexp "^synth: error: the design does not fit ice40hx8k-ct256: it needs [0-9]{5} logic cells \(ICESTORM_LC\), the device has 7680 \([0-9]+ too many\)$"
}
