#include "shoal/hw/verilator_sim.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <string_view>
#include <thread>

#include "shoal/core/error.hpp"
#include "shoal/core/io.hpp"
#include "shoal/core/process.hpp"

namespace shoal {
namespace fs = std::filesystem;

namespace {

// The C++ main compiled with every design. It lives here, not beside the tools, so that an
// installed shoal needs nothing but Verilator. build_sim prepends the design's widths and
// monitor ports as macros.
//
// Each cycle: with the clock low, drive the inputs for the coming edge and evaluate, so
// that combinational paths (an input TREADY that follows the output TREADY, say) have
// settled; sample both handshakes; then apply the rising edge. A beat counts exactly when
// TVALID && TREADY held before that edge, as the RTL sees it.
constexpr std::string_view kHarness = R"harness(
#include <verilated.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <type_traits>

#include "Vshoal_top.h"
#if VM_TRACE_FST
#include <verilated_fst_c.h>
#endif

namespace {

// The port type Verilator chooses for a width: CData/SData/IData/QData, then VlWide.
template <typename T>
constexpr bool port_holds(int bits) {
  if constexpr (std::is_integral_v<T>) {
    return bits <= 64 && sizeof(T) == (bits <= 8 ? 1u : bits <= 16 ? 2u : bits <= 32 ? 4u : 8u);
  } else {
    return bits > 64 && sizeof(T) == static_cast<std::size_t>((bits + 31) / 32) * 4;
  }
}

template <typename T>
void put(T& port, const unsigned char* bytes, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(bytes[i]) << (8 * i);
  port = static_cast<T>(v);
}
template <std::size_t W>
void put(VlWide<W>& port, const unsigned char* bytes, int n) {
  for (std::size_t w = 0; w < W; ++w) {
    EData v = 0;
    for (int b = 0; b < 4 && static_cast<int>(4 * w) + b < n; ++b)
      v |= static_cast<EData>(bytes[4 * w + b]) << (8 * b);
    port[w] = v;
  }
}

template <typename T>
void get(const T& port, std::string& out, int n) {
  std::uint64_t v = port;
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
template <std::size_t W>
void get(const VlWide<W>& port, std::string& out, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((port[i / 4] >> (8 * (i % 4))) & 0xff));
}

template <typename T>
std::uint64_t monitor_value(const T& port) {
  static_assert(std::is_integral_v<T>, "a monitor port is wider than 64 bits");
  return port;
}

// splitmix64: a fixed generator, so a seed gives the same TREADY pattern everywhere.
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

bool read_all(const char* path, std::string& data) {
  std::FILE* f = std::fopen(path, "rb");
  if (!f) return false;
  char buf[1 << 16];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) data.append(buf, n);
  bool ok = !std::ferror(f);
  std::fclose(f);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 12 && argc != 13) {
    std::fprintf(stderr,
                 "usage: %s INPUT OUTPUT RESULT OUTPUT_BEATS FRAME_BEATS INTERVAL MAX_IDLE "
                 "READY_PERCENT SEED INPUT_FRAME_BEATS FRAME_PERIOD [TRACE]\n",
                 argv[0]);
    return 2;
  }
  auto number = [&](int i) { return std::strtoull(argv[i], nullptr, 10); };
  const std::uint64_t output_beats = number(4), frame_beats = number(5), interval = number(6),
                      max_idle = number(7), ready_percent = number(8);
  std::uint64_t random_state = number(9);
  const std::uint64_t input_frame_beats = number(10), frame_period = number(11);
  std::string input;
  if (!read_all(argv[1], input)) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  constexpr int in_bytes = SHOAL_IN_BYTES, out_bytes = SHOAL_OUT_BYTES;
  const std::uint64_t input_beats = input.size() / in_bytes;
  const auto* in_data = reinterpret_cast<const unsigned char*>(input.data());

