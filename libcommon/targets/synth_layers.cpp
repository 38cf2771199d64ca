// Per-layer synthesis: every node's IP directory synthesized alone (top = the node's module),
// several Yosys processes at a time, each result cached by content. The synthesized
// counterpart of FINN's estimate_layer_resources_hls.json, and with synth --layer-sum the
// out-of-context numbers: the stitched top is only wiring, so the layers (FIFOs and width
// converters included) are the whole design but for what synthesis does differently when
// it sees them together.
#include <fmt/format.h>

#include <algorithm>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/hw/stitch.hpp"
#include "shoal/ops/hw_op.hpp"
#include "synth_internal.hpp"

namespace shoal::synth_detail {

std::vector<LayerSynthesis> synthesize_each_layer(const Model& m, const SynthOptions& o) {
  const FpgaPart& part = o.part;
  const bool xilinx = part.vendor == FpgaPart::Vendor::Xilinx;
  std::vector<YosysJob> jobs;
  std::vector<std::string> names;
  for (const auto& n : m.graph().node()) {
    if (!is_fpgadataflow_node(n)) continue;
    std::string top = attr_string(n, "gen_top_module", "");
    if (top.empty()) fail("{} has no generated IP (run stitch first)", describe(n));
    fs::path dir = o.work_dir / "layers" / n.name();
    copy_design(node_ip_dir(m, n, m.directory()), dir / "src");
    std::vector<std::string> sources;
    for (const auto& f : regular_files(dir / "src")) {
      std::string ext = f.extension().string();
      if (ext == ".v" || ext == ".sv") sources.push_back(f.filename().string());
    }
    // The library modules first, as in the stitched design's list.
    std::stable_partition(sources.begin(), sources.end(),
                          [](const std::string& s) { return s.rfind("shoal_", 0) == 0; });
    YosysJob job;
    job.title = fmt::format("{} of {}", xilinx ? "synth_xilinx" : "synth_ice40", n.name());
    job.src_dir = dir / "src";
    job.out_dir = dir;
    job.script =
        xilinx ? xilinx_layer_script(part, top, sources) : ice40_layer_script(part, top, sources);
    job.outputs = {"stat.json"};
    if (xilinx) job.outputs.push_back("sta.txt");
    job.shared_cache = true;
    jobs.push_back(std::move(job));
    names.push_back(n.name());
  }
  std::size_t started = 0;
  std::vector<bool> reused = run_yosys_jobs(jobs, o.jobs, [&](std::size_t i) {
    if (o.progress)
      o.progress(fmt::format("layer {}/{}: {}", ++started, jobs.size(), jobs[i].title));
  });
  std::vector<LayerSynthesis> layers;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    LayerSynthesis l;
    l.node = names[i];
    l.cells = read_cell_counts(jobs[i].out_dir / "stat.json");
    if (xilinx) l.sta = read_sta(jobs[i].out_dir / "sta.txt");
    l.reused = reused[i];
    layers.push_back(std::move(l));
  }
  return layers;
}

nlohmann::ordered_json layer_resources_report(const std::vector<LayerSynthesis>& layers,
                                              const FpgaPart& part) {
  const bool xilinx = part.vendor == FpgaPart::Vendor::Xilinx;
  nlohmann::ordered_json report = nlohmann::ordered_json::object();
  LayerResources total;
  for (const auto& l : layers) {
    LayerResources r = xilinx ? xilinx_layer_resources(l.cells) : ice40_layer_resources(l.cells);
    nlohmann::ordered_json e;
    e["LUT"] = r.lut;
    e["FF"] = r.ff;
    e["BRAM"] = r.bram;
    e["URAM"] = r.uram;
    e["DSP"] = r.dsp;
    report[l.node] = e;
    total.lut += r.lut;
    total.ff += r.ff;
    total.bram += r.bram;
    total.uram += r.uram;
    total.dsp += r.dsp;
  }
  // Sums as floats, as FINN's aggregate_dict_keys writes the "total" of its resource reports.
  nlohmann::ordered_json t;
  t["LUT"] = static_cast<double>(total.lut);
  t["FF"] = static_cast<double>(total.ff);
  t["BRAM"] = total.bram;
  t["URAM"] = static_cast<double>(total.uram);
  t["DSP"] = static_cast<double>(total.dsp);
  report["total"] = t;
  return report;
}

}  // namespace shoal::synth_detail
