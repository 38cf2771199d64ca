#!/usr/bin/env bats
# shells/zynq: the IODMAs of FINN's Zynq shell around a stitched design, simulated with
# Verilator against an AXI memory that stalls at random and the driver's register
# accesses; yosys synthesis. The Vivado script: zynq_vivado.bats.

setup() {
  load ../tools/test_helper
  Z="$ROOT/shells/zynq"
  T="$ROOT/tests/shells"
  RTL=("$Z/shoal_iodma.sv" "$Z/shoal_iodma_ctrl.sv" "$Z/shoal_iodma_dwc.sv"
       "$Z/shoal_iodma_fifo.sv")
}

# Verilates zynq_accel_tb_top + zynq_accel_tb.cpp into $1/tb (kept when present).
# $2: the design's sources (a file list, one per line, relative to $3); then the
# I_*/O_* parameters as NAME=VALUE words.
build_tb() {
  local obj=$1 list=$2 dir=$3
  shift 3
  [ -x "$obj/tb" ] && return 0
  local srcs=() gs=()
  while read -r f; do srcs+=("$dir/$f"); done < "$list"
  for p in "$@"; do gs+=("-G$p"); done
  verilator --cc --exe --build -j 2 -O3 -MAKEFLAGS "OPT_FAST=-O2" \
    --top-module zynq_accel_tb_top -Mdir "$obj" "${gs[@]}" \
    "$T/zynq_accel_tb_top.sv" "$Z/shoal_idma.v" "$Z/shoal_odma.v" "${RTL[@]}" "${srcs[@]}" \
    "$T/zynq_accel_tb.cpp" -o tb > "$obj.log" 2>&1 || { cat "$obj.log" >&2; return 1; }
}

# A stand-in design that passes the stream through (W bits), in $1/loop.sv.
loopback_design() {
  mkdir -p "$1"
  cat > "$1/loop.sv" <<SV
module finn_design_wrapper (
  input wire ap_clk, input wire ap_rst_n,
  input wire [$2-1:0] s_axis_0_tdata, input wire s_axis_0_tvalid, output wire s_axis_0_tready,
  output wire [$2-1:0] m_axis_0_tdata, output wire m_axis_0_tvalid, input wire m_axis_0_tready);
  assign s_axis_0_tready = m_axis_0_tready;
  assign m_axis_0_tvalid = s_axis_0_tvalid;
  assign m_axis_0_tdata = s_axis_0_tdata;
  wire unused = ap_clk ^ ap_rst_n;
endmodule
SV
  echo loop.sv > "$1/srcs.txt"
}

# The loopback at 24-bit beats, 24-byte frames, 64-bit memory words (FINN's port width).
loopback_tb() {
  local d=$BATS_FILE_TMPDIR/loop
  loopback_design "$d" 24
  build_tb "$d/obj" "$d/srcs.txt" "$d" I_INTF_BITS=64 O_INTF_BITS=64 I_STREAM_BITS=24 \
    O_STREAM_BITS=24 I_FRAME_BYTES=24 O_FRAME_BYTES=24
  echo "$d/obj/tb"
}

# The whole loop for the stitched design in $1 (stitched.onnx, folded.onnx, st/): the
# generated driver packs $2 random frames (seed $3) into in.bin and, from onnx-exec's
# outputs of the folded model, the expected output buffer expected.bin; the simulated
# shell turns in.bin into out.bin (seed $4 for the memory's stalls, READY percent $5); the
# driver unpacks out.bin to onnx-exec's outputs. Prints the parameters and the PASS line.
zynq_loop() {
  local d=$1 n=$2 seed=$3 mseed=$4 ready=$5
  pynq-driver "$d/stitched.onnx" --out-dir "$d/drv" 2> "$d/driver.log"
  local D="$d/drv/driver"
  local params
  params=$(py "$T/zynq_dma_io.py" params "$D" "$d/stitched.onnx")
  echo "$params" | tr '\n' ' '
  echo
  py "$T/zynq_dma_io.py" pack "$D" "$n" "$seed" "$d"
  onnx-exec "$d/folded.onnx" "$d/acc_in.npy" -o "$d/ref_out.npy"
  py "$T/zynq_dma_io.py" expect "$D" "$d/ref_out.npy" "$d/expected.bin"
  # shellcheck disable=SC2086
  build_tb "$d/obj" "$d/st/stitched_ip/all_verilog_srcs.txt" "$d/st/stitched_ip" $params
  # $readmemh in the design reads its .dat files relative to the run directory
  (cd "$d/st/stitched_ip" && "$d/obj/tb" "$d/in.bin" "$d/expected.bin" "$n" --seed "$mseed" \
    --ready "$ready" --out "$d/out.bin")
  cmp "$d/out.bin" "$d/expected.bin"
  py "$T/zynq_dma_io.py" check "$D" "$d/out.bin" "$d/ref_out.npy"
}

