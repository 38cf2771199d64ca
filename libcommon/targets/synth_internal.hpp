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
  // Also look the result up in, and store it into, the user's synthesis cache
  // (synth_cache_dir()): for the small per-layer results, which recur across output
  // directories and foldings; a whole design's netlist stays in its work dir.
  bool shared_cache = false;
};
// Runs the job unless out_dir (or, for shared_cache jobs, the synthesis cache) holds the
// outputs of the same script over the same files with the same Yosys (a rerun then costs
// nothing). True if reused.
bool run_yosys(const YosysJob& job);
// Runs the jobs, up to `parallel` Yosys processes at a time, the costliest first (cost: the
// bytes of a job's sources). Returns, per job, whether it was reused. When jobs fail, the
// others still finish (their results are kept for the rerun) and the first failure in job
// order is thrown. `started` is called (from the worker threads, one call at a time) with
// the job's index as it starts.
std::vector<bool> run_yosys_jobs(const std::vector<YosysJob>& jobs, int parallel,
                                 const std::function<void(std::size_t)>& started);
// $SHOAL_SYNTH_CACHE, else $XDG_CACHE_HOME/shoal/synth, else ~/.cache/shoal/synth; empty
// when none of them is set (the cache is then not used).
fs::path synth_cache_dir();
// Yosys processes at a time: `requested` if positive, else the machine's hardware threads.
int parallel_jobs(int requested);
// The regular files of a directory, sorted by name.
std::vector<fs::path> regular_files(const fs::path& dir);
// Replaces `to` by a flat copy of the regular files of `from`.
void copy_design(const fs::path& from, const fs::path& to);
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

// Yosys `sta`: the latest arrival time in ps (-1: no path), and the cell types without
// delay models (paths through them are cut).
struct Sta {
  int64_t arrival_ps = -1;
  std::vector<std::string> cells_without_delays;
};
Sta read_sta(const fs::path& path);

// --- synth_layers.cpp ---------------------------------------------------------------------------
// One node's IP synthesized alone (top = its module), in work_dir/layers/<node>.
struct LayerSynthesis {
  std::string node;
  CellCounts cells;
  Sta sta;  // Xilinx only (iCE40 layers are not timed)
  bool reused = false;
};
// Every fpgadataflow node of the stitched model, run_yosys_jobs over o.jobs processes,
// each result cached (shared_cache). In node order.
std::vector<LayerSynthesis> synthesize_each_layer(const Model& m, const SynthOptions& o);
// synth_layer_resources.json: per node {LUT, FF, BRAM, URAM, DSP}, and their "total".
nlohmann::ordered_json layer_resources_report(const std::vector<LayerSynthesis>& layers,
                                              const FpgaPart& part);

// --- synth_xilinx.cpp ---------------------------------------------------------------------------
FlowResult xilinx_flow(const FlowContext& c);
// The layer script: synthesis, statistics, and the timing estimate of the layer alone.
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
