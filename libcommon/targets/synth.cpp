// synth: the part names, the work directory, Yosys runs and their reuse, the per-layer
// synthesis, and the choice of flow. The flows themselves are in synth_xilinx.cpp and
// synth_ice40.cpp.
#include "shoal/targets/synth.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <regex>
#include <thread>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/io.hpp"
#include "shoal/core/process.hpp"
#include "shoal/core/pyjson.hpp"
#include "shoal/ops/hw_op.hpp"
#include "shoal/transforms/folding.hpp"
#include "synth_internal.hpp"

namespace shoal {

using namespace synth_detail;

FpgaPart parse_fpga_part(const std::string& part) {
  std::string p = part;
  std::transform(p.begin(), p.end(), p.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  FpgaPart f;
  f.name = part;
  auto starts = [&](const char* prefix) { return p.rfind(prefix, 0) == 0; };
  if (starts("xc7")) {
    f.family = "xc7";
    return f;
  }
  // Zynq UltraScale+, Alveo (xcu250...), Virtex/Kintex/Artix UltraScale(+) and Kria: yosys
  // maps them all the same way (DSP48E2, RAMB18E2/RAMB36E2).
  for (const char* prefix : {"xczu", "xcu", "xcvu", "xcku", "xcau", "xck26"})
    if (starts(prefix)) {
      f.family = "xcup";
      return f;
    }
  // iCE40 parts as Lattice names them, package optional: ice40up5k-sg48, ice40hx8k-ct256;
  // iCE5LP parts are nextpnr's u1k/u2k/u4k.
  static const std::regex ice40(
      R"(^ice40(lp384|lp1k|lp4k|lp8k|hx1k|hx4k|hx8k|up3k|up5k)(?:-(\w+))?$)");
  static const std::regex ice5(R"(^ice5lp(1k|2k|4k)(?:-(\w+))?$)");
  std::smatch sm;
  if (std::regex_match(p, sm, ice40) || std::regex_match(p, sm, ice5)) {
    f.vendor = FpgaPart::Vendor::Lattice;
    f.family = (starts("ice5") ? "u" : "") + sm[1].str();
    f.package = sm[2].str();
    f.has_dsp = starts("ice40up") || starts("ice5");
    return f;
  }
  fail(
      "unknown FPGA part '{}': expected a Xilinx 7-series part (xc7...), an UltraScale(+) part "
      "(xczu..., xcu..., xcvu..., xcku..., xcau..., xck26...) or a Lattice iCE40 part "
      "(ice40<device>[-<package>] with device lp384, lp1k, lp4k, lp8k, hx1k, hx4k, hx8k, up3k "
      "or up5k, e.g. ice40up5k-sg48)",
      part);
}

namespace synth_detail {

namespace {

// FNV-1a, 64 bit: stable across runs and compilers (std::hash is neither), for cache keys.
class Fnv {
 public:
  void add(std::string_view s) {
    for (unsigned char b : s) {
      hash_ ^= b;
      hash_ *= 0x100000001b3ull;
    }
    // The length separates fields, so that "ab"+"c" and "a"+"bc" differ.
    std::string n = std::to_string(s.size()) + ";";
    for (unsigned char b : n) {
      hash_ ^= b;
      hash_ *= 0x100000001b3ull;
    }
  }
  std::string hex() const { return fmt::format("{:016x}", hash_); }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ull;
};

}  // namespace

std::vector<fs::path> regular_files(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file()) files.push_back(e.path());
  if (ec) fail("cannot list {}: {}", dir.string(), ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

// A fresh flat copy of a design directory, as FINN copies the stitched sources into the
// synthesis directory: the work dir then holds everything its scripts read.
void copy_design(const fs::path& from, const fs::path& to) {
  if (!fs::is_directory(from)) fail("the design directory {} is missing", from.string());
  std::error_code ec;
  fs::remove_all(to, ec);
  make_dirs(to);
  for (const auto& f : regular_files(from)) copy_file_atomic(f, to / f.filename());
}

namespace {

// FINN divides by the analytical max_cycles of the stitched model's cycles_estimate
// attributes (estimates.md §2.9); where no step annotated them, FINN fails, and we take
// the layers' expected cycles instead.
int64_t throughput_cycles(const Model& m) {
  int64_t c = dataflow_performance(m).max_cycles;
  if (c > 0) return c;
  for (const auto& n : m.graph().node())
    if (const HwOp* op = hw_op_of(n)) c = std::max(c, op->exp_cycles(n));
  if (c <= 0)
    fail(
        "no layer of the model has a cycle count (cycles_estimate or expected cycles): "
        "estimated_throughput_fps needs one");
  return c;
}

}  // namespace

CellCounts read_cell_counts(const fs::path& stat_json) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(stat_json.string()));
  } catch (const nlohmann::json::exception& e) {
    fail("{}: not Yosys statistics: {}", stat_json.string(), e.what());
  }
  // A flattened design has one module; "design" then holds the same numbers.
  const nlohmann::json* design = nullptr;
  if (j.contains("design"))
    design = &j["design"];
  else if (j.contains("modules") && j["modules"].size() == 1)
    design = &j["modules"].begin().value();
  if (!design || !design->contains("num_cells_by_type"))
    fail("{}: no cell counts (was the design flattened?)", stat_json.string());
  CellCounts cells;
  for (const auto& [type, count] : (*design)["num_cells_by_type"].items())
    cells[type] = count.get<int64_t>();
  return cells;
}

const std::string& yosys_version() {
  static const std::string version = [] {
    if (!program_exists("yosys")) fail("yosys is not on PATH (Debian package yosys)");
    ProcessResult r = run_process({"yosys", "-V"});
    std::smatch sm;
    static const std::regex re(R"(Yosys ([0-9][0-9.+a-z-]*))");
    if (r.exit_code != 0 || !std::regex_search(r.output, sm, re))
      fail("cannot tell the version of yosys: `yosys -V` printed '{}'", r.output);
    return sm[1].str();
  }();
  return version;
}

fs::path synth_cache_dir() {
  return user_cache_dir("synth", "SHOAL_SYNTH_CACHE");
}

int parallel_jobs(int requested) {
  if (requested > 0) return requested;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

namespace {

std::string job_key(const YosysJob& job) {
  Fnv key;
  key.add("shoal synth 1");
  key.add(yosys_version());
  key.add(job.script);
  key.add(job.key_extra);
  for (const auto& f : regular_files(job.src_dir)) {
    key.add(f.filename().string());
    key.add(read_file(f.string()));
  }
  return key.hex();
}

// The files a job leaves besides its outputs, kept with them in the cache.
std::vector<std::string> cached_files(const YosysJob& job) {
  std::vector<std::string> files = job.outputs;
  files.push_back("yosys.log");
  return files;
}

bool copy_files(const fs::path& from, const fs::path& to, const std::vector<std::string>& files) {
  for (const auto& f : files) {
    if (!fs::is_regular_file(from / f)) return false;
    copy_file_atomic(from / f, to / f);
  }
  return true;
}

// The result of a job from the shared cache into its out_dir; false if the cache has none.
bool fetch_cached(const YosysJob& job, const std::string& key) {
  fs::path cache = synth_cache_dir();
  if (cache.empty()) return false;
  fs::path entry = cache / key;
  // An entry only appears by the rename in store_cached, so an existing one is complete.
  if (!fs::is_directory(entry)) return false;
  return copy_files(entry, job.out_dir, cached_files(job));
}

// Best effort: a cache that cannot be written costs the next run time, not this one.
void store_cached(const YosysJob& job, const std::string& key) {
  fs::path cache = synth_cache_dir();
  if (cache.empty()) return;
  std::error_code ec;
  fs::create_directories(cache, ec);
  std::string pattern = (cache / (key + ".tmp-XXXXXX")).string();
  if (ec || !::mkdtemp(pattern.data())) return;
  fs::path tmp = pattern;
  if (copy_files(job.out_dir, tmp, cached_files(job))) fs::rename(tmp, cache / key, ec);
  // Not renamed (a concurrent run stored the same result first, or a copy failed).
  if (fs::exists(tmp)) fs::remove_all(tmp, ec);
}

}  // namespace

bool run_yosys(const YosysJob& job) {
  make_dirs(job.out_dir);
  const std::string key = job_key(job);
  fs::path key_file = job.out_dir / "cache.key";
  auto outputs_exist = [&] {
    return std::all_of(job.outputs.begin(), job.outputs.end(),
                       [&](const std::string& o) { return fs::exists(job.out_dir / o); });
  };
  std::error_code ec;
  if (fs::exists(key_file) && read_file(key_file.string()) == key && outputs_exist()) return true;
  // No key while the outputs are being rewritten: an interrupted run is never reused.
  fs::remove(key_file, ec);
  for (const auto& o : job.outputs) fs::remove(job.out_dir / o, ec);
  write_file_atomic((job.out_dir / "synth.ys").string(), job.script);
  if (job.shared_cache && fetch_cached(job, key) && outputs_exist()) {
    write_file_atomic(key_file.string(), key);
    return true;
  }
  fs::path log = job.out_dir / "yosys.log";
  ProcessResult r = run_process(
      {"yosys", "-q", "-l", log.string(), "-s", (job.out_dir / "synth.ys").string()}, job.src_dir);
  if (r.exit_code != 0) {
    std::string error = first_error_line(r.output);
    fail("yosys {} failed: {} (log: {})", job.title,
         error.empty() ? fmt::format("exit status {}", r.exit_code) : error, log.string());
  }
  for (const auto& o : job.outputs)
    if (!fs::exists(job.out_dir / o))
      fail("yosys {} wrote no {} (log: {})", job.title, o, log.string());
  write_file_atomic(key_file.string(), key);
  if (job.shared_cache) store_cached(job, key);
  return false;
}

std::vector<bool> run_yosys_jobs(const std::vector<YosysJob>& jobs, int parallel,
                                 const std::function<void(std::size_t)>& started) {
  // Longest first, so that the largest layer does not start last and finish alone.
  std::vector<std::pair<std::uintmax_t, std::size_t>> order;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    std::uintmax_t bytes = 0;
    std::error_code ec;
    for (const auto& f : regular_files(jobs[i].src_dir)) bytes += fs::file_size(f, ec);
    order.emplace_back(bytes, i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<bool> reused(jobs.size(), false);
  std::vector<std::exception_ptr> errors(jobs.size());
  std::atomic<std::size_t> next{0};
  std::mutex report;
  auto worker = [&] {
    for (std::size_t k; (k = next++) < order.size();) {
      std::size_t i = order[k].second;
      try {
        {
          std::lock_guard<std::mutex> lock(report);
          if (started) started(i);
        }
        reused[i] = run_yosys(jobs[i]);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  yosys_version();  // once, before the threads (a function-local static, but it may fail)
  std::vector<std::thread> threads;
  int n = std::min<int>(parallel_jobs(parallel), static_cast<int>(jobs.size()));
  for (int t = 1; t < n; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  return reused;
}

std::string read_sources_command(const std::vector<std::string>& sources,
                                 const std::vector<std::string>& defines) {
  std::string cmd = "read_verilog -sv";
  for (const auto& d : defines) cmd += " -D" + d;
  for (const auto& s : sources) cmd += " " + s;
  return cmd;
}

std::string relative_to(const fs::path& p, const fs::path& base) {
  std::error_code ec;
  fs::path r = fs::relative(fs::absolute(p), fs::absolute(base), ec);
  return ec || r.empty() ? fs::absolute(p).string() : r.string();
}

std::string first_error_line(const std::string& output) {
  std::size_t start = 0;
  while (start < output.size()) {
    std::size_t nl = output.find('\n', start);
    if (nl == std::string::npos) nl = output.size();
    std::string line = output.substr(start, nl - start);
    if (line.rfind("ERROR:", 0) == 0) {
      line.erase(0, 6);
      line.erase(0, line.find_first_not_of(' '));
      return line;
    }
    start = nl + 1;
  }
  return "";
}

}  // namespace synth_detail

namespace {

// Yosys' ABC runs make temporary directories under TMPDIR and leave them behind when they
// fail or are killed: they go into the work dir's tmp/, which is removed at the end if empty
// (what a failed ABC run left is kept for inspection until the next run). A run starts by
// clearing it, so that a killed build's leftovers do not outlive the rerun.
class WorkTmpDir {
 public:
  explicit WorkTmpDir(const fs::path& work_dir) : dir_(fs::absolute(work_dir / "tmp")) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    make_dirs(dir_);
    ::setenv("TMPDIR", dir_.c_str(), 1);
  }
  ~WorkTmpDir() {
    std::error_code ec;
    fs::remove(dir_, ec);
  }
  WorkTmpDir(const WorkTmpDir&) = delete;
  WorkTmpDir& operator=(const WorkTmpDir&) = delete;

 private:
  fs::path dir_;
};

}  // namespace

SynthResult synthesize(const Model& m, const SynthOptions& o) {
  FlowContext c{m, o, stitched_ip_of(m), o.work_dir / "src", throughput_cycles(m)};
  if (!(o.clk_ns > 0)) fail("the clock period must be positive, not {}", o.clk_ns);
  make_dirs(o.work_dir);
  WorkTmpDir tmp(o.work_dir);
  copy_design(c.ip.dir, c.src);
  FlowResult flow = o.part.vendor == FpgaPart::Vendor::Xilinx ? xilinx_flow(c) : ice40_flow(c);
  return {std::move(flow.report), flow.summary};
}

fs::path shells_dir() {
  if (const char* env = std::getenv("SHOAL_SHELLS_DIR"); env && *env) return env;
  fs::path exe = executable_dir();
  for (fs::path candidate :
       {exe / ".." / ".." / "shells", exe / ".." / ".." / "share" / "shoal" / "shells"})
    if (fs::exists(candidate / "ice40" / "shoal_ice40_shell.sv"))
      return fs::weakly_canonical(candidate);
  fail("cannot find the shells/ directory beside {} (set SHOAL_SHELLS_DIR)", exe.string());
}

BitfileResult build_bitfile(const Model& m, const BitfileOptions& b) {
  if (b.board.shell != "vivado_zynq" && b.board.shell != "ice40_uart")
    fail(
        "shell_flow_type {}: shoal builds no bitfile for it (Vitis and v++ are needed; shoal "
        "builds vivado_zynq and ice40_uart)",
        b.board.shell);
  SynthOptions o;
  o.part = parse_fpga_part(b.board.part);
  o.clk_ns = b.clk_ns;
  o.work_dir = b.work_dir;
  o.report_dir = b.report_dir;
  o.progress = b.progress;
  FlowContext c{m, o, stitched_ip_of(m), o.work_dir / "src", throughput_cycles(m)};
  if (!(o.clk_ns > 0)) fail("the clock period must be positive, not {}", o.clk_ns);
  make_dirs(o.work_dir);
  make_dirs(o.report_dir);
  WorkTmpDir tmp(o.work_dir);
  copy_design(c.ip.dir, c.src);
  if (b.board.shell == "ice40_uart") {
    FlowResult flow = ice40_shell_flow(c, b.board, shells_dir() / "ice40", b.bitfile_dir);
    write_python_json((o.report_dir / "post_route_timing.json").string(), flow.report);
    BitfileResult r;
    r.built = true;
    r.summary = flow.summary;
    return r;
  }
  return zynq_shell_flow(c, b, shells_dir() / "zynq");
}

nlohmann::ordered_json synthesize_layers(const Model& m, const SynthOptions& o) {
  stitched_ip_of(m);  // the same models as synthesize(), and its error for the others
  make_dirs(o.work_dir);
  WorkTmpDir tmp(o.work_dir);
  return layer_resources_report(synthesize_each_layer(m, o), o.part);
}

}  // namespace shoal
