// to-hls: FINN's step_convert_to_hls + step_create_dataflow_partition.
#include <filesystem>
#include <iostream>

#include "shoal/core/cli.hpp"
#include "shoal/core/model.hpp"
#include "shoal/transforms/hls_conversion.hpp"

using namespace shoal;
namespace fs = std::filesystem;

namespace {
std::string list(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}
}  // namespace

int main(int argc, char** argv) {
  ToolInfo info{
      "to-hls", "to-hls [IN.onnx|-] -o PARENT.onnx [--child CHILD.onnx] [--converted CONV.onnx]",
      "Converts a streamlined FINN-ONNX model into hardware layers and splits it into a\n"
      "parent and a dataflow child, as FINN v0.6's step_convert_to_hls and\n"
      "step_create_dataflow_partition do. MatMul/XnorPopcountMatMul (with a following\n"
      "MultiThreshold fused) become StreamingFCLayer_Batch, standalone MultiThresholds\n"
      "Thresholding_Batch, TopK LabelSelect_Batch; accumulator widths are minimised.\n"
      "The child model (every hardware node) is written beside PARENT.onnx as\n"
      "<parent>_partition_0.onnx, or to --child; PARENT.onnx keeps the nodes that stay on\n"
      "the host around one StreamingDataflowPartition node whose `model` attribute names\n"
      "the child relative to PARENT's folder. Later steps (fold, estimate, ipgen, ...) work\n"
      "on the child. The host nodes are listed on stderr. A node that cannot become\n"
      "hardware between hardware nodes is an error that names it and says why.\n"
      "--convert-only and --partition-only split the two steps (as the pipelines do).\n"};
  auto options = make_options(info);
  options.add_options()("o,output", "parent model", cxxopts::value<std::string>())(
      "child", "where to write the dataflow child model", cxxopts::value<std::string>())(
      "converted", "also write the model after conversion, before partitioning",
      cxxopts::value<std::string>())("mem-mode",
                                     "StreamingFCLayer_Batch weight memory: const or decoupled",
                                     cxxopts::value<std::string>()->default_value("decoupled"))(
      "standalone-thresholds",
      "keep thresholds in Thresholding_Batch layers instead of fusing them")(
      "convert-only", "only step_convert_to_hls: write the converted model to -o")(
      "partition-only",
      "only step_create_dataflow_partition, on a model to-hls --convert-only wrote")(
      "input", "input model", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"input"});
  return run_tool(info, options, argc, argv, [](const cxxopts::ParseResult& r) {
    if (!r.count("output")) throw UsageError("missing -o PARENT.onnx");
    std::string out = r["output"].as<std::string>();
    if (out == "-" && !r.count("convert-only"))
      throw UsageError("the parent model needs a file name (its child is written beside it)");
    ConvertToHlsOptions o;
    o.mem_mode = r["mem-mode"].as<std::string>();
    if (o.mem_mode != "const" && o.mem_mode != "decoupled")
      throw UsageError("--mem-mode must be const or decoupled");
    o.standalone_thresholds = r.count("standalone-thresholds") > 0;
    if (r.count("convert-only") && r.count("partition-only"))
      throw UsageError("--convert-only and --partition-only exclude each other");
    Model m = Model::load(single_input(r));
    ConversionNotes notes;
    // On a converted model this converts nothing more; it only recollects why the remaining
    // nodes stay on the host.
    convert_to_hls_step(m, o, &notes);
    if (r.count("converted")) m.save(r["converted"].as<std::string>());
    if (r.count("convert-only")) {
      m.save(out);
      return 0;
    }
    fs::path parent_path(out);
    fs::path child_path =
        r.count("child")
            ? fs::path(r["child"].as<std::string>())
            : parent_path.parent_path() / (parent_path.stem().string() + "_partition_0.onnx");
    fs::path parent_dir =
        parent_path.parent_path().empty() ? fs::path(".") : parent_path.parent_path();
    fs::path child_dir =
        child_path.parent_path().empty() ? fs::path(".") : child_path.parent_path();
    std::string ref =
        (fs::relative(fs::absolute(child_dir), fs::absolute(parent_dir)) / child_path.filename())
            .lexically_normal()
            .string();
    PartitionResult p = create_dataflow_partition(m, ref, notes);
    // The child last: it is what the pipeline's step produces (Make's target), so a run
    // killed in between leaves the step to be redone rather than a parent missing.
    m.save(out);
    p.child.save(child_path.string());
    if (p.host_before.empty() && p.host_after.empty()) {
      std::cerr << "to-hls: every node is hardware; the parent holds only the partition\n";
    } else {
      std::cerr << "to-hls: nodes on the host:";
      if (!p.host_before.empty())
        std::cerr << " before the partition " << list(p.host_before) << ";";
      if (!p.host_after.empty()) std::cerr << " after it " << list(p.host_after) << ";";
      std::cerr << "\n";
    }
    return 0;
  });
}
