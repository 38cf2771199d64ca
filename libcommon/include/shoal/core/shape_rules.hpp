// Shape propagation without ONNX's schema registry, for models whose every op has a rule
// here or in libcommon/ops (the usual case between tools of the flow).
#pragma once

#include "shoal/core/model.hpp"

namespace shoal {

// Infers every shape when all graph inputs have static shapes and every node has a rule;
// returns false (leaving the model untouched) otherwise.
bool infer_shapes_fast(Model& model);

}  // namespace shoal
