#!/usr/bin/env bats
# shells/zynq/make_zynq_proj.tcl and the bitfile step that writes its config.tcl, run under
# tclsh with a Vivado test double that records every call (Vivado is not installed here).

setup() {
  load ../tools/test_helper
  Z="$ROOT/shells/zynq"
  T="$ROOT/tests/shells"
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
