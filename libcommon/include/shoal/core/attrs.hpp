// Node attributes: raw access, FINN defaults from the op registry, and node construction.
#pragma once

#include "shoal/core/onnx_proto.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shoal/core/tensor.hpp"

namespace shoal {

const onnx::AttributeProto* find_attr(const onnx::NodeProto& n, std::string_view name);
bool has_attr(const onnx::NodeProto& n, std::string_view name);

// Raw reads with an explicit default (for standard ops, whose defaults ONNX defines).
int64_t attr_int(const onnx::NodeProto& n, std::string_view name, int64_t dflt);
float attr_float(const onnx::NodeProto& n, std::string_view name, float dflt);
std::string attr_string(const onnx::NodeProto& n, std::string_view name, std::string_view dflt);
std::vector<int64_t> attr_ints(const onnx::NodeProto& n, std::string_view name,
                               std::vector<int64_t> dflt = {});
std::vector<float> attr_floats(const onnx::NodeProto& n, std::string_view name,
                               std::vector<float> dflt = {});
std::optional<Tensor> attr_tensor(const onnx::NodeProto& n, std::string_view name);

// Raw writes: replace the attribute if present, else append it.
void set_attr(onnx::NodeProto& n, std::string_view name, int64_t v);
void set_attr(onnx::NodeProto& n, std::string_view name, int v);
void set_attr(onnx::NodeProto& n, std::string_view name, float v);
void set_attr(onnx::NodeProto& n, std::string_view name, const std::string& v);
void set_attr(onnx::NodeProto& n, std::string_view name, const char* v);
void set_attr(onnx::NodeProto& n, std::string_view name, const std::vector<int64_t>& v);
void set_attr(onnx::NodeProto& n, std::string_view name, const std::vector<float>& v);
void remove_attr(onnx::NodeProto& n, std::string_view name);

onnx::NodeProto make_node(std::string op_type, std::vector<std::string> inputs,
                          std::vector<std::string> outputs, std::string domain = "",
                          std::string name = "");

// "node 'MatMul_0' (MatMul)" for error messages.
std::string describe(const onnx::NodeProto& n);

}  // namespace shoal
