// What the synthesis flows share (synth.cpp, synth_xilinx.cpp, synth_ice40.cpp); not part of
// the library's interface.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "shoal/stitch.hpp"
#include "shoal/synth.hpp"

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
// The `read_verilog -sv` command for a design's sources.
std::string read_sources_command(const std::vector<std::string>& sources);
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

// --- synth_ice40.cpp ----------------------------------------------------------------------------
FlowResult ice40_flow(const FlowContext& c);
std::string ice40_layer_script(const FpgaPart& part, const std::string& top,
                               const std::vector<std::string>& sources);
LayerResources ice40_layer_resources(const CellCounts& cells);

// FINN's fmax from WNS (estimates.md §2.9): 0 when WNS is exactly 0, a quirk kept on purpose.
inline double finn_fmax_mhz(double clk_ns, double wns) {
  return wns == 0 ? 0.0 : 1000.0 / (clk_ns - wns);
}

}  // namespace shoal::synth_detail
