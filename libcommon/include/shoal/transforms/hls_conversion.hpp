// step_convert_to_hls and step_create_dataflow_partition (dialect.md §3.4, §3.5).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "shoal/core/model.hpp"

namespace shoal {

struct ConvertToHlsOptions {
  std::string mem_mode = "decoupled";  // the builder's default_mem_mode (StreamingFCLayer_Batch)
  bool standalone_thresholds = false;  // InferThresholdingLayer before the FC conversion
};

// Why a node stayed a standard/general op, keyed by its first output tensor (node names
// change when GiveUniqueNodeNames runs at the end of the step).
using ConversionNotes = std::map<std::string, std::string>;

// The individual conversions; each returns whether it changed the model and, when it
// changed something, runs MinimizeAccumulatorWidth, InferShapes and InferDataTypes as
// FINN's do.
bool infer_binary_streaming_fc_layer(Model& m, const std::string& mem_mode, ConversionNotes* notes);
bool infer_quantized_streaming_fc_layer(Model& m, const std::string& mem_mode,
                                        ConversionNotes* notes);
bool infer_label_select_layer(Model& m, ConversionNotes* notes);
bool infer_thresholding_layer(Model& m, const std::string& mem_mode, ConversionNotes* notes);
bool infer_conv_inp_gen(Model& m, ConversionNotes* notes);
bool infer_streaming_maxpool(Model& m, ConversionNotes* notes);
bool remove_cnv_to_fc_flatten(Model& m);
bool minimize_accumulator_width(Model& m);
bool absorb_consecutive_transposes(Model& m);

// The whole step_convert_to_hls.
void convert_to_hls_step(Model& m, const ConvertToHlsOptions& options, ConversionNotes* notes);

struct PartitionResult {
  Model child;
  std::vector<std::string> host_before, host_after;  // nodes left in the parent
};

// CreateDataflowPartition: moves every fpgadataflow node into a child model and puts one
// StreamingDataflowPartition node in their place in `parent`, whose `model` attribute is
// `child_ref` (a path relative to the parent's folder). Fails, naming each node and why it
// could not become hardware, when such a node sits between hardware nodes.
PartitionResult create_dataflow_partition(Model& parent, const std::string& child_ref,
                                          const ConversionNotes& notes);

}  // namespace shoal
