// The boards shoal builds bitfiles for: FINN's board tables (hardware.md §6.1: pynq_part_map,
// alveo_part_map, pynq_native_port_width; the Vivado board_part of §6.2) and the iCE40
// boards of shells/ice40. One table, so that build-dataflow's part resolution and the
// bitfile step cannot disagree.
#pragma once

#include <string>
#include <vector>

namespace shoal {

struct Board {
  std::string name;         // as FINN spells it: "Ultra96", "Pynq-Z2", "U250"; "iCEBreaker"
  std::string shell;        // the shell_flow_type that builds it: vivado_zynq, vitis_alveo,
                            // ice40_uart (shoal's own: shells/ice40)
  std::string part;         // fpga_part
  std::string board_part;   // Vivado's board_part ("" where FINN's shell names none)
  std::string ps;           // vivado_zynq: "zynq_us+" or "zynq_7000"
  int port_width_bits = 0;  // vivado_zynq: pynq_native_port_width
  std::string pins;         // ice40_uart: the shells/ice40 pin file and BOARD (icebreaker, ...)
};

const std::vector<Board>& boards();

// The board of that name built by `shell` (empty: any shell; FINN's pynq and alveo tables
// share no name). An Error lists the boards known for the shell.
const Board& find_board(const std::string& name, const std::string& shell = "");

// The shell_flow_types there are.
const std::vector<std::string>& shell_flow_types();

}  // namespace shoal
