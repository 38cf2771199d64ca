// FINN's step_synthesize_bitfile (hardware.md §6): a shell around the stitched design and a
// bitstream for a board.
//   vivado_zynq: shells/zynq, FINN's block design (PS, idma0/odma0, interconnects) as a
//                Vivado project script; Vivado runs it where it is on PATH and leaves
//                finn-accel.bit and finn-accel.hwh; elsewhere the project is written and the
//                result says Vivado is needed.
//   ice40_uart:  shells/ice40, the UART shell, through Yosys, nextpnr-ice40 (the board's
//                pins, its 12 MHz oscillator) and icepack: finn-accel.bin.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <string>

#include "shoal/core/model.hpp"
#include "shoal/targets/boards.hpp"

namespace shoal {

struct BitfileOptions {
  Board board;
  double clk_ns = 0;                  // the design's clock (the Zynq PL clock)
  std::filesystem::path bitfile_dir;  // finn-accel.* go here
  std::filesystem::path report_dir;   // the post-route reports
  std::filesystem::path work_dir;     // the shell project: scripts, logs, netlists
  std::function<void(const std::string&)> progress;
};

struct BitfileResult {
  bool built = false;        // the bitstream exists in bitfile_dir
  std::string needs;         // when not built: the missing tool ("Vivado")
  std::string summary;       // one line for stderr
  std::string instructions;  // when not built: how to finish (also bitfile_dir/README.md)
};

// Fails (an Error naming the step and its log) when the shell cannot be built, e.g. when the
// design does not fit the board's device.
BitfileResult build_bitfile(const Model& stitched, const BitfileOptions& o);

// The shells/ directory: $SHOAL_SHELLS_DIR, else shells/ of the source tree the tools were
// built from, else share/shoal/shells of an installation.
std::filesystem::path shells_dir();

}  // namespace shoal
