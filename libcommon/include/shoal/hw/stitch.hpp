// From a folded dataflow model to one simulatable, synthesizable design (hardware.md §3):
// per-node IP generation, width converters and FIFOs between the layers, FIFO sizing by
// simulation, and the stitched top level.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "shoal/core/model.hpp"

namespace shoal {

// --- ipgen (hw/ipgen.cpp) ------------------------------------------------------------
// Writes every hardware node's IP (wrapper, memory files, the hls/ modules it uses) into
// `ip_dir/<node>/` and records the directory in code_gen_dir_ipgen and ip_path (relative to
// `model_dir`, where the model will be saved) and the module in gen_top_module. A node
// whose directory already holds exactly what it generates keeps it untouched (files and
// times), so that a rerun after a folding change rewrites only the layers that changed.
// Returns how many were kept.
int generate_ip(Model& m, const std::filesystem::path& ip_dir,
                const std::filesystem::path& model_dir);
// The IP directory recorded in a node (absolute).
std::filesystem::path node_ip_dir(const Model& m, const onnx::NodeProto& n,
                                  const std::filesystem::path& model_dir);

// --- insertion (hw/stitch.cpp) ---------------------------------------------------------
// InsertDWC (hardware.md §3.1, v0.6 rule): a StreamingDataWidthConverter_Batch wherever the
// producer's elements per beat differ from the consumer's. Where neither width divides the
// other (v0.6 rejects those), two converters through the least common multiple width.
bool insert_dwcs(Model& m);
// A StreamingFIFO on every edge between two hardware nodes that has none, of
// depth(producer, consumer) beats (node indices before insertion).
bool insert_fifos(Model& m, const std::function<int64_t(int, int)>& depth);
// The chain of hardware nodes from the graph input to the graph output; an Error names what
// is not a chain (forks, joins, several inputs or outputs, non-hardware nodes).
std::vector<int> dataflow_chain(const Model& m);

// --- the stitched design (hw/stitch.cpp) ----------------------------------------------
struct StitchedIp {
  std::filesystem::path dir;  // everything is in here, flat
  std::string top = "finn_design_wrapper";
  int64_t in_bits = 0, out_bits = 0;         // s_axis_0 / m_axis_0 TDATA widths (padded)
  std::vector<std::string> sources;          // all_verilog_srcs.txt, relative to dir
  std::vector<std::string> monitors;         // maxcount_<k> ports, one per depth-monitored FIFO
  std::vector<std::string> monitored_fifos;  // the FIFO node of each monitor
};
// Writes `dir` (finn_design_wrapper.v, the nodes' files, the hls/ modules,
// all_verilog_srcs.txt, make_project.tcl/.sh) from a model whose nodes went through
// generate_ip, and records it in the model's metadata as FINN's CreateStitchedIP does
// (paths relative to `model_dir`).
StitchedIp write_stitched_ip(Model& m, const std::filesystem::path& dir,
                             const std::filesystem::path& model_dir, double clk_ns,
                             const std::string& fpga_part);
// The stitched design a model's metadata records (after write_stitched_ip).
StitchedIp stitched_ip_of(const Model& m);

// --- FIFO sizing (hw/fifo_sizing.cpp) -------------------------------------------------
struct FifoSizing {
  struct Fifo {
    std::string name;
    int64_t width = 0;          // bits per beat
    int64_t deep_depth = 0;     // depth during the measurement
    int64_t max_occupancy = 0;  // measured
    int64_t depth = 0;          // chosen (0: removed)
  };
  std::vector<Fifo> fifos;
  int64_t frames = 0;
  int64_t frame_period = 0;  // cycles between input frames during the measurement
  std::uint64_t cycles_deep = 0, cycles_sized = 0;  // the same unthrottled run, before/after
  double seconds = 0;
  int64_t total_bits() const;
};
// InsertDWC, then FIFOs of generous depth with depth monitors on every edge; simulates the
// stitched design with one frame per max_cycles (the slowest layer's rate); sets each FIFO's
// depth from its peak occupancy (FINN's rule: <= 2 removed, <= 32 -> 32, else the peak);
// checks by simulation that the sized design is as fast as the deep one. `work_dir` holds
// the designs it simulates.
FifoSizing size_fifos(Model& m, const std::filesystem::path& work_dir, double clk_ns);

}  // namespace shoal