  auto context = std::make_unique<VerilatedContext>();
  if (argc == 13) context->traceEverOn(true);
  auto top = std::make_unique<Vshoal_top>(context.get());
  static_assert(port_holds<std::remove_reference_t<decltype(top->s_axis_0_tdata)>>(8 * in_bytes),
                "s_axis_0_tdata does not have the width given as in_bits");
  static_assert(port_holds<std::remove_reference_t<decltype(top->m_axis_0_tdata)>>(8 * out_bytes),
                "m_axis_0_tdata does not have the width given as out_bits");
#if VM_TRACE_FST
  std::unique_ptr<VerilatedFstC> trace;
  if (argc == 13) {
    trace = std::make_unique<VerilatedFstC>();
    top->trace(trace.get(), 99);
    trace->open(argv[12]);
  }
#endif
  auto settle = [&] {
    top->eval();
#if VM_TRACE_FST
    if (trace) trace->dump(context->time());
#endif
    context->timeInc(1);
  };

  top->ap_rst_n = 0;
  top->s_axis_0_tvalid = 0;
  top->m_axis_0_tready = 0;
  for (int edge = 0; edge < 10; ++edge) {
    top->ap_clk = 0;
    settle();
    top->ap_clk = 1;
    settle();
  }
  top->ap_rst_n = 1;

  std::string output;
  output.reserve(output_beats * out_bytes);
  std::uint64_t cycle = 0, taken = 0, offered = 0, last_offer = 0, outputs = 0,
                last_output = 0, latency = 0;
  bool offering = false;
  const char* status = "ok";
  for (;;) {
    const std::uint64_t edge = cycle + 1;
    top->ap_clk = 0;
    const bool frame_due = frame_period == 0 || input_frame_beats == 0 ||
                           edge > (offered / input_frame_beats) * frame_period;
    if (!offering && offered < input_beats && frame_due &&
        (interval == 0 || offered == 0 || edge >= last_offer + interval)) {
      put(top->s_axis_0_tdata, in_data + offered * in_bytes, in_bytes);
      top->s_axis_0_tvalid = 1;
      offering = true;
      last_offer = edge;
      ++offered;
    }
    top->m_axis_0_tready =
        ready_percent >= 100 || next_random(random_state) % 100 < ready_percent;
    settle();
    const bool in_fire = top->s_axis_0_tvalid && top->s_axis_0_tready;
    const bool out_fire = top->m_axis_0_tvalid && top->m_axis_0_tready;
    if (out_fire) get(top->m_axis_0_tdata, output, out_bytes);
    top->ap_clk = 1;
    settle();
    cycle = edge;
    if (in_fire) {
      ++taken;
      offering = false;
      top->s_axis_0_tvalid = 0;
    }
    if (out_fire) {
      ++outputs;
      last_output = cycle;
      if (outputs == frame_beats) latency = cycle;
      if (outputs == output_beats) break;
    }
    if (context->gotFinish()) {
      status = "finish";
      break;
    }
    if (cycle - last_output >= max_idle) {
      status = "idle";
      break;
    }
  }
  top->final();
#if VM_TRACE_FST
  if (trace) trace->close();
#endif

  std::FILE* out = std::fopen(argv[2], "wb");
  if (!out || std::fwrite(output.data(), 1, output.size(), out) != output.size() ||
      std::fclose(out) != 0) {
    std::fprintf(stderr, "cannot write %s\n", argv[2]);
    return 2;
  }
  std::FILE* result = std::fopen(argv[3], "w");
  if (!result) {
    std::fprintf(stderr, "cannot write %s\n", argv[3]);
    return 2;
  }
  std::fprintf(result, "status %s\ncycles %llu\nlatency %llu\ninput_beats %llu\noutputs %llu\n",
               status, static_cast<unsigned long long>(cycle),
               static_cast<unsigned long long>(latency), static_cast<unsigned long long>(taken),
               static_cast<unsigned long long>(outputs));
#define SHOAL_PRINT_MONITOR(port) \
  std::fprintf(result, "monitor %llu\n", \
               static_cast<unsigned long long>(monitor_value(top->port)));
  SHOAL_MONITORS(SHOAL_PRINT_MONITOR)
  return std::fclose(result) == 0 ? 0 : 2;
}
)harness";

