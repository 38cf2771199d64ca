// The fuzz targets' entry functions. Each is a plain function, compiled both into its
// libFuzzer binary (build-fuzz, clang, SHOAL_FUZZ) and into fuzz_replay, the regression test
// of the normal build, so that a crash input replays through exactly the code that found it.
//
// An entry returns normally when the library handled the input: accepted it, or rejected it
// with a shoal::Error (the one-line error a tool prints). Anything else is a finding: another
// exception escaping, a sanitizer report, a broken round trip (finding() aborts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shoal::fuzz {

void onnx_tidy(const uint8_t* data, std::size_t size);
void npy(const uint8_t* data, std::size_t size);
void build_config(const uint8_t* data, std::size_t size);
void folding_config(const uint8_t* data, std::size_t size);
void executor(const uint8_t* data, std::size_t size);

struct Target {
  const char* name;
  void (*entry)(const uint8_t*, std::size_t);
};
// Every target, by the name of its corpus and regression directories.
const std::vector<Target>& targets();

// Process-wide settings every entry needs (tensor limit, quiet protobuf); idempotent.
void init();
inline std::string_view as_text(const uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}
// Reports a broken property of an accepted input and aborts, so that libFuzzer saves it.
[[noreturn]] void finding(const std::string& what);

}  // namespace shoal::fuzz
