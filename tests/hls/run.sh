#!/bin/bash
# Tests of the hardware layer library (hls/): lint, iverilog elaboration and a Verilator
# testbench per module over a sweep of parameter sets.
#
# Usage: tests/hls/run.sh [-j JOBS] [-s SEED] [-f REGEX] [-l]
#   -j JOBS   testbench builds/runs in parallel (default 2; each build uses make -j1)
#   -s SEED   random seed passed to every testbench (default 1)
#   -f REGEX  only run cases whose "module PARAMS" line matches REGEX (lint/iverilog too)
#   -l        list the cases and exit
# Environment: SHOAL_HLS_BUILD = build directory (default /tmp/shoal-hls-build-$USER);
# builds are reused across runs when the module, testbench and parameters are unchanged.
# Prints one line per case and a final "N passed, N failed"; exits 1 if anything failed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HLS=$(cd "$HERE/../../hls" && pwd)
BUILD=${SHOAL_HLS_BUILD:-/tmp/shoal-hls-build-${USER:-$(id -un)}}
JOBS=2
SEED=1
FILTER=""
LIST=0
while getopts "j:s:f:lh" opt; do
  case $opt in
    j) JOBS=$OPTARG ;;
    s) SEED=$OPTARG ;;
    f) FILTER=$OPTARG ;;
    l) LIST=1 ;;
    *) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done

for tool in verilator iverilog g++; do
  command -v "$tool" >/dev/null || { echo "run.sh: error: $tool not found" >&2; exit 1; }
done
mkdir -p "$BUILD"
export TMPDIR="$BUILD"
if command -v ccache >/dev/null; then
  export OBJCACHE=ccache
  export CCACHE_DIR=${CCACHE_DIR:-$BUILD/.ccache}
fi

# ---------------------------------------------------------------------------------------
# Parameter sets. A case is "module KEY=VALUE ..."; every testbench gets all parameters
# of its module, so the helpers below fill in defaults.
CASES=()

