#include "shoal/core/io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <iterator>
#include <sstream>

#include "shoal/core/error.hpp"

namespace shoal {
namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::error_code ec;
  if (fs::is_directory(path, ec)) fail("cannot read '{}': is a directory", path);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot read '{}': {}", path, std::strerror(errno));
  std::string data;
  // Size the buffer once: growing it chunk by chunk costs page faults, which dominate the
  // time to read a model on some machines.
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
    data.reserve(static_cast<std::size_t>(st.st_size) + 1);
  char buf[1 << 16];
  for (;;) {
    ssize_t n;
    if (data.capacity() > data.size()) {
      std::size_t old = data.size();
      data.resize(data.capacity());
      n = ::read(fd, data.data() + old, data.size() - old);
      data.resize(old + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    } else {
      n = ::read(fd, buf, sizeof buf);
      if (n > 0) data.append(buf, static_cast<std::size_t>(n));
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      fail("cannot read '{}': {}", path, std::strerror(err));
    }
    if (n == 0) break;
  }
  ::close(fd);
  return data;
}

namespace {
void write_all(int fd, std::string_view data, const std::string& what) {
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write '{}': {}", what, std::strerror(errno));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}
}  // namespace

namespace {

// A process killed between mkstemp and rename leaves its temporary behind; the next
// successful write of the same file removes it, so that an interrupted build leaves no
// debris once it has been rerun. (Only names of this file's exact temporary form.)
void remove_stale_temporaries(const fs::path& dir, const std::string& name) {
  const std::string prefix = "." + name + ".tmp";
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string entry = it->path().filename().string();
    if (entry.size() == prefix.size() + 6 && entry.compare(0, prefix.size(), prefix) == 0)
      fs::remove(it->path(), ec);
  }
}

}  // namespace

void write_file_atomic(const std::string& path, std::string_view data) {
  if (path == "-") {
    std::cout.flush();
    write_all(STDOUT_FILENO, data, "standard output");
    return;
  }
  std::error_code ec;
  fs::path target(path);
  auto status = fs::status(target, ec);
  if (!ec && fs::exists(status) && !fs::is_regular_file(status)) {
    // A device or pipe (/dev/null, a FIFO): write straight to it, a rename would replace it.
    if (fs::is_directory(status)) fail("cannot write '{}': is a directory", path);
    int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) fail("cannot write '{}': {}", path, std::strerror(errno));
    try {
      write_all(fd, data, path);
    } catch (...) {
      ::close(fd);
      throw;
    }
    ::close(fd);
    return;
  }
  // Write through symlinks to the file they point at.
  if (fs::is_symlink(fs::symlink_status(target, ec))) target = fs::canonical(target, ec);
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::string tmpl = (dir / ("." + target.filename().string() + ".tmpXXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) fail("cannot write '{}': {}", path, std::strerror(errno));
  try {
    write_all(fd, data, path);
    // mkstemp creates 0600; give the file the usual permissions.
    mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    if (::close(fd) != 0) fail("cannot write '{}': {}", path, std::strerror(errno));
    fd = -1;
    if (std::rename(tmpl.c_str(), target.c_str()) != 0)
      fail("cannot write '{}': {}", path, std::strerror(errno));
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmpl.c_str());
    throw;
  }
  remove_stale_temporaries(dir, target.filename().string());
}

void copy_file_atomic(const fs::path& from, const fs::path& to) {
  write_file_atomic(to.string(), read_file(from.string()));
}

bool stdout_is_terminal() {
  return ::isatty(STDOUT_FILENO) != 0;
}

void make_dirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail("cannot create directory '{}': {}", dir.string(), ec.message());
}

fs::path user_cache_dir(const char* name, const char* override_env) {
  if (const char* dir = std::getenv(override_env); dir && *dir) return fs::absolute(dir);
  if (const char* dir = std::getenv("XDG_CACHE_HOME"); dir && *dir)
    return fs::absolute(dir) / "shoal" / name;
  if (const char* dir = std::getenv("HOME"); dir && *dir)
    return fs::absolute(dir) / ".cache" / "shoal" / name;
  return {};
}

}  // namespace shoal
