// onnx-lib: the ONNX library's own shape inference and checker, in a process of its own.
//
// The other tools link protobuf and their ONNX message classes statically so that they start
// in ~2 ms; libonnx cannot share a process with them (it brings its own copy of the same
// classes). They run this helper for what only libonnx does: the shape inference fallback
// for standard ops shoal has no rule for, and `onnx-info --check`. It deliberately does not
// link libcommon.
#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

const char* kUsage =
    "usage: onnx-lib infer-shapes [IN.onnx|-] [-o OUT.onnx|-]\n"
    "       onnx-lib check [IN.onnx|-]\n"
    "       onnx-lib serve\n"
    "\n"
    "infer-shapes  runs ONNX's shape inference (non-strict, with data propagation) and\n"
    "              writes the model with the inferred value_info. Nodes of custom domains\n"
    "              are skipped: the types already recorded for their outputs are used.\n"
    "check         runs onnx::checker; custom-domain ops are accepted as declared.\n"
    "serve         runs infer-shapes for one request after another until stdin ends. A\n"
    "              request is an 8-byte little-endian length and a model; an answer is a\n"
    "              status byte (0: a model follows, 1: an error message follows), an\n"
    "              8-byte little-endian length and the bytes.\n"
    "\n"
    "The other shoal tools run this helper themselves; it is installed beside them.\n";

struct Failure {
  std::string what;
};

bool is_standard_domain(const std::string& d) {
  return d.empty() || d == "ai.onnx";
}

std::string read_all(const std::string& path) {
  if (path == "-") {
    std::string s;
    char buf[1 << 16];
    for (;;) {
      ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw Failure{std::string("cannot read stdin: ") + std::strerror(errno)};
      if (n == 0) return s;
      s.append(buf, static_cast<std::size_t>(n));
    }
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Failure{"cannot open " + path + ": " + std::strerror(errno)};
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Accepts every custom op the model uses (the custom ops' own rules live in libcommon; the
// caller has checked that each is known).
void declare_custom_ops(const onnx::ModelProto& m) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& n : m.graph().node()) {
    if (is_standard_domain(n.domain()) || !seen.emplace(n.domain(), n.op_type()).second) continue;
    auto& ranges = onnx::OpSchemaRegistry::DomainToVersionRange::Instance();
    if (!ranges.Map().count(n.domain())) ranges.AddDomainToVersion(n.domain(), 1, 1);
    onnx::OpSchema schema;
    schema.SetName(n.op_type())
        .SetDomain(n.domain())
        .SinceVersion(1)
        .AllowUncheckedAttributes()
        .Input(0, "inputs", "", "T", onnx::OpSchema::Variadic, false, 0)
        .Output(0, "outputs", "", "U", onnx::OpSchema::Variadic, false, 1)
        .TypeConstraint("T", onnx::OpSchema::all_tensor_types(), "")
        .TypeConstraint("U", onnx::OpSchema::all_tensor_types(), "");
    onnx::OpSchemaRegistry::OpSchemaRegisterOnce reg(schema);
  }
}

void infer_shapes(onnx::ModelProto& model) {
  onnx::ShapeInferenceOptions options(/*check_type=*/false, /*error_mode=*/0,
                                      /*enable_data_propagation=*/true);
  try {
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception& e) {
    throw Failure{e.what()};
  }
}

// Reads exactly n bytes; false at end of input before the first byte.
bool read_exact(char* p, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(STDIN_FILENO, p + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw Failure{std::string("cannot read stdin: ") + std::strerror(errno)};
    if (r == 0) {
      if (got == 0) return false;
      throw Failure{"stdin ended inside a request"};
    }
    got += static_cast<std::size_t>(r);
  }
  return true;
}

void write_all(const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(STDOUT_FILENO, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) throw Failure{std::string("cannot write to stdout: ") + std::strerror(errno)};
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

void write_length(uint64_t n) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  write_all(b, 8);
}

// Requests until stdin ends. A request that fails gets its message as the answer and the
// loop goes on; only a broken stream ends it with an error.
int serve() {
  for (;;) {
    char len[8];
    if (!read_exact(len, 8)) return 0;
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(len[i]);
    // A request is a model the caller already holds in memory; 4 GiB is far beyond any.
    if (n > (uint64_t{1} << 32)) throw Failure{"a request of " + std::to_string(n) + " bytes"};
    std::string bytes(n, '\0');
    if (n > 0 && !read_exact(bytes.data(), n)) throw Failure{"stdin ended inside a request"};
    std::string answer;
    char status = 0;
    try {
      onnx::ModelProto model;
      if (!model.ParseFromString(bytes)) throw Failure{"cannot parse the request as an ONNX model"};
      infer_shapes(model);
      if (!model.SerializeToString(&answer)) throw Failure{"cannot serialize the model"};
    } catch (const Failure& f) {
      status = 1;
      answer = f.what;
    }
    write_all(&status, 1);
    write_length(answer.size());
    write_all(answer.data(), answer.size());
  }
}

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const auto& a : args)
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    }
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  std::string mode = args[0], in = "-", out = "-";
  bool have_in = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "-o" && i + 1 < args.size() && mode == "infer-shapes") {
      out = args[++i];
    } else if (!have_in && (args[i] == "-" || args[i][0] != '-')) {
      in = args[i];
      have_in = true;
    } else {
      std::cerr << "onnx-lib: error: unexpected argument '" << args[i] << "'\n" << kUsage;
      return 2;
    }
  }
  if (mode == "serve") {
    if (args.size() > 1) {
      std::cerr << "onnx-lib: error: serve takes no arguments\n" << kUsage;
      return 2;
    }
    return serve();
  }
  if (mode != "infer-shapes" && mode != "check") {
    std::cerr << "onnx-lib: error: unknown mode '" << mode << "'\n" << kUsage;
    return 2;
  }
  onnx::ModelProto model;
  std::string bytes = read_all(in);
  if (!model.ParseFromString(bytes)) throw Failure{"cannot parse " + in + " as an ONNX model"};
  if (mode == "check") {
    declare_custom_ops(model);
    try {
      onnx::checker::check_model(model);
    } catch (const std::exception& e) {
      throw Failure{std::string("fails onnx::checker: ") + e.what()};
    }
    std::cout << "passes onnx::checker\n";
    return 0;
  }
  infer_shapes(model);
  std::string result;
  if (!model.SerializeToString(&result)) throw Failure{"cannot serialize the model"};
  if (out == "-") {
    std::cout.write(result.data(), static_cast<std::streamsize>(result.size()));
    std::cout.flush();
    if (!std::cout) throw Failure{"cannot write to stdout"};
  } else {
    std::ofstream f(out, std::ios::binary);
    f.write(result.data(), static_cast<std::streamsize>(result.size()));
    if (!f) throw Failure{"cannot write " + out};
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const Failure& f) {
    std::cerr << "onnx-lib: error: " << f.what << "\n";
    return 1;
  }
}
