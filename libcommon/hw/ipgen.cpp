// ipgen (FINN's PrepareIP + HLSSynthIP): one IP directory per hardware node, holding the
// node's wrapper, its memory files and the hls/ modules it instantiates, so that each
// directory is complete on its own.
#include <stdlib.h>

#include <algorithm>
#include <set>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/io.hpp"
#include "shoal/hw/stitch.hpp"
#include "shoal/ops/hw_op.hpp"
#include "shoal/ops/rtl.hpp"

namespace shoal {
namespace fs = std::filesystem;

namespace {

fs::path relative_to(const fs::path& p, const fs::path& base) {
  std::error_code ec;
  fs::path r = fs::relative(fs::absolute(p), fs::absolute(base), ec);
  return ec || r.empty() ? fs::absolute(p) : r;
}

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

// True if both directories hold the same regular files (names and bytes) and nothing else.
bool same_files(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  if (!fs::is_directory(b, ec)) return false;
  auto list = [](const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) files.push_back(e.path().filename());
    std::sort(files.begin(), files.end());
    return files;
  };
  std::vector<fs::path> fa = list(a), fb = list(b);
  if (fa != fb) return false;
  for (const auto& f : fa) {
    if (!fs::is_regular_file(a / f, ec) || !fs::is_regular_file(b / f, ec)) return false;
    if (fs::file_size(a / f, ec) != fs::file_size(b / f, ec) ||
        read_file((a / f).string()) != read_file((b / f).string()))
      return false;
  }
  return true;
}

}  // namespace

int generate_ip(Model& m, const fs::path& ip_dir, const fs::path& model_dir) {
  const fs::path library = hls_library_dir();
  // Every node is generated into a staging directory first and the results are moved into
  // place only when all succeeded: a failing node leaves ip_dir as it was.
  make_dirs(ip_dir);
  // Staging directories of runs that were killed (their cleanup never ran).
  std::error_code stale_ec;
  for (fs::directory_iterator it(ip_dir, stale_ec), end; !stale_ec && it != end;
       it.increment(stale_ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() == 13 && name.rfind(".ipgen-", 0) == 0) {
      std::error_code ec;
      fs::remove_all(it->path(), ec);
    }
  }
  std::string pattern = (ip_dir / ".ipgen-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) fail("cannot create a directory in {}", ip_dir.string());
  const fs::path staging = pattern;
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{staging};

  std::set<std::string> names;
  std::vector<std::string> tops;
  for (int i = 0; i < m.node_count(); ++i) {
    const auto& n = m.node(i);
    const HwOp* op = hw_op_of(n);
    if (!op) fail("{} is not a hardware layer; ipgen works on the dataflow partition", describe(n));
    if (!is_identifier(n.name()))
      fail("{}: the node name is not a Verilog identifier (run GiveUniqueNodeNames)", describe(n));
    if (!names.insert(n.name()).second) fail("two nodes are named '{}'", n.name());
    fs::path dir = staging / n.name();
    make_dirs(dir);
    RtlModule r = op->generate_rtl(m, n, dir);
    std::error_code ec;
    for (const auto& lib : r.library) {
      fs::copy_file(library / lib, dir / lib, fs::copy_options::overwrite_existing, ec);
      if (ec)
        fail("cannot copy {} into {}: {}", (library / lib).string(), dir.string(), ec.message());
    }
    tops.push_back(r.top);
  }
  int kept = 0;
  for (int i = 0; i < m.node_count(); ++i) {
    auto& n = m.node(i);
    fs::path dir = ip_dir / n.name();
    if (same_files(staging / n.name(), dir)) {
      ++kept;
    } else {
      // A fresh directory: files of an earlier, different generation must not linger.
      std::error_code ec;
      fs::remove_all(dir, ec);
      fs::rename(staging / n.name(), dir, ec);
      if (ec) fail("cannot move the IP of {} into {}: {}", describe(n), dir.string(), ec.message());
    }
    std::string rel = relative_to(dir, model_dir).string();
    set_attr(n, "code_gen_dir_ipgen", rel);
    set_attr(n, "ip_path", rel);
    set_attr(n, "gen_top_module", tops[i]);
  }
  // Nodes recorded with threshold_impl "search" (ipgen --thresholds search) get the
  // search form of their thresholds, whoever regenerates their IP (stitch, FIFO sizing).
  apply_threshold_impl(m, ip_dir);
  return kept;
}

fs::path node_ip_dir(const Model& m, const onnx::NodeProto& n, const fs::path& model_dir) {
  std::string rel = attr_string(n, "code_gen_dir_ipgen", "");
  if (rel.empty()) fail("{} has no generated IP (run ipgen first)", describe(n));
  fs::path p(rel);
  return p.is_absolute() ? p : model_dir / p;
}

}  // namespace shoal
