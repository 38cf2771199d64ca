# make_zynq_proj.tcl: the Vivado project of FINN's VIVADO_ZYNQ shell flow (hardware.md §6.2,
# steps 4-6) around a shoal stitched design: a block design `top` with the Zynq PS, the
# input DMA idma0 -> the stitched design -> the output DMA odma0, synthesized and
# implemented to a bitstream, with the files FINN's builder delivers.
#
#   vivado -mode batch -source make_zynq_proj.tcl [-tclargs CONFIG.tcl]
#
# The configuration is config.tcl beside this script (or the file given after -tclargs),
# a Tcl file that sets these variables:
#
#   part         the FPGA part, e.g. xczu3eg-sbva484-1-e (shells/zynq/boards.tsv)
#   board_part   the board part, e.g. avnet.com:ultra96v1:part0:1.2; "" for none (the
#                PS then keeps Vivado's defaults instead of the board preset)
#   ps_kind      zynq_us+ (zynq_ultra_ps_e) or zynq_7000 (processing_system7)
#   freq_mhz     the PL clock (PS clock 0) in MHz, integer: FINN's int(1000 / clk_ns)
#   sources      list of absolute file names: the stitched design (every file of its
#                stitched_ip/all_verilog_srcs.txt and every stitched_ip/*.dat) and the
#                shell (shoal_idma.v, shoal_odma.v, shoal_iodma.sv, shoal_iodma_ctrl.sv,
#                shoal_iodma_dwc.sv, shoal_iodma_fifo.sv from this directory)
#   idma_params  dict of shoal_idma parameters: STREAM_BITS, FRAME_BYTES, INTF_BITS and
#                optionally MAX_BURST (16), FIFO_DEPTH (0: 2*MAX_BURST),
#                ADDR_BITS (64)
#   odma_params  the same for shoal_odma
#   out_dir      where finn-accel.bit and finn-accel.hwh go (created)
#   report_dir   where post_synth_resources.xml and post_route_timing.rpt go (created)
#
# and optionally:
#   project_dir      where the project finn_zynq_link is created (default: the directory
#                    of the configuration file), replaced if present
#   board_repo_paths list of directories with board files (FINN's deps/board_files);
#                    Vivado's installed boards are searched in any case
#   board_fallback   1 (default): when this Vivado has no board files for board_part,
#                    configure the PS without the board preset (see below); 0: stop
#   jobs             parallel jobs for the runs (default 2)
#
# The environment variable SHOAL_BOARD_FILES (directories separated by ':') adds board
# file directories on the machine where Vivado runs, e.g. the boards FINN downloads
# (Pynq-Z1/Z2, Ultra96, RFSoC2x2/4x2, KV260: shells/zynq/README.md).
#
# How the parameters follow from the stitched design: shells/zynq/README.md.
#
# The design: PS master port (M_AXI_HPM0_FPD / M_AXI_GP0) -> axi_interconnect_0 -> the
# DMAs' s_axi_control (idma0 at 0xA0000000, odma0 at 0xA0001000 on Zynq US+; 0x40000000
# and 0x40001000 on Zynq-7000; 4 KiB each); the DMAs' m_axi_gmem0 -> smartconnect_0 -> the
# PS's high-performance slave port HP0 (S_AXI_HP0_FPD / S_AXI_HP0), which reaches DDR;
# idma0/out_V -> StreamingDataflowPartition_1/s_axis_0, its m_axis_0 -> odma0/in0_V. One
# clock (PS clock 0 at freq_mhz) and one reset (proc_sys_reset on the PS's PL reset) for
# everything, as in FINN. The cell names are those the PYNQ driver looks for (idma0,
# odma0) and FINN's name for the compute partition.

# --- configuration --------------------------------------------------------------------------
set script_dir [file dirname [file normalize [info script]]]
if {[info exists argv] && [llength $argv] > 0} {
  set config_file [file normalize [lindex $argv 0]]
} else {
  set config_file [file join $script_dir config.tcl]
}
source $config_file

