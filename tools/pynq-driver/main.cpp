// pynq-driver: FINN's step_make_pynq_driver and step_deployment_package.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <regex>

#include "python_sources.hpp"
#include "shoal/core/cli.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/io.hpp"
#include "shoal/core/model.hpp"
#include "shoal/targets/pynq_driver.hpp"
#include "shoal/transforms/folding.hpp"

using namespace shoal;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kPlatforms = {"zynq-iodma", "alveo"};
// The clock driver.py records when the model has none: FINN's default fclk_mhz.
constexpr double kDefaultFclkMhz = 100.0;

using Files = std::vector<std::pair<std::string, std::string>>;  // name, contents

// Replaces every @KEY@ of a template; a placeholder left over is a bug in this tool.
std::string render(std::string_view text, const std::map<std::string, std::string>& values) {
  std::string out(text);
  for (const auto& [key, value] : values) {
    const std::string token = "@" + key + "@";
    for (std::size_t at; (at = out.find(token)) != std::string::npos;)
      out.replace(at, token.size(), value);
  }
  std::smatch left;
  if (std::regex_search(out, left, std::regex("@[A-Z_]+@")))
    fail("internal: placeholder {} of a driver template has no value", left.str());
  return out;
}

Files driver_files(const DriverIo& io, const std::string& model_name, const std::string& platform,
                   double fclk_mhz) {
  std::map<std::string, std::string> values{
      {"MODEL", model_name},
      {"PLATFORM", platform},
      {"FCLK_MHZ", python_float(fclk_mhz)},
      {"IO_SHAPE_DICT", io_shape_dict_entries(io)},
      {"IDT", io.in.dt.name()},
      {"ODT", io.out.dt.name()},
      {"IN_FOLDED", python_tuple(io.in.folded)},
      {"OUT_FOLDED", python_tuple(io.out.folded)},
      {"IN_PER_BEAT", std::to_string(io.in.per_beat())},
      {"OUT_PER_BEAT", std::to_string(io.out.per_beat())},
      {"IN_BEATS", std::to_string(io.in.beats())},
      {"OUT_BEATS", std::to_string(io.out.beats())},
      {"IN_BEAT_BITS", std::to_string(io.in.beat_bits)},
      {"OUT_BEAT_BITS", std::to_string(io.out.beat_bits)},
      {"IN_BEAT_BYTES", std::to_string(io.in.beat_bytes())},
      {"OUT_BEAT_BYTES", std::to_string(io.out.beat_bytes())},
      {"IN_FRAME_BYTES", std::to_string(io.in.frame_bytes())},
      {"OUT_FRAME_BYTES", std::to_string(io.out.frame_bytes())}};
  // The entries of io_shape_dict end with a newline; the template has its own.
  values["IO_SHAPE_DICT"].pop_back();
  return {{"driver.py", render(pynq_driver::kDriverPy, values)},
          {"driver_base.py", std::string(pynq_driver::kDriverBasePy)},
          {"validate.py", std::string(pynq_driver::kValidatePy)},
          {"shoal_dt.py", std::string(pynq_driver::kShoalDtPy)},
          {"host_serial.py", render(pynq_driver::kHostSerialPy, values)}};
}

void write_driver_dir(const fs::path& dir, const Files& files) {
  make_dirs(dir);
  for (const auto& [name, text] : files) write_file_atomic((dir / name).string(), text);
  // FINN always creates it; the overlay looks there for weight files (shoal has none).
  make_dirs(dir / "runtime_weights");
}

// What step_synthesize_bitfile leaves in <out>/bitfile for the platform; the first is the
// one the driver loads.
std::vector<std::string> bitfile_names(const std::string& platform) {
  if (platform == "alveo") return {"finn-accel.xclbin"};
  return {"finn-accel.bit", "finn-accel.hwh"};
}

