// Testbench for shoal_memstream: random memory contents (written to the INIT_FILE the
// model was built with), random TREADY stalls, bit-exact check of the word sequence
// against golden::memstream, then a stall-free phase that must deliver one word per cycle.
//
// Arguments: DEPTH= WIDTH= init_file= [seed=] [cycles=]
#include "Vdut.h"
#include "golden.h"
#include "tb_common.h"

#include <fstream>
#include <memory>

int main(int argc, char** argv) {
  tb::Args args(argc, argv);
  const int depth = static_cast<int>(args.req("DEPTH"));
  const int width = static_cast<int>(args.req("WIDTH"));
  const std::string init_file = args.s("init_file", "");
  const uint64_t seed = static_cast<uint64_t>(args.i("seed", 1));
  const int cycles = static_cast<int>(args.i("cycles", 20000));
  std::mt19937_64 rng(seed);

  // Random memory image, written before the model's initial blocks run.
  std::vector<tb::Bits> mem;
  {
    std::ofstream f(init_file);
    for (int a = 0; a < depth; ++a) {
      tb::Bits w(width);
      for (int b = 0; b < width; b += 32) w.set(b, std::min(32, width - b), rng());
      mem.push_back(w);
      f << w.hex() << "\n";
    }
  }
  std::vector<tb::Bits> expect = golden::memstream(mem, cycles * 2 + 16);

  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<Vdut>(ctx.get());
  tb::Sink sink;
  uint64_t mismatches = 0, cycle = 0, got = 0;

  auto step = [&](bool random_ready) {
    sink.stall_prob = random_ready ? 0.4 : 0.0;
    bool rdy = sink.ready(rng);
    top->out_V_TREADY = 0;
    top->eval();
    bool v0 = top->out_V_TVALID;
    top->out_V_TREADY = rdy;
    top->eval();
    tb::Bits d = tb::get(top->out_V_TDATA, width);
    bool fire = sink.check(v0, top->out_V_TVALID, d, cycle);
    if (fire) {
      if (d != expect[got] && mismatches++ < 5)
        std::printf("  mismatch at word %llu: got %s expected %s\n",
                    static_cast<unsigned long long>(got), d.hex().c_str(),
                    expect[got].hex().c_str());
      ++got;
    }
    top->ap_clk = 1;
    top->eval();
    top->ap_clk = 0;
    top->eval();
    ++cycle;
    return fire;
  };

  top->ap_clk = 0;
  top->ap_rst_n = 0;
  top->out_V_TREADY = 0;
  for (int i = 0; i < 4; ++i) {
    top->ap_clk = 1;
    top->eval();
    top->ap_clk = 0;
    top->eval();
  }
  top->ap_rst_n = 1;

  for (int i = 0; i < cycles; ++i) step(true);
  // Throughput: after a short settle, every cycle must transfer a word.
  for (int i = 0; i < 4; ++i) step(false);
  int fires = 0;
  for (int i = 0; i < cycles; ++i) fires += step(false) ? 1 : 0;
  top->final();

  char extra[160];
  std::snprintf(extra, sizeof extra, "words=%llu throughput=%d/%d beats/cycle",
                static_cast<unsigned long long>(got), fires, cycles);
  return tb::finish("shoal_memstream", mismatches, sink.errors, fires == cycles, extra);
}
