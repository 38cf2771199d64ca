#!/usr/bin/env bats
# build-dataflow: FINN's build_dataflow front over pipelines/*.mk.

setup() { load test_helper; }

estimate_config() {
  cat > "$1" <<JSON
{
  "output_dir": "${2:-out}",
  "target_fps": 100,
  "synth_clk_period_ns": 200.0,
  "fpga_part": "xczu3eg-sbva484-1-e",
  "board": "Ultra96",
  "steps": ["step_tidy_up", "step_streamline", "step_convert_to_hls", "step_create_dataflow_partition",
            "step_target_fps_parallelization", "step_apply_folding_config", "step_generate_estimate_reports"],
  "generate_outputs": ["estimate_reports"]
}
JSON
}

@test "the reference notebook's estimate-only build of facile_like reproduces its reports exactly" {
  require_shared
  cd "$BATS_TEST_TMPDIR"
  run build-dataflow "$(shared_model facile_like)" "$SHARED/facile_like/dataflow_build_config.json"
  assert_success
  assert_line --index 3 "Running step: step_tidy_up [1/7]"
  assert_line --index 9 "Running step: step_generate_estimate_reports [7/7]"
  assert_line --index 10 "Completed successfully"
  for f in "$SHARED"/facile_like/expected/*.json; do
    cmp "$f" "output_estimates_only/report/$(basename "$f")"
  done
  for s in step_tidy_up step_streamline step_convert_to_hls step_create_dataflow_partition \
           step_target_fps_parallelization step_apply_folding_config step_generate_estimate_reports dataflow_parent; do
    [ -f "output_estimates_only/intermediate_models/$s.onnx" ]
  done
  run py -c 'import json; t = json.load(open("output_estimates_only/time_per_step.json")); print(list(t), all(isinstance(v, float) for v in t.values()))'
  assert_output "['step_tidy_up', 'step_streamline', 'step_convert_to_hls', 'step_create_dataflow_partition', 'step_target_fps_parallelization', 'step_apply_folding_config', 'step_generate_estimate_reports'] True"
  run grep -c "Running step" output_estimates_only/build_dataflow.log
  assert_output "7"
}

@test "every shared model goes through the estimate-only build" {
  require_shared
  cd "$BATS_TEST_TMPDIR"
  for m in $SHARED_MODELS; do
    estimate_config cfg.json "out_$m"
    run build-dataflow "$(shared_model $m)" cfg.json
    assert_success
    [ -f "out_$m/report/estimate_network_performance.json" ]
  done
}

@test "a generated facile-like model through build-dataflow, with --output-dir" {
  make_facile "$BATS_TEST_TMPDIR/f"
  cd "$BATS_TEST_TMPDIR"
  estimate_config cfg.json ignored
  run build-dataflow f/model.onnx cfg.json --output-dir elsewhere
  assert_success
  [ ! -e ignored ]
  run cat elsewhere/report/estimate_layer_cycles.json
  assert_output "$FACILE_CYCLES"
  run cat elsewhere/report/estimate_network_performance.json
  assert_output "$FACILE_PERFORMANCE"
}

@test "a folding config file is read relative to the config" {
  make_facile "$BATS_TEST_TMPDIR/f"
  mkdir -p "$BATS_TEST_TMPDIR/proj"
  cd "$BATS_TEST_TMPDIR/proj"
  echo '{"Defaults": {}, "StreamingFCLayer_Batch_0": {"PE": 31, "SIMD": 14}}' > folding.json
  py -c 'import json; c = {"output_dir": "o", "synth_clk_period_ns": 5, "generate_outputs": ["estimate_reports"],
"folding_config_file": "folding.json", "steps": ["step_tidy_up", "step_streamline", "step_convert_to_hls",
"step_create_dataflow_partition", "step_target_fps_parallelization", "step_apply_folding_config",
"step_generate_estimate_reports"]}; json.dump(c, open("cfg.json", "w"))'
  cd ..
  run build-dataflow f/model.onnx proj/cfg.json
  assert_success
  run grep StreamingFCLayer_Batch_0 o/report/estimate_layer_cycles.json
  assert_output '  "StreamingFCLayer_Batch_0": 1,'
  run grep -E "estimated_latency_ns" o/report/estimate_network_performance.json
  # 1 + 341 + 33 + 3 + 1 cycles at an integer 5 ns
  assert_output '  "estimated_latency_ns": 1895'
}

@test "config errors name the key" {
  make_facile "$BATS_TEST_TMPDIR/f"
  cd "$BATS_TEST_TMPDIR"
  echo '{"output_dir": "o", "synth_clk_period_ns": 5, "generate_outputs": [], "target_fsp": 10}' > c1.json
  run build-dataflow f/model.onnx c1.json
  assert_failure 1
  assert_output "build-dataflow: error: c1.json: unknown key 'target_fsp'"
  echo '{"output_dir": "o", "generate_outputs": []}' > c2.json
  run build-dataflow f/model.onnx c2.json
  assert_output "build-dataflow: error: c2.json: missing required key 'synth_clk_period_ns'"
  echo '{"output_dir": "o", "synth_clk_period_ns": 5, "generate_outputs": ["bitstream"]}' > c3.json
  run build-dataflow f/model.onnx c3.json
  assert_output "build-dataflow: error: generate_outputs: unknown output 'bitstream' (allowed: stitched_ip, estimate_reports, out_of_context_synth, rtlsim_performance, bitfile, pynq_driver, deployment_package)"
  echo '{"output_dir": "o", "synth_clk_period_ns": 5, "generate_outputs": [], "steps": ["step_tidy"]}' > c4.json
  run build-dataflow f/model.onnx c4.json
  assert_output "build-dataflow: error: unknown step 'step_tidy'"
  [ ! -e o ]
}

@test "a failing step stops the build: Build failed, no time_per_step.json" {
  cd "$BATS_TEST_TMPDIR"
  head -c 200 /dev/urandom > bad.onnx
  estimate_config cfg.json out
  run build-dataflow bad.onnx cfg.json
  assert_failure 1
  assert_line --partial "onnx-tidy: error:"
  assert_line "Build failed (step step_tidy_up; the log has the details)"
  [ ! -e out/time_per_step.json ]
  run grep -c "Build failed" out/build_dataflow.log
  assert_output "1"
}

# FINN's default step list (no "steps" key) with stitched IP and RTL simulation.
hardware_config() {
  cat > "$1" <<JSON
{
  "output_dir": "out",
  "target_fps": 1000000,
  "synth_clk_period_ns": 10.0,
  "board": "Ultra96",
  "generate_outputs": ["estimate_reports", "stitched_ip", "rtlsim_performance", "pynq_driver",
                       "deployment_package"]
}
JSON
}

@test "the default steps with stitched_ip and rtlsim_performance: all sixteen run" {
  make_facile "$BATS_TEST_TMPDIR/f"
  cd "$BATS_TEST_TMPDIR"
  hardware_config cfg.json
  run build-dataflow f/model.onnx cfg.json
  assert_success
  assert_line "Running step: step_hls_ipgen [9/16]"
  assert_line "Running step: step_measure_rtlsim_performance [12/16]"
  assert_line "Running step: step_deployment_package [16/16]"
  assert_line "Completed successfully"
  # the board's part reaches the Vivado project script
  grep -q "xczu3eg-sbva484-1-e" out/stitched_ip/make_project.tcl
  [ -f out/stitched_ip/finn_design_wrapper.v ]
  [ -d out/ip/StreamingFCLayer_Batch_0 ]
  # the driver, and FINN's deployment package: deploy/driver the same files, and
  # deploy/bitfile saying the bitfile needs Vivado
  [ -f out/driver/driver.py ]
  diff -r out/driver out/deploy/driver
  grep -q Vivado out/deploy/bitfile/README.md
  py - <<'PY'
import json
p = json.load(open("out/report/rtlsim_performance.json"))
assert list(p) == ["cycles", "runtime[ms]", "throughput[images/s]", "DRAM_in_bandwidth[Mb/s]",
                   "DRAM_out_bandwidth[Mb/s]", "fclk[mhz]", "N", "latency_cycles",
                   "stable_throughput[images/s]"], list(p)
e = json.load(open("out/report/estimate_network_performance.json"))
# FINN v0.6: N = the number of layers of the stitched design
assert p["N"] >= 5 and p["fclk[mhz]"] == 100.0, p
assert p["stable_throughput[images/s]"] >= 0.98 * e["estimated_throughput_fps"], (p, e)
assert p["latency_cycles"] <= e["critical_path_cycles"], (p, e)
c = json.load(open("out/final_hw_config.json"))
assert c["StreamingFCLayer_Batch_0"]["SIMD"] == 7, c  # SetFolding at 1e6 fps, 10 ns
t = json.load(open("out/time_per_step.json"))
assert len(t) == 16 and list(t)[-1] == "step_deployment_package", t
PY
  # a second run has nothing to do
  run build-dataflow f/model.onnx cfg.json
  assert_success
  py -c 'import json, sys; t = json.load(open("out/time_per_step.json")); sys.exit(max(t.values()) > 0.5)'
}

@test "outputs shoal cannot make, and impossible combinations, are refused before any step" {
  make_facile "$BATS_TEST_TMPDIR/f"
  cd "$BATS_TEST_TMPDIR"
  echo '{"output_dir": "o", "synth_clk_period_ns": 5, "fpga_part": "xc7z020clg400-1", "generate_outputs": ["bitfile"]}' > c1.json
  run build-dataflow f/model.onnx c1.json
  assert_failure 1
  assert_output "build-dataflow: error: generate_outputs: bitfile needs board (the shell is made for a board: Ultra96, Pynq-Z2, ZCU104, ..., iCEBreaker, iCE40HX8K-B-EVN)"
  echo '{"output_dir": "o", "synth_clk_period_ns": 5, "board": "U250", "shell_flow_type": "vitis_alveo", "generate_outputs": ["bitfile"]}' > c2.json
  run build-dataflow f/model.onnx c2.json
  assert_failure 1
  assert_output "build-dataflow: error: generate_outputs: bitfile for shell_flow_type vitis_alveo needs Vitis (v++); shoal builds bitfiles for vivado_zynq and ice40_uart"
  echo '{"output_dir": "o", "synth_clk_period_ns": 5, "board": "Pynq-Z3", "generate_outputs": ["stitched_ip"]}' > c3.json
  run build-dataflow f/model.onnx c3.json
  assert_output "build-dataflow: error: board 'Pynq-Z3' is not known (known: Ultra96, Ultra96-V2, Pynq-Z1, Pynq-Z2, ZCU102, ZCU104, ZCU111, RFSoC2x2, RFSoC4x2, KV260_SOM, U50, U200, U250, U280, U55C, iCEBreaker, iCE40HX8K-B-EVN)"
  echo '{"output_dir": "o", "synth_clk_period_ns": 5, "board": "iCEBreaker", "shell_flow_type": "vivado_zynq", "generate_outputs": ["bitfile"]}' > c5.json
  run build-dataflow f/model.onnx c5.json
  assert_output "build-dataflow: error: board 'iCEBreaker' is not known for shell_flow_type vivado_zynq (known: Ultra96, Ultra96-V2, Pynq-Z1, Pynq-Z2, ZCU102, ZCU104, ZCU111, RFSoC2x2, RFSoC4x2, KV260_SOM)"
  echo '{"output_dir": "o", "synth_clk_period_ns": 5, "shell_flow_type": "vivado_versal", "generate_outputs": []}' > c6.json
  run build-dataflow f/model.onnx c6.json
  assert_output "build-dataflow: error: c6.json: shell_flow_type 'vivado_versal' is not vivado_zynq, vitis_alveo or ice40_uart"
  echo '{"output_dir": "o", "synth_clk_period_ns": 5, "auto_fifo_depths": false, "generate_outputs": []}' > c4.json
  run build-dataflow f/model.onnx c4.json
  assert_output "build-dataflow: error: c4.json: auto_fifo_depths false is not supported: shoal always sizes FIFOs by simulation"
  [ ! -e o ]
}

# The reference notebook's second and third configurations, for its part and board.
notebook_config() {  # FILE OUTPUT_DIR KIND
  if [ "$3" = 2 ]; then
    target='"fpga_part": "xczu3eg-sbva484-1-e"'
    outputs='"stitched_ip", "rtlsim_performance", "out_of_context_synth"'
  else
    target='"board": "Ultra96", "shell_flow_type": "vivado_zynq"'
    outputs='"bitfile", "pynq_driver", "deployment_package"'
  fi
  cat > "$1" <<JSON
{
  "output_dir": "$2",
  "mvau_wwidth_max": 80,
  "target_fps": 1000000,
  "synth_clk_period_ns": 10.0,
  $target,
  "generate_outputs": [$outputs]
}
JSON
}

@test "notebook configuration 3 on facile_like (Ultra96, vivado_zynq): completes without Vivado and says what needs it" {
  require_shared
  command -v vivado && skip "vivado is on PATH: this test is about machines without it"
  cd "$BATS_TEST_TMPDIR"
  notebook_config cfg.json out 3
  run build-dataflow "$(shared_model facile_like)" cfg.json
  assert_success
  assert_line "Running step: step_synthesize_bitfile [14/16]"
  assert_line "Needs Vivado: out/bitfile has no finn-accel.bit/.hwh; its README.md gives the command that builds them from the project in out/synth/zynq"
  assert_line "Needs Vivado: out/deploy has the driver, but its bitfile/ only a README until the bitfile exists"
  assert_line "Completed successfully"
  # every directory the notebook lists for this configuration
  for d in bitfile driver deploy/driver deploy/bitfile stitched_ip; do [ -d "out/$d" ]; done
  [ ! -e out/bitfile/finn-accel.bit ]
  grep -qF "vivado -mode batch -source make_zynq_proj.tcl" out/bitfile/README.md
  cmp out/bitfile/README.md out/deploy/bitfile/README.md
  diff -r out/driver out/deploy/driver
  # the Vivado project: FINN's board part, the PL clock from synth_clk_period_ns, the DMAs'
  # streams from the stitched design (48-bit input beats: SIMD 8 x 6 bits, 12 bytes a frame)
  grep -qx "set part {xczu3eg-sbva484-1-e}" out/synth/zynq/config.tcl
  grep -qx "set board_part {avnet.com:ultra96v1:part0:1.2}" out/synth/zynq/config.tcl
  grep -qx "set freq_mhz 100" out/synth/zynq/config.tcl
  [ -s out/synth/zynq/make_zynq_proj.tcl ]
  grep -q "Needs Vivado" out/build_dataflow.log
}

@test "notebook configuration 2 on facile_like (xczu3eg: stitched IP, rtlsim, OOC synthesis) completes without Vivado" {
  require_shared
  command -v vivado && skip "vivado is on PATH: this test is about machines without it"
  cd "$BATS_TEST_TMPDIR"
  notebook_config cfg.json out 2
  run build-dataflow "$(shared_model facile_like)" cfg.json
  assert_success
  assert_line "Needs Vivado: out/report/ooc_synth_and_timing.json holds Yosys' resource counts and a timing estimate; Vivado's out-of-context synthesis (script in out/synth/synth_ooc.tcl) gives FINN's numbers"
  assert_line "Completed successfully"
  [ -f out/stitched_ip/finn_design_wrapper.v ]
  [ -s out/synth/synth_ooc.tcl ]
  py - <<'PY'
import json
r = json.load(open("out/report/ooc_synth_and_timing.json"))
assert list(r)[:7] == ["LUT", "FF", "DSP", "BRAM", "WNS", "fmax_mhz",
                       "estimated_throughput_fps"], list(r)
assert r["LUT"] > 1000 and r["DSP"] > 0 and "estimate" in r["timing"], r
p = json.load(open("out/report/rtlsim_performance.json"))
assert p["fclk[mhz]"] == 100.0 and p["cycles"] > 0, p
PY
}

@test "bitfile for an iCE40 board: the UART shell's bitstream, its report, driver and deployment package" {
  onnx-mlp --layers 14,31,11,3,1 --wdt INT2 --adt UINT2 --idt INT2 --seed 3 -o "$BATS_TEST_TMPDIR/f"
  cd "$BATS_TEST_TMPDIR"
  cat > cfg.json <<'JSON'
{"output_dir": "out", "synth_clk_period_ns": 10.0, "target_fps": 100000, "board": "iCEBreaker",
 "generate_outputs": ["bitfile", "pynq_driver", "deployment_package"]}
JSON
  run build-dataflow f/model.onnx cfg.json
  assert_success
  refute_line --partial "Needs Vivado"
  assert_line "Completed successfully"
  # an UP5K bitstream is 104090 bytes whatever it holds
  [ "$(stat -c %s out/bitfile/finn-accel.bin)" = 104090 ]
  cmp out/bitfile/finn-accel.bin out/deploy/bitfile/finn-accel.bin
  [ ! -e out/deploy/bitfile/README.md ]
  [ -f out/deploy/driver/host_serial.py ]
  py - <<'PY'
import json
r = json.load(open("out/report/post_route_timing.json"))
assert r["board"] == "iCEBreaker" and r["part"] == "ice40up5k-sg48", r
assert r["clock_mhz"] == 12.0 and r["fmax_mhz"] >= 12.0 and r["timing_met"], r
u = r["utilization"]
assert 0 < u["ICESTORM_LC"]["used"] <= u["ICESTORM_LC"]["available"] == 5280, u
assert r["bitstream"] == "../bitfile/finn-accel.bin", r
PY
  # the binary-search threshold form, as for every iCE40 part
  grep -q -- "--thresholds search" out/build_dataflow.log
}

@test "shared facile_like and TFC_1W1A on the iCEBreaker: bitstream, fmax after place and route, exact outputs" {
  require_shared
  cd "$BATS_TEST_TMPDIR"
  cat > cfg.json <<'JSON'
{"output_dir": "out", "synth_clk_period_ns": 10.0, "board": "iCEBreaker",
 "generate_outputs": ["bitfile"]}
JSON
  for m in facile_like TFC_1W1A; do
    run build-dataflow "$(shared_model $m)" cfg.json --output-dir "$m"
    assert_success
    [ "$(stat -c %s $m/bitfile/finn-accel.bin)" = 104090 ]
    py - "$m/report/post_route_timing.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
u = r["utilization"]
assert r["fmax_mhz"] >= 12.0 and r["timing_met"], r
assert u["ICESTORM_LC"]["used"] <= 5280 and u["ICESTORM_RAM"]["used"] <= 30, u
print(sys.argv[1], r["fmax_mhz"], u["ICESTORM_LC"]["used"], u["ICESTORM_RAM"]["used"])
PY
    # the design in the bitstream (binary-search thresholds) computes the model exactly
    run onnx-exec "$m/intermediate_models/dataflow_parent.onnx" "$SHARED/$m/input.npy" \
      --partition "$m/intermediate_models/step_create_stitched_ip.onnx" --rtlsim \
      --expect "$SHARED/$m/expected_output.npy" --atol "$(shared_atol $m)" -o "$m/out.npy"
    assert_success
  done
}

@test "limits: deeply nested JSON and an empty step list" {
  make_facile "$BATS_TEST_TMPDIR/f"
  cd "$BATS_TEST_TMPDIR"
  py -c 'print("{\"output_dir\": \"o\", \"synth_clk_period_ns\": 5, \"generate_outputs\": [], \"steps\": " + "[" * 100000 + "]" * 100000 + "}")' > deep.json
  run build-dataflow f/model.onnx deep.json
  assert_failure 1
  assert_output "build-dataflow: error: deep.json: JSON nested deeper than 64 levels"
  echo '{"output_dir": "o", "synth_clk_period_ns": 5, "generate_outputs": [], "steps": []}' > empty.json
  run build-dataflow f/model.onnx empty.json
  assert_failure 1
  assert_output "build-dataflow: error: empty.json: 'steps' is empty: there is nothing to build"
  [ ! -e o ]
}