mvau() {
  declare -A p=([MW]=6 [MH]=4 [PE]=2 [SIMD]=3 [IN_BITS]=4 [WEIGHT_BITS]=4 [ACC_BITS]=12
    [OUT_BITS]=2 [INPUT_SIGNED]=0 [WEIGHT_SIGNED]=1 [INPUT_BIPOLAR]=0 [WEIGHT_BIPOLAR]=0
    [XNOR]=0 [NUM_STEPS]=3 [T_BITS]=0 [ACT_VAL]=0 [REGISTER_SUM]=1 [THRESH_SEARCH]=0)
  local kv
  for kv in "$@"; do p[${kv%%=*}]=${kv#*=}; done
  [ "${p[T_BITS]}" = 0 ] && p[T_BITS]=${p[ACC_BITS]}
  [ "${p[NUM_STEPS]}" = 0 ] && p[OUT_BITS]=${p[ACC_BITS]}
  local s="shoal_mvau"
  for kv in MW MH PE SIMD IN_BITS WEIGHT_BITS ACC_BITS OUT_BITS INPUT_SIGNED WEIGHT_SIGNED \
            INPUT_BIPOLAR WEIGHT_BIPOLAR XNOR NUM_STEPS T_BITS ACT_VAL REGISTER_SUM; do
    s+=" $kv=${p[$kv]}"
  done
  # Only the search form names THRESH_SEARCH (keeps the parallel cases' build keys).
  [ "${p[THRESH_SEARCH]}" != 0 ] && s+=" THRESH_SEARCH=${p[THRESH_SEARCH]}"
  # Each case twice: the structural datapath (what synthesis sees) and the loop form that
  # rtlsim builds (FAST_SIM=1 defines SHOAL_FAST_SIM instead of setting a parameter).
  CASES+=("$s" "$s FAST_SIM=1")
}
thr() {
  declare -A p=([NUM_CHANNELS]=6 [PE]=2 [NUM_STEPS]=3 [IN_BITS]=8 [INPUT_SIGNED]=0 [T_BITS]=9
    [T_SIGNED]=1 [OUT_BITS]=2 [ACT_VAL]=0 [THRESH_SEARCH]=0)
  local kv
  for kv in "$@"; do p[${kv%%=*}]=${kv#*=}; done
  local s="shoal_thresholding"
  for kv in NUM_CHANNELS PE NUM_STEPS IN_BITS INPUT_SIGNED T_BITS T_SIGNED OUT_BITS ACT_VAL; do
    s+=" $kv=${p[$kv]}"
  done
  # The parallel form twice, as for the MVAU: what synthesis sees and rtlsim's loop form.
  if [ "${p[THRESH_SEARCH]}" != 0 ]; then
    CASES+=("$s THRESH_SEARCH=${p[THRESH_SEARCH]}")
  else
    CASES+=("$s" "$s FAST_SIM=1")
  fi
}

fmp() {
  declare -A p=([IMG_H]=5 [IMG_W]=5 [NUM_CHANNELS]=4 [SIMD]=2 [IN_BITS]=4 [PAD_TOP]=1
    [PAD_LEFT]=1 [PAD_BOTTOM]=1 [PAD_RIGHT]=1)
  local kv
  for kv in "$@"; do p[${kv%%=*}]=${kv#*=}; done
  local s="shoal_fmpadding"
  for kv in IMG_H IMG_W NUM_CHANNELS SIMD IN_BITS PAD_TOP PAD_LEFT PAD_BOTTOM PAD_RIGHT; do
    s+=" $kv=${p[$kv]}"
  done
  CASES+=("$s")
}
maxpool() {
  declare -A p=([IMG_DIM]=4 [POOL_DIM]=2 [NUM_CHANNELS]=3 [IN_BITS]=4 [INPUT_SIGNED]=1)
  local kv
  for kv in "$@"; do p[${kv%%=*}]=${kv#*=}; done
  local s="shoal_maxpool"
  for kv in IMG_DIM POOL_DIM NUM_CHANNELS IN_BITS INPUT_SIGNED; do
    s+=" $kv=${p[$kv]}"
  done
  CASES+=("$s")
}
swg() {
  declare -A p=([IFM_DIM]=5 [IFM_CHANNELS]=4 [SIMD]=2 [KERNEL]=3 [STRIDE]=1 [IN_BITS]=4)
  local kv
  for kv in "$@"; do p[${kv%%=*}]=${kv#*=}; done
  local s="shoal_swg"
  for kv in IFM_DIM IFM_CHANNELS SIMD KERNEL STRIDE IN_BITS; do
    s+=" $kv=${p[$kv]}"
  done
  CASES+=("$s")
}
downsampler() {
  declare -A p=([IMG_DIM]=6 [NUM_CHANNELS]=4 [SIMD]=2 [STRIDE]=2 [IN_BITS]=4)
  local kv
  for kv in "$@"; do p[${kv%%=*}]=${kv#*=}; done
  local s="shoal_downsampler"
  for kv in IMG_DIM NUM_CHANNELS SIMD STRIDE IN_BITS; do
    s+=" $kv=${p[$kv]}"
  done
  CASES+=("$s")
}

# MVAU: folding edge cases (SF=1, NF=1, PE/SIMD 1..full), operand modes, activation forms.
mvau                                                           # hardware.md §1.2 example
mvau MW=4 MH=3 PE=1 SIMD=1 IN_BITS=2 WEIGHT_BITS=2 ACC_BITS=6 NUM_STEPS=1 OUT_BITS=1
mvau MW=8 MH=6 PE=2 SIMD=2 IN_BITS=8 INPUT_SIGNED=1 WEIGHT_BITS=8 ACC_BITS=20 NUM_STEPS=15 OUT_BITS=4 ACT_VAL=-8
mvau MW=9 MH=9 PE=3 SIMD=3 IN_BITS=3 INPUT_SIGNED=1 WEIGHT_BITS=2 WEIGHT_SIGNED=0 ACC_BITS=9 NUM_STEPS=7 OUT_BITS=3 ACT_VAL=-4
mvau MW=16 MH=8 PE=4 SIMD=4 IN_BITS=2 WEIGHT_BITS=2 ACC_BITS=10 NUM_STEPS=0
mvau MW=8 MH=4 PE=4 SIMD=8 IN_BITS=4 INPUT_SIGNED=1 WEIGHT_BITS=4 ACC_BITS=12   # SF=1 NF=1
mvau MW=4 MH=8 PE=2 SIMD=4 IN_BITS=3 INPUT_SIGNED=1 WEIGHT_BITS=2 ACC_BITS=10 NUM_STEPS=7 OUT_BITS=3 ACT_VAL=-4  # SF=1
mvau MW=12 MH=3 PE=3 SIMD=2 IN_BITS=8 WEIGHT_BITS=8 WEIGHT_SIGNED=0 ACC_BITS=24 NUM_STEPS=0  # NF=1
mvau MW=1 MH=1 PE=1 SIMD=1 IN_BITS=2 INPUT_SIGNED=1 WEIGHT_BITS=2 ACC_BITS=4 ACT_VAL=-2
mvau MW=35 MH=10 PE=5 SIMD=7 IN_BITS=4 WEIGHT_BITS=3 ACC_BITS=13 NUM_STEPS=3 OUT_BITS=2
mvau MW=64 MH=32 PE=8 SIMD=16 IN_BITS=4 WEIGHT_BITS=4 ACC_BITS=15 NUM_STEPS=15 OUT_BITS=4
mvau MW=27 MH=16 PE=4 SIMD=9 IN_BITS=3 WEIGHT_BITS=2 ACC_BITS=8 NUM_STEPS=0   # §1.1 row 2
# XNOR (binaryXnorMode): popcount, with 1 threshold, multi-bit output, no activation.
mvau MW=6 MH=4 PE=2 SIMD=3 XNOR=1 IN_BITS=1 WEIGHT_BITS=1 WEIGHT_SIGNED=0 ACC_BITS=4 NUM_STEPS=1 OUT_BITS=1
mvau MW=32 MH=16 PE=4 SIMD=8 XNOR=1 IN_BITS=1 WEIGHT_BITS=1 WEIGHT_SIGNED=0 ACC_BITS=7 NUM_STEPS=3 OUT_BITS=2
mvau MW=16 MH=8 PE=8 SIMD=16 XNOR=1 IN_BITS=1 WEIGHT_BITS=1 WEIGHT_SIGNED=0 ACC_BITS=6 NUM_STEPS=0
mvau MW=144 MH=4 PE=2 SIMD=72 XNOR=1 IN_BITS=1 WEIGHT_BITS=1 WEIGHT_SIGNED=0 ACC_BITS=8 NUM_STEPS=1 OUT_BITS=1  # popcount over 3 words
# Bipolar operands without XNOR.
mvau MW=8 MH=6 PE=3 SIMD=4 INPUT_BIPOLAR=1 IN_BITS=1 WEIGHT_BITS=3 ACC_BITS=8 NUM_STEPS=3 OUT_BITS=2 ACT_VAL=-2
mvau MW=8 MH=4 PE=2 SIMD=2 INPUT_BIPOLAR=1 IN_BITS=1 WEIGHT_BITS=4 WEIGHT_SIGNED=0 ACC_BITS=9 NUM_STEPS=0
mvau MW=9 MH=4 PE=1 SIMD=3 WEIGHT_BIPOLAR=1 WEIGHT_BITS=1 WEIGHT_SIGNED=0 IN_BITS=5 ACC_BITS=10 NUM_STEPS=0
mvau MW=12 MH=6 PE=2 SIMD=6 WEIGHT_BIPOLAR=1 WEIGHT_BITS=1 WEIGHT_SIGNED=0 IN_BITS=4 INPUT_SIGNED=1 ACC_BITS=9 NUM_STEPS=3 OUT_BITS=2 ACT_VAL=-1
mvau MW=10 MH=4 PE=4 SIMD=5 INPUT_BIPOLAR=1 WEIGHT_BIPOLAR=1 IN_BITS=1 WEIGHT_BITS=1 WEIGHT_SIGNED=0 ACC_BITS=5 NUM_STEPS=1 OUT_BITS=1
# Integer widths 1..8, signed and unsigned mixes.
mvau MW=8 MH=4 PE=2 SIMD=4 IN_BITS=2 INPUT_SIGNED=1 WEIGHT_BITS=8 ACC_BITS=14 NUM_STEPS=0
mvau MW=8 MH=4 PE=2 SIMD=4 IN_BITS=8 WEIGHT_BITS=2 ACC_BITS=14 NUM_STEPS=7 OUT_BITS=3
mvau MW=8 MH=4 PE=4 SIMD=2 IN_BITS=1 WEIGHT_BITS=4 ACC_BITS=8 NUM_STEPS=3 OUT_BITS=2       # BINARY input as UINT1
mvau MW=6 MH=6 PE=3 SIMD=3 IN_BITS=8 INPUT_SIGNED=1 WEIGHT_BITS=1 WEIGHT_SIGNED=0 ACC_BITS=12 NUM_STEPS=0
mvau MW=6 MH=4 PE=2 SIMD=3 IN_BITS=5 WEIGHT_BITS=7 WEIGHT_SIGNED=0 ACC_BITS=16 NUM_STEPS=1 OUT_BITS=1
mvau MW=4 MH=2 PE=1 SIMD=2 IN_BITS=6 INPUT_SIGNED=1 WEIGHT_BITS=6 ACC_BITS=14 NUM_STEPS=255 OUT_BITS=8 ACT_VAL=-128
# Accumulator wrap-around and threshold widths different from the accumulator.
mvau MW=16 MH=4 PE=4 SIMD=4 IN_BITS=8 INPUT_SIGNED=1 WEIGHT_BITS=8 WEIGHT_SIGNED=0 ACC_BITS=9 NUM_STEPS=0
mvau MW=6 MH=4 PE=2 SIMD=3 ACC_BITS=10 T_BITS=16 NUM_STEPS=3 OUT_BITS=2
mvau MW=6 MH=4 PE=2 SIMD=3 ACC_BITS=16 T_BITS=9 NUM_STEPS=3 OUT_BITS=3 ACT_VAL=-1
# One-stage datapath (REGISTER_SUM=0, latency 1): multiplier-free modes and a multiplier.
mvau MW=32 MH=16 PE=4 SIMD=8 XNOR=1 IN_BITS=1 WEIGHT_BITS=1 WEIGHT_SIGNED=0 ACC_BITS=7 NUM_STEPS=3 OUT_BITS=2 REGISTER_SUM=0
mvau MW=16 MH=8 PE=8 SIMD=16 XNOR=1 IN_BITS=1 WEIGHT_BITS=1 WEIGHT_SIGNED=0 ACC_BITS=6 NUM_STEPS=0 REGISTER_SUM=0
mvau MW=64 MH=64 PE=1 SIMD=64 XNOR=1 IN_BITS=1 WEIGHT_BITS=1 WEIGHT_SIGNED=0 ACC_BITS=7 NUM_STEPS=1 OUT_BITS=1 REGISTER_SUM=0
mvau MW=12 MH=6 PE=2 SIMD=6 WEIGHT_BIPOLAR=1 WEIGHT_BITS=1 WEIGHT_SIGNED=0 IN_BITS=4 INPUT_SIGNED=1 ACC_BITS=9 NUM_STEPS=3 OUT_BITS=2 ACT_VAL=-1 REGISTER_SUM=0
mvau MW=8 MH=6 PE=3 SIMD=4 INPUT_BIPOLAR=1 IN_BITS=1 WEIGHT_BITS=3 ACC_BITS=8 NUM_STEPS=3 OUT_BITS=2 ACT_VAL=-2 REGISTER_SUM=0
mvau MW=4 MH=8 PE=2 SIMD=4 IN_BITS=3 INPUT_SIGNED=1 WEIGHT_BITS=2 ACC_BITS=10 NUM_STEPS=7 OUT_BITS=3 ACT_VAL=-4 REGISTER_SUM=0  # SF=1
mvau MW=1 MH=1 PE=1 SIMD=1 IN_BITS=2 INPUT_SIGNED=1 WEIGHT_BITS=2 ACC_BITS=4 ACT_VAL=-2 REGISTER_SUM=0
# Threshold search form (THRESH_SEARCH=1, ascending thresholds): 1, 3, 4, 15, 63, 255
# thresholds (padded and unpadded trees), PE 1..8, SF 1 and > 1, NF 1 and not a power of
# two, signed/unsigned, XNOR and bipolar, one-stage datapath, no activation.
mvau THRESH_SEARCH=1
mvau MW=4 MH=3 PE=1 SIMD=1 IN_BITS=2 WEIGHT_BITS=2 ACC_BITS=6 NUM_STEPS=1 OUT_BITS=1 THRESH_SEARCH=1
mvau MW=8 MH=6 PE=2 SIMD=2 IN_BITS=8 INPUT_SIGNED=1 WEIGHT_BITS=8 ACC_BITS=20 NUM_STEPS=15 OUT_BITS=4 ACT_VAL=-8 THRESH_SEARCH=1
mvau MW=4 MH=8 PE=2 SIMD=4 IN_BITS=3 INPUT_SIGNED=1 WEIGHT_BITS=2 ACC_BITS=10 NUM_STEPS=4 OUT_BITS=3 ACT_VAL=-4 THRESH_SEARCH=1  # SF=1
mvau MW=14 MH=31 PE=1 SIMD=1 IN_BITS=6 WEIGHT_BITS=8 ACC_BITS=14 NUM_STEPS=63 OUT_BITS=6 THRESH_SEARCH=1  # facile_like layer 1
mvau MW=8 MH=8 PE=4 SIMD=8 IN_BITS=4 WEIGHT_BITS=4 ACC_BITS=12 NUM_STEPS=63 OUT_BITS=6 THRESH_SEARCH=1  # SF=1 NF=2
mvau MW=4 MH=2 PE=1 SIMD=2 IN_BITS=6 INPUT_SIGNED=1 WEIGHT_BITS=6 ACC_BITS=14 NUM_STEPS=255 OUT_BITS=8 ACT_VAL=-128 THRESH_SEARCH=1
mvau MW=6 MH=4 PE=2 SIMD=3 ACC_BITS=16 T_BITS=9 NUM_STEPS=3 OUT_BITS=3 ACT_VAL=-1 THRESH_SEARCH=1
mvau MW=32 MH=16 PE=4 SIMD=8 XNOR=1 IN_BITS=1 WEIGHT_BITS=1 WEIGHT_SIGNED=0 ACC_BITS=7 NUM_STEPS=3 OUT_BITS=2 THRESH_SEARCH=1
mvau MW=64 MH=64 PE=1 SIMD=64 XNOR=1 IN_BITS=1 WEIGHT_BITS=1 WEIGHT_SIGNED=0 ACC_BITS=7 NUM_STEPS=1 OUT_BITS=1 REGISTER_SUM=0 THRESH_SEARCH=1  # SF=1
mvau MW=10 MH=4 PE=4 SIMD=5 INPUT_BIPOLAR=1 WEIGHT_BIPOLAR=1 IN_BITS=1 WEIGHT_BITS=1 WEIGHT_SIGNED=0 ACC_BITS=5 NUM_STEPS=1 OUT_BITS=1 THRESH_SEARCH=1
mvau MW=12 MH=6 PE=2 SIMD=6 WEIGHT_BIPOLAR=1 WEIGHT_BITS=1 WEIGHT_SIGNED=0 IN_BITS=4 INPUT_SIGNED=1 ACC_BITS=9 NUM_STEPS=3 OUT_BITS=2 ACT_VAL=-1 REGISTER_SUM=0 THRESH_SEARCH=1  # SF=1
mvau MW=16 MH=8 PE=4 SIMD=4 IN_BITS=2 WEIGHT_BITS=2 ACC_BITS=10 NUM_STEPS=0 THRESH_SEARCH=1  # no thresholds: unchanged
mvau MW=8 MH=4 PE=4 SIMD=8 IN_BITS=4 INPUT_SIGNED=1 WEIGHT_BITS=4 ACC_BITS=12 NUM_STEPS=15 OUT_BITS=4 THRESH_SEARCH=1  # SF=1 NF=1

# Thresholding.
thr                                                            # hardware.md §1.4 example
thr NUM_CHANNELS=5 PE=1 NUM_STEPS=1 T_BITS=8 T_SIGNED=0 OUT_BITS=1
thr NUM_CHANNELS=8 PE=8 NUM_STEPS=3 IN_BITS=4 INPUT_SIGNED=1 T_BITS=4 OUT_BITS=2 ACT_VAL=-2
thr NUM_CHANNELS=16 PE=4 NUM_STEPS=15 IN_BITS=6 INPUT_SIGNED=1 T_BITS=8 OUT_BITS=4 ACT_VAL=-8
thr NUM_CHANNELS=12 PE=3 NUM_STEPS=7 IN_BITS=16 INPUT_SIGNED=1 T_BITS=16 OUT_BITS=3
thr NUM_CHANNELS=6 PE=3 NUM_STEPS=3 IN_BITS=8 INPUT_SIGNED=1 T_BITS=8 T_SIGNED=0 OUT_BITS=2
thr NUM_CHANNELS=4 PE=2 NUM_STEPS=255 IN_BITS=10 INPUT_SIGNED=0 T_BITS=10 T_SIGNED=0 OUT_BITS=8
thr NUM_CHANNELS=2 PE=2 NUM_STEPS=2 IN_BITS=1 INPUT_SIGNED=0 T_BITS=2 OUT_BITS=2 ACT_VAL=1
# Thresholding, search form.
thr THRESH_SEARCH=1
thr NUM_CHANNELS=5 PE=1 NUM_STEPS=1 T_BITS=8 T_SIGNED=0 OUT_BITS=1 THRESH_SEARCH=1
thr NUM_CHANNELS=8 PE=8 NUM_STEPS=4 IN_BITS=4 INPUT_SIGNED=1 T_BITS=4 OUT_BITS=3 ACT_VAL=-2 THRESH_SEARCH=1
thr NUM_CHANNELS=16 PE=4 NUM_STEPS=15 IN_BITS=6 INPUT_SIGNED=1 T_BITS=8 OUT_BITS=4 ACT_VAL=-8 THRESH_SEARCH=1
thr NUM_CHANNELS=6 PE=3 NUM_STEPS=63 IN_BITS=8 INPUT_SIGNED=1 T_BITS=8 T_SIGNED=0 OUT_BITS=6 THRESH_SEARCH=1
thr NUM_CHANNELS=4 PE=2 NUM_STEPS=255 IN_BITS=10 INPUT_SIGNED=0 T_BITS=10 T_SIGNED=0 OUT_BITS=8 THRESH_SEARCH=1
thr NUM_CHANNELS=2 PE=2 NUM_STEPS=2 IN_BITS=1 INPUT_SIGNED=0 T_BITS=2 OUT_BITS=2 ACT_VAL=1 THRESH_SEARCH=1

# LabelSelect (K <= LABELS/PE and K > LABELS/PE).
CASES+=("shoal_label_select LABELS=10 PE=1 K=1 IN_BITS=8 INPUT_SIGNED=0 OUT_BITS=8")
CASES+=("shoal_label_select LABELS=10 PE=5 K=3 IN_BITS=16 INPUT_SIGNED=1 OUT_BITS=8")
CASES+=("shoal_label_select LABELS=12 PE=3 K=4 IN_BITS=4 INPUT_SIGNED=1 OUT_BITS=4")
CASES+=("shoal_label_select LABELS=7 PE=7 K=1 IN_BITS=3 INPUT_SIGNED=0 OUT_BITS=3")
CASES+=("shoal_label_select LABELS=8 PE=1 K=8 IN_BITS=2 INPUT_SIGNED=0 OUT_BITS=3")
CASES+=("shoal_label_select LABELS=20 PE=2 K=5 IN_BITS=1 INPUT_SIGNED=0 OUT_BITS=5")
CASES+=("shoal_label_select LABELS=1000 PE=10 K=5 IN_BITS=32 INPUT_SIGNED=1 OUT_BITS=16")

# FIFO: shift-register and memory implementations, capacity edges.
for dw in "2 8" "3 1" "7 13" "32 70" "33 8" "100 33" "1024 64"; do
  set -- $dw
  CASES+=("shoal_fifo DEPTH=$1 WIDTH=$2")
  # The shift-register form has a ring form for rtlsim (SHOAL_FAST_SIM): both, cycle for cycle.
  [ "$1" -le 32 ] && CASES+=("shoal_fifo DEPTH=$1 WIDTH=$2 FAST_SIM=1")
done

# DWC: down, up, equal.
for io in "16 8" "48 12" "392 8" "70 7" "8 8" "3 12" "1 2" "8 64" "12 48"; do
  set -- $io
  CASES+=("shoal_dwc IN_WIDTH=$1 OUT_WIDTH=$2")
done

# memstream.
for dw in "1 8" "2 1" "37 70" "1024 72" "5 300"; do
  set -- $dw
  CASES+=("shoal_memstream DEPTH=$1 WIDTH=$2")
done

# FMPadding: symmetric pads with SIMD < C, asymmetric pads on a non-square image (SIMD 1,
# a zero pad on each axis), 1-bit data with SIMD = C, wide asymmetric pads.
fmp
fmp IMG_H=6 IMG_W=4 NUM_CHANNELS=3 SIMD=1 IN_BITS=8 PAD_TOP=0 PAD_LEFT=2 PAD_BOTTOM=1 PAD_RIGHT=0
fmp IMG_H=4 IMG_W=4 NUM_CHANNELS=6 SIMD=6 IN_BITS=1 PAD_TOP=2 PAD_LEFT=0 PAD_BOTTOM=0 PAD_RIGHT=1
fmp IMG_H=3 IMG_W=7 NUM_CHANNELS=8 SIMD=4 IN_BITS=3 PAD_TOP=3 PAD_LEFT=1 PAD_BOTTOM=2 PAD_RIGHT=2

# StreamingMaxPool: k = 2 and 3, signed 4-bit, 1-bit (BINARY and BIPOLAR: OR), unsigned
# 8-bit, a single output column (D = k).
maxpool
maxpool IMG_DIM=6 POOL_DIM=3 NUM_CHANNELS=2 IN_BITS=4 INPUT_SIGNED=1
maxpool IMG_DIM=8 POOL_DIM=2 NUM_CHANNELS=16 IN_BITS=1 INPUT_SIGNED=0
maxpool IMG_DIM=9 POOL_DIM=3 NUM_CHANNELS=5 IN_BITS=8 INPUT_SIGNED=0
maxpool IMG_DIM=3 POOL_DIM=3 NUM_CHANNELS=4 IN_BITS=2 INPUT_SIGNED=1

# ConvolutionInputGenerator: k = s, k > s, s > k, k = 1, a single output pixel (k = D),
# images whose last rows/columns no window reaches (D - k not a multiple of s), SIMD = C
# and 1, 1- and 8-bit data, and cnv_w1a1's first two SWGs (the second: FINN estimate 57168).
swg
swg KERNEL=1 STRIDE=1
swg IFM_DIM=6 KERNEL=2 STRIDE=2
swg IFM_DIM=10 KERNEL=3 STRIDE=2                                # OH=4, row/column 9 unused
swg IFM_DIM=8 KERNEL=3 STRIDE=3                                 # OH=2, rows/columns 6, 7 unused
swg IFM_DIM=9 KERNEL=5 STRIDE=1
swg IFM_DIM=7 KERNEL=7 STRIDE=1                                 # OH=1
swg IFM_DIM=7 KERNEL=1 STRIDE=2                                 # s > k: odd rows skipped
swg IFM_DIM=8 KERNEL=2 STRIDE=3                                 # s > k: rows 2, 5 skipped
swg IFM_CHANNELS=6 SIMD=6 STRIDE=2
swg IFM_CHANNELS=3 SIMD=1 IN_BITS=8
swg IFM_DIM=6 IFM_CHANNELS=8 SIMD=4 IN_BITS=1
swg IFM_DIM=32 IFM_CHANNELS=3 SIMD=3 KERNEL=3 STRIDE=1 IN_BITS=8    # cnv_w1a1 SWG 0
swg IFM_DIM=30 IFM_CHANNELS=64 SIMD=8 KERNEL=3 STRIDE=1 IN_BITS=1   # cnv_w1a1 SWG 1

# DownSampler: s = 2 (D even), s = 3 with D not a multiple of s, SIMD = C, SIMD = 1, 1 bit.
downsampler
downsampler IMG_DIM=7 NUM_CHANNELS=6 SIMD=3 STRIDE=3 IN_BITS=8
downsampler IMG_DIM=5 NUM_CHANNELS=8 SIMD=8 STRIDE=2 IN_BITS=1
downsampler IMG_DIM=9 NUM_CHANNELS=3 SIMD=1 STRIDE=4 IN_BITS=3

if [ -n "$FILTER" ]; then
  SELECTED=()
  for c in "${CASES[@]}"; do
    if [[ $c =~ $FILTER ]]; then SELECTED+=("$c"); fi
  done
  CASES=("${SELECTED[@]+"${SELECTED[@]}"}")
fi
if [ "$LIST" = 1 ]; then
  printf '%s\n' "${CASES[@]+"${CASES[@]}"}"
  exit 0
fi

MODULES=(shoal_memstream shoal_fifo shoal_dwc shoal_thresholding shoal_mvau shoal_label_select
  shoal_fmpadding shoal_maxpool shoal_swg shoal_downsampler)
# Library files a module instantiates (passed along to lint, iverilog and Verilator).
deps_of() {
  case $1 in
    shoal_fmpadding | shoal_maxpool | shoal_swg | shoal_downsampler) echo "$HLS/shoal_outbuf2.sv" ;;
    *) echo "" ;;
  esac
}
# Extra non-default parameterizations for lint and iverilog (besides the defaults and
# every swept case, which the testbench builds lint with -Wall too).
declare -A LINT_SETS=(
  [shoal_memstream]="DEPTH=1,WIDTH=1;DEPTH=4096,WIDTH=18"
  [shoal_fifo]="DEPTH=32,WIDTH=1;DEPTH=33,WIDTH=17;DEPTH=2048,WIDTH=64;DEPTH=5,SRL_MAX_DEPTH=2"
  [shoal_dwc]="IN_WIDTH=8,OUT_WIDTH=8;IN_WIDTH=3,OUT_WIDTH=12;IN_WIDTH=392,OUT_WIDTH=8"
  [shoal_thresholding]="NUM_CHANNELS=64,PE=4,NUM_STEPS=15,IN_BITS=16,INPUT_SIGNED=1,T_BITS=16,OUT_BITS=4,ACT_VAL=-8;NUM_CHANNELS=6,PE=6,NUM_STEPS=1,IN_BITS=1,T_BITS=1,T_SIGNED=0,OUT_BITS=1;THRESH_SEARCH=1;NUM_CHANNELS=64,PE=4,NUM_STEPS=63,IN_BITS=16,INPUT_SIGNED=1,T_BITS=16,OUT_BITS=6,THRESH_SEARCH=1"
  [shoal_mvau]="NUM_STEPS=0,OUT_BITS=16;XNOR=1,IN_BITS=1,WEIGHT_BITS=1,WEIGHT_SIGNED=0,MW=6,SIMD=3;INPUT_BIPOLAR=1,WEIGHT_BIPOLAR=1,IN_BITS=1,WEIGHT_BITS=1,MW=1,SIMD=1,MH=1,PE=1;MW=64,SIMD=16,MH=64,PE=16,IN_BITS=8,WEIGHT_BITS=8,ACC_BITS=24,T_BITS=24,NUM_STEPS=255,OUT_BITS=8;THRESH_SEARCH=1;THRESH_SEARCH=1,NUM_STEPS=4,REGISTER_SUM=0;MW=14,SIMD=1,MH=31,PE=1,NUM_STEPS=63,OUT_BITS=6,THRESH_SEARCH=1"
  [shoal_label_select]="LABELS=10,PE=5,K=3,IN_BITS=16,INPUT_SIGNED=1;LABELS=1000,PE=10,K=5,IN_BITS=32,INPUT_SIGNED=1,OUT_BITS=16"
  [shoal_fmpadding]="PAD_TOP=0,PAD_LEFT=0,PAD_BOTTOM=0,PAD_RIGHT=0;IMG_H=1,IMG_W=1,NUM_CHANNELS=1,IN_BITS=1,PAD_TOP=0,PAD_LEFT=3,PAD_BOTTOM=2,PAD_RIGHT=0;IMG_H=32,IMG_W=32,NUM_CHANNELS=64,SIMD=16,IN_BITS=8,PAD_TOP=2,PAD_LEFT=2,PAD_BOTTOM=2,PAD_RIGHT=2"
  [shoal_maxpool]="IMG_DIM=28,POOL_DIM=2,NUM_CHANNELS=64,IN_BITS=1,INPUT_SIGNED=0;IMG_DIM=2,POOL_DIM=2,NUM_CHANNELS=1,IN_BITS=1;IMG_DIM=5,POOL_DIM=1,IN_BITS=8,INPUT_SIGNED=1"
  [shoal_swg]="IFM_DIM=224,IFM_CHANNELS=3,SIMD=1,KERNEL=7,STRIDE=2,IN_BITS=8;IFM_DIM=32,IFM_CHANNELS=512,SIMD=64,KERNEL=7,STRIDE=1,IN_BITS=1;IFM_DIM=1,IFM_CHANNELS=1,SIMD=1,KERNEL=1,STRIDE=1,IN_BITS=1;IFM_DIM=2,IFM_CHANNELS=1,SIMD=1,KERNEL=2,STRIDE=1,IN_BITS=2"
  [shoal_downsampler]="IMG_DIM=224,NUM_CHANNELS=64,SIMD=1,STRIDE=2,IN_BITS=8;IMG_DIM=7,NUM_CHANNELS=512,SIMD=64,STRIDE=7,IN_BITS=4;IMG_DIM=1,NUM_CHANNELS=1,SIMD=1,STRIDE=1,IN_BITS=1"
)

PASSED=0
FAILED=0
report() {  # status text
  if [ "$1" = PASS ]; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
  echo "$1 $2"
}

# ---------------------------------------------------------------------------------------
# 1. Lint and iverilog elaboration (defaults + LINT_SETS).
for m in "${MODULES[@]}"; do
  if [ -n "$FILTER" ] && ! [[ $m =~ $FILTER ]]; then continue; fi
  sets=("" )
  IFS=';' read -r -a extra <<< "${LINT_SETS[$m]}"
  sets+=("${extra[@]}")
  for set in "${sets[@]}"; do
    vargs=()
    iargs=()
    IFS=',' read -r -a kvs <<< "$set"
    for kv in "${kvs[@]+"${kvs[@]}"}"; do
      vargs+=("-G$kv")
      iargs+=("-P$m.$kv")
    done
    label="${set:-defaults}"
    read -r -a deps <<< "$(deps_of "$m")"
    if out=$(verilator --lint-only -Wall --top-module "$m" "${vargs[@]+"${vargs[@]}"}" "$HLS/$m.sv" \
        "${deps[@]+"${deps[@]}"}" 2>&1); then
      report PASS "lint $m ($label)"
    else
      report FAIL "lint $m ($label)"
      echo "$out" | head -20 | sed 's/^/    /'
    fi
    if out=$(iverilog -g2012 -Wall -o "$BUILD/iverilog.vvp" -s "$m" "${iargs[@]+"${iargs[@]}"}" "$HLS/$m.sv" \
        "${deps[@]+"${deps[@]}"}" 2>&1) \
        && [ -z "$out" ]; then
      report PASS "iverilog $m ($label)"
    else
      report FAIL "iverilog $m ($label)"
      echo "$out" | head -20 | sed 's/^/    /'
    fi
  done
done

# ---------------------------------------------------------------------------------------
# 2. Testbenches. Each case builds into its own directory (keyed by a hash of module,
# parameters) and runs there; up to JOBS cases at a time.
tb_of() {
  case $1 in
    shoal_memstream) echo tb_memstream ;;
    shoal_fifo) echo tb_fifo ;;
    shoal_dwc) echo tb_dwc ;;
    shoal_thresholding) echo tb_thresholding ;;
    shoal_mvau) echo tb_mvau ;;
    shoal_label_select) echo tb_label_select ;;
    shoal_fmpadding) echo tb_fmpadding ;;
    shoal_maxpool) echo tb_maxpool ;;
    shoal_swg) echo tb_swg ;;
    shoal_downsampler) echo tb_downsampler ;;
  esac
}
file_param_of() {
  case $1 in
    shoal_memstream) echo "INIT_FILE init_file" ;;
    shoal_thresholding | shoal_mvau) echo "THRESH_FILE thresh_file" ;;
    *) echo "" ;;
  esac
}

