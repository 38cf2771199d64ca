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

# Verilates zynq_accel_tb_top + zynq_accel_tb.cpp into $1/tb (kept when present), with the
# shell RTL of $Z and ${RTL[@]}. $2: the design's sources (a file list, one per line,
# relative to $3); then the I_*/O_* parameters as NAME=VALUE words.
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

# The harness around the loopback at $1-bit beats and $2-byte frames, idma words of $3 bits
# and odma words of $4 bits, built once per file; prints its path.
loop_tb() {
  local d=$BATS_FILE_TMPDIR/loop_$1_$2_$3_$4
  loopback_design "$d" "$1"
  build_tb "$d/obj" "$d/srcs.txt" "$d" I_STREAM_BITS="$1" O_STREAM_BITS="$1" \
    I_FRAME_BYTES="$2" O_FRAME_BYTES="$2" I_INTF_BITS="$3" O_INTF_BITS="$4" || return 1
  echo "$d/obj/tb"
}

# The loopback at 24-bit beats, 24-byte frames, 64-bit memory words (FINN's port width).
loopback_tb() {
  loop_tb 24 24 64 64
}

# Runs harness $1 (loop_tb $2 $3 $4 $5: W-bit beats, FB-byte frames, IB- and OB-bit words)
# on $6 random frames (seed $7, READY percent $8), two runs, and asserts the exact traffic:
# the run is N*FB bytes, so each run reads ceil(N*FB / IB bytes) whole words, writes
# ceil(N*FB / OB bytes) words of which one has partial strobes when the run ends inside a
# word, and moves N*FB / (W/8) beats on each stream. The harness itself checks the bytes,
# the guard bytes after the output, WSTRB and that no read leaves the run's last word.
loop_run() {
  local tb=$1 w=$2 fb=$3 ib=$(($4 / 8)) ob=$(($5 / 8)) n=$6 seed=$7 ready=$8
  local d=$BATS_TEST_TMPDIR bytes=$(($6 * $3))
  py -c 'import numpy as np, sys; np.random.seed(int(sys.argv[2])); np.random.randint(0, 256, int(sys.argv[3])).astype(np.uint8).tofile(sys.argv[1])' \
    "$d/in.bin" "$seed" "$bytes"
  run "$tb" "$d/in.bin" "$d/in.bin" "$n" --seed "$seed" --ready "$ready"
  assert_success
  assert_output --partial "PASS $n frames x 2 runs: $bytes bytes in"
  local rw=$(((bytes + ib - 1) / ib)) ww=$(((bytes + ob - 1) / ob)) part=$((bytes % ob != 0))
  local beats=$((2 * bytes / (w / 8)))
  assert_line "beats: $((2 * rw)) read, $((2 * ww)) written ($((2 * part)) with partial strobes), $beats into the design, $beats out"
}

# The whole loop for the stitched design in $1 (stitched.onnx, folded.onnx, st/): the
# generated driver packs $2 random frames (seed $3) into in.bin and, from onnx-exec's
# outputs of the folded model, the expected output buffer expected.bin; the simulated
# shell turns in.bin into out.bin (seed $4 for the memory's stalls, READY percent $5); the
# driver unpacks out.bin to onnx-exec's outputs. Prints the parameters and the PASS line.
zynq_loop() {
  # under `run` errexit is off: every step returns on failure
  local d=$1 n=$2 seed=$3 mseed=$4 ready=$5
  pynq-driver "$d/stitched.onnx" --out-dir "$d/drv" 2> "$d/driver.log" || return 1
  local D="$d/drv/driver"
  local params
  params=$(py "$T/zynq_dma_io.py" params "$D" "$d/stitched.onnx") || return 1
  echo "$params" | tr '\n' ' '
  echo
  py "$T/zynq_dma_io.py" pack "$D" "$n" "$seed" "$d" || return 1
  onnx-exec "$d/folded.onnx" "$d/acc_in.npy" -o "$d/ref_out.npy" || return 1
  py "$T/zynq_dma_io.py" expect "$D" "$d/ref_out.npy" "$d/expected.bin" || return 1
  # shellcheck disable=SC2086
  build_tb "$d/obj" "$d/st/stitched_ip/all_verilog_srcs.txt" "$d/st/stitched_ip" $params \
    || return 1
  # $readmemh in the design reads its .dat files relative to the run directory
  (cd "$d/st/stitched_ip" && "$d/obj/tb" "$d/in.bin" "$d/expected.bin" "$n" --seed "$mseed" \
    --ready "$ready" --out "$d/out.bin") || return 1
  cmp "$d/out.bin" "$d/expected.bin" || return 1
  py "$T/zynq_dma_io.py" check "$D" "$d/out.bin" "$d/ref_out.npy" || return 1
  # as the hardware behind a fake PYNQ: no expected bytes, the output written to --out
  (cd "$d/st/stitched_ip" && "$d/obj/tb" "$d/in.bin" - "$n" --runs 1 --out "$d/out1.bin") \
    || return 1
  cmp "$d/out1.bin" "$d/expected.bin"
}

