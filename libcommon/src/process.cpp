#include "shoal/process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "shoal/error.hpp"

extern char** environ;

namespace shoal {
namespace fs = std::filesystem;

ProcessResult run_process(const std::vector<std::string>& argv, const fs::path& cwd) {
  return run_process(argv, cwd, nullptr);
}

ProcessResult run_process(const std::vector<std::string>& argv, const fs::path& cwd,
                          const std::function<void(const std::string&)>& on_line) {
  if (argv.empty()) fail("internal: no program to run");
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) fail("cannot run {}: {}", argv[0], std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::string dir = cwd.string();
  if (!dir.empty()) posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipefd[1]);
  if (rc != 0) {
    ::close(pipefd[0]);
    fail("cannot run {}: {}", argv[0], std::strerror(rc));
  }
  ProcessResult result;
  char buf[1 << 14];
  std::size_t line_start = 0;
  for (;;) {
    ssize_t n = ::read(pipefd[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.output.append(buf, static_cast<std::size_t>(n));
    if (!on_line) continue;
    for (std::size_t nl; (nl = result.output.find('\n', line_start)) != std::string::npos; line_start = nl + 1)
      on_line(result.output.substr(line_start, nl - line_start));
  }
  if (on_line && line_start < result.output.size()) on_line(result.output.substr(line_start));
  ::close(pipefd[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  return result;
}

bool program_exists(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    fs::path p = fs::path(dir) / program;
    if (::access(p.c_str(), X_OK) == 0 && !fs::is_directory(p)) return true;
  }
  return false;
}

fs::path executable_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return fs::current_path();
  return exe.parent_path();
}

}  // namespace shoal