// Reset length and port names are fixed by the harness; these flags are what the cache
// key covers (OBJCACHE is left out: ccache does not change the executable).
const std::vector<std::string>& verilator_flags() {
  static const std::vector<std::string> flags = {
      "--cc", "--exe", "-O3", "--x-assign", "fast", "--x-initial", "fast", "--noassert",
      "-Wno-fatal", "--prefix", "Vshoal_top", "-Mdir", ".", "-o", "sim",
      // The hls/ modules' simulation forms (SHOAL_FAST_SIM) are loops over PE and SIMD;
      // kept as loops they compile in seconds where unrolled lanes took minutes.
      "-DSHOAL_FAST_SIM", "--unroll-stmts", "64"};
  return flags;
}
constexpr std::string_view kMakeFlags = "OPT_FAST=-O3 OPT_GLOBAL=-O3";

// FNV-1a, 64 bit: stable across runs and compilers, unlike std::hash. Every field is
// preceded by its length so that concatenations cannot collide.
class Hasher {
 public:
  void add(std::string_view data) {
    std::uint64_t size = data.size();
    for (int i = 0; i < 8; ++i) byte(static_cast<unsigned char>(size >> (8 * i)));
    for (char c : data) byte(static_cast<unsigned char>(c));
  }
  std::string hex() const { return fmt::format("{:016x}", hash_); }

 private:
  void byte(unsigned char b) {
    hash_ ^= b;
    hash_ *= 0x100000001b3ull;
  }
  std::uint64_t hash_ = 0xcbf29ce484222325ull;
};

bool is_identifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '$') return false;
  return true;
}

void check_design(const SimDesign& design) {
  if (!is_identifier(design.top)) fail("rtlsim: bad top module name '{}'", design.top);
  if (design.sources.empty()) fail("rtlsim: no sources for {}", design.top);
  for (int bits : {design.in_bits, design.out_bits})
    if (bits <= 0 || bits % 8 != 0)
      fail("rtlsim: stream width {} of {} is not a positive multiple of 8", bits, design.top);
  for (const auto& m : design.monitors)
    if (!is_identifier(m)) fail("rtlsim: bad monitor port name '{}'", m);
}

std::string harness_source(const SimDesign& design) {
  std::string monitors;
  for (const auto& m : design.monitors) monitors += fmt::format(" X({})", m);
  return fmt::format(
             "// Simulation harness for {}, generated by shoal.\n#define SHOAL_IN_BYTES {}\n"
             "#define SHOAL_OUT_BYTES {}\n#define SHOAL_MONITORS(X){}\n",
             design.top, design.in_bits / 8, design.out_bits / 8, monitors) +
         std::string(kHarness);
}

const std::string& verilator_version() {
  static const std::string version = [] {
    if (!program_exists("verilator")) fail("rtlsim: verilator is not installed (not on PATH)");
    ProcessResult r = run_process({"verilator", "--version"});
    if (r.exit_code != 0) fail("rtlsim: 'verilator --version' failed: {}", r.output);
    return r.output;
  }();
  return version;
}

fs::path source_path(const SimDesign& design, const fs::path& source) {
  return (source.is_absolute() ? source : fs::absolute(design.dir) / source).lexically_normal();
}

std::string hash_design(const SimDesign& design, const std::string& harness) {
  Hasher h;
  h.add("shoal rtlsim 1");
  for (const auto& source : design.sources) {
    h.add(source.string());
    h.add(read_file(source_path(design, source).string()));
  }
  h.add(design.top);
  h.add(std::to_string(design.in_bits));
  h.add(std::to_string(design.out_bits));
  for (const auto& m : design.monitors) h.add(m);
  h.add(design.trace ? "trace-fst" : "no-trace");
  h.add(harness);
  for (const auto& f : verilator_flags()) h.add(f);
  h.add(kMakeFlags);
  h.add(verilator_version());
  return h.hex();
}

// A fresh directory `prefix` + 6 random characters.
fs::path make_temp_dir(const fs::path& prefix) {
  std::string pattern = prefix.string() + "XXXXXX";
  if (!::mkdtemp(pattern.data()))
    fail("rtlsim: cannot create a directory '{}': {}", pattern, std::strerror(errno));
  return pattern;
}

