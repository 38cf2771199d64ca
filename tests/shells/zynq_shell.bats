#!/usr/bin/env bats
# shells/zynq: the IODMAs of FINN's Zynq shell around a stitched design, simulated with
# Verilator against an AXI memory that stalls at random and the driver's register
# accesses; the Vivado script under tclsh with stub Vivado commands; yosys synthesis.

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

# Runs make_zynq_proj.tcl under tclsh with every Vivado command recorded in $1/calls.log
# by an `unknown` handler; $2 is the config.tcl text. The stub fakes what the script reads
# back: cell and pin names, the run directory, a finished run and its output files.
stub_vivado() {
  local d=$1
  mkdir -p "$d"
  cp "$Z/make_zynq_proj.tcl" "$d/"
  printf '%s\n' "$2" > "$d/config.tcl"
  cat > "$d/stub.tcl" <<'TCL'
set calls [open [file join [file dirname [info script]] calls.log] w]
proc unknown {cmd args} {
  global calls project_dir
  puts $calls [concat $cmd $args]
  set impl [file join $project_dir finn_zynq_link.runs impl_1]
  switch -- $cmd {
    create_bd_cell - get_bd_cells - get_bd_pins - get_bd_intf_pins - get_runs - get_files {
      return [lindex $args end]
    }
    get_bd_addr_segs { return "[lindex $args end]/reg0" }
    current_project - current_fileset { return $cmd }
    get_ipdefs { return [lindex $args end] }
    make_wrapper {
      set f [file join $project_dir finn_zynq_link.gen sources_1 bd top hdl top_wrapper.v]
      file mkdir [file dirname $f]
      close [open $f w]
      return $f
    }
    get_param { return {} }
    get_property {
      switch -- [lindex $args 0] {
        PROGRESS { return 100% }
        DIRECTORY { return $impl }
        VLNV { return [string map {:* :9.9} [lindex $args 1]] }
      }
      return {}
    }
    wait_on_run {
      file mkdir $impl [file join $project_dir finn_zynq_link.gen sources_1 bd top hw_handoff]
      foreach f [list [file join $impl top_wrapper.bit] \
                      [file join $impl top_wrapper_timing_summary_routed.rpt] \
                      [file join $project_dir finn_zynq_link.gen sources_1 bd top hw_handoff top.hwh]] {
        set h [open $f w]; puts $h "stub [file tail $f]"; close $h
      }
    }
    report_utilization {
      set h [open [lindex $args [expr {[lsearch $args -file] + 1}]] w]; puts $h "<xml/>"; close $h
    }
  }
  return {}
}
set argv {}
source [file join [file dirname [info script]] make_zynq_proj.tcl]
close $calls
TCL
  (cd "$d" && tclsh stub.tcl)
}

zynq_config() {  # DIR PS_KIND PART BOARD_PART FREQ
  cat <<CFG
set part $3
set board_part $4
set ps_kind $2
set freq_mhz $5
set sources [list $1/finn_design_wrapper.v $1/w.dat $Z/shoal_idma.v $Z/shoal_odma.v]
set idma_params [dict create INTF_BITS 32 STREAM_BITS 24 FRAME_BYTES 12]
set odma_params [dict create INTF_BITS 64 STREAM_BITS 16 FRAME_BYTES 8 MAX_BURST 16]
set out_dir $1/bitfile
set report_dir $1/report
CFG
}

