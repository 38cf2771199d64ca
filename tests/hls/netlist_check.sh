#!/bin/bash
# Post-synthesis check of the hardware layer library (hls/): for a few parameter sets per
# module, runs the Verilator testbench on the RTL (which also writes the memory file),
# synthesizes the module with yosys (generic `synth -flatten`, memory contents baked in),
# and runs the same testbench with the same seed on the yosys netlist. Catches places
# where yosys reads the RTL differently from Verilator (signed casts, widths, $readmemh).
#
# Usage: tests/hls/netlist_check.sh [-f REGEX]
# Environment: SHOAL_HLS_BUILD = scratch directory (default /tmp/shoal-hls-build-$USER).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HLS=$(cd "$HERE/../../hls" && pwd)
BUILD=${SHOAL_HLS_BUILD:-/tmp/shoal-hls-build-${USER:-$(id -un)}}
FILTER=""
while getopts "f:h" opt; do
  case $opt in
    f) FILTER=$OPTARG ;;
    *) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
mkdir -p "$BUILD/netlist"
export TMPDIR="$BUILD/netlist"
if command -v ccache >/dev/null; then
  export OBJCACHE=ccache
  export CCACHE_DIR=${CCACHE_DIR:-$BUILD/.ccache}
fi

NOBIP="INPUT_BIPOLAR=0 WEIGHT_BIPOLAR=0 XNOR=0"
CASES=(
  "shoal_mvau MW=8 MH=6 PE=2 SIMD=2 IN_BITS=8 WEIGHT_BITS=8 ACC_BITS=20 OUT_BITS=4 INPUT_SIGNED=1 WEIGHT_SIGNED=1 $NOBIP NUM_STEPS=15 T_BITS=20 ACT_VAL=-8"
  "shoal_mvau MW=9 MH=9 PE=3 SIMD=3 IN_BITS=3 WEIGHT_BITS=2 ACC_BITS=9 OUT_BITS=3 INPUT_SIGNED=1 WEIGHT_SIGNED=0 $NOBIP NUM_STEPS=7 T_BITS=9 ACT_VAL=-4"
  "shoal_mvau MW=16 MH=4 PE=4 SIMD=4 IN_BITS=8 WEIGHT_BITS=8 ACC_BITS=9 OUT_BITS=9 INPUT_SIGNED=1 WEIGHT_SIGNED=0 $NOBIP NUM_STEPS=0 T_BITS=9 ACT_VAL=0"
  "shoal_mvau MW=8 MH=6 PE=3 SIMD=4 IN_BITS=1 WEIGHT_BITS=3 ACC_BITS=8 OUT_BITS=2 INPUT_SIGNED=0 WEIGHT_SIGNED=1 INPUT_BIPOLAR=1 WEIGHT_BIPOLAR=0 XNOR=0 NUM_STEPS=3 T_BITS=8 ACT_VAL=-2"
  "shoal_mvau MW=12 MH=6 PE=2 SIMD=6 IN_BITS=4 WEIGHT_BITS=1 ACC_BITS=9 OUT_BITS=2 INPUT_SIGNED=1 WEIGHT_SIGNED=0 INPUT_BIPOLAR=0 WEIGHT_BIPOLAR=1 XNOR=0 NUM_STEPS=3 T_BITS=9 ACT_VAL=-1"
  "shoal_mvau MW=10 MH=4 PE=4 SIMD=5 IN_BITS=1 WEIGHT_BITS=1 ACC_BITS=5 OUT_BITS=1 INPUT_SIGNED=0 WEIGHT_SIGNED=0 INPUT_BIPOLAR=1 WEIGHT_BIPOLAR=1 XNOR=0 NUM_STEPS=1 T_BITS=5 ACT_VAL=0"
  "shoal_mvau MW=32 MH=16 PE=4 SIMD=8 IN_BITS=1 WEIGHT_BITS=1 ACC_BITS=7 OUT_BITS=2 INPUT_SIGNED=0 WEIGHT_SIGNED=0 INPUT_BIPOLAR=0 WEIGHT_BIPOLAR=0 XNOR=1 NUM_STEPS=3 T_BITS=7 ACT_VAL=0"
  "shoal_mvau MW=32 MH=16 PE=4 SIMD=8 IN_BITS=1 WEIGHT_BITS=1 ACC_BITS=7 OUT_BITS=2 INPUT_SIGNED=0 WEIGHT_SIGNED=0 INPUT_BIPOLAR=0 WEIGHT_BIPOLAR=0 XNOR=1 NUM_STEPS=3 T_BITS=7 ACT_VAL=0 REGISTER_SUM=0"
  "shoal_mvau MW=12 MH=6 PE=2 SIMD=6 IN_BITS=4 WEIGHT_BITS=1 ACC_BITS=9 OUT_BITS=2 INPUT_SIGNED=1 WEIGHT_SIGNED=0 INPUT_BIPOLAR=0 WEIGHT_BIPOLAR=1 XNOR=0 NUM_STEPS=3 T_BITS=9 ACT_VAL=-1 REGISTER_SUM=0"
  "shoal_thresholding NUM_CHANNELS=16 PE=4 NUM_STEPS=15 IN_BITS=6 INPUT_SIGNED=1 T_BITS=8 T_SIGNED=1 OUT_BITS=4 ACT_VAL=-8"
  "shoal_thresholding NUM_CHANNELS=6 PE=3 NUM_STEPS=3 IN_BITS=8 INPUT_SIGNED=1 T_BITS=8 T_SIGNED=0 OUT_BITS=2 ACT_VAL=0"
  "shoal_mvau MW=4 MH=8 PE=2 SIMD=4 IN_BITS=3 WEIGHT_BITS=2 ACC_BITS=10 OUT_BITS=3 INPUT_SIGNED=1 WEIGHT_SIGNED=1 $NOBIP NUM_STEPS=4 T_BITS=10 ACT_VAL=-4 THRESH_SEARCH=1"
  "shoal_thresholding NUM_CHANNELS=16 PE=4 NUM_STEPS=15 IN_BITS=6 INPUT_SIGNED=1 T_BITS=8 T_SIGNED=1 OUT_BITS=4 ACT_VAL=-8 THRESH_SEARCH=1"
  "shoal_label_select LABELS=12 PE=3 K=4 IN_BITS=4 INPUT_SIGNED=1 OUT_BITS=4"
  "shoal_fifo DEPTH=7 WIDTH=13"
  "shoal_fifo DEPTH=100 WIDTH=33"
  "shoal_dwc IN_WIDTH=48 OUT_WIDTH=12"
  "shoal_dwc IN_WIDTH=3 OUT_WIDTH=12"
  "shoal_memstream DEPTH=37 WIDTH=70"
  "shoal_fmpadding IMG_H=3 IMG_W=7 NUM_CHANNELS=8 SIMD=4 IN_BITS=3 PAD_TOP=3 PAD_LEFT=1 PAD_BOTTOM=2 PAD_RIGHT=2"
  "shoal_maxpool IMG_DIM=6 POOL_DIM=3 NUM_CHANNELS=2 IN_BITS=4 INPUT_SIGNED=1"
  "shoal_maxpool IMG_DIM=8 POOL_DIM=2 NUM_CHANNELS=16 IN_BITS=1 INPUT_SIGNED=0"
  "shoal_swg IFM_DIM=5 IFM_CHANNELS=4 SIMD=2 KERNEL=3 STRIDE=1 IN_BITS=4"
  "shoal_swg IFM_DIM=10 IFM_CHANNELS=4 SIMD=2 KERNEL=3 STRIDE=2 IN_BITS=4"
  "shoal_downsampler IMG_DIM=7 NUM_CHANNELS=6 SIMD=3 STRIDE=3 IN_BITS=8"
)

