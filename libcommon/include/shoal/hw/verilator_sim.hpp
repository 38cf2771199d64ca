// Cycle-accurate simulation of a stitched design with Verilator: one AXI-Stream input
// (s_axis_0) fed from a byte string, one AXI-Stream output (m_axis_0) collected into a
// byte string, and cycle counts for throughput and latency. Executables are cached by a
// hash of everything that goes into them, so repeated runs of one design build once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace shoal {

// A design to simulate: a top module with ports ap_clk, ap_rst_n (active low), one
// AXI-Stream input s_axis_0 and one output m_axis_0 (lower-case _tdata/_tvalid/_tready).
struct SimDesign {
  std::filesystem::path dir;  // working directory of the simulation: $readmemh paths in the
                              // design are relative to it
  std::vector<std::filesystem::path> sources;  // .v/.sv files, relative to dir (or absolute)
  std::string top;                             // top module name
  int in_bits = 8;   // width of s_axis_0_tdata (a multiple of 8, any size incl. > 64)
  int out_bits = 8;  // width of m_axis_0_tdata (a multiple of 8)
  std::vector<std::string> monitors;  // extra top-level output ports (each <= 64 bits), e.g.
                                      // maxcount_0; their final values are reported
  bool trace = false;                 // build with --trace-fst
};

struct SimBinary {
  std::filesystem::path exe;
  bool from_cache = false;
  double build_seconds = 0;  // 0 when from cache
};

// Builds (or finds in the cache) a Verilator executable for the design. The cache is
// $SHOAL_SIM_CACHE, else $XDG_CACHE_HOME/shoal/rtlsim, else $HOME/.cache/shoal/rtlsim.
// $readmemh files are read at run time and are not part of the cache key.
SimBinary build_sim(const SimDesign& design);

struct SimStimulus {
  std::string input;  // packed input beats, in_bits/8 bytes each, little-endian: byte 0 =
                      // TDATA[7:0]
  std::size_t output_beats = 0;        // run until this many output beats were taken
  std::size_t frame_output_beats = 0;  // output beats per frame, for latency_cycles (0: same
                                       // as output_beats)
  unsigned input_interval = 0;         // 0: TVALID whenever input remains; k > 0: a beat is offered
                                       // at least k cycles after the previous one was offered
  // frame_period k > 0: the beats of input frame f (input_frame_beats each) are offered
  // from edge f*k + 1 on, i.e. frames arrive at most one per k cycles, each as fast as taken
  std::size_t input_frame_beats = 0;
  std::uint64_t frame_period = 0;
  std::uint64_t max_idle_cycles = 1000000;  // fail if this many consecutive cycles pass
                                            // without an output beat
  std::filesystem::path trace_file;         // FST waveform to write (requires design.trace)
  unsigned ready_percent = 100;  // m_axis_0_tready probability per cycle (100: always ready)
  std::uint64_t seed = 1;        // for the random TREADY
};

struct SimResult {
  std::string output;  // output beats, out_bits/8 bytes each, same byte order
  // Rising clock edges after reset up to and including the one that took the last
  // expected output beat (the first edge with ap_rst_n high is edge 1).
  std::uint64_t cycles = 0;
  std::uint64_t latency_cycles = 0;           // the same for the first frame_output_beats beats
  std::uint64_t input_beats = 0;              // input handshakes that happened
  std::vector<std::uint64_t> monitor_values;  // final value of each monitor port, in order
  double run_seconds = 0;                     // wall time of the simulation process
  std::string log;                            // what the simulation printed ($display and the like)
};

// Runs the executable in design.dir. An Error when the output stalls for
// max_idle_cycles, the design calls $finish early or the simulation crashes.
SimResult run_sim(const SimBinary& binary, const SimDesign& design, const SimStimulus& stimulus);

// The cache key of a design: a stable hash of the sources, ports, build flags, harness
// and Verilator version (16 hex digits).
std::string sim_cache_key(const SimDesign& design);
// The cache directory build_sim uses (from the environment).
std::filesystem::path sim_cache_dir();

}  // namespace shoal