@test "make_zynq_proj.tcl (Zynq US+): the recorded Vivado calls and the delivered files" {
  local d=$BATS_TEST_TMPDIR/us
  run stub_vivado "$d" "$(zynq_config "$d" zynq_us+ xczu3eg-sbva484-1-e avnet.com:ultra96v1:part0:1.2 150)"
  assert_success
  run cat "$d/calls.log"
  assert_line "create_project finn_zynq_link $d -part xczu3eg-sbva484-1-e -force"
  assert_line "set_property board_part avnet.com:ultra96v1:part0:1.2 current_project"
  assert_line "create_bd_design top"
  assert_line "create_bd_cell -type ip -vlnv xilinx.com:ip:zynq_ultra_ps_e:9.9 zynq_ps"
  assert_line --partial "CONFIG.PSU__USE__S_AXI_GP2 1"
  assert_line --partial "CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ 150"
  assert_line "create_bd_cell -type module -reference shoal_idma idma0"
  assert_line "set_property -dict {CONFIG.INTF_BITS 32 CONFIG.STREAM_BITS 24 CONFIG.FRAME_BYTES 12} idma0"
  assert_line "create_bd_cell -type module -reference shoal_odma odma0"
  assert_line "set_property -dict {CONFIG.INTF_BITS 64 CONFIG.STREAM_BITS 16 CONFIG.FRAME_BYTES 8 CONFIG.MAX_BURST 16} odma0"
  assert_line "create_bd_cell -type module -reference finn_design_wrapper StreamingDataflowPartition_1"
  assert_line "connect_bd_intf_net idma0/out_V StreamingDataflowPartition_1/s_axis_0"
  assert_line "connect_bd_intf_net StreamingDataflowPartition_1/m_axis_0 odma0/in0_V"
  assert_line "connect_bd_intf_net idma0/m_axi_gmem0 smartconnect_0/S00_AXI"
  assert_line "connect_bd_intf_net odma0/m_axi_gmem0 smartconnect_0/S01_AXI"
  assert_line "connect_bd_intf_net smartconnect_0/M00_AXI zynq_ps/S_AXI_HP0_FPD"
  assert_line "connect_bd_intf_net zynq_ps/M_AXI_HPM0_FPD axi_interconnect_0/S00_AXI"
  assert_line "assign_bd_address -offset 0xA0000000 -range 4K idma0/s_axi_control/reg0"
  assert_line "assign_bd_address -offset 0xA0001000 -range 4K odma0/s_axi_control/reg0"
  assert_line "add_files -norecurse {$d/finn_design_wrapper.v $d/w.dat $Z/shoal_idma.v $Z/shoal_odma.v}"
  assert_line "create_bd_cell -type ip -vlnv xilinx.com:ip:smartconnect:9.9 smartconnect_0"
  assert_line "create_bd_cell -type ip -vlnv xilinx.com:ip:axi_interconnect:9.9 axi_interconnect_0"
  assert_line "create_bd_cell -type ip -vlnv xilinx.com:ip:proc_sys_reset:9.9 rst_ps_0"
  assert_line "add_files -norecurse $d/finn_zynq_link.gen/sources_1/bd/top/hdl/top_wrapper.v"
  assert_line "launch_runs -to_step write_bitstream impl_1 -jobs 2"
  assert_line --partial "report_utilization -hierarchical -hierarchical_depth 4 -format xml"
  # the clock net reaches every block
  assert_line --regexp "^connect_bd_net zynq_ps/pl_clk0 .*idma0/ap_clk odma0/ap_clk StreamingDataflowPartition_1/ap_clk$"
  for f in bitfile/finn-accel.bit bitfile/finn-accel.hwh report/post_synth_resources.xml \
    report/post_route_timing.rpt; do
    [ -s "$d/$f" ]
  done
  grep -q "top_wrapper_timing_summary_routed" "$d/report/post_route_timing.rpt"
}

@test "make_zynq_proj.tcl (Zynq-7000): processing_system7, FCLK0, peripherals at 0x40000000" {
  local d=$BATS_TEST_TMPDIR/z7
  run stub_vivado "$d" "$(zynq_config "$d" zynq_7000 xc7z020clg400-1 tul.com.tw:pynq-z2:part0:1.0 100)"
  assert_success
  run cat "$d/calls.log"
  assert_line "create_project finn_zynq_link $d -part xc7z020clg400-1 -force"
  assert_line "create_bd_cell -type ip -vlnv xilinx.com:ip:processing_system7:9.9 zynq_ps"
  assert_line --partial "CONFIG.PCW_USE_S_AXI_HP0 1"
  assert_line --partial "CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ 100"
  assert_line "connect_bd_intf_net smartconnect_0/M00_AXI zynq_ps/S_AXI_HP0"
  assert_line "connect_bd_intf_net zynq_ps/M_AXI_GP0 axi_interconnect_0/S00_AXI"
  assert_line "assign_bd_address -offset 0x40000000 -range 4K idma0/s_axi_control/reg0"
  assert_line "assign_bd_address -offset 0x40001000 -range 4K odma0/s_axi_control/reg0"
  assert_line "create_bd_cell -type module -reference shoal_idma idma0"
  refute_output --partial "zynq_ultra_ps_e"
}

