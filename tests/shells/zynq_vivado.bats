#!/usr/bin/env bats
# shells/zynq/make_zynq_proj.tcl and the bitfile step that writes its config.tcl, run under
# tclsh with a Vivado test double that records every call (Vivado is not installed here).

setup() {
  load ../tools/test_helper
  Z="$ROOT/shells/zynq"
  T="$ROOT/tests/shells"
}

# Runs make_zynq_proj.tcl in $1 under the Vivado test double (tests/shells/vivado_double.tcl)
# of release $3 (default 2022.1), every Vivado call recorded in $1/calls.log; $2 is the
# config.tcl text.
stub_vivado() {
  local d=$1
  mkdir -p "$d"
  cp "$Z/make_zynq_proj.tcl" "$d/"
  printf '%s\n' "$2" > "$d/config.tcl"
  tclsh "$T/vivado_double.tcl" "${3:-2022.1}" "$d/make_zynq_proj.tcl"
}

# Board files as FINN downloads them, for the double: $1/<board>/<version>/board.xml.
board_files() {  # DIR VENDOR BOARD VERSION
  mkdir -p "$1/$3/$4"
  echo "<board schema_version=\"2.1\" vendor=\"$2\" name=\"$3\"/>" > "$1/$3/$4/board.xml"
}

# A stitched-design stand-in with a weight file, and config.tcl text for it.
zynq_config() {  # DIR PS_KIND PART BOARD_PART FREQ
  mkdir -p "$1/src"
  cat > "$1/src/finn_design_wrapper.v" <<'V'
module finn_design_wrapper (input wire ap_clk);
  shoal_memstream #(.DEPTH(4), .WIDTH(2), .INIT_FILE("L0_weights.dat")) weights (.clk(ap_clk));
  shoal_mvau #(.THRESH_SEARCH(1), .THRESH_FILE("L0_thresholds")) mvau (.clk(ap_clk));
  shoal_thresholding #(.THRESH_FILE("")) thr (.clk(ap_clk));
endmodule
V
  echo 0 > "$1/src/L0_weights.dat"
  cat <<CFG
set part $3
set board_part $4
set ps_kind $2
set freq_mhz $5
set sources [list $1/src/finn_design_wrapper.v $1/src/L0_weights.dat $Z/shoal_idma.v $Z/shoal_odma.v]
set idma_params [dict create INTF_BITS 32 STREAM_BITS 24 FRAME_BYTES 12]
set odma_params [dict create INTF_BITS 64 STREAM_BITS 16 FRAME_BYTES 8 MAX_BURST 16]
set out_dir $1/bitfile
set report_dir $1/report
CFG
}

ULTRA96=avnet.com:ultra96v1:part0:1.2

