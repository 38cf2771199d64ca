// Running other programs (make, verilator, yosys, nextpnr) without a shell.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace shoal {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal number when killed by a signal
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (looked up in PATH) with the given arguments, in `cwd` when not empty,
// capturing its output. An Error names the program when it cannot be started.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::filesystem::path& cwd = {});
// As run_process, also handing each output line to `on_line` as it arrives.
ProcessResult run_process(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                          const std::function<void(const std::string&)>& on_line);
struct FilterResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs a program (a path, or a name looked up in PATH) as a filter: `input` goes to its
// stdin, its stdout and stderr come back separately.
FilterResult run_filter(const std::vector<std::string>& argv, std::string_view input);
// A program kept running to answer requests, one at a time: the caller writes a request to
// its stdin, then reads the whole answer from its stdout. The program must read a whole
// request before it answers (as `onnx-lib serve` does): one that answers while it reads
// would block both sides once a pipe's buffer is full. Its stderr goes to /dev/null: what
// it has to say comes in its answers, and a tool's own errors stay one line. The destructor
// closes its stdin and waits for it to exit.
class Coprocess {
 public:
  explicit Coprocess(const std::vector<std::string>& argv);
  ~Coprocess();
  Coprocess(const Coprocess&) = delete;
  Coprocess& operator=(const Coprocess&) = delete;
  // Each fails with an Error naming the program and how it ended when it has exited.
  void write(std::string_view bytes);
  std::string read(std::size_t n);
  // Whether a write or read has failed (the program is then of no further use).
  bool broken() const { return broken_; }

 private:
  [[noreturn]] void stopped(const std::string& why);
  std::string name_;
  int pid_ = -1, to_ = -1, from_ = -1;
  bool broken_ = false;
};
// Whether `program` is on PATH.
bool program_exists(const std::string& program);
// The directory of the running executable.
std::filesystem::path executable_dir();

}  // namespace shoal
