// Testbench for shoal_dwc: random beats with random TVALID gaps and TREADY stalls,
// bit-exact comparison with golden::dwc (LSB-first re-cut of the bit stream), then a
// stall-free phase that must move one narrow beat per cycle.
//
// Arguments: IN_WIDTH= OUT_WIDTH= [seed=] [beats=]
#include "Vdut.h"
#include "golden.h"
#include "tb_common.h"

#include <memory>

int main(int argc, char** argv) {
  tb::Args args(argc, argv);
  const int in_width = static_cast<int>(args.req("IN_WIDTH"));
  const int out_width = static_cast<int>(args.req("OUT_WIDTH"));
  const uint64_t seed = static_cast<uint64_t>(args.i("seed", 1));
  const int ratio = in_width > out_width ? in_width / out_width : out_width / in_width;
  const int in_beats = static_cast<int>(args.i("beats", 6000)) / ratio * ratio;
  std::mt19937_64 rng(seed);

  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<Vdut>(ctx.get());
  tb::Source src;
  tb::Sink sink;
  std::vector<tb::Bits> sent, received;
  uint64_t cycle = 0;

  auto push_random = [&](int n) {
    for (int i = 0; i < n; ++i) {
      tb::Bits b(in_width);
      for (int o = 0; o < in_width; o += 32) b.set(o, std::min(32, in_width - o), rng());
      src.queue.push_back(b);
      sent.push_back(b);
    }
  };
  auto step = [&]() {
    tb::Bits d;
    tb::Fires f = tb::cycle_io(*top, src, sink, out_width, rng, cycle++, &d);
    if (f.out) received.push_back(d);
    return f;
  };

  top->in0_V_TVALID = 0;
  top->out_V_TREADY = 0;
  tb::reset(*top);

  const double regimes[][2] = {{0.3, 0.3}, {0.0, 0.6}, {0.6, 0.0}, {0.1, 0.1}};
  for (const auto& r : regimes) {
    push_random(in_beats / 4 / ratio * ratio);
    src.gap_prob = r[0];
    sink.stall_prob = r[1];
    for (int i = 0; i < 100000 && !src.queue.empty(); ++i) step();
  }
  src.gap_prob = 0.0;
  sink.stall_prob = 0.0;
  for (int i = 0; i < 3 * ratio + 8; ++i) step();

  // Throughput on the narrow side with continuous traffic.
  const int tp_cycles = 240 * ratio;
  const int tp_in = in_width > out_width ? tp_cycles / ratio + 8 : tp_cycles + 8 * ratio;
  push_random(tp_in);
  for (int i = 0; i < 4; ++i) step();
  int in_fires = 0, out_fires = 0;
  for (int i = 0; i < tp_cycles; ++i) {
    tb::Fires f = step();
    in_fires += f.in;
    out_fires += f.out;
  }
  for (int i = 0; i < 4 * tp_in + 16 && !src.queue.empty(); ++i) step();
  for (int i = 0; i < 3 * ratio + 8; ++i) step();
  top->final();

  std::vector<tb::Bits> expect = golden::dwc(sent, out_width);
  uint64_t mismatches = received.size() != expect.size() ? 1 : 0;
  if (mismatches)
    std::printf("  received %zu beats, expected %zu\n", received.size(), expect.size());
  for (size_t i = 0; i < std::min(received.size(), expect.size()); ++i) {
    if (received[i] != expect[i] && mismatches++ < 5)
      std::printf("  mismatch at beat %zu: got %s expected %s\n", i, received[i].hex().c_str(),
                  expect[i].hex().c_str());
  }
  const int narrow_fires = in_width > out_width ? out_fires : in_fires;
  const int wide_fires = in_width > out_width ? in_fires : out_fires;
  const bool rate_ok = narrow_fires == tp_cycles && wide_fires >= tp_cycles / ratio - 1 &&
                       wide_fires <= tp_cycles / ratio + 1;
  char extra[200];
  std::snprintf(extra, sizeof extra, "beats_out=%zu throughput: narrow %d/%d wide %d/%d cycles",
                received.size(), narrow_fires, tp_cycles, wide_fires, tp_cycles);
  return tb::finish("shoal_dwc", mismatches, sink.errors, rate_ok, extra);
}