foreach var {part board_part ps_kind freq_mhz sources idma_params odma_params out_dir
             report_dir} {
  if {![info exists $var]} {
    error "make_zynq_proj.tcl: $config_file does not set $var"
  }
}
if {$ps_kind ne "zynq_us+" && $ps_kind ne "zynq_7000"} {
  error "make_zynq_proj.tcl: ps_kind must be zynq_us+ or zynq_7000, not '$ps_kind'"
}
if {![string is integer -strict $freq_mhz] || $freq_mhz <= 0} {
  error "make_zynq_proj.tcl: freq_mhz must be a positive integer, not '$freq_mhz'"
}
foreach dma {idma_params odma_params} {
  foreach key {STREAM_BITS FRAME_BYTES INTF_BITS} {
    if {![dict exists [set $dma] $key]} {
      error "make_zynq_proj.tcl: $dma has no $key"
    }
  }
}
if {![info exists project_dir]} { set project_dir [file dirname $config_file] }
if {![info exists board_repo_paths]} { set board_repo_paths {} }
if {[info exists ::env(SHOAL_BOARD_FILES)]} {
  foreach dir [split $::env(SHOAL_BOARD_FILES) :] {
    if {$dir ne ""} { lappend board_repo_paths [file normalize $dir] }
  }
}
if {![info exists board_fallback]} { set board_fallback 1 }
if {![info exists jobs]} { set jobs 2 }

# --- project ----------------------------------------------------------------------------
# Board files outside Vivado's own (FINN's deps/board_files: Pynq-Z1/Z2, Ultra96, ...) are
# found through the parameter (for the board part) and the project property (for the IP
# presets).
if {[llength $board_repo_paths]} {
  set_param board.repoPaths [concat [get_param board.repoPaths] $board_repo_paths]
}
create_project finn_zynq_link $project_dir -part $part -force
if {[llength $board_repo_paths]} {
  set_property BOARD_PART_REPO_PATHS \
    [concat [get_property BOARD_PART_REPO_PATHS [current_project]] $board_repo_paths] \
    [current_project]
}
# A board part whose board files this Vivado lacks would stop the run at set_property
# with "board_part definition was not found". PYNQ configures the PS (DDR, MIO) from its
# own boot image and the overlay uses only the PL clock, HPM0 and HP0, which are set
# below, so the PS can go without the board preset; only that is lost.
if {$board_part ne "" && [llength [get_board_parts -quiet $board_part]] == 0} {
  set hint "put the board files in a directory and set SHOAL_BOARD_FILES to it (shells/zynq/README.md)"
  if {!$board_fallback} {
    error "Needs board files: $board_part is not among this Vivado's boards; $hint"
  }
  puts "WARNING: \[shoal\] no board files for $board_part in this Vivado: the PS is\
configured without the board preset ($hint to use it)"
  set board_part ""
}
if {$board_part ne ""} {
  set_property board_part $board_part [current_project]
}

# The layers read their weights and thresholds with $readmemh by file name (INIT_FILE,
# THRESH_FILE; in the search form a prefix of several file names). Synthesis runs
# in directories of its own (and per IP for module references), where a bare name finds
# nothing and Vivado fills the memory with zeros after a critical warning (Synth 8-4445).
# So every such name in the Verilog sources is made absolute here, on the machine that runs
# Vivado; a name made absolute by an earlier run elsewhere is pointed here again.
proc localize_memory_files {sources} {
  foreach f $sources {
    if {![regexp {\.s?v$} $f]} { continue }
    set h [open $f r]
    set text [read $h]
    close $h
    # (& and \ would be read as regsub substitutions)
    set dir [string map {& \\& \\ \\\\} [file dirname [file normalize $f]]]
    set fixed [regsub -all {\.((?:INIT|THRESH)_FILE)\("(?:[^"\n]*/)?([^"/\n]+)"\)} $text \
      ".\\1(\"$dir/\\2\")"]
    if {$fixed ne $text} {
      set h [open $f w]
      puts -nonewline $h $fixed
      close $h
    }
  }
}
localize_memory_files $sources
add_files -norecurse $sources
set mem_files [get_files -quiet *.dat]
if {[llength $mem_files]} {
  set_property file_type {Memory Initialization Files} $mem_files
}
update_compile_order -fileset sources_1

create_bd_design top

