// step_create_dataflow_partition (dialect.md §3.5, v0.6 CreateDataflowPartition).
#include <algorithm>
#include <set>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/ops/hw_op.hpp"
#include "shoal/transforms/hls_conversion.hpp"
#include "shoal/transforms/transforms.hpp"

namespace shoal {

namespace {

std::string why_not_hardware(const onnx::NodeProto& n, const ConversionNotes& notes) {
  if (n.output_size() > 0) {
    auto it = notes.find(n.output(0));
    if (it != notes.end()) return it->second;
  }
  return "op " + n.op_type() + " has no hardware implementation";
}

onnx::ValueInfoProto value_info_of(const Model& m, const std::string& name) {
  onnx::ValueInfoProto vi;
  if (const auto* existing = m.value_info(name)) vi = *existing;
  vi.set_name(name);
  if (!vi.type().has_tensor_type())
    vi.mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  return vi;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

}  // namespace

PartitionResult create_dataflow_partition(Model& parent, const std::string& child_ref,
                                          const ConversionNotes& notes) {
  const int n = parent.node_count();
  std::vector<bool> hw(n);
  bool any = false;
  for (int i = 0; i < n; ++i) {
    const auto& node = parent.node(i);
    hw[i] = is_fpgadataflow_node(node) && attr_int(node, "partition_id", 0) == 0;
    any |= hw[i];
  }
  if (!any) {
    std::vector<std::string> reasons;
    for (int i = 0; i < n; ++i)
      reasons.push_back(parent.node(i).name() + ": " + why_not_hardware(parent.node(i), notes));
    fail("no node can become hardware ({})", join(reasons, "; "));
  }
  // Reachability: a non-hardware node with hardware both upstream and downstream splits the
  // partition.
  std::vector<std::vector<int>> succ(n), pred(n);
  for (int i = 0; i < n; ++i) {
    succ[i] = parent.successors(i);
    pred[i] = parent.predecessors(i);
  }
  auto reaches_hw = [&](int start, const std::vector<std::vector<int>>& edges) {
    std::vector<bool> seen(n, false);
    std::vector<int> stack(edges[start].begin(), edges[start].end());
    while (!stack.empty()) {
      int k = stack.back();
      stack.pop_back();
      if (seen[k]) continue;
      seen[k] = true;
      if (hw[k]) return true;
      stack.insert(stack.end(), edges[k].begin(), edges[k].end());
    }
    return false;
  };
  std::vector<std::string> splitters;
  std::vector<bool> upstream_hw(n);
  for (int i = 0; i < n; ++i) {
    if (hw[i]) continue;
    upstream_hw[i] = reaches_hw(i, pred);
    if (upstream_hw[i] && reaches_hw(i, succ))
      splitters.push_back(describe(parent.node(i)) +
                          " cannot become hardware: " + why_not_hardware(parent.node(i), notes));
  }
  if (!splitters.empty()) fail("the hardware partition would split: {}", join(splitters, "; "));

  // The single tensor entering and the single tensor leaving the hardware nodes.
  std::set<std::string> produced_by_hw;
  for (int i = 0; i < n; ++i)
    if (hw[i])
      for (const auto& o : parent.node(i).output()) produced_by_hw.insert(o);
  std::vector<std::string> df_in, df_out;
  for (int i = 0; i < n; ++i) {
    if (!hw[i]) continue;
    for (const auto& in : parent.node(i).input())
      if (!in.empty() && !produced_by_hw.count(in) && !parent.has_initializer(in) &&
          std::find(df_in.begin(), df_in.end(), in) == df_in.end())
        df_in.push_back(in);
    for (const auto& o : parent.node(i).output()) {
      bool leaves = parent.is_graph_output(o);
      for (int c : parent.consumers(o)) leaves |= !hw[c];
      if (leaves && std::find(df_out.begin(), df_out.end(), o) == df_out.end()) df_out.push_back(o);
    }
  }
  if (df_in.size() != 1 || df_out.size() != 1)
    fail(
        "the hardware nodes read {} tensor(s) ({}) and write {} ({}); a partition with one input "
        "and one output "
        "is supported",
        df_in.size(), join(df_in, ", "), df_out.size(), join(df_out, ", "));

  PartitionResult r;
  // Child: the hardware nodes alone.
  r.child = parent;
  r.child.set_path({});
  {
    auto& g = r.child.graph();
    google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
    for (int i = 0; i < n; ++i)
      if (hw[i]) *kept.Add() = parent.node(i);
    g.mutable_node()->Swap(&kept);
    g.clear_input();
    g.clear_output();
    *g.add_input() = value_info_of(parent, df_in[0]);
    *g.add_output() = value_info_of(parent, df_out[0]);
    auto* vis = g.mutable_value_info();
    for (int i = vis->size() - 1; i >= 0; --i)
      if (vis->Get(i).name() == df_in[0] || vis->Get(i).name() == df_out[0])
        vis->erase(vis->begin() + i);
    cleanup(r.child);
  }
  // Parent: one StreamingDataflowPartition where the hardware nodes were.
  int first = -1;
  for (int i = 0; i < n; ++i)
    if (hw[i] && first < 0) first = i;
  auto sdp = make_node("StreamingDataflowPartition", {df_in[0]}, {df_out[0]}, kDataflowDomain,
                       "StreamingDataflowPartition_0");
  set_attr(sdp, "model", child_ref);
  set_attr(sdp, "partition_id", int64_t{0});
  set_attr(sdp, "slr", int64_t{-1});
  set_attr(sdp, "mem_port", "");
  for (int i = 0; i < n; ++i)
    if (!hw[i]) (upstream_hw[i] ? r.host_after : r.host_before).push_back(parent.node(i).name());
  {
    google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
    for (int i = 0; i < n; ++i) {
      if (i == first) *kept.Add() = sdp;
      if (!hw[i]) *kept.Add() = parent.node(i);
    }
    parent.graph().mutable_node()->Swap(&kept);
    cleanup(parent);
  }
  return r;
}

}  // namespace shoal
