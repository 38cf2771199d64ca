// The .npy reader (parse_npy, behind read_npy). An array it accepts must survive a round trip
// through serialize_npy unchanged.
#include "shoal/core/npy.hpp"
#include "fuzz.hpp"
#include "shoal/core/error.hpp"

namespace shoal::fuzz {

void npy(const uint8_t* data, std::size_t size) {
  init();
  Tensor t;
  try {
    t = parse_npy(as_text(data, size), "fuzz.npy");
  } catch (const Error&) {
    return;
  }
  try {
    Tensor again = parse_npy(serialize_npy(t), "round trip");
    if (!again.identical(t)) finding("an .npy array changed in a write/read round trip");
  } catch (const Error& e) {
    finding(std::string("serialize_npy wrote an array parse_npy rejects: ") + e.what());
  }
}

}  // namespace shoal::fuzz
