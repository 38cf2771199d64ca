#include "config.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "shoal/core/error.hpp"
#include "shoal/core/json.hpp"
#include "shoal/targets/boards.hpp"

namespace shoal {
namespace fs = std::filesystem;

namespace {

// DataflowBuildConfig's fields (v0.6), plus those v0.7 added so configs written for it load.
const std::set<std::string>& known_keys() {
  static const std::set<std::string> keys = {
      "output_dir", "synth_clk_period_ns", "generate_outputs", "folding_config_file", "target_fps",
      "verify_steps", "verify_input_npy", "verify_expected_output_npy", "mvau_wwidth_max",
      "standalone_thresholds", "board", "shell_flow_type", "fpga_part", "auto_fifo_depths",
      "large_fifo_mem_style", "hls_clk_period_ns", "default_mem_mode", "vitis_platform",
      "vitis_floorplan_file", "vitis_opt_strategy", "save_intermediate_models", "enable_hw_debug",
      "enable_build_pdb_debug", "steps",
      // v0.7
      "folding_two_pass_relaxation", "verify_save_full_context", "verify_save_rtlsim_waveforms",
      "stitched_ip_gen_dcp", "start_step", "stop_step", "max_multithreshold_bit_width",
      "rtlsim_batch_size"};
  return keys;
}

// DataflowOutputType: value -> value; the enum names are accepted too.
std::string output_type(const std::string& v) {
  static const std::vector<std::pair<std::string, std::string>> table = {
      {"STITCHED_IP", "stitched_ip"},
      {"ESTIMATE_REPORTS", "estimate_reports"},
      {"OOC_SYNTH", "out_of_context_synth"},
      {"RTLSIM_PERFORMANCE", "rtlsim_performance"},
      {"BITFILE", "bitfile"},
      {"PYNQ_DRIVER", "pynq_driver"},
      {"DEPLOYMENT_PACKAGE", "deployment_package"}};
  for (const auto& [name, value] : table)
    if (v == value || v == name) return value;
  std::string allowed;
  for (const auto& [name, value] : table) allowed += (allowed.empty() ? "" : ", ") + value;
  fail("generate_outputs: unknown output '{}' (allowed: {})", v, allowed);
}

const nlohmann::ordered_json& require(const nlohmann::ordered_json& j, const char* key,
                                      const std::string& what) {
  if (!j.contains(key)) fail("{}: missing required key '{}'", what, key);
  return j[key];
}

std::string as_string(const nlohmann::ordered_json& v, const char* key, const std::string& what) {
  if (!v.is_string()) fail("{}: '{}' must be a string", what, key);
  return v.get<std::string>();
}

}  // namespace

bool BuildConfig::wants(const std::string& output) const {
  return std::find(generate_outputs.begin(), generate_outputs.end(), output) !=
         generate_outputs.end();
}

std::string BuildConfig::part() const {
  if (fpga_part) return *fpga_part;
  if (!board) fail("neither fpga_part nor board is given: cannot tell the FPGA part");
  // FINN looks the board up in alveo_part_map for vitis_alveo and in pynq_part_map
  // otherwise; shoal's table also has its iCE40 boards.
  return find_board(*board, shell_flow_type.value_or("")).part;
}

std::string BuildConfig::shell() const {
  if (shell_flow_type) return *shell_flow_type;
  if (!board) return "";
  return find_board(*board).shell;
}

const std::vector<std::string>& estimate_only_steps() {
  static const std::vector<std::string> s = {"step_tidy_up",
                                             "step_streamline",
                                             "step_convert_to_hls",
                                             "step_create_dataflow_partition",
                                             "step_target_fps_parallelization",
                                             "step_apply_folding_config",
                                             "step_generate_estimate_reports"};
  return s;
}

const std::vector<std::string>& default_steps() {
  static const std::vector<std::string> s = {"step_tidy_up",
                                             "step_streamline",
                                             "step_convert_to_hls",
                                             "step_create_dataflow_partition",
                                             "step_target_fps_parallelization",
                                             "step_apply_folding_config",
                                             "step_generate_estimate_reports",
                                             "step_hls_codegen",
                                             "step_hls_ipgen",
                                             "step_set_fifo_depths",
                                             "step_create_stitched_ip",
                                             "step_measure_rtlsim_performance",
                                             "step_out_of_context_synthesis",
                                             "step_synthesize_bitfile",
                                             "step_make_pynq_driver",
                                             "step_deployment_package"};
  return s;
}

BuildConfig parse_build_config(const std::string& text, const std::string& what,
                               const fs::path& config_dir) {
  BuildConfig c;
  c.raw = parse_json(text, what);
  const auto& j = c.raw;
  if (!j.is_object()) fail("{}: not a JSON object", what);
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known_keys().count(it.key())) fail("{}: unknown key '{}'", what, it.key());
  c.output_dir = as_string(require(j, "output_dir", what), "output_dir", what);
  const auto& clk = require(j, "synth_clk_period_ns", what);
  try {
    c.synth_clk_period_ns = ClockPeriod::from_json(clk);
  } catch (const Error& e) {
    fail("{}: synth_clk_period_ns: {}", what, e.what());
  }
  const auto& outs = require(j, "generate_outputs", what);
  if (!outs.is_array()) fail("{}: 'generate_outputs' must be a list", what);
  for (const auto& o : outs)
    c.generate_outputs.push_back(output_type(as_string(o, "generate_outputs", what)));
  auto resolve = [&](const std::string& p) {
    return fs::path(p).is_absolute() ? p : (config_dir / p).string();
  };
  if (j.contains("folding_config_file") && !j["folding_config_file"].is_null())
    c.folding_config_file =
        resolve(as_string(j["folding_config_file"], "folding_config_file", what));
  if (j.contains("target_fps") && !j["target_fps"].is_null()) {
    if (!j["target_fps"].is_number() || !(j["target_fps"].get<double>() > 0))
      fail("{}: 'target_fps' must be a positive number", what);
    c.target_fps = j["target_fps"].get<double>();
    c.target_fps_text = j["target_fps"].dump();
  }
  if (j.contains("mvau_wwidth_max")) {
    if (!j["mvau_wwidth_max"].is_number_integer())
      fail("{}: 'mvau_wwidth_max' must be an integer", what);
    c.mvau_wwidth_max = j["mvau_wwidth_max"].get<int64_t>();
  }
  if (j.contains("standalone_thresholds")) {
    if (!j["standalone_thresholds"].is_boolean())
      fail("{}: 'standalone_thresholds' must be true or false", what);
    c.standalone_thresholds = j["standalone_thresholds"].get<bool>();
  }
  if (j.contains("rtlsim_batch_size") && !j["rtlsim_batch_size"].is_null()) {
    if (!j["rtlsim_batch_size"].is_number_integer() || j["rtlsim_batch_size"].get<int64_t>() < 1)
      fail("{}: 'rtlsim_batch_size' must be a positive integer", what);
    c.rtlsim_batch_size = j["rtlsim_batch_size"].get<int64_t>();
  }
  if (j.contains("auto_fifo_depths") && j["auto_fifo_depths"] == false)
    fail("{}: auto_fifo_depths false is not supported: shoal always sizes FIFOs by simulation",
         what);
  if (j.contains("save_intermediate_models") && j["save_intermediate_models"].is_boolean())
    c.save_intermediate_models = j["save_intermediate_models"].get<bool>();
  for (const char* key : {"board", "fpga_part", "shell_flow_type"})
    if (j.contains(key) && !j[key].is_null()) {
      std::string v = as_string(j[key], key, what);
      if (std::string(key) == "board")
        c.board = v;
      else if (std::string(key) == "fpga_part")
        c.fpga_part = v;
      else
        c.shell_flow_type = v;
    }
  if (c.shell_flow_type) {
    // FINN's configs spell the ShellFlowType enum's values; its names are accepted too.
    std::string v = *c.shell_flow_type;
    std::transform(v.begin(), v.end(), v.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    const auto& types = shell_flow_types();
    if (std::find(types.begin(), types.end(), v) == types.end())
      fail("{}: shell_flow_type '{}' is not vivado_zynq, vitis_alveo or ice40_uart", what,
           *c.shell_flow_type);
    c.shell_flow_type = v;
  }
  if (j.contains("default_mem_mode") && !j["default_mem_mode"].is_null()) {
    c.default_mem_mode = as_string(j["default_mem_mode"], "default_mem_mode", what);
    if (c.default_mem_mode != "const" && c.default_mem_mode != "decoupled")
      fail("{}: default_mem_mode '{}' is not const or decoupled", what, c.default_mem_mode);
  }
  if (j.contains("steps") && !j["steps"].is_null()) {
    if (!j["steps"].is_array()) fail("{}: 'steps' must be a list of step names", what);
    for (const auto& s : j["steps"]) c.steps.push_back(as_string(s, "steps", what));
    if (c.steps.empty()) fail("{}: 'steps' is empty: there is nothing to build", what);
    const auto& known = default_steps();
    for (const auto& s : c.steps)
      if (std::find(known.begin(), known.end(), s) == known.end()) fail("unknown step '{}'", s);
  } else {
    c.steps = default_steps();
  }
  return c;
}

}  // namespace shoal
