// libFuzzer's hook for one target, chosen at compile time (fuzz/CMakeLists.txt builds this
// file once per target with SHOAL_FUZZ_TARGET set to the entry function's name).
#include "fuzz.hpp"

#ifndef SHOAL_FUZZ_TARGET
#error "SHOAL_FUZZ_TARGET must name an entry function of fuzz.hpp"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  shoal::fuzz::SHOAL_FUZZ_TARGET(data, size);
  return 0;
}