@test "the shell RTL is lint-clean: verilator -Wall and iverilog -g2012, both DMAs, several widths" {
  for m in shoal_iodma_fifo shoal_iodma_dwc shoal_iodma_ctrl; do
    run verilator --lint-only -Wall "$Z/$m.sv"
    assert_success
    assert_output ""
  done
  # (INTF_BITS STREAM_BITS FRAME_BYTES MAX_BURST): equal widths, 64 -> 8, 32 <-> 24 (no
  # divisor of each other), 8-bit memory words, 256-beat bursts
  for cfg in "64 64 64 16" "64 8 8 16" "32 24 12 16" "8 16 2 16" "64 392 392 256"; do
    set -- $cfg
    for top in shoal_idma shoal_odma; do
      run verilator --lint-only -Wall +1364-2001ext+v --top-module $top -GINTF_BITS=$1 \
        -GSTREAM_BITS=$2 -GFRAME_BYTES=$3 -GMAX_BURST=$4 -GFIFO_DEPTH=$((2 * $4)) \
        "$Z/$top.v" "${RTL[@]}"
      assert_success
      assert_output ""
      run iverilog -g2012 -Wall -s $top -P$top.INTF_BITS=$1 -P$top.STREAM_BITS=$2 \
        -P$top.FRAME_BYTES=$3 -P$top.MAX_BURST=$4 -P$top.FIFO_DEPTH=$((2 * $4)) \
        -o /dev/null "$Z/$top.v" "${RTL[@]}"
      assert_success
      assert_output ""
    done
  done
}

@test "parameters that leave a partial word per frame stop elaboration" {
  # 14-byte frames in 64-bit words: INTF_BITS must be gcd(14*8, 64) = 16
  run verilator --lint-only --top-module shoal_idma -GINTF_BITS=64 -GSTREAM_BITS=8 \
    -GFRAME_BYTES=14 "$Z/shoal_idma.v" "${RTL[@]}"
  assert_failure
  assert_output --partial "shoal_iodma_parameters_are_invalid"
  run verilator --lint-only -Wall --top-module shoal_idma -GINTF_BITS=16 -GSTREAM_BITS=8 \
    -GFRAME_BYTES=14 "$Z/shoal_idma.v" "${RTL[@]}"
  assert_success
}

@test "loopback, 64-bit memory words: bursts of 16 split at 4 KiB, random stalls, AW slower than W" {
  tb=$(loopback_tb)
  local d=$BATS_TEST_TMPDIR
  # 300 frames of 24 bytes (7200 bytes) from 0x10000F00: the reads cross 4 KiB twice
  py -c 'import numpy as np; np.random.seed(7); np.random.randint(0, 256, 7200).astype(np.uint8).tofile("'"$d"'/in.bin")'
  for s in 1 2 3; do
    run "$tb" "$d/in.bin" "$d/in.bin" 300 --seed $s --ready $((30 * s))
    assert_success
    assert_output --partial "PASS 300 frames x 2 runs: 7200 bytes in"
  done
  # a slave slow to take write addresses: the data of a burst goes out before its address,
  # and the next address must wait for the previous one to be taken
  run "$tb" "$d/in.bin" "$d/in.bin" 300 --seed 4 --ready 90 --awready 3
  assert_success
  assert_output --partial "PASS 300 frames x 2 runs: 7200 bytes in"
  # per run 900 words in bursts of at most 16 beats that stop at 4 KiB boundaries: reads
  # from 0x10000F00 take 2 + 32 + 23 bursts (256, 4096 and 2848 bytes), writes from
  # 0x123456F40 2 + 32 + 23 (192, 4096, 2912 bytes); two runs
  assert_output --partial "(114 read bursts), 7200 bytes out (114 write bursts)"
  # one 24-bit beat per cycle through both DMAs: 2400 beats (+ about 40 cycles of
  # register accesses and start-up) when memory never stalls, and still when it stalls
  # 40 % of the time (64-bit words carry 2.7 beats each)
  for r in 100 60; do
    run "$tb" "$d/in.bin" "$d/in.bin" 300 --ready $r
    assert_success
    cycles=$(echo "$output" | sed -n 's/.* \([0-9]*\) cycles for the last run/\1/p')
    [ "$cycles" -lt 2480 ]
  done
  # the harness's checks bite: a burst limit of 8 and an unaligned buffer are reported
  run "$tb" "$d/in.bin" "$d/in.bin" 300 --max-burst 8
  assert_failure
  assert_output --partial "AR: burst of 16 beats"
  run "$tb" "$d/in.bin" "$d/in.bin" 300 --in-addr 0x10000F04
  assert_failure
  assert_output --partial "AR: unaligned address"
}

@test "numReps = 0: ap_done without memory traffic; ap_idle, ap_start and clear-on-read ap_done" {
  tb=$(loopback_tb)
  local d=$BATS_TEST_TMPDIR
  py -c 'import numpy as np; np.zeros(48, np.uint8).tofile("'"$d"'/in.bin"); np.full(48, 0xA5, np.uint8).tofile("'"$d"'/pattern.bin")'
  # The harness reads 0x00 as 0x4 (idle) out of reset, 0x6 at done, 0x4 after that read,
  # 0x1 (started, busy) while frames run; numReps 0 must leave the buffer's pattern alone.
  run "$tb" "$d/in.bin" "$d/pattern.bin" 0
  assert_success
  assert_output --partial "PASS 0 frames x 2 runs: 48 bytes in (0 read bursts), 48 bytes out (0 write bursts)"
  cycles=$(echo "$output" | sed -n 's/.* \([0-9]*\) cycles for the last run/\1/p')
  # the run itself is a few cycles; the rest are the eight register accesses
  [ "$cycles" -lt 60 ]
}