@test "make_zynq_proj.tcl names a missing or wrong config.tcl variable" {
  local d=$BATS_TEST_TMPDIR/bad
  run stub_vivado "$d" "$(zynq_config "$d" zynq_us+ xczu3eg-sbva484-1-e '""' 100 | grep -v freq_mhz)"
  assert_failure
  assert_output --partial "does not set freq_mhz"
  run stub_vivado "$d" "$(zynq_config "$d" versal xczu3eg-sbva484-1-e '""' 100)"
  assert_failure
  assert_output --partial "ps_kind must be zynq_us+ or zynq_7000"
  run stub_vivado "$d" "$(zynq_config "$d" zynq_us+ xczu3eg-sbva484-1-e '""' 100 | sed 's/ FRAME_BYTES 12//')"
  assert_failure
  assert_output --partial "idma_params has no FRAME_BYTES"
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

@test "synth --bitfile for a Zynq board writes a project that make_zynq_proj.tcl runs, with the design's DMAs" {
  stitched_small "$BATS_TEST_TMPDIR/s"
  cd "$BATS_TEST_TMPDIR"
  run env PATH="$(echo "$PATH" | tr : '\n' | grep -v vivado | paste -sd:)" \
    synth s/stitched.onnx --bitfile out/bitfile --board Pynq-Z2 --report-dir out/report \
    --work-dir out/synth
  assert_success
  assert_output --partial "Vivado is not on PATH, so there is no finn-accel.bit"
  grep -qF "cd synth/zynq && vivado -mode batch -source make_zynq_proj.tcl" out/bitfile/README.md
  local d=$BATS_TEST_TMPDIR/out/synth/zynq
  # the 2-bit MLP at PE = SIMD = 1: 14 one-byte input beats a frame, one output byte
  grep -qx "set idma_params \[dict create STREAM_BITS 8 FRAME_BYTES 14 INTF_BITS 16\]" "$d/config.tcl"
  grep -qx "set odma_params \[dict create STREAM_BITS 8 FRAME_BYTES 1 INTF_BITS 8\]" "$d/config.tcl"
  run stub_vivado "$d" "$(cat "$d/config.tcl")"
  assert_success
  run cat "$d/calls.log"
  assert_line "create_project finn_zynq_link $d -part xc7z020clg400-1 -force"
  assert_line "set_property board_part tul.com.tw:pynq-z2:part0:1.0 current_project"
  assert_line --partial "CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ 100"
  assert_line "set_property -dict {CONFIG.STREAM_BITS 8 CONFIG.FRAME_BYTES 14 CONFIG.INTF_BITS 16} idma0"
  assert_line "set_property -dict {CONFIG.STREAM_BITS 8 CONFIG.FRAME_BYTES 1 CONFIG.INTF_BITS 8} odma0"
  # every file the project adds exists in its own src/
  local files
  files=$(grep "^add_files -norecurse {" "$d/calls.log" | sed 's/^add_files -norecurse {//; s/}$//')
  [ "$(wc -w <<<"$files")" -ge 10 ]
  for f in $files; do [ -f "$f" ]; [[ $f == $d/src/* ]]; done
  grep -q "finn_design_wrapper.v" <<<"$files"
  grep -q "shoal_iodma.sv" <<<"$files"
  # the stub's bitstream lands where FINN's builder puts it
  [ -s out/bitfile/finn-accel.bit ] && [ -s out/bitfile/finn-accel.hwh ]
}
