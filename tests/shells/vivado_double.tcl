# vivado_double.tcl: a Vivado stand-in for tclsh, so that shoal's Vivado scripts run in
# tests where no Vivado is installed.
#
#   tclsh vivado_double.tcl RELEASE SCRIPT [ARG...]
#
# RELEASE is a Vivado release from 2020.1 to 2024.2. SCRIPT runs with argv = ARGs, as under
# `vivado -mode batch -source SCRIPT -tclargs ARG...`. Every Vivado command it calls is
# written, with its arguments, to calls.log beside SCRIPT (or $env(VIVADO_DOUBLE_LOG)).
#
# The double is strict where a real Vivado would stop and a recording double would not:
# - Commands it does not know are errors, so a script cannot call a command that no
#   Vivado has.
# - The IP catalog is the one the review of the Zynq flow describes: for every release the
#   default listing shows only the RTL-flow axi_interconnect 1.7; the block-design 2.1 is
#   listed with -all and has the IPI design-tool context. create_bd_cell rejects an IP
#   without that context (BD 5-313). The PS versions differ between releases only so that
#   a script that pins one fails somewhere.
# - Property names are checked: each object kind has the list of names the scripts may
#   set (runs, projects, files, filesets, IP packager objects), IP cells take CONFIG
#   names of their own IP, module-reference cells only the parameters of their module
#   (read from the Verilog the project added; the top of a module reference must be a
#   Verilog, not a SystemVerilog, file: UG994).
# - SmartConnect endpoints must be 32 to 1024 bits wide (PG247): connecting a module
#   reference's AXI4 master with INTF_BITS below 32 is an error.
# - Board parts: the ones Vivado ships (ZCU102, ZCU104) and those whose board.xml lies
#   under board.repoPaths / BOARD_PART_REPO_PATHS (path <board>/<version>/board.xml, the
#   vendor in the file's vendor="..." attribute). Setting another board part fails as
#   Vivado does ("board_part definition was not found"). $env(VIVADO_DOUBLE_NO_BOARDS)
#   removes the shipped ones.
# - IP packaging: ipx::get_bus_parameters returns only parameters that exist; an auto-
#   inferred clock interface has ASSOCIATED_BUSIF and ASSOCIATED_RESET but no FREQ_HZ, so
#   setting a property on it needs ipx::add_bus_parameter first.
# - The runs "finish": their output files are written with stub contents, and the
#   utilization and timing queries return fixed numbers (LUT 1234, FF 2345; WNS 0.5 ns or
#   $env(VIVADO_DOUBLE_WNS)), which res.txt writers can be checked against.

if {[llength $argv] < 2} {
  puts stderr "usage: tclsh vivado_double.tcl RELEASE SCRIPT \[ARG...\]"
  exit 2
}
set vd(release) [lindex $argv 0]
set vd(script) [file normalize [lindex $argv 1]]
set argv [lrange $argv 2 end]
set argc [llength $argv]

set vd(releases) {2020.1 2020.2 2021.1 2021.2 2022.1 2022.2 2023.1 2023.2 2024.1 2024.2}
if {[lsearch -exact $vd(releases) $vd(release)] < 0} {
  puts stderr "vivado double: no release $vd(release) (known: $vd(releases))"
  exit 2
}
set vd(year) [lindex [split $vd(release) .] 0]

# name -> {version design_tool_contexts hidden}: hidden ones are listed only with -all.
proc vd_catalog {} {
  global vd
  set ps_version [expr {$vd(year) <= 2021 ? "3.3" : $vd(year) == 2022 ? "3.4" : "3.5"}]
  return [list \
    [list zynq_ultra_ps_e $ps_version {IPI} 0] \
    [list processing_system7 5.5 {IPI} 0] \
    [list smartconnect 1.0 {IPI} 0] \
    [list axi_interconnect 1.7 {} 0] \
    [list axi_interconnect 2.1 {IPI} 1] \
    [list proc_sys_reset 5.0 {IPI} 0]]
}

set vd(log) [expr {[info exists env(VIVADO_DOUBLE_LOG)] ? $env(VIVADO_DOUBLE_LOG)
                   : [file join [file dirname $vd(script)] calls.log]}]
set vd(calls) [open $vd(log) w]
set vd(project_dir) ""
set vd(board_part) ""
set vd(repo_paths) {}
set vd(sources) {}
set vd(params) [dict create]
set vd(cells) [dict create]
set vd(bus_params) [dict create]

