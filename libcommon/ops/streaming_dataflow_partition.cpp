// StreamingDataflowPartition (estimates.md §3.18, dialect.md §3.5): a parent-model node that
// stands for a child model holding the hardware layers. Executing it runs the child (or,
// when a tool sets ExecOptions::partition_runner, whatever that does, e.g. rtlsim).
#include <filesystem>
#include <map>
#include <memory>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/executor.hpp"
#include "shoal/core/limits.hpp"
#include "shoal/core/op.hpp"

namespace shoal {

std::filesystem::path partition_child_path(const Model& parent, const onnx::NodeProto& node) {
  std::string rel = attr_string(node, "model", "");
  if (rel.empty()) fail("{} has no model attribute", describe(node));
  std::filesystem::path p(rel);
  return p.is_absolute() ? p : parent.directory() / p;
}

namespace {

struct LoadedChild {
  std::unique_ptr<Model> model;
  std::unique_ptr<Executor> exec;
};

class StreamingDataflowPartition : public OpDef {
 public:
  std::string_view op_type() const override { return "StreamingDataflowPartition"; }
  Domain domain() const override { return Domain::Dataflow; }
  std::vector<AttrSpec> attr_specs() const override {
    return {string_attr("model", "", true),
            string_attr("res_estimate", ""),
            string_attr("res_hls", ""),
            string_attr("res_synth", ""),
            int_attr("slr", -1),
            int_attr("partition_id", 0),
            int_attr("device_id", 0),
            string_attr("mem_port", "")};
  }
  void execute(ExecContext& c) const override {
    std::vector<Tensor> inputs;
    for (const Tensor* t : c.inputs) inputs.push_back(*t);
    std::vector<Tensor> outs;
    if (c.options.partition_runner) {
      outs = c.options.partition_runner(c.model, c.node, inputs);
    } else {
      // A child that names its parent or itself would recurse until the stack overflows.
      static thread_local int nesting = 0;
      if (nesting >= kMaxPartitionNesting)
        fail(
            "{}: partitions nest deeper than {} levels (does a child model name its parent "
            "or itself?)",
            describe(c.node), kMaxPartitionNesting);
      const LoadedChild& child = load(partition_child_path(c.model, c.node), c.options);
      ++nesting;
      try {
        outs = child.exec->run(inputs);
      } catch (...) {
        --nesting;
        throw;
      }
      --nesting;
    }
    if (outs.size() < c.outputs.size())
      fail("the partition produced {} outputs, {} expected", outs.size(), c.outputs.size());
    for (std::size_t i = 0; i < c.outputs.size(); ++i) c.outputs[i] = std::move(outs[i]);
  }
  // The child model decides; keep what the parent records.
  std::vector<Shape> infer_shapes(const onnx::NodeProto& n,
                                  const std::vector<std::optional<Shape>>&) const override {
    fail("{}: shapes come from the child model", describe(n));
  }
  void infer_datatypes(Model&, int) const override {}

 private:
  // Children are loaded once per process: the executor runs a batch one sample at a time.
  static const LoadedChild& load(const std::filesystem::path& path, const ExecOptions& options) {
    static std::map<std::string, LoadedChild> cache;
    std::string key = std::filesystem::weakly_canonical(path).string();
    auto it = cache.find(key);
    if (it == cache.end()) {
      LoadedChild child;
      child.model = std::make_unique<Model>(Model::load(path.string()));
      child.exec = std::make_unique<Executor>(*child.model, options);
      it = cache.emplace(key, std::move(child)).first;
    }
    return it->second;
  }
};

}  // namespace

void register_streaming_dataflow_partition_op() {
  register_op(std::make_unique<StreamingDataflowPartition>());
}

}  // namespace shoal
