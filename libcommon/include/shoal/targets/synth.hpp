// Out-of-context synthesis of a stitched design: FINN's step_out_of_context_synthesis
// (hardware.md §5, report format estimates.md §2.9) with the open tools of toolchain.md §3-4.
// Xilinx parts: Yosys synth_xilinx resource counts and a labelled timing estimate (Vivado
// instead where it is on PATH). Lattice iCE40 parts: Yosys synth_ice40, nextpnr-ice40 place
// and route (a real fmax) and icepack (a bitstream).
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <string>

#include "shoal/core/model.hpp"

namespace shoal {

struct FpgaPart {
  enum class Vendor { Xilinx, Lattice };
  Vendor vendor = Vendor::Xilinx;
  std::string name;      // as the user gave it: "xc7z020clg400-1", "ice40up5k-sg48"
  std::string family;    // Xilinx: synth_xilinx -family (xc7, xcup); iCE40: nextpnr's device
                         // option without dashes (up5k, hx8k, ...)
  std::string package;   // iCE40: nextpnr --package ("" = nextpnr's default)
  bool has_dsp = false;  // iCE40 UltraPlus parts have SB_MAC16 blocks (synth_ice40 -dsp)
};
// From a part name; an Error names the part and lists the families understood.
FpgaPart parse_fpga_part(const std::string& part);

struct SynthOptions {
  FpgaPart part;
  double clk_ns = 0;
  std::filesystem::path work_dir;    // everything synthesis writes, reused across runs
  std::filesystem::path report_dir;  // paths in the reports are relative to it
  // Xilinx parts without Vivado: report the sum of every layer synthesized alone (in
  // parallel, cached) instead of one synthesis of the flattened design. Faster, not exact:
  // each layer is mapped for its own logic depth (synth --help).
  bool layer_sum = false;
  int jobs = 0;  // Yosys processes at a time for per-layer synthesis; 0: one per hardware thread
  // Called with a line of progress per step (empty: no progress).
  std::function<void(const std::string&)> progress;
};

struct SynthResult {
  nlohmann::ordered_json timing_report;  // ooc_synth_and_timing.json
  std::string summary;                   // one line for stderr
};

// Synthesizes the stitched design `m` records (after stitch): see tools/synth/main.cpp for
// what each flow does and reports. Fails naming the step, the tool and its log.
SynthResult synthesize(const Model& m, const SynthOptions& o);

// Synthesizes every node's IP directory alone with the same flow (Yosys only, no place and
// route; o.jobs at a time, cached by content): synth_layer_resources.json, per node {LUT,
// FF, BRAM, URAM, DSP} and a "total".
nlohmann::ordered_json synthesize_layers(const Model& m, const SynthOptions& o);

}  // namespace shoal
