#!/bin/bash
# Synthesis check of the hardware layer library (hls/): yosys synth_xilinx (xcup) and
# synth_ice40 on every module with one representative parameter set. Fails if yosys
# reports an error (or finds a combinational loop / latch); prints the cell counts.
#
# Usage: tests/hls/synth_check.sh [-f REGEX]
# Environment: SHOAL_HLS_BUILD = scratch directory (default /tmp/shoal-hls-build-$USER);
# logs go to $SHOAL_HLS_BUILD/synth/<module>.<family>.log.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HLS=$(cd "$HERE/../../hls" && pwd)
BUILD=${SHOAL_HLS_BUILD:-/tmp/shoal-hls-build-${USER:-$(id -un)}}
OUT="$BUILD/synth"
FILTER=""
while getopts "f:h" opt; do
  case $opt in
    f) FILTER=$OPTARG ;;
    *) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
command -v yosys >/dev/null || { echo "synth_check.sh: error: yosys not found" >&2; exit 1; }
mkdir -p "$OUT"
export TMPDIR="$OUT"   # yosys-abc temporary directories

# Memory files: pseudo-random hex lines of the given width (deterministic).
make_dat() {  # file lines bits
  awk -v n="$2" -v bits="$3" 'BEGIN {
    srand(7); digits = int((bits + 3) / 4)
    for (i = 0; i < n; i++) {
      line = ""
      for (d = 0; d < digits; d++) line = line sprintf("%x", int(rand() * 16))
      print line
    } }' > "$1"
}
# memstream: MVAU weights of the representative MVAU below (WMEM 64 words of 128 bits).
make_dat "$OUT/weights.dat" 64 128
# MVAU thresholds: NF 8 lines of PE 4 x 15 steps x 12 bits; thresholding: NF 16 lines of
# PE 4 x 3 steps x 9 bits.
make_dat "$OUT/mvau_thresh.dat" 8 720
make_dat "$OUT/thresh.dat" 16 108
# Search form (THRESH_SEARCH 1): stage files base_s<j>_p<ppp>.dat of NF*2^j lines.
make_search_dats() {  # base stages lanes nf bits
  local j p
  for ((j = 0; j < $2; j++)); do
    for ((p = 0; p < $3; p++)); do
      make_dat "$(printf '%s_s%d_p%03d.dat' "$1" $j $p)" $(($4 << j)) "$5"
    done
  done
}
make_search_dats "$OUT/thresh_search" 4 4 16 9        # thresholding: 64 ch, PE 4, 15 steps
make_search_dats "$OUT/mvau_search" 6 1 31 15         # facile_like layer 0: 63 steps