std::string bitfile_readme(const std::string& platform) {
  const bool alveo = platform == "alveo";
  const std::string main_file = bitfile_names(platform)[0];
  return fmt::format(
      "# No bitfile yet\n"
      "\n"
      "This deployment package has the driver (../driver) but not the bitfile:\n"
      "\n"
      "{files}"
      "\n"
      "It comes from FINN's step_synthesize_bitfile ({build}): the shell with its DMAs\n"
      "around the stitched IP, then synthesis, place and route. That step needs {tool},\n"
      "which did not run for this package. shoal's `stitch` wrote the stitched design\n"
      "(stitched_ip/, whose make_project.tcl packages it as a Vivado IP).\n"
      "\n"
      "Once built, copy the file{s} above into this folder and run, on the {where},\n"
      "from ../driver:\n"
      "\n"
      "    sudo python3 driver.py --exec_mode throughput_test --bitfile ../bitfile/{main} \\\n"
      "        --batchsize 1000\n"
      "    sudo python3 driver.py --exec_mode execute --bitfile ../bitfile/{main} \\\n"
      "        --batchsize N --inputfile input.npy\n",
      fmt::arg("files",
               alveo ? "- finn-accel.xclbin\n"
                     : "- finn-accel.bit\n"
                       "- finn-accel.hwh (PYNQ reads it beside the .bit of the same name)\n"),
      fmt::arg("build", alveo ? "VitisBuild, platform alveo" : "ZynqBuild, platform zynq-iodma"),
      fmt::arg("tool", alveo ? "Vitis (v++) and Vivado" : "Vivado"),
      fmt::arg("s", alveo ? "" : "s"),
      fmt::arg("where", alveo ? "host of the Alveo card" : "PYNQ board"),
      fmt::arg("main", main_file));
}

// step_deployment_package: DIR/bitfile = the bitfile directory's files (or a README saying
// how to get them), DIR/driver = the driver.
void write_deployment(const fs::path& deploy, const fs::path& bitfile_src, const Files& files,
                      const std::string& platform) {
  write_driver_dir(deploy / "driver", files);
  const fs::path target = deploy / "bitfile";
  make_dirs(target);
  auto names = bitfile_names(platform);
  std::error_code ec;
  // The iCE40 shell's bitstream (synth --bitfile, ice40_uart): its host side is
  // driver/host_serial.py.
  if (fs::is_regular_file(bitfile_src / "finn-accel.bin", ec)) names = {"finn-accel.bin"};
  if (!fs::is_regular_file(bitfile_src / names[0], ec)) {
    // synth --bitfile leaves a README with the command that finishes the job (the
    // project it wrote); without one, the generic account.
    write_file_atomic((target / "README.md").string(),
                      fs::is_regular_file(bitfile_src / "README.md", ec)
                          ? read_file((bitfile_src / "README.md").string())
                          : bitfile_readme(platform));
    warn(fmt::format("no {} in {}: {} says which step makes it", names[0], bitfile_src.string(),
                     (target / "README.md").string()));
    return;
  }
  for (std::size_t i = 1; i < names.size(); ++i)
    if (!fs::is_regular_file(bitfile_src / names[i], ec))
      warn(fmt::format("{} has {} but no {}, which PYNQ needs beside it", bitfile_src.string(),
                       names[0], names[i]));
  // FINN copies the whole folder (reports and logs that synthesis left there too).
  std::vector<fs::path> sources;
  for (const auto& e : fs::directory_iterator(bitfile_src))
    if (e.is_regular_file()) sources.push_back(e.path());
  std::sort(sources.begin(), sources.end());
  for (const auto& f : sources)
    write_file_atomic((target / f.filename()).string(), read_file(f.string()));
  // A README from a package assembled before the bitfile existed would now be wrong.
  if (!fs::exists(bitfile_src / "README.md", ec)) fs::remove(target / "README.md", ec);
}

}  // namespace

