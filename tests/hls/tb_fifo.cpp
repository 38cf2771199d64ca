// Testbench for shoal_fifo: random data with random TVALID gaps and TREADY stalls in
// several regimes (balanced, filling, draining), bit-exact in-order check, count and
// maxcount checked every cycle against the testbench's own occupancy, exact capacity
// (DEPTH items accepted while the output is blocked), and full rate (one in and one out
// per cycle) without gaps or stalls.
//
// Arguments: DEPTH= WIDTH= [seed=] [items=]
#include "Vdut.h"
#include "golden.h"
#include "tb_common.h"

#include <memory>

int main(int argc, char** argv) {
  tb::Args args(argc, argv);
  const int depth = static_cast<int>(args.req("DEPTH"));
  const int width = static_cast<int>(args.req("WIDTH"));
  const uint64_t seed = static_cast<uint64_t>(args.i("seed", 1));
  const int items = static_cast<int>(args.i("items", 6000));
  std::mt19937_64 rng(seed);

  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<Vdut>(ctx.get());
  tb::Source src;
  tb::Sink sink;
  std::vector<tb::Bits> sent;
  std::vector<tb::Bits> received;
  uint64_t cycle = 0, count_errors = 0;
  std::vector<uint64_t> in_cycles, out_cycles;
  int64_t occupancy = 0, peak = 0;

  auto push_random = [&](int n) {
    for (int i = 0; i < n; ++i) {
      tb::Bits b(width);
      for (int o = 0; o < width; o += 32) b.set(o, std::min(32, width - o), rng());
      src.queue.push_back(b);
      sent.push_back(b);
    }
  };
  auto step = [&]() {
    tb::Bits d;
    tb::Fires f = tb::cycle_io(*top, src, sink, width, rng, cycle, &d);
    if (f.out) received.push_back(d), out_cycles.push_back(cycle);
    if (f.in) in_cycles.push_back(cycle);
    ++cycle;
    occupancy += (f.in ? 1 : 0) - (f.out ? 1 : 0);
    peak = std::max(peak, occupancy);
    if (static_cast<int64_t>(top->count) != occupancy ||
        static_cast<int64_t>(top->maxcount) != peak) {
      if (count_errors++ < 5)
        std::printf("  count=%d maxcount=%d expected %lld/%lld at cycle %llu\n", int(top->count),
                    int(top->maxcount), static_cast<long long>(occupancy),
                    static_cast<long long>(peak), static_cast<unsigned long long>(cycle));
    }
    return f;
  };
  auto drain = [&]() {
    src.gap_prob = 0.0;
    sink.stall_prob = 0.0;
    for (int i = 0; i < 4 * depth + 100 && (!src.queue.empty() || occupancy > 0); ++i) step();
  };

  top->in0_V_TVALID = 0;
  top->out_V_TREADY = 0;
  tb::reset(*top);

  const double regimes[][2] = {{0.3, 0.3}, {0.1, 0.7}, {0.7, 0.1}, {0.0, 0.5}, {0.5, 0.0}};
  for (const auto& r : regimes) {
    push_random(items / 5);
    src.gap_prob = r[0];
    sink.stall_prob = r[1];
    while (!src.queue.empty()) step();
    drain();
  }

  // Capacity: block the output and offer more than DEPTH items.
  push_random(depth + 8);
  src.gap_prob = 0.0;
  sink.stall_prob = 1.0;
  for (int i = 0; i < depth + 20; ++i) step();
  bool capacity_ok = occupancy == depth && peak == depth;
  int held = static_cast<int>(occupancy);
  int held_peak = static_cast<int>(peak);
  drain();

  // Latency through an empty FIFO: one item, output always ready.
  push_random(1);
  for (int i = 0; i < 8; ++i) step();
  const uint64_t latency = out_cycles.back() - in_cycles.back();

  // Throughput: continuous traffic, measured after the pipeline has filled.
  const int tp_cycles = 2000;
  push_random(tp_cycles + 4 * depth + 10);
  src.gap_prob = 0.0;
  sink.stall_prob = 0.0;
  for (int i = 0; i < depth + 4; ++i) step();
  int in_fires = 0, out_fires = 0;
  for (int i = 0; i < tp_cycles; ++i) {
    tb::Fires f = step();
    in_fires += f.in;
    out_fires += f.out;
  }
  drain();
  top->final();

  uint64_t mismatches = 0;
  std::vector<tb::Bits> expect = golden::dwc(sent, width);  // identity for equal widths
  if (received.size() != expect.size()) mismatches += 1;
  for (size_t i = 0; i < std::min(received.size(), expect.size()); ++i) {
    if (received[i] != expect[i] && mismatches++ < 5)
      std::printf("  mismatch at item %zu: got %s expected %s\n", i, received[i].hex().c_str(),
                  expect[i].hex().c_str());
  }
  if (!capacity_ok)
    std::printf("  capacity: held %d items (peak %d), expected %d\n", held, held_peak, depth);
  bool rate_ok = in_fires == tp_cycles && out_fires == tp_cycles;
  char extra[200];
  std::snprintf(extra, sizeof extra,
                "items=%zu/%zu count_errors=%llu capacity=%s throughput=in %d/%d out %d/%d "
                "latency=%llu",
                received.size(), sent.size(), static_cast<unsigned long long>(count_errors),
                capacity_ok ? "ok" : "BAD", in_fires, tp_cycles, out_fires, tp_cycles,
                static_cast<unsigned long long>(latency));
  return tb::finish("shoal_fifo", mismatches, sink.errors,
                    capacity_ok && rate_ok && count_errors == 0, extra);
}
