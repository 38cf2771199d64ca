// FINN's DataflowBuildConfig (estimates.md §1.5), read from dataflow_build_config.json.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "shoal/transforms/folding.hpp"

namespace shoal {

struct BuildConfig {
  std::string output_dir;
  ClockPeriod synth_clk_period_ns;
  std::vector<std::string> generate_outputs;  // FINN's values: "estimate_reports", ...
  std::optional<std::string> folding_config_file;
  std::optional<double> target_fps;
  std::optional<std::string> target_fps_text;
  int64_t mvau_wwidth_max = 36;
  bool standalone_thresholds = false;
  std::optional<std::string> board, fpga_part, shell_flow_type;
  std::string default_mem_mode = "decoupled";
  bool save_intermediate_models = true;
  std::optional<int64_t> rtlsim_batch_size;
  std::vector<std::string> steps;  // resolved: the config's or FINN's default list
  nlohmann::ordered_json raw;

  bool wants(const std::string& output) const;
  // FINN's resolver: fpga_part if set, else the part of the board (pynq_part_map for
  // vivado_zynq or no shell, alveo_part_map for vitis_alveo; shoal's boards.hpp also has
  // iCE40 boards), else an Error.
  std::string part() const;
  // shell_flow_type, else the board's shell, else "".
  std::string shell() const;
};

// Parses and validates; unknown keys, missing required keys and bad values are Errors
// naming the key. Relative paths in the config resolve against `config_dir`.
BuildConfig parse_build_config(const std::string& text, const std::string& what,
                               const std::filesystem::path& config_dir);

// FINN v0.6's step lists.
const std::vector<std::string>& estimate_only_steps();
const std::vector<std::string>& default_steps();

}  // namespace shoal