// Removes a directory tree when it goes out of scope unless released.
class DirGuard {
 public:
  explicit DirGuard(fs::path dir) : dir_(std::move(dir)) {}
  DirGuard(const DirGuard&) = delete;
  DirGuard& operator=(const DirGuard&) = delete;
  ~DirGuard() {
    if (dir_.empty()) return;
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void release() { dir_.clear(); }

 private:
  fs::path dir_;
};

// Builds interrupted by a crash or a kill leave their temporary directories; drop those
// that nobody can still be writing.
void remove_stale_builds(const fs::path& root) {
  std::error_code ec;
  auto now = fs::file_time_type::clock::now();
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().find(".tmp-") == std::string::npos) continue;
    std::error_code time_ec;
    auto mtime = fs::last_write_time(it->path(), time_ec);
    if (!time_ec && now - mtime > std::chrono::hours(24)) {
      std::error_code remove_ec;
      fs::remove_all(it->path(), remove_ec);
    }
  }
}

// The lines of a failed build worth showing: Verilator's %Error lines and the compiler's
// "error:" lines, else the end of the output.
std::string build_errors(const std::string& output) {
  std::vector<std::string> lines, errors;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    // Verilator's closing "make ... exited" and "Command Failed" lines repeat its flags.
    bool noise = line.starts_with("%Error: make ") || line.starts_with("%Error: Command Failed");
    if (!noise &&
        (line.find("%Error") != std::string::npos || line.find("error:") != std::string::npos))
      errors.push_back(line);
    lines.push_back(line);
  }
  const auto& shown = errors.empty() ? lines : errors;
  std::size_t first = errors.empty() && lines.size() > 12 ? lines.size() - 12 : 0;
  std::size_t last = errors.empty() ? lines.size() : std::min<std::size_t>(errors.size(), 12);
  std::string text;
  for (std::size_t i = first; i < last; ++i) text += "\n  " + shown[i];
  return text;
}

std::string tail(const std::string& output, std::size_t max_lines) {
  std::size_t pos = output.size();
  while (pos > 0 && output[pos - 1] == '\n') --pos;
  std::size_t end = pos;
  for (std::size_t n = 0; pos > 0 && n < max_lines; ++n) {
    std::size_t nl = output.rfind('\n', pos - 1);
    pos = nl == std::string::npos ? 0 : nl;
  }
  if (pos < end && output[pos] == '\n') ++pos;
  return output.substr(pos, end - pos);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Verilator's run-time library (verilated.cpp and friends: VM_GLOBAL_FAST/SLOW of the
// generated makefile) is the same for every design and takes as long to compile as a small
// design; and every generated file begins by parsing verilated.h, most of a second each.
// The run-time objects and verilated.h precompiled at both optimization levels
// (kPchMakefile) are made once per Verilator, compiler, make flags and trace setting, kept
// in the cache beside the designs, and put into each build's object directory after
// Verilator has written its makefile, so that make finds them up to date. GCC takes the
// precompiled header whose flags match a file's and parses the header for the others.
std::string runtime_key(bool trace) {
  // The compiler verilated.mk sets (CXX = g++; the environment does not override it).
  static const std::string compiler = [] {
    ProcessResult r = run_process({"g++", "--version"});
    return r.exit_code == 0 ? r.output : std::string("unknown");
  }();
  Hasher h;
  h.add("shoal verilator runtime 2");
  h.add(verilator_version());
  h.add(compiler);
  h.add(kMakeFlags);
  h.add(trace ? "trace-fst" : "no-trace");
  return "runtime-" + h.hex();
}

// The precompiled headers, with the generated makefile's own compile flags. The first
// #include of verilated.h in a generated file finds verilated.h.gch/ in the object
// directory (-I. comes first); a symbolic link verilated.h beside it answers the later ones
// from other headers (a make rule could not make it: verilated.mk's VPATH finds the header).
constexpr std::string_view kPchMakefile =
    R"mk(# verilated.h precompiled for both optimization levels (generated by shoal rtlsim).
include Vshoal_top.mk
pch: verilated.h.gch/fast.gch verilated.h.gch/slow.gch
verilated.h.gch/fast.gch:
	mkdir -p verilated.h.gch
	$(CXX) $(CXXFLAGS) $(CPPFLAGS) $(OPT_FAST) -x c++-header $(VERILATOR_ROOT)/include/verilated.h -o $@
verilated.h.gch/slow.gch:
	mkdir -p verilated.h.gch
	$(CXX) $(CXXFLAGS) $(CPPFLAGS) $(OPT_SLOW) -x c++-header $(VERILATOR_ROOT)/include/verilated.h -o $@
.PHONY: pch
)mk";
constexpr const char* kPchDir = "verilated.h.gch";

