#!/usr/bin/env bash
# The demo of `make demo`: generate the facile-like MLP, run the flow on it, show the results.
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

step "onnx-tidy: FINN's step_tidy_up"
"$bin/onnx-tidy" "$out/model/model.onnx" -o "$out/tidy.onnx"
"$bin/onnx-info" "$out/tidy.onnx" | sed -n '1,40p'

step "onnx-exec: the tidy model on input.npy, checked against expected_output.npy"
"$bin/onnx-exec" "$out/tidy.onnx" "$out/model/input.npy" --expect "$out/model/expected_output.npy" -o "$out/output.npy"
"$bin/onnx-exec" "$out/tidy.onnx" "$out/model/input.npy" --print | head -6 || true

step "the same network in the QONNX dialect, converted by onnx-tidy"
"$bin/onnx-mlp" --layers 14,31,11,3,1 --wdt INT6 --adt UINT6 --idt INT6 --format qonnx --seed 1 -o "$out/qonnx"
"$bin/onnx-tidy" "$out/qonnx/model.onnx" -o "$out/qonnx/tidy.onnx"
"$bin/onnx-exec" "$out/qonnx/tidy.onnx" "$out/qonnx/input.npy" --expect "$out/qonnx/expected_output.npy" --atol 1e-5 -o "$out/qonnx/output.npy"

printf '\nDemo outputs are in %s/\n' "$out"
