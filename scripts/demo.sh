#!/usr/bin/env bash
# The demo of `make demo`: generate the facile-like MLP, run FINN's estimate-only build on it
# with build-dataflow, then the hardware build (stitched IP, RTL simulation) and a bitstream for
# an iCE40 board, and show the results.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bin="$PWD/$build/bin"
out=${DEMO_OUT:-demo-out}
rm -rf "$out"
mkdir -p "$out"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "onnx-mlp: the facile-like 14-31-11-3-1 MLP (INT6 weights and inputs, UINT6 activations, UINT4 out)"
"$bin/onnx-mlp" --layers 14,31,11,3,1 --wdt INT6 --adt UINT6 --idt INT6 --odt UINT4 --seed 1 -o "$out/model"
ls -l "$out/model"

step "build-dataflow: FINN's estimate-only build (target 100 fps at 200 ns, as the reference notebook)"
cat > "$out/dataflow_build_config.json" <<'JSON'
{
  "output_dir": "output_estimates_only",
  "target_fps": 100,
  "synth_clk_period_ns": 200.0,
  "fpga_part": "xczu3eg-sbva484-1-e",
  "board": "Ultra96",
  "steps": ["step_tidy_up", "step_streamline", "step_convert_to_hls", "step_create_dataflow_partition",
            "step_target_fps_parallelization", "step_apply_folding_config", "step_generate_estimate_reports"],
  "generate_outputs": ["estimate_reports"]
}
JSON
"$bin/build-dataflow" "$out/model/model.onnx" "$out/dataflow_build_config.json" --output-dir "$out/output_estimates_only"
build="$out/output_estimates_only"

step "the hardware layers (the dataflow partition)"
"$bin/onnx-info" "$build/intermediate_models/step_generate_estimate_reports.onnx" | sed -n '/^nodes/,/^tensors/p' | grep -v '^tensors'

step "report/estimate_network_performance.json"
cat "$build/report/estimate_network_performance.json"; echo
step "report/estimate_layer_cycles.json"
cat "$build/report/estimate_layer_cycles.json"; echo
step "report/estimate_layer_resources.json (total)"
sed -n '/"total"/,$p' "$build/report/estimate_layer_resources.json"; echo

step "onnx-exec: the parent model (host nodes + partition) against expected_output.npy"
"$bin/onnx-exec" "$build/intermediate_models/dataflow_parent.onnx" "$out/model/input.npy" \
  --expect "$out/model/expected_output.npy" -o "$out/output.npy"

step "build-dataflow: the hardware build (target 1e6 fps at 10 ns: IP, sized FIFOs, stitched IP, rtlsim)"
cat > "$out/hw_build_config.json" <<'JSON'
{
  "output_dir": "output_hw",
  "target_fps": 1000000,
  "synth_clk_period_ns": 10.0,
  "board": "Ultra96",
  "generate_outputs": ["estimate_reports", "stitched_ip", "rtlsim_performance"]
}
JSON
"$bin/build-dataflow" "$out/model/model.onnx" "$out/hw_build_config.json" --output-dir "$out/output_hw"
hw="$out/output_hw"

step "final_hw_config.json (folding and FIFO depths) and fifo_sizing.json"
cat "$hw/final_hw_config.json"; echo
cat "$hw/fifo_sizing.json"; echo
step "stitched_ip/"
ls "$hw/stitched_ip"
step "report/rtlsim_performance.json (Verilator) against report/estimate_network_performance.json"
cat "$hw/report/rtlsim_performance.json"; echo
cat "$hw/report/estimate_network_performance.json"; echo

step "onnx-exec --rtlsim: host nodes executed, the partition simulated in the stitched design"
"$bin/onnx-exec" "$hw/intermediate_models/dataflow_parent.onnx" "$out/model/input.npy" \
  --partition "$hw/intermediate_models/step_create_stitched_ip.onnx" --rtlsim \
  --expect "$out/model/expected_output.npy" -o "$out/output_rtlsim.npy"

step "build-dataflow: a bitstream for the iCEBreaker (iCE40UP5K, UART shell; PE = SIMD = 1)"
cat > "$out/ice40_build_config.json" <<'JSON'
{
  "output_dir": "output_ice40",
  "synth_clk_period_ns": 10.0,
  "board": "iCEBreaker",
  "generate_outputs": ["bitfile", "pynq_driver", "deployment_package"]
}
JSON
"$bin/build-dataflow" "$out/model/model.onnx" "$out/ice40_build_config.json" --output-dir "$out/output_ice40"
ice="$out/output_ice40"
step "report/post_route_timing.json (Yosys, nextpnr-ice40, icepack) and the deployment package"
cat "$ice/report/post_route_timing.json"; echo
ls -l "$ice/deploy/bitfile" "$ice/deploy/driver"

printf '\nEverything is in %s/ (estimate-only build), %s/ (hardware build) and %s/ (iCE40 bitstream)\n' \
  "$build" "$hw" "$ice"