# The newest version of a Xilinx IP in this Vivado that block designs accept, so that the
# script does not pin one Vivado release. The default catalog listing hides some IPI
# versions: for axi_interconnect it shows only the RTL-flow 1.7, which a block design
# rejects (BD 5-313); the IPI 2.1 is listed with -all and found by its design-tool context.
proc ip_vlnv {name} {
  set defs [get_ipdefs -all xilinx.com:ip:$name:* -filter {design_tool_contexts =~ *IPI*}]
  if {[llength $defs] == 0} {
    error "make_zynq_proj.tcl: this Vivado has no block-design IP xilinx.com:ip:$name"
  }
  set best ""
  set best_version ""
  foreach def $defs {
    set vlnv [get_property VLNV $def]
    set version [lindex [split $vlnv :] end]
    if {$best eq "" || [package vcompare $version $best_version] > 0} {
      set best $vlnv
      set best_version $version
    }
  }
  return $best
}

# --- processing system ------------------------------------------------------------------
# clk_pin: the PL clock; rst_pin: the PL reset; ps_master/ps_slave: the AXI ports we use,
# ps_clk_pins: the clock pins the PS wants for them.
if {$ps_kind eq "zynq_us+"} {
  set ps [create_bd_cell -type ip -vlnv [ip_vlnv zynq_ultra_ps_e] zynq_ps]
  if {$board_part ne ""} {
    apply_bd_automation -rule xilinx.com:bd_rule:zynq_ultra_ps_e \
      -config {apply_board_preset "1"} $ps
  }
  # HP0_FPD is "S_AXI_GP2" in the PS's own numbering; HPM1 is switched off so that its
  # clock pin needs no driver.
  set_property -dict [list \
    CONFIG.PSU__USE__M_AXI_GP0 {1} \
    CONFIG.PSU__USE__M_AXI_GP1 {0} \
    CONFIG.PSU__USE__S_AXI_GP2 {1} \
    CONFIG.PSU__OVERRIDE__BASIC_CLOCK {0} \
    CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ $freq_mhz] $ps
  set clk_pin zynq_ps/pl_clk0
  set rst_pin zynq_ps/pl_resetn0
  set ps_master zynq_ps/M_AXI_HPM0_FPD
  set ps_slave zynq_ps/S_AXI_HP0_FPD
  set ps_clk_pins {zynq_ps/maxihpm0_fpd_aclk zynq_ps/saxihp0_fpd_aclk}
  set lite_base 0xA0000000
} else {
  set ps [create_bd_cell -type ip -vlnv [ip_vlnv processing_system7] zynq_ps]
  if {$board_part ne ""} {
    apply_bd_automation -rule xilinx.com:bd_rule:processing_system7 \
      -config {make_external "FIXED_IO, DDR" apply_board_preset "1" Master "Disable" Slave "Disable"} $ps
  } else {
    apply_bd_automation -rule xilinx.com:bd_rule:processing_system7 \
      -config {make_external "FIXED_IO, DDR" Master "Disable" Slave "Disable"} $ps
  }
  set_property -dict [list \
    CONFIG.PCW_USE_M_AXI_GP0 {1} \
    CONFIG.PCW_USE_S_AXI_HP0 {1} \
    CONFIG.PCW_EN_CLK0_PORT {1} \
    CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ $freq_mhz] $ps
  set clk_pin zynq_ps/FCLK_CLK0
  set rst_pin zynq_ps/FCLK_RESET0_N
  set ps_master zynq_ps/M_AXI_GP0
  set ps_slave zynq_ps/S_AXI_HP0
  set ps_clk_pins {zynq_ps/M_AXI_GP0_ACLK zynq_ps/S_AXI_HP0_ACLK}
  set lite_base 0x40000000
}

# --- the accelerator: idma0 -> StreamingDataflowPartition_1 -> odma0 ---------------------
proc dma_config {params} {
  set cfg {}
  dict for {key value} $params {
    lappend cfg CONFIG.$key $value
  }
  return $cfg
}
set idma [create_bd_cell -type module -reference shoal_idma idma0]
set_property -dict [dma_config $idma_params] $idma
set odma [create_bd_cell -type module -reference shoal_odma odma0]
set_property -dict [dma_config $odma_params] $odma
set accel [create_bd_cell -type module -reference finn_design_wrapper StreamingDataflowPartition_1]

