// Small models of the flow, built in-process at start-up from the generators behind onnx-mlp
// and onnx-conv, so that the executor and folding targets need no files: an MLP (FINN and
// QONNX forms), an XNOR MLP ending in TopK and a small convolutional network, each also
// streamlined and as its dataflow child (hardware layers), one child with width converters
// and FIFOs inserted.
#pragma once

#include <string>
#include <vector>

#include "shoal/core/model.hpp"
#include "shoal/core/tensor.hpp"

namespace shoal::fuzz {

struct SampleModel {
  std::string name;
  Model model;
  Tensor input;  // one sample, of the model's input shape
};

// Every stage of every network (the executor target's choices).
const std::vector<SampleModel>& sample_models();
// The dataflow children (the folding-config target's models).
std::vector<const SampleModel*> hardware_models();

}  // namespace shoal::fuzz
