#include "shoal/core/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "shoal/core/error.hpp"

extern char** environ;

namespace shoal {
namespace fs = std::filesystem;

namespace {

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

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
    for (std::size_t nl; (nl = result.output.find('\n', line_start)) != std::string::npos;
         line_start = nl + 1)
      on_line(result.output.substr(line_start, nl - line_start));
  }
  if (on_line && line_start < result.output.size()) on_line(result.output.substr(line_start));
  ::close(pipefd[0]);
  result.exit_code = wait_for(pid);
  return result;
}

FilterResult run_filter(const std::vector<std::string>& argv, std::string_view input) {
  if (argv.empty()) fail("internal: no program to run");
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
    fail("cannot run {}: {}", argv[0], std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    fail("cannot run {}: {}", argv[0], std::strerror(rc));
  }
  // A child that exits early must not kill us with SIGPIPE while we still write its input.
  struct sigaction ignore {
  }, previous{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);
  FilterResult result;
  std::size_t written = 0;
  int to_child = in[1];
  if (input.empty()) {
    ::close(to_child);
    to_child = -1;
  } else {
    ::fcntl(to_child, F_SETFL, ::fcntl(to_child, F_GETFL) | O_NONBLOCK);
  }
  int from_out = out[0], from_err = err[0];
  char buf[1 << 16];
  while (to_child >= 0 || from_out >= 0 || from_err >= 0) {
    pollfd fds[3] = {{to_child, POLLOUT, 0}, {from_out, POLLIN, 0}, {from_err, POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (to_child >= 0 && fds[0].revents) {
      ssize_t n = ::write(to_child, input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
        ::close(to_child);
        to_child = -1;
      }
    }
    for (int k : {1, 2}) {
      int& fd = k == 1 ? from_out : from_err;
      if (fd < 0 || !fds[k].revents) continue;
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) {
        (k == 1 ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(fd);
        fd = -1;
      }
    }
  }
  ::sigaction(SIGPIPE, &previous, nullptr);
  result.exit_code = wait_for(pid);
  return result;
}

Coprocess::Coprocess(const std::vector<std::string>& argv) {
  if (argv.empty()) fail("internal: no program to run");
  name_ = argv[0];
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) fail("cannot run {}: {}", name_, std::strerror(errno));
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    fail("cannot run {}: {}", name_, std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, name_.c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(out[0]);
    fail("cannot run {}: {}", name_, std::strerror(rc));
  }
  pid_ = pid;
  to_ = in[1];
  from_ = out[0];
}

Coprocess::~Coprocess() {
  if (to_ >= 0) ::close(to_);
  if (from_ >= 0) ::close(from_);
  if (pid_ > 0) wait_for(pid_);
}

void Coprocess::stopped(const std::string& why) {
  broken_ = true;
  std::string how;
  if (pid_ > 0) {
    ::close(to_);
    ::close(from_);
    to_ = from_ = -1;
    int code = wait_for(pid_);
    pid_ = -1;
    how = code > 128 ? fmt::format(" (killed by signal {})", code - 128)
                     : fmt::format(" (exit {})", code);
  }
  fail("{} stopped answering{}{}", name_, how, why);
}

void Coprocess::write(std::string_view bytes) {
  if (broken_) stopped("");
  // A program that has exited must not kill us with SIGPIPE.
  struct sigaction ignore {
  }, previous{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);
  int error = 0;
  while (!bytes.empty() && !error) {
    ssize_t n = ::write(to_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      error = errno;
    else
      bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  ::sigaction(SIGPIPE, &previous, nullptr);
  if (error) stopped(std::string(": ") + std::strerror(error));
}

std::string Coprocess::read(std::size_t n) {
  if (broken_) stopped("");
  std::string s(n, '\0');
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(from_, s.data() + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) stopped("");
    got += static_cast<std::size_t>(r);
  }
  return s;
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