// VERILATOR_ROOT as the generated makefile gives it.
fs::path verilator_root(const fs::path& obj) {
  std::istringstream in(read_file((obj / "Vshoal_top.mk").string()));
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("VERILATOR_ROOT = ")) return line.substr(17);
  return "/usr/share/verilator";
}

// The run-time objects the generated makefile names, e.g. {"verilated.o",
// "verilated_threads.o"}.
std::vector<std::string> runtime_objects(const fs::path& obj) {
  std::vector<std::string> objects;
  std::istringstream in(read_file((obj / "Vshoal_top_classes.mk").string()));
  bool in_list = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("VM_GLOBAL_FAST +=") || line.starts_with("VM_GLOBAL_SLOW +=")) {
      in_list = true;
      continue;
    }
    if (!in_list) continue;
    std::string name;
    for (char c : line)
      if (!std::isspace(static_cast<unsigned char>(c)) && c != '\\') name += c;
    if (!name.empty()) objects.push_back(name + ".o");
    in_list = !line.empty() && line.back() == '\\';
  }
  return objects;
}

// Puts the cached run-time objects into obj, newer than the makefile, and links the cached
// precompiled headers; false if the cache has none (the build then makes them).
bool reuse_runtime(const fs::path& root, const std::string& key, const fs::path& obj,
                   const std::vector<std::string>& objects) {
  const fs::path dir = root / key;
  if (objects.empty() || !fs::is_directory(dir)) return false;
  std::error_code ec;
  auto now = fs::file_time_type::clock::now();
  for (const auto& o : objects) {
    fs::copy_file(dir / o, obj / o, fs::copy_options::overwrite_existing, ec);
    if (!ec) fs::last_write_time(obj / o, now, ec);
    if (ec) break;
  }
  if (!ec && fs::is_directory(dir / kPchDir))
    fs::create_directory_symlink(dir / kPchDir, obj / kPchDir, ec);
  if (ec) {
    std::error_code ignored;
    for (const auto& o : objects) fs::remove(obj / o, ignored);
    fs::remove(obj / kPchDir, ignored);
    return false;
  }
  return true;
}