@test "the shell RTL is lint-clean: verilator -Wall and iverilog -g2012, both DMAs, several widths" {
  for m in shoal_iodma_fifo shoal_iodma_dwc shoal_iodma_ctrl; do
    run verilator --lint-only -Wall "$Z/$m.sv"
    assert_success
    assert_output ""
  done
  # (INTF_BITS STREAM_BITS FRAME_BYTES MAX_BURST): equal widths, 64 -> 8, 32 <-> 24 (no
  # divisor of each other), frames of part of a word, 256-beat bursts, the widest words
  for cfg in "64 64 64 16" "64 8 8 16" "32 24 12 16" "32 16 2 16" "128 8 14 16" \
             "64 392 392 256" "1024 40 5 256"; do
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

@test "parameters: memory words of 8 or 16 bits (no SmartConnect endpoint) stop elaboration" {
  # (INTF_BITS STREAM_BITS FRAME_BYTES): words below 32 bits, not a power of two, above
  # 1024 bits; a frame that is not whole beats; a stream not whole bytes
  for cfg in "8 8 1" "16 8 14" "16 16 2" "48 8 6" "2048 8 1" "64 24 14" "64 12 3"; do
    set -- $cfg
    for top in shoal_idma shoal_odma; do
      run verilator --lint-only --top-module $top -GINTF_BITS=$1 -GSTREAM_BITS=$2 \
        -GFRAME_BYTES=$3 "$Z/$top.v" "${RTL[@]}"
      assert_failure
      assert_output --partial "shoal_iodma_parameters_are_invalid"
    done
  done
  run iverilog -g2012 -s shoal_odma -Pshoal_odma.INTF_BITS=8 -Pshoal_odma.STREAM_BITS=8 \
    -Pshoal_odma.FRAME_BYTES=1 -o /dev/null "$Z/shoal_odma.v" "${RTL[@]}"
  assert_failure
  assert_output --partial "shoal_iodma_parameters_are_invalid"
  # frames need not be whole words any more: 14-byte and 1-byte frames in 32..128-bit words
  for cfg in "64 8 14" "32 8 1" "128 8 1"; do
    set -- $cfg
    for top in shoal_idma shoal_odma; do
      run verilator --lint-only -Wall --top-module $top -GINTF_BITS=$1 -GSTREAM_BITS=$2 \
        -GFRAME_BYTES=$3 "$Z/$top.v" "${RTL[@]}"
      assert_success
    done
  done
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

@test "1-byte frames in 32-, 64- and 128-bit words: runs that end inside a word, random stalls" {
  # each DMA width once as idma and once as odma; runs that end at various places in a
  # word, a run of a single byte, and 4099 bytes across a 4 KiB boundary
  tb=$(loop_tb 8 1 32 128)
  for n in 1 3 37 130; do loop_run "$tb" 8 1 32 128 $n $n 50; done
  loop_run "$tb" 8 1 32 128 4099 7 70
  tb=$(loop_tb 8 1 128 64)
  for n in 2 15 17 71; do loop_run "$tb" 8 1 128 64 $n $n 40; done
  tb=$(loop_tb 8 1 64 32)
  for n in 5 6 7 9 1029; do loop_run "$tb" 8 1 64 32 $n $n 60; done
  # a run shorter than a word of either DMA, no stalls
  loop_run "$tb" 8 1 64 32 3 1 100
}

@test "14-byte frames in 32- and 64-bit words (8- and 16-bit beats): frames straddle words" {
  tb=$(loop_tb 8 14 32 64)
  # 14, 28, 42, 56 (whole 64-bit words), 518 bytes
  for n in 1 2 3 4 37; do loop_run "$tb" 8 14 32 64 $n $((n + 20)) 45; done
  tb=$(loop_tb 16 14 64 32)
  for n in 1 2 5 37; do loop_run "$tb" 16 14 64 32 $n $((n + 30)) 65; done
}

@test "beats that divide no word: 24 bits in 32/64-bit words, 40 in 1024/128, 72 in 32/64" {
  tb=$(loop_tb 24 3 32 64)
  # 3, 15, 24 (whole words), 63, 300 bytes
  for n in 1 5 8 21 100; do loop_run "$tb" 24 3 32 64 $n $n 55; done
  tb=$(loop_tb 40 5 1024 128)
  # 5 .. 1005 bytes: up to 8 words of 128 bytes, read in bursts that stop at 4 KiB
  for n in 1 25 26 201; do loop_run "$tb" 40 5 1024 128 $n $n 50; done
  # beats wider than words: a 9-byte beat spans three 32-bit or two 64-bit words
  tb=$(loop_tb 72 9 32 64)
  for n in 1 2 7 8 50; do loop_run "$tb" 72 9 32 64 $n $n 35; done
}

@test "the harness catches DMAs that read past the run's last word, ignore WSTRB or leak its tail" {
  local m=$BATS_TEST_TMPDIR/mutant d=$BATS_FILE_TMPDIR/loop_mutant
  mkdir -p "$m"
  cp "${RTL[@]}" "$Z/shoal_idma.v" "$Z/shoal_odma.v" "$m/"
  # the idma reads one word more when a run ends on a word boundary, and offers the bytes
  # past the run's end on out_V; the odma sets every strobe of the run's last word
  cat > "$m/mutate.sed" <<'SED'
s/+ CountBits'(|words_left_q\[WordShift-1:0\]);/+ CountBits'(DIRECTION == 0 || |words_left_q[WordShift-1:0]);/
s/? last_strb_q : '1;/? '1 : '1;/
s/assign out_V_TVALID = dwc_valid && beats_due;/assign out_V_TVALID = dwc_valid;/
SED
  sed -i -f "$m/mutate.sed" "$m/shoal_iodma.sv"
  [ "$(diff "$Z/shoal_iodma.sv" "$m/shoal_iodma.sv" | grep -c '^>')" -eq 3 ]
  Z=$m
  RTL=("$m/shoal_iodma.sv" "$m/shoal_iodma_ctrl.sv" "$m/shoal_iodma_dwc.sv" "$m/shoal_iodma_fifo.sv")
  loopback_design "$d" 8
  build_tb "$d/obj" "$d/srcs.txt" "$d" I_STREAM_BITS=8 O_STREAM_BITS=8 I_FRAME_BYTES=1 \
    O_FRAME_BYTES=1 I_INTF_BITS=32 O_INTF_BITS=64
  # 36 bytes: 9 whole 32-bit words in, 4.5 64-bit words out
  py -c 'import numpy as np; np.arange(36, dtype=np.uint8).tofile("'"$BATS_TEST_TMPDIR"'/in.bin")'
  run "$d/obj/tb" "$BATS_TEST_TMPDIR/in.bin" "$BATS_TEST_TMPDIR/in.bin" 36 --runs 1
  assert_failure 1
  assert_output --partial "idma AR: burst 0x10000f00..0x10000f28 goes past the aligned word that holds the run's last byte (ends at 0x10000f24)"
  assert_output --partial "odma: WSTRB set for a byte past the run's end (beat at 0x123456f60)"
  assert_output --partial "run 0: a guard byte after the output buffer changed"
  # 35 bytes: the idma's last word holds a byte past the run, offered on out_V and then
  # withdrawn (the loopback's TREADY is the odma's, low after the run's last beat)
  head -c 35 "$BATS_TEST_TMPDIR/in.bin" > "$BATS_TEST_TMPDIR/in35.bin"
  run "$d/obj/tb" "$BATS_TEST_TMPDIR/in35.bin" "$BATS_TEST_TMPDIR/in35.bin" 35 --runs 1
  assert_failure 1
  assert_output --partial "idma: out_V dropped TVALID or changed TDATA before TREADY"
}

@test "no expected output (-): the harness as the hardware behind a fake PYNQ writes --out" {
  tb=$(loop_tb 8 1 32 128)
  local d=$BATS_TEST_TMPDIR
  py -c 'import numpy as np; np.random.seed(3); np.random.randint(0, 256, 37).astype(np.uint8).tofile("'"$d"'/in.bin")'
  run "$tb" "$d/in.bin" - 37 --runs 1 --out "$d/out.bin"
  assert_success
  assert_output --partial "PASS 37 frames x 1 runs: 37 bytes in (1 read bursts), 37 bytes out (1 write bursts)"
  cmp "$d/in.bin" "$d/out.bin"
  # the runs must agree with each other
  run "$tb" "$d/in.bin" - 37 --runs 3 --ready 40 --out "$d/out3.bin"
  assert_success
  cmp "$d/in.bin" "$d/out3.bin"
  # the buffer sizes follow from the parameters: a wrong input size or expected size, an
  # unknown option and a bad count are refused before simulating (exit 2)
  run "$tb" "$d/in.bin" - 36
  assert_failure 2
  assert_output --partial "in.bin has 37 bytes, not 36 frames x 1"
  head -c 36 "$d/in.bin" > "$d/in36.bin"
  run "$tb" "$d/in36.bin" "$d/in.bin" 36
  assert_failure 2
  assert_output --partial "in.bin has 37 bytes, not 36 frames x 1"
  run "$tb" "$d/in.bin" "$d/in.bin" 37 --frobnicate 1
  assert_failure 2
  assert_output --partial "unknown option --frobnicate"
  run "$tb" "$d/in.bin" - 3x
  assert_failure 2
  assert_output --partial "FRAMES is not a 32-bit count: 3x"
  run "$tb" "$d/in.bin" - 37 --out
  assert_failure 2
  assert_output --partial "option --out needs a value"
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

@test "2-bit design: 8-bit streams, 14-byte input frames and 1-byte output frames in 32-bit words" {
  local d=$BATS_TEST_TMPDIR/s2
  stitched_small "$d" 2
  # 37 frames: 518 input bytes (129.5 words), 37 output bytes (9.25 words)
  run zynq_loop "$d" 37 11 5 50
  assert_success
  assert_line --index 0 "I_STREAM_BITS=8 I_FRAME_BYTES=14 I_INTF_BITS=32 O_STREAM_BITS=8 O_FRAME_BYTES=1 O_INTF_BITS=32 "
  assert_output --partial "PASS 37 frames x 2 runs: 518 bytes in"
  # per run 130 whole words read (the last holds 2 bytes of the run), 10 written (the
  # last with 1 strobe)
  assert_output --partial "beats: 260 read, 20 written (2 with partial strobes), 1036 into the design, 74 out"
  assert_output --partial "outputs match: 37 frames"
  # The generated driver end to end on a PYNQ 2.6 stand-in whose hardware is this
  # simulation: execute() packs, the DMAs move the buffers through the design, and the
  # driver unpacks onnx-exec's outputs of the folded model.
  cat > "$d/hw.sh" <<SH
#!/bin/sh
in=\$(realpath "\$1"); out=\$(realpath -m "\$2")
cd "$d/st/stitched_ip" && exec "$d/obj/tb" "\$in" - "\$3" --out "\$out" --runs 1 --seed 3 > /dev/null
SH
  chmod +x "$d/hw.sh"
  cp -r "$d/drv/driver" "$d/board"
  touch "$d/board/resizer.bit" "$d/board/resizer.hwh"
  (cd "$d/board" && FAKE_PYNQ_VERSION=2.6 FAKE_PYNQ_HW="$d/hw.sh" PYTHONPATH="$ROOT/tests/fakes" \
    /usr/bin/python3 -B -s driver.py --exec_mode execute --batchsize 37 \
    --inputfile "$d/acc_in.npy" --outputfile "$d/board_out.npy")
  py -c 'import numpy as np, sys; a, e = np.load(sys.argv[1]), np.load(sys.argv[2])
assert a.shape == e.shape and (a == e).all(), (a.shape, e.shape)' "$d/board_out.npy" "$d/ref_out.npy"
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
