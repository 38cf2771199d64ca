// FIFO sizing by simulation (hardware.md §3.3; FINN's largefifo_rtlsim idea). The design is
// built once with generous FIFOs that report their peak occupancy and fed one frame per
// max_cycles (the rate of its slowest layer), each frame as fast as the first layer takes
// it; each FIFO then gets what it needed. (Spreading a frame's beats evenly, as FINN's
// Python path does, starves an MVAU, which reads its whole input vector at the start of
// its loop.) A second simulation of the
// sized design checks that it is as fast as the generous one, unthrottled.
#include <chrono>
#include <cmath>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/hw/rtlsim.hpp"
#include "shoal/hw/stitch.hpp"
#include "shoal/ops/hw_op.hpp"
#include "shoal/transforms/transforms.hpp"

namespace shoal {
namespace fs = std::filesystem;

namespace {

// FINN's optimize_depth: depths up to 32 cost the same shift-register LUTs, so they round up.
int64_t chosen_depth(int64_t max_occupancy) {
  if (max_occupancy <= 2) return 0;  // FINN removes FIFOs of depth <= 2 (RemoveShallowFIFOs)
  if (max_occupancy <= 32) return 32;
  return max_occupancy;
}

int64_t beats_per_frame(const onnx::NodeProto& n) {
  Shape f = hw_op_of(n)->folded_output_shape(n);
  int64_t b = 1;
  for (std::size_t i = 0; i + 1 < f.size(); ++i) b *= f[i];
  return b;
}

int64_t max_cycles(const Model& m) {
  int64_t c = 1;
  for (const auto& n : m.graph().node())
    if (const HwOp* op = hw_op_of(n)) c = std::max(c, op->exp_cycles(n));
  return c;
}

// Generates and stitches a copy of `m` in `dir` (the copy then lives at dir/model.onnx).
Model stitch_into(const Model& m, const fs::path& dir, double clk_ns) {
  Model s = m;
  generate_ip(s, dir / "ip", dir);
  write_stitched_ip(s, dir / "stitched_ip", dir, clk_ns, "");
  s.set_path(dir / "model.onnx");
  return s;
}

}  // namespace

int64_t FifoSizing::total_bits() const {
  int64_t bits = 0;
  for (const auto& f : fifos) bits += f.depth * f.width;
  return bits;
}

FifoSizing size_fifos(Model& m, const fs::path& work_dir, double clk_ns) {
  auto start = std::chrono::steady_clock::now();
  for (const auto& n : m.graph().node())
    if (n.op_type() == "StreamingFIFO")
      fail("the model already holds FIFOs ({}); size FIFOs on a model without them", describe(n));
  insert_dwcs(m);
  dataflow_chain(m);  // a chain, or an Error that says why not
  FifoSizing report;
  report.frames = std::max<int64_t>(4, m.node_count());
  const std::uint64_t seed = 1;

  Model deep = m;
  std::vector<int64_t> deep_depths;
  // generous: two frames of the producer's output
  insert_fifos(deep, [&](int producer, int) {
    return std::max<int64_t>(4, 2 * beats_per_frame(m.node(producer)) + 2);
  });
  for (int i = 0; i < deep.node_count(); ++i)
    if (deep.node(i).op_type() == "StreamingFIFO")
      set_attr(deep.node(i), "depth_monitor", int64_t{1});

  Model deep_stitched = stitch_into(deep, work_dir / "deep", clk_ns);
  report.frame_period = max_cycles(m);
  std::vector<Tensor> samples = random_samples(deep_stitched, report.frames, seed);
  RtlsimOptions paced;
  paced.frame_period = static_cast<std::uint64_t>(report.frame_period);
  RtlsimRun measured = rtlsim_run(deep_stitched, samples, paced);
  RtlsimRun deep_fast = rtlsim_run(deep_stitched, samples);
  report.cycles_deep = deep_fast.sim.cycles;

  // Peak occupancies, by FIFO node name.
  StitchedIp ip = stitched_ip_of(deep_stitched);
  std::map<std::string, int64_t> peak;
  for (std::size_t k = 0; k < ip.monitors.size(); ++k)
    peak[ip.monitored_fifos.at(k)] = static_cast<int64_t>(measured.sim.monitor_values.at(k));

  // Apply to the same insertion on `m` (identical names: the same transforms in the same order).
  Model sized = m;
  std::vector<FifoSizing::Fifo> fifos;
  insert_fifos(sized, [](int, int) { return int64_t{2}; });
  for (int i = 0; i < sized.node_count(); ++i) {
    auto& n = sized.node(i);
    if (n.op_type() != "StreamingFIFO") continue;
    const auto& d = deep.node(deep.find_node(n.name()));
    FifoSizing::Fifo f;
    f.name = n.name();
    f.width = hw_op_of(n)->instream_width(n);
    f.deep_depth = attr_int(d, "depth", 0);
    f.max_occupancy = peak.at(n.name());
    if (f.max_occupancy >= f.deep_depth)
      fail(
          "FIFO sizing: {} filled all of its {} beats; the design does not keep up with its "
          "slowest layer",
          n.name(), f.deep_depth);
    f.depth = chosen_depth(f.max_occupancy);
    fifos.push_back(f);
  }
  // The sized design, checked against the deep one; FIFOs that turn out too small grow.
  for (int attempt = 0;; ++attempt) {
    Model trial = sized;
    for (const auto& f : fifos) {
      int idx = trial.find_node(f.name);
      if (f.depth == 0) {
        // bypass: the consumer reads the FIFO's input
        const auto& n = trial.node(idx);
        std::string from = n.input(0), to = n.output(0);
        trial.remove_node(idx);
        for (auto& node : *trial.graph().mutable_node())
          for (auto& i : *node.mutable_input())
            if (i == to) i = from;
      } else {
        set_attr(trial.node(idx), "depth", f.depth);
      }
    }
    remove_unused_tensors(trial);
    Model trial_stitched = stitch_into(trial, work_dir / "sized", clk_ns);
    RtlsimRun fast = rtlsim_run(trial_stitched, samples);
    report.cycles_sized = fast.sim.cycles;
    if (fast.sim.cycles <= report.cycles_deep || attempt == 3) {
      if (fast.sim.cycles > report.cycles_deep)
        fail("FIFO sizing: the sized design needs {} cycles for {} frames, the deep one {}",
             fast.sim.cycles, report.frames, report.cycles_deep);
      m = std::move(trial);
      break;
    }
    for (auto& f : fifos) f.depth = std::min(f.deep_depth, std::max<int64_t>(2 * f.depth, 32));
  }
  report.fifos = fifos;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace shoal
