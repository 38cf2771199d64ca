// The ONNX loader and onnx-tidy's library entry: Model::parse, then (for a QONNX model)
// qonnx_to_finn, then tidy_up, as tools/onnx-tidy does. What tidy writes must load again.
#include "fuzz.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/model.hpp"
#include "shoal/transforms/transforms.hpp"

namespace shoal::fuzz {

void onnx_tidy(const uint8_t* data, std::size_t size) {
  init();
  std::string written;
  try {
    Model m = Model::parse(as_text(data, size), "fuzz.onnx");
    if (is_qonnx(m)) qonnx_to_finn(m);
    tidy_up(m);
    m.declare_custom_domains();
    written = m.serialize();
  } catch (const Error&) {
    return;
  }
  try {
    Model::parse(written, "tidy output");
  } catch (const Error& e) {
    finding(std::string("onnx-tidy wrote a model it cannot load: ") + e.what());
  }
}

}  // namespace shoal::fuzz