proc vd_fail {msg} {
  global vd
  puts $vd(calls) "ERROR: $msg"
  flush $vd(calls)
  error "ERROR: $msg"
}

# --- what the scripts may set -----------------------------------------------------------
set vd(props,project) {board_part BOARD_PART_REPO_PATHS}
set vd(props,run) {
  strategy
  STEPS.SYNTH_DESIGN.ARGS.DIRECTIVE STEPS.SYNTH_DESIGN.ARGS.RETIMING
  STEPS.SYNTH_DESIGN.ARGS.FLATTEN_HIERARCHY {STEPS.SYNTH_DESIGN.ARGS.MORE OPTIONS}
  STEPS.OPT_DESIGN.ARGS.DIRECTIVE STEPS.PLACE_DESIGN.ARGS.DIRECTIVE
  STEPS.PHYS_OPT_DESIGN.IS_ENABLED STEPS.PHYS_OPT_DESIGN.ARGS.DIRECTIVE
  STEPS.ROUTE_DESIGN.ARGS.DIRECTIVE
  STEPS.POST_ROUTE_PHYS_OPT_DESIGN.IS_ENABLED STEPS.POST_ROUTE_PHYS_OPT_DESIGN.ARGS.DIRECTIVE
}
set vd(props,file) {file_type synth_checkpoint_mode}
set vd(props,fileset) {top}
set vd(props,ipx) {name core_revision value value_resolve_type ipi_drc display_name
  description vendor library version}
set vd(config_prefix,zynq_ultra_ps_e) PSU__
set vd(config_prefix,processing_system7) PCW_
set vd(config_names,smartconnect) {NUM_SI NUM_MI NUM_CLKS}
set vd(config_names,axi_interconnect) {NUM_SI NUM_MI}
set vd(config_names,proc_sys_reset) {C_EXT_RST_WIDTH C_AUX_RST_WIDTH}

proc vd_check_names {kind names} {
  global vd
  foreach n $names {
    if {[lsearch -exact $vd(props,$kind) $n] < 0} {
      vd_fail "\[Common 17-161\] Invalid option value '$n' specified for 'name': no property\
$n on a $kind object (vivado double)"
    }
  }
}

# The parameters of a Verilog module among the added sources ("" if it is not there).
proc vd_module {name} {
  global vd
  foreach f $vd(sources) {
    if {![file exists $f] || ![regexp {\.s?v$} $f]} { continue }
    set h [open $f r]
    set text [read $h]
    close $h
    if {[regexp "(?n)^\\s*module\\s+$name\\y" $text]} {
      set ps {}
      foreach {- p} [regexp -all -inline {parameter\s+(?:integer\s+|int\s+)?(\w+)\s*=} $text] {
        lappend ps $p
      }
      return [list $f $ps]
    }
  }
  return ""
}

proc vd_set_cell_config {cell pairs} {
  global vd
  if {![dict exists $vd(cells) $cell]} { vd_fail "\[BD 5-106\] no cell $cell" }
  set info [dict get $vd(cells) $cell]
  foreach {key value} $pairs {
    if {![string match CONFIG.* $key]} { vd_fail "no property $key on bd cell $cell" }
    set name [string range $key 7 end]
    set kind [dict get $info kind]
    set what [dict get $info what]
    if {$kind eq "module"} {
      if {[lsearch -exact [dict get $info params] $name] < 0} {
        vd_fail "\[BD 41-1273\] $cell: module $what has no parameter $name"
      }
    } elseif {[info exists vd(config_prefix,$what)]} {
      if {![string match $vd(config_prefix,$what)* $name]} {
        vd_fail "$cell: $what has no parameter $name"
      }
    } elseif {[lsearch -exact $vd(config_names,$what) $name] < 0} {
      vd_fail "$cell: $what has no parameter $name"
    }
    dict set vd(cells) $cell config $name $value
  }
}