int main(int argc, char** argv) {
  ToolInfo info{
      "pynq-driver",
      "pynq-driver STITCHED.onnx --out-dir DIR [--platform zynq-iodma|alveo] [--clk-ns T]\n"
      "       [--name NAME] [--deploy DEPLOY_DIR [--bitfile-dir BITFILE_DIR]]",
      "Writes the Python driver of a stitched design (after `stitch`) into DIR/driver, as\n"
      "FINN's step_make_pynq_driver does:\n"
      "  driver.py       io_shape_dict (datatypes; normal, folded and packed shapes; DMA names)\n"
      "                  and FINN's command line: --exec_mode execute|throughput_test,\n"
      "                  --platform, --batchsize, --device, --bitfile, --inputfile,\n"
      "                  --outputfile, --runtime_weight_dir (and shoal's --fclk_mhz);\n"
      "  driver_base.py  FINNExampleOverlay (PYNQ, imported on the board only) over\n"
      "                  AcceleratorIO: fold_input, pack_input, unpack_output, unfold_output,\n"
      "                  which need only numpy;\n"
      "  validate.py     top-1 accuracy on MNIST or CIFAR-10 on the board;\n"
      "  shoal_dt.py     FINN's DataType and packing functions (finnpy_to_packed_bytearray,\n"
      "                  packed_bytearray_to_finnpy), in place of FINN's own modules;\n"
      "  host_serial.py  the same packing over a serial port, for a UART shell (iCE40): its\n"
      "                  --help states the byte protocol for this design;\n"
      "  runtime_weights/ (empty: shoal keeps every weight in the fabric).\n"
      "A buffer holds each beat as its TDATA word in little-endian bytes, beats in folded\n"
      "order, frames back to back, as the DMAs read them. The files run with Python 3.6 or\n"
      "later and NumPy 1.16 or later; driver.py and validate.py need PYNQ (2.5 to 3.1) on the\n"
      "board. The Python sources are built into this program (and installed in\n"
      "share/shoal/pynq-driver).\n"
      "--name is the model the files' first lines name as their source (default: the\n"
      "input's file name); build-dataflow gives the model it was asked to build, so that\n"
      "its two steps that write the driver write the same files.\n"
      "--platform sets driver.py's default platform (zynq-iodma). driver.py records the\n"
      "design's clock, 1000 / T MHz, T from --clk-ns, else the model's clock, else 100 MHz;\n"
      "it leaves the fabric clock as PYNQ programs it from the bitfile on download, unless\n"
      "run with --fclk_mhz MHZ (FINN's driver always sets it: 100 MHz by default).\n"
      "--deploy assembles FINN's deployment package (step_deployment_package):\n"
      "DEPLOY_DIR/driver (the same files) and DEPLOY_DIR/bitfile, a copy of BITFILE_DIR\n"
      "(default DIR/bitfile) when it holds finn-accel.bit (.xclbin for alveo; .bin for the\n"
      "iCE40 shell, whose host side is host_serial.py), else a README\n"
      "saying which step makes it (synthesis with Vivado).\n"};
  auto options = make_options(info);
  options.add_options()("out-dir", "output directory (the driver goes to DIR/driver)",
                        cxxopts::value<std::string>())(
      "platform", "zynq-iodma or alveo",
      cxxopts::value<std::string>()->default_value("zynq-iodma"))(
      "clk-ns", "clock period in ns (default: the one the model records)",
      cxxopts::value<std::string>())(
      "name", "the source model's name in the files (default: the input's file name)",
      cxxopts::value<std::string>())("deploy", "deployment package directory",
                                     cxxopts::value<std::string>())(
      "bitfile-dir", "where the bitfiles are (default: DIR/bitfile)",
      cxxopts::value<std::string>())("input", "stitched model",
                                     cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"input"});
  return run_tool(info, options, argc, argv, [](const cxxopts::ParseResult& r) {
    if (!r.count("input")) throw UsageError("expected a stitched model");
    if (!r.count("out-dir")) throw UsageError("--out-dir DIR is required");
    const std::string platform = r["platform"].as<std::string>();
    if (std::find(kPlatforms.begin(), kPlatforms.end(), platform) == kPlatforms.end())
      throw UsageError(
          fmt::format("unknown platform '{}': expected zynq-iodma or alveo", platform));
    if (r.count("bitfile-dir") && !r.count("deploy"))
      throw UsageError("--bitfile-dir goes with --deploy");
    const std::string input = single_input(r);
    Model m = Model::load(input);
    double fclk_mhz = kDefaultFclkMhz;
    std::optional<std::string> clk_text =
        r.count("clk-ns") ? std::optional(r["clk-ns"].as<std::string>()) : m.metadata("clk_ns");
    // ClockPeriod rejects what is not a positive number.
    if (clk_text) fclk_mhz = 1000.0 / ClockPeriod::parse(*clk_text).ns;
    DriverIo io = driver_io(m);
    // The file name only: generated files must not carry this machine's paths.
    const std::string model_name = r.count("name") ? r["name"].as<std::string>()
                                   : input == "-"  ? "stdin"
                                                   : fs::path(input).filename().string();
    if (model_name.find_first_of("\n\"\\") != std::string::npos)
      throw UsageError("--name: no newline, quote or backslash (it goes into a docstring)");
    Files files = driver_files(io, model_name, platform, fclk_mhz);
    const fs::path out_dir = r["out-dir"].as<std::string>();
    write_driver_dir(out_dir / "driver", files);
    if (r.count("deploy")) {
      fs::path bitfile_src = r.count("bitfile-dir") ? fs::path(r["bitfile-dir"].as<std::string>())
                                                    : out_dir / "bitfile";
      write_deployment(r["deploy"].as<std::string>(), bitfile_src, files, platform);
    }
    std::cerr << fmt::format(
        "pynq-driver: {} {} -> {} {}; frames of {} and {} bytes; {} at {} MHz; in {}\n",
        io.in.dt.name(), python_tuple(io.in.folded), io.out.dt.name(), python_tuple(io.out.folded),
        io.in.frame_bytes(), io.out.frame_bytes(), platform, python_float(fclk_mhz),
        (out_dir / "driver").string());
    return 0;
  });
}
