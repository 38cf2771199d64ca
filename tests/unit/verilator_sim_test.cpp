#include "shoal/hw/verilator_sim.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <random>

#include "shoal/core/error.hpp"
#include "shoal/core/io.hpp"
#include "shoal/core/process.hpp"

using namespace shoal;
namespace fs = std::filesystem;

namespace {

// One scratch directory per test process, holding the designs and (through
// SHOAL_SIM_CACHE) the executables, so that tests share builds but never see another run's.
class Scratch {
 public:
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "shoal-rtlsim-test-XXXXXX").string();
    if (::mkdtemp(pattern.data())) root_ = pattern;
    ::setenv("SHOAL_SIM_CACHE", (root_ / "cache").c_str(), 1);
    fs::copy_file(fs::path(SHOAL_SOURCE_DIR) / "hls" / "shoal_fifo.sv", root_ / "shoal_fifo.sv");
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  const fs::path& root() const { return root_; }

 private:
  fs::path root_;
};

const fs::path& scratch() {
  static Scratch s;
  return s.root();
}

int clog2(int n) {
  int bits = 0;
  while ((1 << bits) < n) ++bits;
  return bits;
}

// A shoal_fifo (DEPTH, WIDTH) between s_axis_0 and m_axis_0 whose output is opened only
// every `out_period` cycles, so that the consumer is slower than the producer when
// out_period > 1. With TREADY always high, TVALID never drops without a handshake.
// `valid_bit` '0' gives a design that never outputs, one source byte away from '1'.
std::string fifo_top(int width, int depth, int out_period, char valid_bit = '1') {
  return fmt::format(
      R"(module finn_design_wrapper (
  input  logic ap_clk,
  input  logic ap_rst_n,
  input  logic [{0}:0] s_axis_0_tdata,
  input  logic s_axis_0_tvalid,
  output logic s_axis_0_tready,
  output logic [{0}:0] m_axis_0_tdata,
  output logic m_axis_0_tvalid,
  input  logic m_axis_0_tready,
  output logic [{1}:0] maxcount_0
);
  logic fifo_valid;
  logic gate;
  logic [7:0] phase_q;
  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) phase_q <= '0;
    else phase_q <= (phase_q == 8'({2} - 1)) ? '0 : phase_q + 1'b1;
  end
  assign gate = (phase_q == '0) && 1'b{3};
  assign m_axis_0_tvalid = fifo_valid && gate;
  shoal_fifo #(.DEPTH({4}), .WIDTH({5})) fifo (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n),
    .in0_V_TDATA(s_axis_0_tdata), .in0_V_TVALID(s_axis_0_tvalid),
    .in0_V_TREADY(s_axis_0_tready),
    .out_V_TDATA(m_axis_0_tdata), .out_V_TVALID(fifo_valid),
    .out_V_TREADY(m_axis_0_tready && gate),
    .count(), .maxcount(maxcount_0));
endmodule
)",
      width - 1, clog2(depth + 1) - 1, out_period, valid_bit, depth, width);
}

// Pure wires: s_axis_0_tready is m_axis_0_tready, so a harness that sampled the handshake
// before the inputs settled would lose or repeat beats.
std::string wire_top(int width) {
  return fmt::format(R"(module finn_design_wrapper (
  input  logic ap_clk,
  input  logic ap_rst_n,
  input  logic [{0}:0] s_axis_0_tdata,
  input  logic s_axis_0_tvalid,
  output logic s_axis_0_tready,
  output logic [{0}:0] m_axis_0_tdata,
  output logic m_axis_0_tvalid,
  input  logic m_axis_0_tready
);
  assign m_axis_0_tdata = s_axis_0_tdata;
  assign m_axis_0_tvalid = s_axis_0_tvalid;
  assign s_axis_0_tready = m_axis_0_tready;
endmodule
)",
                     width - 1);
}

SimDesign make_design(const std::string& name, const std::string& top_source, int bits,
                      bool with_fifo = true) {
  fs::path dir = scratch() / name;
  make_dirs(dir);
  write_file_atomic((dir / "top.sv").string(), top_source);
  SimDesign d;
  d.dir = dir;
  if (with_fifo) d.sources.push_back("../shoal_fifo.sv");
  d.sources.push_back("top.sv");
  d.top = "finn_design_wrapper";
  d.in_bits = d.out_bits = bits;
  if (with_fifo) d.monitors = {"maxcount_0"};
  return d;
}

std::string random_beats(std::size_t beats, int bits, unsigned seed) {
  std::mt19937 rng(seed);
  std::string data(beats * static_cast<std::size_t>(bits / 8), '\0');
  for (char& c : data) c = static_cast<char>(rng());
  return data;
}

// Builds once per test process; later calls come from the cache.
SimBinary built(const SimDesign& d) {
  SimBinary b = build_sim(d);
  EXPECT_TRUE(fs::is_regular_file(b.exe));
  return b;
}

#define REQUIRE_VERILATOR() \
  if (!program_exists("verilator")) GTEST_SKIP() << "verilator is not installed"

}  // namespace

