// What the synthesis flows share (synth.cpp, synth_xilinx.cpp, synth_ice40.cpp); not part of
// the library's interface.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "shoal/hw/stitch.hpp"
#include "shoal/targets/bitfile.hpp"
#include "shoal/targets/boards.hpp"
#include "shoal/targets/synth.hpp"

namespace shoal::synth_detail {

namespace fs = std::filesystem;

// Cell type -> count, from Yosys' `stat -json` of a flattened design.
using CellCounts = std::map<std::string, int64_t>;
CellCounts read_cell_counts(const fs::path& stat_json);

// One Yosys run. The script runs in src_dir (so that $readmemh finds the memory files by
// their bare names) and refers to out_dir relatively; the log and the cache key go there.
struct YosysJob {
  std::string title;  // "synth_xilinx of finn_design_wrapper", for progress and errors
  fs::path src_dir;
  fs::path out_dir;
  std::string script;
  std::vector<std::string> outputs;  // file names in out_dir the script writes
  std::string key_extra;             // anything else the result depends on
};
// Runs the job unless out_dir holds the outputs of the same script over the same files with
// the same Yosys (a rerun in the same work dir then costs nothing). True if reused.
bool run_yosys(const YosysJob& job);
// The regular files of a directory, sorted by name.
std::vector<fs::path> regular_files(const fs::path& dir);
// The `read_verilog -sv` command for a design's sources.
// `defines` become -D options (macros the hls/ modules test).
std::string read_sources_command(const std::vector<std::string>& sources,
                                 const std::vector<std::string>& defines = {});
// The iCE40 has neither LUT RAM nor UltraRAM: FINN's ram_style values "distributed" and
// "ultra" cannot be honoured there, and the hls/ modules that take a RAM_STYLE let the
// synthesizer choose when this macro is defined.
inline const std::vector<std::string> kIce40Defines = {"SHOAL_IGNORE_RAM_STYLE"};
// p relative to base ("../synth/ice40/x.bin"), for paths in reports.
std::string relative_to(const fs::path& p, const fs::path& base);
// "0.23" from `yosys -V`.
const std::string& yosys_version();
// The first line of a tool's output that starts with "ERROR:", without it (else "").
std::string first_error_line(const std::string& output);

struct FlowContext {
  const Model& model;
  const SynthOptions& options;
  StitchedIp ip;
  fs::path src;        // work_dir/src: the flat copy of the stitched design
  int64_t max_cycles;  // for estimated_throughput_fps
  void progress(const std::string& line) const {
    if (options.progress) options.progress(line);
  }
};

struct FlowResult {
  nlohmann::ordered_json report;
  std::string summary;  // without the "synth: " prefix and the time
};

// The resources of one layer's IP synthesized alone: {LUT, FF, BRAM, URAM, DSP}.
struct LayerResources {
  int64_t lut = 0, ff = 0, uram = 0, dsp = 0;
  double bram = 0;  // in 36 kbit blocks for Xilinx (a RAMB18 is 0.5), in 4 kbit for iCE40
};

// --- synth_xilinx.cpp ---------------------------------------------------------------------------
FlowResult xilinx_flow(const FlowContext& c);
std::string xilinx_layer_script(const FpgaPart& part, const std::string& top,
                                const std::vector<std::string>& sources);
LayerResources xilinx_layer_resources(const CellCounts& cells);

// --- synth_zynq.cpp ------------------------------------------------------------------------------
// The Zynq shell's Vivado project (shells/zynq): run where Vivado is on PATH, else written.
BitfileResult zynq_shell_flow(const FlowContext& c, const BitfileOptions& b,
                              const fs::path& shell_dir);

// --- synth_ice40.cpp ----------------------------------------------------------------------------
FlowResult ice40_flow(const FlowContext& c);
// The UART shell (shells/ice40) around the stitched design for an iCE40 board: Yosys, nextpnr
// with the board's pins at its 12 MHz oscillator, icepack; bitfile_dir/finn-accel.bin.
FlowResult ice40_shell_flow(const FlowContext& c, const Board& board, const fs::path& shell_dir,
                            const fs::path& bitfile_dir);
// "synth_ice40 [-dsp] -top TOP"
std::string ice40_synth_command(const FpgaPart& part, const std::string& top);

struct Placed {
  double fmax_mhz = 0;
  nlohmann::ordered_json utilization;  // ICESTORM_LC, ICESTORM_RAM, ICESTORM_DSP, SB_IO
  int64_t used(const char* bel) const { return utilization[bel]["used"].get<int64_t>(); }
  int64_t available(const char* bel) const { return utilization[bel]["available"].get<int64_t>(); }
};
struct PnrJob {
  fs::path dir;  // nextpnr runs here; its log, report and outputs go here
  std::string netlist = "netlist.json";
  std::string stem;  // STEM.asc and STEM.bin
  fs::path pcf;      // empty: unconstrained pins
  double freq_mhz = 0;
};
// nextpnr-ice40 (fixed seed, timing judged by the caller) and icepack. A design that does
// not fit fails naming the resources and the device's capacity.
Placed place_and_route(const FpgaPart& part, const PnrJob& job,
                       const std::function<void(const std::string&)>& progress);
std::string ice40_layer_script(const FpgaPart& part, const std::string& top,
                               const std::vector<std::string>& sources);
LayerResources ice40_layer_resources(const CellCounts& cells);

// FINN's fmax from WNS (estimates.md §2.9): 0 when WNS is exactly 0, a quirk kept on purpose.
inline double finn_fmax_mhz(double clk_ns, double wns) {
  return wns == 0 ? 0.0 : 1000.0 / (clk_ns - wns);
}

}  // namespace shoal::synth_detail
