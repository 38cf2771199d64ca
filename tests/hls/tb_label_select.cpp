// Testbench for shoal_label_select: random frames (half of them with few distinct values,
// so that ties and the type minimum are common), random TVALID gaps and TREADY stalls,
// every output label compared with golden::label_select (stable descending sort), then
// a stall-free phase: LABELS/PE cycles per frame when K <= LABELS/PE, else K.
//
// Arguments: LABELS= PE= K= IN_BITS= INPUT_SIGNED= OUT_BITS= [seed=] [frames=]
#include "Vdut.h"
#include "golden.h"
#include "tb_common.h"

#include <algorithm>
#include <memory>

int main(int argc, char** argv) {
  tb::Args args(argc, argv);
  const int labels = static_cast<int>(args.req("LABELS"));
  const int pe = static_cast<int>(args.req("PE"));
  const int k = static_cast<int>(args.req("K"));
  const int in_bits = static_cast<int>(args.req("IN_BITS"));
  const bool in_signed = args.req("INPUT_SIGNED") != 0;
  const int out_bits = static_cast<int>(args.req("OUT_BITS"));
  const uint64_t seed = static_cast<uint64_t>(args.i("seed", 1));
  const int nb = labels / pe;
  const int frames = static_cast<int>(args.i("frames", std::max(40, 6000 / nb)));
  std::mt19937_64 rng(seed);

  const int64_t vmin = in_signed ? -(int64_t(1) << (in_bits - 1)) : 0;
  const int64_t vmax = in_signed ? (int64_t(1) << (in_bits - 1)) - 1 : (int64_t(1) << in_bits) - 1;

  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<Vdut>(ctx.get());
  tb::Source src;
  tb::Sink sink;
  std::vector<tb::Bits> expect, received;
  std::vector<uint64_t> in_cycles, out_cycles;
  uint64_t cycle = 0;

  auto push_frames = [&](int n) {
    std::vector<std::vector<int64_t>> x(n, std::vector<int64_t>(labels));
    for (int f = 0; f < n; ++f) {
      // Narrow value ranges give many ties; some frames sit at the type minimum.
      int64_t lo = vmin, hi = vmax;
      switch (rng() % 4) {
        case 0:
          hi = std::min(vmax, vmin + 2);
          break;
        case 1:
          lo = std::max(vmin, vmax - 3);
          break;
        default:
          break;
      }
      for (auto& v : x[f]) v = std::uniform_int_distribution<int64_t>(lo, hi)(rng);
    }
    auto y = golden::label_select(x, k);
    for (int f = 0; f < n; ++f) {
      for (int b = 0; b < nb; ++b) {
        tb::Bits beat(pe * in_bits);
        for (int p = 0; p < pe; ++p)
          beat.set(p * in_bits, in_bits, tb::wrapu(x[f][b * pe + p], in_bits));
        src.queue.push_back(beat);
      }
      for (int j = 0; j < k; ++j) {
        tb::Bits beat(out_bits);
        beat.set(0, out_bits, tb::wrapu(y[f][j], out_bits));
        expect.push_back(beat);
      }
    }
  };
  auto step = [&]() {
    tb::Bits d;
    tb::Fires f = tb::cycle_io(*top, src, sink, out_bits, rng, cycle, &d);
    if (f.out) received.push_back(d), out_cycles.push_back(cycle);
    if (f.in) in_cycles.push_back(cycle);
    ++cycle;
    return f;
  };
  auto drain = [&]() {
    src.gap_prob = 0.0;
    sink.stall_prob = 0.0;
    for (int i = 0; i < 1000000 && received.size() < expect.size(); ++i) step();
  };

  top->in0_V_TVALID = 0;
  top->out_V_TREADY = 0;
  tb::reset(*top);

  const double regimes[][2] = {{0.3, 0.3}, {0.0, 0.7}, {0.7, 0.0}};
  for (const auto& r : regimes) {
    push_frames(std::max(4, frames / 3));
    src.gap_prob = r[0];
    sink.stall_prob = r[1];
    for (int i = 0; i < 1000000 && !src.queue.empty(); ++i) step();
  }
  drain();

  // Throughput with continuous input and no stalls.
  const int expected_cpf = std::max(nb, k);
  const int tp_frames = std::max(20, 4000 / expected_cpf);
  push_frames(tp_frames + 4);
  for (int i = 0; i < 2 * expected_cpf + 4; ++i) step();
  const int window = (tp_frames - 2) * expected_cpf;
  int in_fires = 0;
  for (int i = 0; i < window; ++i) in_fires += step().in;
  drain();
  top->final();

  // Latency: last input beat of a frame to its first label (minimum over frames, i.e.
  // without waiting behind the previous frame's labels).
  uint64_t latency = ~0ull;
  for (size_t f = 0; (f + 1) * nb <= in_cycles.size() && f * k < out_cycles.size(); ++f)
    latency = std::min<uint64_t>(latency, out_cycles[f * k] - in_cycles[(f + 1) * nb - 1]);
  const double cpf = in_fires > 0 ? static_cast<double>(window) * nb / in_fires : -1.0;
  uint64_t mismatches = received.size() != expect.size() ? 1 : 0;
  if (mismatches)
    std::printf("  received %zu labels, expected %zu\n", received.size(), expect.size());
  for (size_t i = 0; i < std::min(received.size(), expect.size()); ++i) {
    if (received[i] != expect[i] && mismatches++ < 5)
      std::printf("  mismatch at frame %zu rank %zu: got %s expected %s\n", i / k, i % k,
                  received[i].hex().c_str(), expect[i].hex().c_str());
  }
  char extra[160];
  std::snprintf(extra, sizeof extra, "labels=%zu cycles/frame=%.2f (expected %d) latency=%llu",
                received.size(), cpf, expected_cpf, static_cast<unsigned long long>(latency));
  return tb::finish("shoal_label_select", mismatches, sink.errors,
                    in_fires * expected_cpf == window * nb, extra);
}