connect_bd_intf_net [get_bd_intf_pins idma0/out_V] \
  [get_bd_intf_pins StreamingDataflowPartition_1/s_axis_0]
connect_bd_intf_net [get_bd_intf_pins StreamingDataflowPartition_1/m_axis_0] \
  [get_bd_intf_pins odma0/in0_V]

# --- interconnects ----------------------------------------------------------------------
# Both DMAs' data ports share HP0 through a SmartConnect; their control ports hang off the
# PS master port through an AXI Interconnect (NUM_MI = number of AXI-Lite slaves).
set smc [create_bd_cell -type ip -vlnv [ip_vlnv smartconnect] smartconnect_0]
set_property -dict [list CONFIG.NUM_SI {2} CONFIG.NUM_MI {1}] $smc
set ic [create_bd_cell -type ip -vlnv [ip_vlnv axi_interconnect] axi_interconnect_0]
set_property -dict [list CONFIG.NUM_SI {1} CONFIG.NUM_MI {2}] $ic

connect_bd_intf_net [get_bd_intf_pins idma0/m_axi_gmem0] [get_bd_intf_pins smartconnect_0/S00_AXI]
connect_bd_intf_net [get_bd_intf_pins odma0/m_axi_gmem0] [get_bd_intf_pins smartconnect_0/S01_AXI]
connect_bd_intf_net [get_bd_intf_pins smartconnect_0/M00_AXI] [get_bd_intf_pins $ps_slave]
connect_bd_intf_net [get_bd_intf_pins $ps_master] [get_bd_intf_pins axi_interconnect_0/S00_AXI]
connect_bd_intf_net [get_bd_intf_pins axi_interconnect_0/M00_AXI] [get_bd_intf_pins idma0/s_axi_control]
connect_bd_intf_net [get_bd_intf_pins axi_interconnect_0/M01_AXI] [get_bd_intf_pins odma0/s_axi_control]

# --- one clock, one reset -----------------------------------------------------------------
set rst [create_bd_cell -type ip -vlnv [ip_vlnv proc_sys_reset] rst_ps_0]
set ps_clocks {}
foreach pin $ps_clk_pins {
  lappend ps_clocks [get_bd_pins $pin]
}
# (Vivado's Tcl is 8.5: no lmap.)
connect_bd_net [get_bd_pins $clk_pin] [get_bd_pins rst_ps_0/slowest_sync_clk] {*}$ps_clocks \
  [get_bd_pins smartconnect_0/aclk] \
  [get_bd_pins axi_interconnect_0/ACLK] [get_bd_pins axi_interconnect_0/S00_ACLK] \
  [get_bd_pins axi_interconnect_0/M00_ACLK] [get_bd_pins axi_interconnect_0/M01_ACLK] \
  [get_bd_pins idma0/ap_clk] [get_bd_pins odma0/ap_clk] \
  [get_bd_pins StreamingDataflowPartition_1/ap_clk]
connect_bd_net [get_bd_pins $rst_pin] [get_bd_pins rst_ps_0/ext_reset_in]
connect_bd_net [get_bd_pins rst_ps_0/interconnect_aresetn] \
  [get_bd_pins axi_interconnect_0/ARESETN] [get_bd_pins smartconnect_0/aresetn]
connect_bd_net [get_bd_pins rst_ps_0/peripheral_aresetn] \
  [get_bd_pins axi_interconnect_0/S00_ARESETN] \
  [get_bd_pins axi_interconnect_0/M00_ARESETN] [get_bd_pins axi_interconnect_0/M01_ARESETN] \
  [get_bd_pins idma0/ap_rst_n] [get_bd_pins odma0/ap_rst_n] \
  [get_bd_pins StreamingDataflowPartition_1/ap_rst_n]

# --- addresses ----------------------------------------------------------------------------
# The control ports (6 address bits) get 4 KiB each from the PS's peripheral window, idma0
# first; then assign_bd_address maps the rest, i.e. DDR into both DMAs' address spaces.
set offset $lite_base
foreach cell {idma0 odma0} {
  assign_bd_address -offset [format 0x%08X $offset] -range 4K \
    [get_bd_addr_segs -of_objects [get_bd_intf_pins $cell/s_axi_control]]
  set offset [expr {$offset + 0x1000}]
}
assign_bd_address