@test "2-bit design: 8-bit streams, 14-byte input frames (16-bit words), 1-byte output frames" {
  local d=$BATS_TEST_TMPDIR/s2
  stitched_small "$d" 2
  run zynq_loop "$d" 37 11 5 50
  assert_success
  assert_line --index 0 "I_STREAM_BITS=8 I_FRAME_BYTES=14 I_INTF_BITS=16 O_STREAM_BITS=8 O_FRAME_BYTES=1 O_INTF_BITS=8 "
  assert_output --partial "PASS 37 frames x 2 runs: 518 bytes in"
  assert_output --partial "outputs match: 37 frames"
}

@test "6-bit design: 24-bit beats in 32-bit words, 16-bit beats in 64-bit words" {
  local d=$BATS_TEST_TMPDIR/s6
  onnx-mlp --layers 16,31,11,16 --wdt INT6 --adt UINT6 --idt INT6 --odt UINT4 --seed 5 -o "$d"
  onnx-tidy "$d/model.onnx" | streamline | to-hls -o "$d/parent.onnx" 2> /dev/null
  # SIMD 4 on the first layer (4 INT6 = 24 bits a beat), PE 4 at the end (4 UINT4 = 16 bits)
  echo '{"Defaults": {}, "StreamingFCLayer_Batch_0": {"SIMD": 4},
    "StreamingFCLayer_Batch_2": {"PE": 4}, "Thresholding_Batch_0": {"PE": 4}}' > "$d/folding.json"
  fold "$d/parent_partition_0.onnx" --clk-ns 10 --config "$d/folding.json" -o "$d/folded.onnx"
  stitch "$d/folded.onnx" -o "$d/stitched.onnx" --out-dir "$d/st" --stitch-only 2> /dev/null
  run zynq_loop "$d" 50 12 9 35
  assert_success
  assert_line --index 0 "I_STREAM_BITS=24 I_FRAME_BYTES=12 I_INTF_BITS=32 O_STREAM_BITS=16 O_FRAME_BYTES=8 O_INTF_BITS=64 "
  assert_output --partial "PASS 50 frames x 2 runs: 600 bytes in"
  assert_output --partial "outputs match: 50 frames"
}

@test "boards.tsv: FINN's boards, parts, board parts, PS kinds and port widths" {
  run cut -f1 "$Z/boards.tsv"
  assert_output "board
Ultra96
Ultra96-V2
Pynq-Z1
Pynq-Z2
ZCU102
ZCU104
ZCU111
RFSoC2x2
RFSoC4x2
KV260_SOM"
  # five columns on every line; the Zynq-7000 boards have 64-bit ports, the rest 128
  run awk -F'\t' 'NF != 5 { print "bad line " NR } NR > 1 && ($4 == "zynq_7000") != ($5 == 64) { print "port width " $1 }' "$Z/boards.tsv"
  assert_output ""
  run grep -P '^Ultra96\txczu3eg-sbva484-1-e\tavnet.com:ultra96v1:part0:1.2\tzynq_us\+\t128$' "$Z/boards.tsv"
  assert_success
  run grep -P '^Pynq-Z2\txc7z020clg400-1\ttul.com.tw:pynq-z2:part0:1.0\tzynq_7000\t64$' "$Z/boards.tsv"
  assert_success
}

@test "yosys synth_xilinx -family xcup: both DMAs synthesize (resource counts in the log)" {
  local d=$BATS_TEST_TMPDIR
  export TMPDIR=$d
  for top in shoal_idma shoal_odma; do
    run yosys -q -p "read_verilog -sv ${RTL[*]}; read_verilog $Z/$top.v; \
      chparam -set INTF_BITS 64 -set STREAM_BITS 24 -set FRAME_BYTES 24 $top; \
      synth_xilinx -family xcup -flatten -top $top; tee -q -o $d/$top.json stat -json"
    assert_success
    py -c '
import json, sys
cells = json.load(open(sys.argv[1]))["design"]["num_cells_by_type"]
lut = sum(v for k, v in cells.items() if k.startswith("LUT"))
ff = sum(v for k, v in cells.items() if k.startswith("FD"))
ram = sum(v for k, v in cells.items() if k.startswith("RAM"))
print("%s: %d LUT, %d FF, %d LUTRAM cells, %d DSP, %d BRAM" % (sys.argv[2], lut, ff, ram,
      cells.get("DSP48E2", 0), sum(v for k, v in cells.items() if k.startswith("RAMB"))))
assert lut > 0 and ff > 0
' "$d/$top.json" "$top" >&3
  done
}