// Best effort, as the design entries: a failure costs the next build time, not this one.
void store_runtime(const fs::path& root, const std::string& key, const fs::path& obj,
                   const std::vector<std::string>& objects) {
  if (objects.empty() || fs::exists(root / key)) return;
  std::string pattern = (root / (key + ".tmp-XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) return;
  fs::path tmp = pattern;
  std::error_code ec;
  for (const auto& o : objects)
    if (!ec) fs::copy_file(obj / o, tmp / o, ec);
  if (!ec && fs::is_directory(obj / kPchDir)) {
    fs::create_directory(tmp / kPchDir, ec);
    for (const char* f : {"fast.gch", "slow.gch"})
      if (!ec) fs::copy_file(obj / kPchDir / f, tmp / kPchDir / f, ec);
  }
  if (!ec) fs::rename(tmp, root / key, ec);
  if (fs::exists(tmp)) fs::remove_all(tmp, ec);
}

}  // namespace

fs::path sim_cache_dir() {
  fs::path dir = user_cache_dir("rtlsim", "SHOAL_SIM_CACHE");
  if (dir.empty()) fail("rtlsim: no cache directory: set SHOAL_SIM_CACHE or HOME");
  return dir;
}

std::string sim_cache_key(const SimDesign& design) {
  check_design(design);
  return hash_design(design, harness_source(design));
}

SimBinary build_sim(const SimDesign& design) {
  check_design(design);
  const std::string harness = harness_source(design);
  const std::string key = hash_design(design, harness);
  const fs::path root = sim_cache_dir();
  const fs::path entry = root / key;
  // An entry only appears by the rename below, so an existing one is complete.
  if (fs::exists(entry / "sim")) return {entry / "sim", true, 0};

  auto start = std::chrono::steady_clock::now();
  make_dirs(root);
  remove_stale_builds(root);
  const fs::path work = make_temp_dir(root / (key + ".tmp-"));
  DirGuard guard(work);
  // Verilator and make run in obj/ with the harness beside the generated files: ccache
  // hashes the path it is given for the harness, and a relative one stays the same from
  // build to build.
  const fs::path obj = work / "obj";
  make_dirs(obj);
  write_file_atomic((obj / "harness.cpp").string(), harness);
  // Run from a pipeline Makefile, the tools inherit make's MAKEFLAGS (there with
  // --no-builtin-variables), and Verilator's own make would lose $(AR), $(RM) and the like:
  // the build starts outside any make.
  const std::vector<std::string> clean_env = {"env", "-u",        "MAKEFLAGS", "-u",       "MFLAGS",
                                              "-u",  "MAKELEVEL", "-u",        "MAKEFILES"};
  std::vector<std::string> argv = clean_env;
  argv.push_back("verilator");
  argv.insert(argv.end(), verilator_flags().begin(), verilator_flags().end());
  argv.insert(argv.end(), {"--top-module", design.top});
  if (design.trace) argv.push_back("--trace-fst");
  argv.push_back("harness.cpp");
  for (const auto& source : design.sources) argv.push_back(source_path(design, source).string());
  ProcessResult r = run_process(argv, obj);
  if (r.exit_code != 0 || !fs::exists(obj / "Vshoal_top.mk"))
    fail("rtlsim: building {} with verilator failed:{}", design.top, build_errors(r.output));
  const std::string runtime = runtime_key(design.trace);
  const std::vector<std::string> objects = runtime_objects(obj);
  const bool runtime_reused = reuse_runtime(root, runtime, obj, objects);
  const std::string jobs = "-j" + std::to_string(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::string> make = clean_env;
  make.insert(make.end(), {"make", jobs});
  std::istringstream flags{std::string(kMakeFlags)};
  for (std::string f; flags >> f;) make.push_back(f);
  if (program_exists("ccache")) make.push_back("OBJCACHE=ccache");
  // The precompiled headers only save time: without them (a compiler that cannot make
  // them) every file parses verilated.h as before.
  write_file_atomic((obj / "shoal_pch.mk").string(), std::string(kPchMakefile));
  std::vector<std::string> pch = make;
  pch.insert(pch.end(), {"-f", "shoal_pch.mk", "pch"});
  std::error_code link_ec;
  fs::create_symlink(verilator_root(obj) / "include" / "verilated.h", obj / "verilated.h", link_ec);
  if (link_ec || run_process(pch, obj).exit_code != 0) {
    std::error_code ec;
    fs::remove_all(obj / kPchDir, ec);
  }
  make.insert(make.end(), {"-f", "Vshoal_top.mk", "sim"});
  ProcessResult built = run_process(make, obj);
  r.output += built.output;
  if (built.exit_code != 0 || !fs::exists(obj / "sim"))
    fail("rtlsim: building {} with verilator failed:{}", design.top, build_errors(built.output));
  if (!runtime_reused) store_runtime(root, runtime, obj, objects);
  write_file_atomic((work / "build.log").string(), r.output);
  std::error_code ec;
  for (const char* file : {"sim", "harness.cpp"}) {
    fs::rename(obj / file, work / file, ec);
    if (ec) fail("rtlsim: cannot move {} of {}: {}", file, design.top, ec.message());
  }
  // The object files take several times the space of the executable and are never reused.
  fs::remove_all(obj, ec);
  fs::rename(work, entry, ec);
  // Losing the race to a concurrent build of the same design is fine: use its entry.
  if (ec && !fs::exists(entry / "sim"))
    fail("rtlsim: cannot store {} in the cache: {}", entry.string(), ec.message());
  if (!ec) guard.release();
  return {entry / "sim", false, seconds_since(start)};
}

SimResult run_sim(const SimBinary& binary, const SimDesign& design, const SimStimulus& stimulus) {
  check_design(design);
  const std::size_t in_bytes = static_cast<std::size_t>(design.in_bits) / 8;
  const std::size_t out_bytes = static_cast<std::size_t>(design.out_bits) / 8;
  if (stimulus.input.size() % in_bytes != 0)
    fail("rtlsim: input of {} is {} bytes, not a whole number of {}-byte beats", design.top,
         stimulus.input.size(), in_bytes);
  if (stimulus.output_beats == 0) fail("rtlsim: no output beats to wait for in {}", design.top);
  if (stimulus.frame_output_beats > stimulus.output_beats)
    fail("rtlsim: a frame of {} output beats is longer than the {} beats simulated",
         stimulus.frame_output_beats, stimulus.output_beats);
  if (stimulus.ready_percent == 0 || stimulus.ready_percent > 100)
    fail("rtlsim: ready_percent {} is not in 1..100", stimulus.ready_percent);
  if (stimulus.max_idle_cycles == 0) fail("rtlsim: max_idle_cycles must be positive");
  if (!stimulus.trace_file.empty() && !design.trace)
    fail("rtlsim: a trace of {} needs a build with trace enabled", design.top);

  const fs::path work = make_temp_dir(fs::temp_directory_path() / "shoal-rtlsim-");
  DirGuard guard(work);
  const fs::path input = work / "input.bin", output = work / "output.bin",
                 result_file = work / "result.txt";
  write_file_atomic(input.string(), stimulus.input);
  std::size_t frame =
      stimulus.frame_output_beats ? stimulus.frame_output_beats : stimulus.output_beats;
  std::vector<std::string> argv = {fs::absolute(binary.exe).string(),
                                   input.string(),
                                   output.string(),
                                   result_file.string(),
                                   std::to_string(stimulus.output_beats),
                                   std::to_string(frame),
                                   std::to_string(stimulus.input_interval),
                                   std::to_string(stimulus.max_idle_cycles),
                                   std::to_string(stimulus.ready_percent),
                                   std::to_string(stimulus.seed),
                                   std::to_string(stimulus.input_frame_beats),
                                   std::to_string(stimulus.frame_period)};
  if (!stimulus.trace_file.empty()) argv.push_back(fs::absolute(stimulus.trace_file).string());

  auto start = std::chrono::steady_clock::now();
  ProcessResult r = run_process(argv, fs::absolute(design.dir));
  SimResult result;
  result.run_seconds = seconds_since(start);
  result.log = std::move(r.output);
  if (r.exit_code != 0 || !fs::exists(result_file))
    fail("rtlsim: simulation of {} failed (exit code {}): {}", design.top, r.exit_code,
         tail(result.log, 10));

  std::map<std::string, std::uint64_t> fields;
  std::string status;
  std::istringstream lines(read_file(result_file.string()));
  for (std::string name; lines >> name;) {
    if (name == "status") {
      lines >> status;
    } else if (name == "monitor") {
      std::uint64_t v = 0;
      lines >> v;
      result.monitor_values.push_back(v);
    } else {
      lines >> fields[name];
    }
  }
  result.cycles = fields["cycles"];
  result.latency_cycles = fields["latency"];
  result.input_beats = fields["input_beats"];
  const std::uint64_t input_total = stimulus.input.size() / in_bytes;
  if (status == "idle")
    fail(
        "rtlsim: {} stalled: no output beat for {} cycles (at cycle {}); {} of {} output beats "
        "came out, {} of {} input beats were accepted",
        design.top, stimulus.max_idle_cycles, result.cycles, fields["outputs"],
        stimulus.output_beats, result.input_beats, input_total);
  if (status == "finish")
    fail("rtlsim: {} called $finish at cycle {} after {} of {} output beats", design.top,
         result.cycles, fields["outputs"], stimulus.output_beats);
  if (status != "ok") fail("rtlsim: unreadable result from the simulation of {}", design.top);
  result.output = read_file(output.string());
  if (result.output.size() != stimulus.output_beats * out_bytes ||
      result.monitor_values.size() != design.monitors.size())
    fail("rtlsim: incomplete result from the simulation of {}", design.top);
  return result;
}

}  // namespace shoal