validate_bd_design
save_bd_design
# One synthesis run per block (FINN's setting; the default of new block designs too).
set_property synth_checkpoint_mode Hierarchical [get_files top.bd]

# --- synthesis and implementation ----------------------------------------------------------
set bd_file [get_files top.bd]
set wrapper [make_wrapper -files $bd_file -top]
if {![file exists $wrapper]} {
  # Where make_wrapper puts it: .gen (Vivado 2020.2 and later) or .srcs.
  set wrapper [lindex [glob -nocomplain \
    [file join $project_dir finn_zynq_link.gen sources_1 bd top hdl top_wrapper.v] \
    [file join $project_dir finn_zynq_link.srcs sources_1 bd top hdl top_wrapper.v]] 0]
}
add_files -norecurse $wrapper
set_property top top_wrapper [current_fileset]
update_compile_order -fileset sources_1

# FINN's run settings: performance-oriented synthesis with retiming, extra timing
# optimisation in implementation.
set_property strategy Flow_PerfOptimized_high [get_runs synth_1]
set_property STEPS.SYNTH_DESIGN.ARGS.DIRECTIVE AlternateRoutability [get_runs synth_1]
set_property STEPS.SYNTH_DESIGN.ARGS.RETIMING true [get_runs synth_1]
set_property strategy Performance_ExtraTimingOpt [get_runs impl_1]
set_property STEPS.OPT_DESIGN.ARGS.DIRECTIVE Explore [get_runs impl_1]
set_property STEPS.PHYS_OPT_DESIGN.ARGS.DIRECTIVE AggressiveExplore [get_runs impl_1]
set_property STEPS.POST_ROUTE_PHYS_OPT_DESIGN.IS_ENABLED true [get_runs impl_1]
set_property STEPS.POST_ROUTE_PHYS_OPT_DESIGN.ARGS.DIRECTIVE AggressiveExplore [get_runs impl_1]

launch_runs -to_step write_bitstream impl_1 -jobs $jobs
wait_on_run impl_1
if {[get_property PROGRESS [get_runs impl_1]] ne "100%"} {
  error "make_zynq_proj.tcl: implementation failed (see the impl_1 run log)"
}
# A memory file synthesis could not open leaves zeros in the bitstream: a build that
# "works" and computes wrong outputs. Refuse to deliver it.
foreach log [glob -nocomplain [file join $project_dir finn_zynq_link.runs * runme.log]] {
  set h [open $log r]
  set text [read $h]
  close $h
  if {[regexp -line {^.*Synth 8-4445.*$} $text line]} {
    error "make_zynq_proj.tcl: synthesis could not read a memory file, the weights would\
be zeros ($log): $line"
  }
}

# --- deliverables ---------------------------------------------------------------------------
file mkdir $out_dir $report_dir
set impl_dir [get_property DIRECTORY [get_runs impl_1]]
file copy -force [file join $impl_dir top_wrapper.bit] [file join $out_dir finn-accel.bit]
# The hardware handoff lies under .gen (Vivado 2020.2 and later) or .srcs (earlier).
set hwh [lindex [glob -nocomplain \
  [file join $project_dir finn_zynq_link.gen sources_1 bd top hw_handoff top.hwh] \
  [file join $project_dir finn_zynq_link.srcs sources_1 bd top hw_handoff top.hwh]] 0]
if {$hwh eq ""} {
  error "make_zynq_proj.tcl: no hw_handoff/top.hwh in $project_dir"
}
file copy -force $hwh [file join $out_dir finn-accel.hwh]

# As FINN: the utilization of the implemented design (under the name post_synth), and the
# routed timing summary.
open_run impl_1
report_utilization -hierarchical -hierarchical_depth 4 -format xml \
  -file [file join $report_dir post_synth_resources.xml]
set timing [file join $impl_dir top_wrapper_timing_summary_routed.rpt]
if {[file exists $timing]} {
  file copy -force $timing [file join $report_dir post_route_timing.rpt]
} else {
  report_timing_summary -file [file join $report_dir post_route_timing.rpt]
}