// DEPTH 8 (shift-register FIFO, latency 1), output opened at edges 1, 4, 7, ... (every 3rd).
// Reset leaves in0_V_TREADY low before edge 1, so beat 0 enters at edge 2, leaves at edge 4,
// and beat j leaves at edge 4 + 3j: N beats take 3N + 1 cycles, a 16-beat frame 49. With
// input at full rate the FIFO fills (maxcount 8); paced to one beat per 3 cycles, each
// beat leaves in the cycle the next one enters (maxcount 1) and the run is no slower.
// Paced to 5 cycles, beat i > 0 enters at 1 + 5i and leaves at the next open edge after
// it: beat 63 enters at 316 and leaves at 319 (about 5 cycles per beat).
TEST(VerilatorSim, ThrottledFifoCyclesAndMaxcount) {
  REQUIRE_VERILATOR();
  SimDesign d = make_design("fifo8", fifo_top(8, 8, 3), 8);
  SimBinary b = built(d);
  SimStimulus s;
  s.input = random_beats(64, 8, 1);
  s.output_beats = 64;
  s.frame_output_beats = 16;
  SimResult r = run_sim(b, d, s);
  EXPECT_EQ(r.output, s.input);
  EXPECT_EQ(r.cycles, 193u);
  EXPECT_EQ(r.latency_cycles, 49u);
  EXPECT_EQ(r.input_beats, 64u);
  EXPECT_EQ(r.monitor_values, std::vector<std::uint64_t>{8});

  s.input_interval = 3;
  r = run_sim(b, d, s);
  EXPECT_EQ(r.output, s.input);
  EXPECT_EQ(r.cycles, 193u);
  EXPECT_EQ(r.latency_cycles, 49u);
  EXPECT_EQ(r.monitor_values, std::vector<std::uint64_t>{1});

  s.input_interval = 5;
  r = run_sim(b, d, s);
  EXPECT_EQ(r.output, s.input);
  EXPECT_EQ(r.cycles, 319u);
  EXPECT_EQ(r.latency_cycles, 79u);
  EXPECT_EQ(r.monitor_values, std::vector<std::uint64_t>{1});
}

// DEPTH 4 at full rate: beat j enters at edge 2 + j and leaves one cycle later, so N beats
// take N + 2 cycles. Paced to k >= 2 cycles, beat i > 0 is offered and taken at 1 + k*i,
// so the last of N leaves at 2 + k*(N - 1).
TEST(VerilatorSim, FifoOfKnownLatencyGivesExactCycles) {
  REQUIRE_VERILATOR();
  SimDesign d = make_design("fifo24", fifo_top(24, 4, 1), 24);
  SimBinary b = built(d);
  SimStimulus s;
  s.input = random_beats(100, 24, 2);
  s.output_beats = 100;
  s.frame_output_beats = 10;
  SimResult r = run_sim(b, d, s);
  EXPECT_EQ(r.output, s.input);
  EXPECT_EQ(r.cycles, 102u);
  EXPECT_EQ(r.latency_cycles, 12u);
  EXPECT_EQ(r.monitor_values, std::vector<std::uint64_t>{1});

  s.input_interval = 4;
  s.frame_output_beats = 0;
  r = run_sim(b, d, s);
  EXPECT_EQ(r.output, s.input);
  EXPECT_EQ(r.cycles, 2u + 4u * 99u);
  EXPECT_EQ(r.latency_cycles, r.cycles);
}

// DEPTH 40 is above SRL_MAX_DEPTH: the block-RAM FIFO of latency 2, so N beats take N + 3
// cycles without back-pressure. 72 bits are a VlWide<3> port.
TEST(VerilatorSim, WideDataSurvivesBackPressure) {
  REQUIRE_VERILATOR();
  SimDesign d = make_design("fifo72", fifo_top(72, 40, 1), 72);
  SimBinary b = built(d);
  SimStimulus s;
  s.input = random_beats(500, 72, 3);
  s.output_beats = 500;
  SimResult r = run_sim(b, d, s);
  EXPECT_EQ(r.output, s.input);
  EXPECT_EQ(r.cycles, 503u);

  s.ready_percent = 30;
  r = run_sim(b, d, s);
  EXPECT_EQ(r.output, s.input);
  EXPECT_EQ(r.input_beats, 500u);
  EXPECT_GT(r.cycles, 1400u);  // about 500 / 0.3
  EXPECT_LT(r.cycles, 2000u);
  EXPECT_GT(r.monitor_values[0], 1u);  // stalls let the FIFO fill
  s.seed = 7;
  EXPECT_NE(run_sim(b, d, s).cycles, r.cycles);
}