@test "make_zynq_proj.tcl (Zynq US+): the recorded Vivado calls and the delivered files" {
  local d=$BATS_TEST_TMPDIR/us
  board_files "$BATS_TEST_TMPDIR/boards" avnet.com ultra96v1 1.2
  SHOAL_BOARD_FILES=/nowhere:$BATS_TEST_TMPDIR/boards \
    run stub_vivado "$d" "$(zynq_config "$d" zynq_us+ xczu3eg-sbva484-1-e $ULTRA96 150)"
  assert_success
  refute_output --partial WARNING
  run cat "$d/calls.log"
  assert_line "create_project finn_zynq_link $d -part xczu3eg-sbva484-1-e -force"
  assert_line "set_param board.repoPaths {/nowhere $BATS_TEST_TMPDIR/boards}"
  assert_line "set_property board_part $ULTRA96 current_project"
  assert_line "create_bd_design top"
  # Vivado 2022.1's versions, found in the catalog (the IPI interconnect is listed with -all)
  assert_line "get_ipdefs -all xilinx.com:ip:axi_interconnect:* -filter {design_tool_contexts =~ *IPI*}"
  assert_line "create_bd_cell -type ip -vlnv xilinx.com:ip:zynq_ultra_ps_e:3.4 zynq_ps"
  assert_line --partial "apply_bd_automation -rule xilinx.com:bd_rule:zynq_ultra_ps_e"
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
  assert_line "add_files -norecurse {$d/src/finn_design_wrapper.v $d/src/L0_weights.dat $Z/shoal_idma.v $Z/shoal_odma.v}"
  assert_line "set_property file_type {Memory Initialization Files} $d/src/L0_weights.dat"
  assert_line "create_bd_cell -type ip -vlnv xilinx.com:ip:smartconnect:1.0 smartconnect_0"
  assert_line "create_bd_cell -type ip -vlnv xilinx.com:ip:axi_interconnect:2.1 axi_interconnect_0"
  assert_line "create_bd_cell -type ip -vlnv xilinx.com:ip:proc_sys_reset:5.0 rst_ps_0"
  assert_line "set_property synth_checkpoint_mode Hierarchical top.bd"
  assert_line "add_files -norecurse $d/finn_zynq_link.gen/sources_1/bd/top/hdl/top_wrapper.v"
  assert_line "set_property STEPS.POST_ROUTE_PHYS_OPT_DESIGN.ARGS.DIRECTIVE AggressiveExplore impl_1"
  assert_line "launch_runs -to_step write_bitstream impl_1 -jobs 2"
  assert_line --partial "report_utilization -hierarchical -hierarchical_depth 4 -format xml"
  # the clock net reaches every block
  assert_line --regexp "^connect_bd_net zynq_ps/pl_clk0 .*idma0/ap_clk odma0/ap_clk StreamingDataflowPartition_1/ap_clk$"
  for f in bitfile/finn-accel.bit bitfile/finn-accel.hwh report/post_synth_resources.xml \
    report/post_route_timing.rpt; do
    [ -s "$d/$f" ]
  done
  grep -q "top_wrapper_timing_summary_routed" "$d/report/post_route_timing.rpt"
  # the memory file names, absolute where Vivado ran; an empty one left empty
  run grep -o '_FILE("[^"]*")' "$d/src/finn_design_wrapper.v"
  assert_output "_FILE(\"$d/src/L0_weights.dat\")
_FILE(\"$d/src/L0_thresholds\")
_FILE(\"\")"
}

@test "make_zynq_proj.tcl runs under every Vivado release 2020.1-2024.2; a version lookup without -all would not" {
  local d=$BATS_TEST_TMPDIR/r cfg
  cfg=$(zynq_config "$d" zynq_us+ xczu3eg-sbva484-1-e xilinx.com:zcu104:part0:1.1 100)
  for release in 2020.1 2020.2 2021.1 2021.2 2022.1 2022.2 2023.1 2023.2 2024.1 2024.2; do
    run stub_vivado "$d" "$cfg" $release
    assert_success
    grep -qx "create_bd_cell -type ip -vlnv xilinx.com:ip:axi_interconnect:2.1 axi_interconnect_0" "$d/calls.log"
    grep -q "create_bd_cell -type ip -vlnv xilinx.com:ip:zynq_ultra_ps_e:3\.[345] zynq_ps" "$d/calls.log"
  done
  # the lookup this script had before: the default listing gives the RTL-only 1.7
  mkdir -p "$d/old"
  sed 's/get_ipdefs -all xilinx.com:ip:$name:\* -filter {design_tool_contexts =~ \*IPI\*}/get_ipdefs xilinx.com:ip:$name:*/' \
    "$Z/make_zynq_proj.tcl" > "$d/old/make_zynq_proj.tcl"
  ! cmp -s "$Z/make_zynq_proj.tcl" "$d/old/make_zynq_proj.tcl"
  printf '%s\n' "$cfg" > "$d/old/config.tcl"
  run tclsh "$T/vivado_double.tcl" 2024.1 "$d/old/make_zynq_proj.tcl"
  assert_failure
  assert_output --partial "ERROR: [BD 5-313] Found unsupported IP 'xilinx.com:ip:axi_interconnect:1.7'"
}

@test "board files: SHOAL_BOARD_FILES, Vivado's own boards, the fallback without a preset, 'Needs board files:'" {
  local d=$BATS_TEST_TMPDIR/b
  # Ultra96 does not ship with Vivado: a warning, the PS without the board preset
  run stub_vivado "$d" "$(zynq_config "$d" zynq_us+ xczu3eg-sbva484-1-e $ULTRA96 100)"
  assert_success
  assert_output "WARNING: [shoal] no board files for $ULTRA96 in this Vivado: the PS is configured without the board preset (put the board files in a directory and set SHOAL_BOARD_FILES to it (shells/zynq/README.md) to use it)"
  run cat "$d/calls.log"
  assert_line "create_project finn_zynq_link $d -part xczu3eg-sbva484-1-e -force"
  refute_line --partial "set_property board_part"
  refute_line --partial "apply_board_preset"
  assert_line --partial "CONFIG.PSU__USE__S_AXI_GP2 1"
  [ -s "$d/bitfile/finn-accel.bit" ]
  # the same on Zynq-7000: the PS7 automation without the preset
  run stub_vivado "$d" "$(zynq_config "$d" zynq_7000 xc7z020clg400-1 tul.com.tw:pynq-z2:part0:1.0 100)"
  assert_success
  assert_output --partial "no board files for tul.com.tw:pynq-z2:part0:1.0"
  run cat "$d/calls.log"
  assert_line --partial 'apply_bd_automation -rule xilinx.com:bd_rule:processing_system7 -config {make_external "FIXED_IO, DDR" Master "Disable" Slave "Disable"}'
  # asked not to fall back: one error line naming the board part and the remedy
  run stub_vivado "$d" "$(zynq_config "$d" zynq_us+ xczu3eg-sbva484-1-e $ULTRA96 100; echo set board_fallback 0)"
  assert_failure
  assert_output "Needs board files: $ULTRA96 is not among this Vivado's boards; put the board files in a directory and set SHOAL_BOARD_FILES to it (shells/zynq/README.md)"
  # ZCU104 ships with Vivado: no board files needed
  run stub_vivado "$d" "$(zynq_config "$d" zynq_us+ xczu7ev-ffvc1156-2-e xilinx.com:zcu104:part0:1.1 100; echo set board_fallback 0)"
  assert_success
  grep -qx "set_property board_part xilinx.com:zcu104:part0:1.1 current_project" "$d/calls.log"
  # the double itself refuses a board part it does not have (as Vivado does)
  sed 's/get_board_parts -quiet $board_part/list x/' "$Z/make_zynq_proj.tcl" > "$d/make_zynq_proj.tcl"
  zynq_config "$d" zynq_us+ xczu3eg-sbva484-1-e $ULTRA96 100 > "$d/config.tcl"
  run tclsh "$T/vivado_double.tcl" 2022.1 "$d/make_zynq_proj.tcl"
  assert_failure
  assert_output --partial "[Board 49-71] The board_part definition was not found for $ULTRA96"
}

@test "make_zynq_proj.tcl (Zynq-7000): processing_system7, FCLK0, peripherals at 0x40000000" {
  local d=$BATS_TEST_TMPDIR/z7
  board_files "$BATS_TEST_TMPDIR/boards" tul.com.tw pynq-z2 1.0
  SHOAL_BOARD_FILES=$BATS_TEST_TMPDIR/boards \
    run stub_vivado "$d" "$(zynq_config "$d" zynq_7000 xc7z020clg400-1 tul.com.tw:pynq-z2:part0:1.0 100)"
  assert_success
  run cat "$d/calls.log"
  assert_line "create_project finn_zynq_link $d -part xc7z020clg400-1 -force"
  assert_line "set_property board_part tul.com.tw:pynq-z2:part0:1.0 current_project"
  assert_line "create_bd_cell -type ip -vlnv xilinx.com:ip:processing_system7:5.5 zynq_ps"
  assert_line --partial 'apply_bd_automation -rule xilinx.com:bd_rule:processing_system7 -config {make_external "FIXED_IO, DDR" apply_board_preset "1"'
  assert_line --partial "CONFIG.PCW_USE_S_AXI_HP0 1"
  assert_line --partial "CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ 100"
  assert_line "connect_bd_intf_net smartconnect_0/M00_AXI zynq_ps/S_AXI_HP0"
  assert_line "connect_bd_intf_net zynq_ps/M_AXI_GP0 axi_interconnect_0/S00_AXI"
  assert_line "assign_bd_address -offset 0x40000000 -range 4K idma0/s_axi_control/reg0"
  assert_line "assign_bd_address -offset 0x40001000 -range 4K odma0/s_axi_control/reg0"
  assert_line "create_bd_cell -type module -reference shoal_idma idma0"
  refute_output --partial "zynq_ultra_ps_e"
}

@test "the double stops what Vivado would: a narrow DMA port at the SmartConnect, a misspelt property, a module parameter that does not exist" {
  local d=$BATS_TEST_TMPDIR/s
  mkdir -p "$d"
  run stub_vivado "$d" "$(zynq_config "$d" zynq_us+ xczu7ev-ffvc1156-2-e xilinx.com:zcu104:part0:1.1 100 | sed 's/INTF_BITS 64/INTF_BITS 8/')"
  assert_failure
  assert_output "ERROR: [BD 41-237] odma0/m_axi_gmem0: a data width of 8 bits cannot connect to smartconnect_0/S01_AXI (SmartConnect endpoints are 32 to 1024 bits, PG247) (vivado double)"
  run stub_vivado "$d" "$(zynq_config "$d" zynq_us+ xczu7ev-ffvc1156-2-e xilinx.com:zcu104:part0:1.1 100 | sed 's/MAX_BURST/MAX_BURSTS/')"
  assert_failure
  assert_output "ERROR: [BD 41-1273] odma0: module shoal_odma has no parameter MAX_BURSTS"
  zynq_config "$d" zynq_us+ xczu7ev-ffvc1156-2-e xilinx.com:zcu104:part0:1.1 100 > "$d/config.tcl"
  sed 's/STEPS.OPT_DESIGN.ARGS.DIRECTIVE/STEPS.OPT_DESIGN.DIRECTIVE/' "$Z/make_zynq_proj.tcl" > "$d/make_zynq_proj.tcl"
  run tclsh "$T/vivado_double.tcl" 2022.1 "$d/make_zynq_proj.tcl"
  assert_failure
  assert_output --partial "no property STEPS.OPT_DESIGN.DIRECTIVE on a run object"
}

@test "memory files: names made absolute for Vivado's runs; a run that could not read one is refused" {
  local d=$BATS_TEST_TMPDIR/m
  mkdir -p "$d"
  zynq_config "$d" zynq_us+ xczu7ev-ffvc1156-2-e xilinx.com:zcu104:part0:1.1 100 > "$d/config.tcl"
  # without the rewrite, the double's synthesis log has Vivado's critical warning
  sed 's/^localize_memory_files \$sources$//' "$Z/make_zynq_proj.tcl" > "$d/make_zynq_proj.tcl"
  ! cmp -s "$Z/make_zynq_proj.tcl" "$d/make_zynq_proj.tcl"
  run tclsh "$T/vivado_double.tcl" 2022.1 "$d/make_zynq_proj.tcl"
  assert_failure
  assert_output --partial "make_zynq_proj.tcl: synthesis could not read a memory file, the weights would be zeros ($d/finn_zynq_link.runs/synth_1/runme.log): CRITICAL WARNING: [Synth 8-4445] could not open \$readmem data file 'L0_weights.dat'"
  [ ! -e "$d/bitfile/finn-accel.bit" ]
  # moved elsewhere after a run: the names follow
  run stub_vivado "$d" "$(cat "$d/config.tcl")"
  assert_success
  mv "$d" "$d.moved"
  sed -i "s|$d/|$d.moved/|g" "$d.moved/config.tcl"
  run stub_vivado "$d.moved" "$(cat "$d.moved/config.tcl")"
  assert_success
  run grep -c "_FILE(\"$d.moved/src/" "$d.moved/src/finn_design_wrapper.v"
  assert_output 2
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
  # (memory words of at least 32 bits: the runs end inside a word)
  grep -qx "set idma_params \[dict create STREAM_BITS 8 FRAME_BYTES 14 INTF_BITS 32\]" "$d/config.tcl"
  grep -qx "set odma_params \[dict create STREAM_BITS 8 FRAME_BYTES 1 INTF_BITS 32\]" "$d/config.tcl"
  board_files "$BATS_TEST_TMPDIR/boards" tul.com.tw pynq-z2 1.0
  SHOAL_BOARD_FILES=$BATS_TEST_TMPDIR/boards run stub_vivado "$d" "$(cat "$d/config.tcl")"
  assert_success
  run cat "$d/calls.log"
  assert_line "create_project finn_zynq_link $d -part xc7z020clg400-1 -force"
  assert_line "set_property board_part tul.com.tw:pynq-z2:part0:1.0 current_project"
  assert_line --partial "CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ 100"
  assert_line "set_property -dict {CONFIG.STREAM_BITS 8 CONFIG.FRAME_BYTES 14 CONFIG.INTF_BITS 32} idma0"
  assert_line "set_property -dict {CONFIG.STREAM_BITS 8 CONFIG.FRAME_BYTES 1 CONFIG.INTF_BITS 32} odma0"
  # every file the project adds exists in its own src/
  local files
  files=$(grep "^add_files -norecurse {" "$d/calls.log" | sed 's/^add_files -norecurse {//; s/}$//')
  [ "$(wc -w <<<"$files")" -ge 10 ]
  for f in $files; do [ -f "$f" ]; [[ $f == $d/src/* ]]; done
  grep -q "finn_design_wrapper.v" <<<"$files"
  grep -q "shoal_iodma.sv" <<<"$files"
  # the project's copy of the stitched top declares its clock and reset for IP integrator
  run grep -B1 -E '^  input  wire ap_(clk|rst_n),' "$d/src/finn_design_wrapper.v"
  assert_output '  (* X_INTERFACE_PARAMETER = "ASSOCIATED_BUSIF s_axis_0:m_axis_0, ASSOCIATED_RESET ap_rst_n" *)
  input  wire ap_clk,
--
  (* X_INTERFACE_PARAMETER = "POLARITY ACTIVE_LOW" *)
  input  wire ap_rst_n,'
  # the stub's bitstream lands where FINN's builder puts it
  [ -s out/bitfile/finn-accel.bit ] && [ -s out/bitfile/finn-accel.hwh ]
}