proc vd_board_parts {} {
  global vd env
  set parts {}
  if {![info exists env(VIVADO_DOUBLE_NO_BOARDS)]} {
    lappend parts xilinx.com:zcu102:part0:3.3 xilinx.com:zcu104:part0:1.1
  }
  foreach dir $vd(repo_paths) {
    foreach xml [glob -nocomplain -directory $dir */*/board.xml */*/*/board.xml] {
      set h [open $xml r]
      set text [read $h]
      close $h
      set version [file tail [file dirname $xml]]
      set board [file tail [file dirname [file dirname $xml]]]
      if {[regexp {vendor="([^"]+)"} $text -> vendor]} {
        lappend parts $vendor:$board:part0:$version
      }
    }
  }
  return $parts
}

# --- the commands ------------------------------------------------------------------------
proc vd_log {cmd args} {
  global vd
  puts $vd(calls) [concat $cmd $args]
  flush $vd(calls)
}

set vd(known) {
  create_project add_files update_compile_order create_bd_design create_bd_cell
  connect_bd_intf_net connect_bd_net get_bd_pins get_bd_intf_pins get_bd_cells
  get_bd_addr_segs assign_bd_address apply_bd_automation validate_bd_design save_bd_design
  make_wrapper get_files get_runs current_project current_fileset get_ipdefs get_property
  set_property get_param set_param get_board_parts launch_runs wait_on_run open_run
  report_utilization report_timing_summary get_timing_paths read_xdc read_verilog
  synth_design opt_design place_design route_design phys_opt_design write_checkpoint
  close_project version get_cells
  ipx::package_project ipx::current_core ipx::infer_bus_interfaces
  ipx::associate_bus_interfaces ipx::get_bus_interfaces ipx::get_bus_parameters
  ipx::add_bus_parameter ipx::create_xgui_files ipx::update_checksums ipx::save_core
}

proc unknown {cmd args} {
  global vd
  vd_log $cmd {*}$args
  if {[lsearch -exact $vd(known) $cmd] < 0} {
    vd_fail "invalid command name \"$cmd\" (not a Vivado command the double knows)"
  }
  return [vd_$cmd {*}$args]
}

proc vd_create_project {args} {
  global vd
  if {[set i [lsearch -exact $args -part]] >= 0} { set args [lreplace $args $i [expr {$i + 1}]] }
  lassign [lsearch -inline -all -not -glob $args -*] vd(project_name) dir
  set vd(project_dir) [file normalize $dir]
  return $vd(project_name)
}
proc vd_add_files {args} {
  global vd
  foreach f [lindex $args end] { lappend vd(sources) [file normalize $f] }
}
proc vd_read_verilog {args} { vd_add_files {*}$args }
proc vd_create_bd_cell {args} {
  global vd
  set name [lindex $args end]
  set type [lindex $args [expr {[lsearch $args -type] + 1}]]
  if {$type eq "ip"} {
    set vlnv [lindex $args [expr {[lsearch $args -vlnv] + 1}]]
    lassign [split $vlnv :] vendor lib ipname version
    foreach def [vd_catalog] {
      lassign $def n v contexts
      if {$n eq $ipname && $v eq $version} {
        if {[lsearch -exact $contexts IPI] < 0} {
          vd_fail "\[BD 5-313\] Found unsupported IP '$vlnv'"
        }
        dict set vd(cells) $name [dict create kind ip what $ipname config {}]
        return $name
      }
    }
    vd_fail "\[BD 5-7\] no IP $vlnv in the catalog of Vivado $vd(release)"
  }
  set ref [lindex $args [expr {[lsearch $args -reference] + 1}]]
  set m [vd_module $ref]
  if {$m eq ""} { vd_fail "\[BD 41-1665\] no module $ref among the project's sources" }
  if {![string match *.v [lindex $m 0]]} {
    vd_fail "\[BD 41-1665\] module reference $ref: the top file [lindex $m 0] is not Verilog"
  }
  dict set vd(cells) $name [dict create kind module what $ref params [lindex $m 1] config {}]
  return $name
}
proc vd_connect_bd_intf_net {a b} {
  global vd
  foreach {from to} [list $a $b $b $a] {
    if {[string match smartconnect_*/S*_AXI $to]} {
      set cell [lindex [split $from /] 0]
      if {[dict exists $vd(cells) $cell config INTF_BITS]} {
        set w [dict get $vd(cells) $cell config INTF_BITS]
        if {$w < 32 || $w > 1024 || ($w & ($w - 1))} {
          vd_fail "\[BD 41-237\] $from: a data width of $w bits cannot connect to $to\
(SmartConnect endpoints are 32 to 1024 bits, PG247) (vivado double)"
        }
      }
    }
  }
}
proc vd_get_ipdefs {args} {
  set all [expr {[lsearch -exact $args -all] >= 0}]
  set filter ""
  if {[set i [lsearch -exact $args -filter]] >= 0} {
    set filter [lindex $args [expr {$i + 1}]]
    set args [lreplace $args $i [expr {$i + 1}]]
  }
  if {$filter ne "" && ![regexp {^\s*design_tool_contexts\s*=~\s*\*IPI\*\s*$} $filter]} {
    vd_fail "the double knows only the filter design_tool_contexts =~ *IPI*, not '$filter'"
  }
  set pattern [lindex [lsearch -inline -all -not -glob $args -*] end]
  set out {}
  foreach def [vd_catalog] {
    lassign $def n v contexts hidden
    set vlnv xilinx.com:ip:$n:$v
    if {![string match $pattern $vlnv] || ($hidden && !$all)} { continue }
    if {$filter ne "" && [lsearch -exact $contexts IPI] < 0} { continue }
    lappend out $vlnv
  }
  return $out
}
proc vd_get_board_parts {args} {
  set pattern [lindex $args end]
  set out {}
  foreach p [vd_board_parts] {
    if {[string match $pattern $p]} { lappend out $p }
  }
  return $out
}
proc vd_get_param {name} {
  global vd
  if {$name eq "board.repoPaths"} { return $vd(repo_paths) }
  return ""
}
proc vd_set_param {name value} {
  global vd
  if {$name eq "board.repoPaths"} { set vd(repo_paths) $value }
}
proc vd_set_property {args} {
  global vd
  if {[lindex $args 0] eq "-dict"} {
    set pairs [lindex $args 1]
    set objects [lindex $args 2]
  } else {
    set pairs [list [lindex $args 0] [lindex $args 1]]
    set objects [lindex $args 2]
  }
  if {[llength $objects] == 0} {
    vd_fail "\[Common 17-55\] 'set_property' expects at least one object."
  }
  set obj [lindex $objects 0]
  set names {}
  foreach {n -} $pairs { lappend names $n }
  if {$obj eq "current_project"} {
    vd_check_names project $names
    foreach {n v} $pairs {
      if {$n eq "board_part" && [lsearch -exact [vd_board_parts] $v] < 0} {
        vd_fail "\[Board 49-71\] The board_part definition was not found for $v. The\
project's board_part property was not set, but the project's part property was set to the\
part of the board"
      }
      if {$n eq "BOARD_PART_REPO_PATHS"} { set vd(repo_paths) $v }
      if {$n eq "board_part"} { set vd(board_part) $v }
    }
  } elseif {$obj in {synth_1 impl_1}} {
    vd_check_names run $names
  } elseif {$obj eq "current_fileset"} {
    vd_check_names fileset $names
  } elseif {[string match ipx:* $obj]} {
    vd_check_names ipx $names
  } elseif {[dict exists $vd(cells) $obj]} {
    vd_set_cell_config $obj $pairs
  } else {
    vd_check_names file $names
  }
}
proc vd_apply_bd_automation {args} {
  global vd
  if {[string match {*apply_board_preset "1"*} [lindex $args end-1]] && $vd(board_part) eq ""} {
    vd_fail "\[BD 5-7\] apply_board_preset needs a board part on the project"
  }
}
proc vd_get_bd_cells {args} { return [lindex $args end] }
proc vd_get_bd_pins {args} { return [lindex $args end] }
proc vd_get_bd_intf_pins {args} { return [lindex $args end] }
proc vd_get_runs {args} { return [lindex $args end] }
proc vd_get_files {args} {
  global vd
  set out {}
  foreach pattern [lindex $args end] {
    if {[string match *.bd $pattern]} { lappend out $pattern }
    foreach f $vd(sources) {
      # a name without a directory matches files of that name anywhere, as in Vivado
      if {[string match $pattern $f] ||
          ([string first / $pattern] < 0 && [string match $pattern [file tail $f]])} {
        lappend out $f
      }
    }
  }
  return $out
}
proc vd_get_bd_addr_segs {args} { return "[lindex $args end]/reg0" }
proc vd_current_project {args} { return current_project }
proc vd_current_fileset {args} { return current_fileset }
proc vd_version {args} {
  global vd
  if {[lsearch -exact $args -short] >= 0} { return $vd(release) }
  return "Vivado v$vd(release) (64-bit)\nSW Build 1234567 on Mon Jan  1 00:00:00 MST $vd(year)"
}
proc vd_make_wrapper {args} {
  global vd
  set f [file join $vd(project_dir) $vd(project_name).gen sources_1 bd top hdl top_wrapper.v]
  file mkdir [file dirname $f]
  close [open $f w]
  return $f
}
proc vd_run_dir {run} {
  global vd
  return [file join $vd(project_dir) $vd(project_name).runs $run]
}
proc vd_get_property {name args} {
  set obj [lindex $args end]
  switch -- $name {
    PROGRESS { return 100% }
    DIRECTORY { return [vd_run_dir $obj] }
    VLNV { return $obj }
    SLACK { return [expr {[info exists ::env(VIVADO_DOUBLE_WNS)] ? $::env(VIVADO_DOUBLE_WNS) : 0.5}] }
  }
  return {}
}
proc vd_stub {f} {
  file mkdir [file dirname $f]
  set h [open $f w]
  puts $h "stub [file tail $f]"
  close $h
}
proc vd_wait_on_run {run} {
  global vd
  foreach r {synth_1 impl_1} { file mkdir [vd_run_dir $r] }
  set log [file join [vd_run_dir synth_1] runme.log]
  set h [open $log w]
  puts $h "INFO: synthesis of the double"
  # What a memory file that synthesis cannot open would give.
  foreach f $vd(sources) {
    if {![regexp {\.s?v$} $f] || ![file exists $f]} { continue }
    set hh [open $f r]
    set text [read $hh]
    close $hh
    foreach {- name} [regexp -all -inline {_FILE\("([^"]+)"\)} $text] {
      if {[file pathtype $name] ne "absolute"} {
        puts $h "CRITICAL WARNING: \[Synth 8-4445\] could not open \$readmem data file\
'$name'; please make sure the file is added to project and has read permission, ignoring"
      }
    }
  }
  close $h
  if {$run eq "impl_1"} {
    vd_stub [file join [vd_run_dir impl_1] top_wrapper.bit]
    vd_stub [file join [vd_run_dir impl_1] top_wrapper_timing_summary_routed.rpt]
    vd_stub [file join $vd(project_dir) $vd(project_name).gen sources_1 bd top hw_handoff top.hwh]
  }
}
proc vd_report_utilization {args} {
  set text "| Slice LUTs*             | 1234 |     0 |    70560 |  1.75 |
|   LUT as Logic          | 1200 |     0 |    70560 |  1.70 |
|   LUT as Memory         |   34 |     0 |    28800 |  0.12 |
| Slice Registers         | 2345 |     0 |   141120 |  1.66 |
| Block RAM Tile          |  3.5 |     0 |      216 |  1.62 |
|   RAMB36/FIFO*          |    2 |     0 |      216 |  0.93 |
|   RAMB18                |    3 |     0 |      432 |  0.69 |
| URAM                    |    0 |     0 |        0 |  0.00 |
| DSPs                    |    4 |     0 |      360 |  1.11 |
| CARRY8   |   56 |         CLB |"
  if {[lsearch -exact $args -return_string] >= 0} { return $text }
  if {[set i [lsearch -exact $args -file]] >= 0} {
    set h [open [lindex $args [expr {$i + 1}]] w]
    puts $h $text
    close $h
  }
}
proc vd_report_timing_summary {args} {
  if {[set i [lsearch -exact $args -file]] >= 0} { vd_stub [lindex $args [expr {$i + 1}]] }
}
proc vd_get_timing_paths {args} { return path0 }
namespace eval vd_ipx {}
proc vd_ipx::current_core {args} { return ipx:core }
proc vd_ipx::get_bus_interfaces {args} { return ipx:busif:[lindex $args 0] }
proc vd_ipx::add_bus_parameter {name busif} {
  global vd
  dict set vd(bus_params) $busif $name 1
  return ipx:param:$name
}
proc vd_ipx::get_bus_parameters {args} {
  global vd
  set name [lindex $args 0]
  set busif [lindex $args end]
  # An inferred clock interface carries only these until a parameter is added.
  if {[string match ipx:busif:*clk $busif] && $name in {ASSOCIATED_BUSIF ASSOCIATED_RESET}} {
    return ipx:param:$name
  }
  if {[dict exists $vd(bus_params) $busif $name]} { return ipx:param:$name }
  return {}
}
foreach cmd {update_compile_order create_bd_design connect_bd_net assign_bd_address
             validate_bd_design save_bd_design launch_runs open_run read_xdc synth_design
             opt_design place_design route_design phys_opt_design write_checkpoint
             close_project get_cells ipx::package_project ipx::infer_bus_interfaces
             ipx::associate_bus_interfaces ipx::create_xgui_files ipx::update_checksums
             ipx::save_core} {
  proc vd_$cmd {args} { return {} }
}

set vd(rc) 0
if {[catch {cd [file dirname $vd(script)]; source $vd(script)} err]} {
  puts stderr $err
  set vd(rc) 1
}
close $vd(calls)
exit $vd(rc)