# module | chparam arguments
CASES=(
  "shoal_memstream|-set DEPTH 64 -set WIDTH 128 -set INIT_FILE \"$OUT/weights.dat\""
  "shoal_fifo|-set DEPTH 32 -set WIDTH 16"
  "shoal_fifo|-set DEPTH 512 -set WIDTH 32"
  "shoal_dwc|-set IN_WIDTH 48 -set OUT_WIDTH 12"
  "shoal_dwc|-set IN_WIDTH 8 -set OUT_WIDTH 32"
  "shoal_thresholding|-set NUM_CHANNELS 64 -set PE 4 -set NUM_STEPS 3 -set IN_BITS 8 -set T_BITS 9 -set OUT_BITS 2 -set THRESH_FILE \"$OUT/thresh.dat\""
  "shoal_mvau|-set MW 64 -set MH 32 -set PE 4 -set SIMD 8 -set IN_BITS 4 -set WEIGHT_BITS 4 -set ACC_BITS 12 -set T_BITS 12 -set NUM_STEPS 15 -set OUT_BITS 4 -set THRESH_FILE \"$OUT/mvau_thresh.dat\""
  "shoal_mvau|-set MW 64 -set MH 16 -set PE 4 -set SIMD 16 -set IN_BITS 1 -set WEIGHT_BITS 1 -set WEIGHT_SIGNED 0 -set XNOR 1 -set ACC_BITS 8 -set NUM_STEPS 0 -set OUT_BITS 8"
  "shoal_thresholding|-set NUM_CHANNELS 64 -set PE 4 -set NUM_STEPS 15 -set IN_BITS 8 -set T_BITS 9 -set OUT_BITS 4 -set THRESH_SEARCH 1 -set THRESH_FILE \"$OUT/thresh_search\""
  "shoal_mvau|-set MW 14 -set MH 31 -set PE 1 -set SIMD 1 -set IN_BITS 6 -set WEIGHT_BITS 6 -set ACC_BITS 15 -set T_BITS 15 -set NUM_STEPS 63 -set OUT_BITS 6 -set THRESH_SEARCH 1 -set THRESH_FILE \"$OUT/mvau_search\""
  "shoal_label_select|-set LABELS 10 -set PE 1 -set K 1 -set IN_BITS 8 -set OUT_BITS 8"
  "shoal_label_select|-set LABELS 100 -set PE 10 -set K 5 -set IN_BITS 16 -set INPUT_SIGNED 1 -set OUT_BITS 8"
  "shoal_fmpadding|-set IMG_H 28 -set IMG_W 28 -set NUM_CHANNELS 64 -set SIMD 8 -set IN_BITS 4 -set PAD_TOP 1 -set PAD_LEFT 0 -set PAD_BOTTOM 2 -set PAD_RIGHT 1"
  "shoal_maxpool|-set IMG_DIM 28 -set POOL_DIM 2 -set NUM_CHANNELS 64 -set IN_BITS 1"
  "shoal_maxpool|-set IMG_DIM 10 -set POOL_DIM 2 -set NUM_CHANNELS 64 -set IN_BITS 4 -set INPUT_SIGNED 1"
  "shoal_swg|-set IFM_DIM 30 -set IFM_CHANNELS 64 -set SIMD 8 -set KERNEL 3 -set STRIDE 1 -set IN_BITS 1"
  "shoal_swg|-set IFM_DIM 32 -set IFM_CHANNELS 3 -set SIMD 3 -set KERNEL 3 -set STRIDE 1 -set IN_BITS 8 -set RAM_STYLE 1"
  "shoal_swg|-set IFM_DIM 10 -set IFM_CHANNELS 16 -set SIMD 4 -set KERNEL 3 -set STRIDE 2 -set IN_BITS 4 -set RAM_STYLE 2"
  "shoal_downsampler|-set IMG_DIM 14 -set NUM_CHANNELS 64 -set SIMD 8 -set STRIDE 2 -set IN_BITS 4"
)

# Modules the module instantiates (read before it).
deps_of() {
  case $1 in
    shoal_fmpadding | shoal_maxpool | shoal_swg | shoal_downsampler) echo "$HLS/shoal_outbuf2.sv" ;;
    *) echo "" ;;
  esac
}

passed=0
failed=0
for c in "${CASES[@]}"; do
  m=${c%%|*}
  params=${c#*|}
  if [ -n "$FILTER" ] && ! [[ "$m $params" =~ $FILTER ]]; then continue; fi
  for fam in xcup ice40; do
    # The iCE40 has no LUT RAM or UltraRAM: shoal's synth tells the modules to ignore
    # FINN's ram_style there, as this does.
    if [ "$fam" = xcup ]; then synth="synth_xilinx -family xcup -top $m"; defs=""
    else synth="synth_ice40 -top $m"; defs="-DSHOAL_IGNORE_RAM_STYLE"; fi
    tag="$m.$fam.$(echo "$params" | md5sum | cut -c1-6)"
    log="$OUT/$tag.log"
    start=$(date +%s)
    if yosys -q -l "$log" -p "read_verilog -sv $defs $(deps_of "$m") $HLS/$m.sv; chparam $params $m; $synth; \
        check -assert; tee -q -o $OUT/$tag.stat stat" > /dev/null 2>&1; then
      cells=$(awk '/Number of cells/ { go = 1; next } go && NF == 2 { printf "%s %s, ", $1, $2 }' \
              "$OUT/$tag.stat" | sed 's/, $//')
      echo "PASS $fam $m ($params) $(( $(date +%s) - start ))s: $cells"
      passed=$((passed + 1))
    else
      echo "FAIL $fam $m ($params): see $log"
      grep -iE 'error|loop|latch' "$log" | head -5 | sed 's/^/    /' || true
      failed=$((failed + 1))
    fi
  done
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