// 136 bits (VlWide<5>, the top word partly used) through a combinational path. Beat j
// passes at edge 1 + j; the run stops at the last expected output although more input is
// waiting.
TEST(VerilatorSim, CombinationalPathLosesAndRepeatsNothing) {
  REQUIRE_VERILATOR();
  SimDesign d = make_design("wire136", wire_top(136), 136, false);
  SimBinary b = built(d);
  SimStimulus s;
  s.input = random_beats(300, 136, 4);
  s.output_beats = 250;
  SimResult r = run_sim(b, d, s);
  EXPECT_EQ(r.output, s.input.substr(0, 250 * 17));
  EXPECT_EQ(r.cycles, 250u);
  EXPECT_EQ(r.input_beats, 250u);

  s.ready_percent = 50;
  s.input_interval = 2;
  r = run_sim(b, d, s);
  EXPECT_EQ(r.output, s.input.substr(0, 250 * 17));
  EXPECT_EQ(r.input_beats, 250u);
  EXPECT_GT(r.cycles, 500u);
}

TEST(VerilatorSim, SecondBuildComesFromCacheAndOneByteRebuilds) {
  REQUIRE_VERILATOR();
  SimDesign d = make_design("fifo8", fifo_top(8, 8, 3), 8);
  SimBinary first = build_sim(d);
  SimBinary again = build_sim(d);
  EXPECT_TRUE(again.from_cache);
  EXPECT_EQ(again.build_seconds, 0);
  EXPECT_EQ(again.exe, first.exe);

  // The never-outputting variant differs in one byte; it must not reuse the executable.
  SimDesign stalled = make_design("fifo8_stalled", fifo_top(8, 8, 3, '0'), 8);
  std::string a = read_file((d.dir / "top.sv").string()),
              z = read_file((stalled.dir / "top.sv").string());
  ASSERT_EQ(a.size(), z.size());
  int differing = 0;
  for (std::size_t i = 0; i < a.size(); ++i) differing += a[i] != z[i];
  ASSERT_EQ(differing, 1);
  SimBinary rebuilt = build_sim(stalled);
  EXPECT_FALSE(rebuilt.from_cache);
  EXPECT_GT(rebuilt.build_seconds, 0);
  EXPECT_NE(rebuilt.exe, first.exe);

  // The FIFO takes DEPTH beats and then nothing comes out.
  SimStimulus s;
  s.input = random_beats(20, 8, 5);
  s.output_beats = 4;
  s.max_idle_cycles = 1000;
  try {
    run_sim(rebuilt, stalled, s);
    FAIL() << "expected an idle error";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("no output beat for 1000 cycles"), std::string::npos) << message;
    EXPECT_NE(message.find("0 of 4 output beats"), std::string::npos) << message;
    EXPECT_NE(message.find("8 of 20 input beats"), std::string::npos) << message;
  }
}

TEST(VerilatorSim, SyntaxErrorReportsVerilatorsMessage) {
  REQUIRE_VERILATOR();
  fs::path dir = scratch() / "broken";
  make_dirs(dir);
  write_file_atomic((dir / "broken.sv").string(),
                    "module finn_design_wrapper(input logic ap_clk);\n  assign = 1;\nendmodule\n");
  SimDesign d;
  d.dir = dir;
  d.sources = {"broken.sv"};
  d.top = "finn_design_wrapper";
  try {
    build_sim(d);
    FAIL() << "expected a build error";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("%Error"), std::string::npos) << message;
    EXPECT_NE(message.find("broken.sv:2"), std::string::npos) << message;
  }
  // Nothing half-built is left in the cache: no temporary directory, every design entry
  // with its simulator, every run-time entry (built by earlier tests) with its objects.
  for (const auto& entry : fs::directory_iterator(sim_cache_dir())) {
    std::string name = entry.path().filename().string();
    EXPECT_EQ(name.find(".tmp-"), std::string::npos) << entry.path();
    EXPECT_TRUE(fs::exists(entry.path() / (name.starts_with("runtime-") ? "verilated.o" : "sim")))
        << entry.path();
  }
}

TEST(VerilatorSim, WritesFstTrace) {
  REQUIRE_VERILATOR();
  SimDesign d = make_design("fifo24", fifo_top(24, 4, 1), 24);
  SimStimulus s;
  s.input = random_beats(10, 24, 6);
  s.output_beats = 10;
  s.trace_file = d.dir / "wave.fst";
  EXPECT_THROW(run_sim(SimBinary{}, d, s), Error);  // a build without tracing

  d.trace = true;
  SimResult r = run_sim(built(d), d, s);
  EXPECT_EQ(r.output, s.input);
  EXPECT_EQ(r.cycles, 12u);  // tracing does not change the timing
  ASSERT_TRUE(fs::exists(s.trace_file));
  EXPECT_GT(fs::file_size(s.trace_file), 100u);
}

TEST(VerilatorSim, CacheKeyIsStableAndCoversThePorts) {
  REQUIRE_VERILATOR();
  SimDesign d = make_design("fifo24", fifo_top(24, 4, 1), 24);
  std::string key = sim_cache_key(d);
  EXPECT_EQ(key.size(), 16u);
  EXPECT_EQ(sim_cache_key(d), key);
  SimDesign other = d;
  other.monitors.clear();
  EXPECT_NE(sim_cache_key(other), key);
  other = d;
  other.trace = true;
  EXPECT_NE(sim_cache_key(other), key);
  other = d;
  other.out_bits = 32;
  EXPECT_NE(sim_cache_key(other), key);
}