run_case() {  # index "module KEY=VALUE ..."
  local idx=$1 spec=$2
  local m=${spec%% *} params=${spec#* }
  [ "$params" = "$spec" ] && params=""
  local tb
  tb=$(tb_of "$m")
  local dir
  dir="$BUILD/$m/$(echo "$params" | md5sum | cut -c1-12)"
  mkdir -p "$dir"
  local gargs=() targs=() kv
  for kv in $params; do
    if [ "$kv" = FAST_SIM=1 ]; then
      gargs+=("-DSHOAL_FAST_SIM")
      continue
    fi
    gargs+=("-G$kv")
    targs+=("$kv")
  done
  local fp
  fp=$(file_param_of "$m")
  if [ -n "$fp" ]; then
    set -- $fp
    gargs+=("-G$1=\"$dir/mem.dat\"")
    targs+=("$2=$dir/mem.dat")
  fi
  local deps
  read -r -a deps <<< "$(deps_of "$m")"
  local result="$BUILD/results/$idx"
  local t0 t1 t2
  t0=$(date +%s.%N)
  if ! verilator --cc --exe --build -j 1 -O3 -MAKEFLAGS "OPT_FAST=-O3" -Wall \
      --top-module "$m" --prefix Vdut -Mdir "$dir/obj" "${gargs[@]}" \
      -CFLAGS "-std=c++17 -I$HERE" "$HLS/$m.sv" "${deps[@]+"${deps[@]}"}" "$HERE/$tb.cpp" \
      "$HERE/golden.cpp" -o sim \
      > "$dir/build.log" 2>&1; then
    { echo "FAIL $m $params: build failed ($dir/build.log)"; tail -15 "$dir/build.log" | sed 's/^/    /'; } > "$result"
    cat "$result"
    return
  fi
  t1=$(date +%s.%N)
  local out status=0
  out=$(cd "$dir" && timeout 300 ./obj/sim "${targs[@]}" seed="$SEED" 2>&1) || status=$?
  t2=$(date +%s.%N)
  local times
  times=$(awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "[build %.1fs, run %.1fs]", b - a, c - b }')
  local summary=${out##*$'\n'}        # the testbench's last line: "PASS|FAIL module: ..."
  if [ "$status" = 0 ]; then
    echo "PASS $m $params: ${summary#*: } $times" > "$result"
  else
    { echo "FAIL $m $params (exit $status) $times"; echo "$out" | tail -8 | sed 's/^/    /'; } > "$result"
  fi
  cat "$result"
}

rm -rf "$BUILD/results"
mkdir -p "$BUILD/results"
running=0
for i in "${!CASES[@]}"; do
  if [ "$running" -ge "$JOBS" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  run_case "$i" "${CASES[$i]}" &
  running=$((running + 1))
done
wait || true

# Results were printed as the cases finished; count them in case order.
for i in "${!CASES[@]}"; do
  line=$(head -1 "$BUILD/results/$i" 2>/dev/null || echo "FAIL")
  if [ "${line%% *}" = PASS ]; then
    PASSED=$((PASSED + 1))
  else
    FAILED=$((FAILED + 1))
    [ -f "$BUILD/results/$i" ] || echo "FAIL ${CASES[$i]}: no result"
  fi
done

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
