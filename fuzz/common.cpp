#include <google/protobuf/stubs/logging.h>

#include <cstdio>
#include <cstdlib>

#include "fuzz.hpp"
#include "shoal/core/limits.hpp"

namespace shoal::fuzz {

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {{"onnx_tidy", onnx_tidy},
                                          {"npy", npy},
                                          {"build_config", build_config},
                                          {"folding_config", folding_config},
                                          {"executor", executor}};
  return all;
}

void init() {
  static const bool done = [] {
    // Far below libFuzzer's -rss_limit_mb and its 10 s timeout under the sanitizers, so that
    // an input asking for a large tensor meets shoal's limit (an Error) instead of the
    // fuzzer's out-of-memory or timeout report. At 4 MiB a conv net whose tensors were all
    // just under the limit took 3.5 s (regression conv-output-near-tensor-limit), too close
    // to the timeout on a loaded machine or in CI's Debug build.
    set_max_tensor_bytes(int64_t{1} << 20);
    // Protobuf's own warnings about rejected messages would flood the fuzzer's output.
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)done;
}

void finding(const std::string& what) {
  std::fprintf(stderr, "fuzz finding: %s\n", what.c_str());
  std::abort();
}

}  // namespace shoal::fuzz