# Modules the module instantiates.
deps_of() {
  case $1 in
    shoal_fmpadding | shoal_maxpool | shoal_swg | shoal_downsampler) echo "$HLS/shoal_outbuf2.sv" ;;
    *) echo "" ;;
  esac
}

passed=0
failed=0
for c in "${CASES[@]}"; do
  if [ -n "$FILTER" ] && ! [[ $c =~ $FILTER ]]; then continue; fi
  m=${c%% *}
  tb=tb_${m#shoal_}
  dir="$BUILD/netlist/$m.$(echo "$c" | md5sum | cut -c1-12)"
  mkdir -p "$dir"
  gargs=()
  chparams=""
  targs=()
  for kv in ${c#* }; do
    v=${kv#*=}
    gargs+=("-G$kv")
    targs+=("$kv")
    # yosys chparam does not parse "-8": give negative values as sized signed hex.
    if [ "${v:0:1}" = "-" ]; then v=$(printf "32'sh%08x" $(( v & 0xffffffff ))); fi
    chparams+=" -set ${kv%%=*} $v"
  done
  case $m in
    shoal_mvau | shoal_thresholding) fp=THRESH_FILE fa=thresh_file ;;
    shoal_memstream) fp=INIT_FILE fa=init_file ;;
    *) fp="" fa="" ;;
  esac
  if [ -n "$fp" ]; then
    gargs+=("-G$fp=\"$dir/mem.dat\"")
    chparams+=" -set $fp \"$dir/mem.dat\""
    targs+=("$fa=$dir/mem.dat")
  fi
  vflags=(--cc --exe --build -j 1 -O3 -MAKEFLAGS "OPT_FAST=-O3" --top-module "$m" --prefix Vdut
          -CFLAGS "-std=c++17 -I$HERE")
  status=ok
  deps=$(deps_of "$m")
  # shellcheck disable=SC2086
  if ! verilator "${vflags[@]}" -Wall -Mdir "$dir/rtl" "${gargs[@]}" "$HLS/$m.sv" $deps \
        "$HERE/$tb.cpp" "$HERE/golden.cpp" -o sim > "$dir/rtl.log" 2>&1; then
    status="RTL build failed ($dir/rtl.log)"
  elif ! rtl_out=$(cd "$dir" && ./rtl/sim "${targs[@]}" 2>&1); then
    status="RTL testbench failed: ${rtl_out##*$'\n'}"
  elif ! yosys -q -l "$dir/yosys.log" -p "read_verilog -sv $deps $HLS/$m.sv; chparam$chparams $m; \
        synth -flatten -top $m; rename -top $m; write_verilog -noattr $dir/net.v" > /dev/null 2>&1; then
    status="yosys failed ($dir/yosys.log)"
  elif ! verilator "${vflags[@]}" -Wno-fatal -Wno-lint -Wno-style -Mdir "$dir/net" "$dir/net.v" \
        "$HERE/$tb.cpp" "$HERE/golden.cpp" -o sim > "$dir/net.log" 2>&1; then
    status="netlist build failed ($dir/net.log)"
  elif ! net_out=$(cd "$dir" && ./net/sim "${targs[@]}" 2>&1); then
    status="netlist testbench failed: ${net_out##*$'\n'}"
  fi
  if [ "$status" = ok ]; then
    echo "PASS $c: RTL and yosys netlist agree with the golden model"
    passed=$((passed + 1))
  else
    echo "FAIL $c: $status"
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
