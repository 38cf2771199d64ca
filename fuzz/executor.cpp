// The executor on the models of models.hpp, edited by the fuzz input: the first byte picks a
// model, the rest is a list of edits (attribute values, added and removed attributes,
// initializer bytes, dims and element types, datatype annotations, rewired node inputs and
// the input sample's bytes), then Executor::run on the edited model.
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "fuzz.hpp"
#include "models.hpp"
#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/executor.hpp"

namespace shoal::fuzz {
namespace {

constexpr int64_t kMaxI64 = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinI64 = std::numeric_limits<int64_t>::min();
const std::array<int64_t, 34> kInts = {0,
                                       1,
                                       2,
                                       3,
                                       4,
                                       5,
                                       6,
                                       7,
                                       8,
                                       16,
                                       31,
                                       32,
                                       63,
                                       64,
                                       65,
                                       127,
                                       128,
                                       255,
                                       256,
                                       4096,
                                       65536,
                                       (int64_t{1} << 31) - 1,
                                       int64_t{1} << 31,
                                       int64_t{1} << 32,
                                       int64_t{1} << 40,
                                       int64_t{1} << 62,
                                       kMaxI64,
                                       -1,
                                       -2,
                                       -3,
                                       -64,
                                       -(int64_t{1} << 31),
                                       kMinI64,
                                       -(int64_t{1} << 40)};
const std::array<float, 14> kFloats = {0.0f,  1.0f,   -1.0f,  0.5f,  2.0f, 3.0f,     255.0f,
                                       1e30f, -1e30f, 1e-30f, -0.0f, NAN,  INFINITY, -INFINITY};
// Values the flow's string attributes and annotations take, and broken ones.
const std::array<const char*, 44> kStrings = {
    "INT0",          "INT1",         "INT2",   "INT3",        "INT4",   "INT8",       "INT32",
    "INT64",         "INT65",        "INT-3",  "UINT0",       "UINT1",  "UINT2",      "UINT8",
    "UINT32",        "UINT64",       "UINT65", "BIPOLAR",     "BINARY", "TERNARY",    "FLOAT32",
    "FIXED<8,4>",    "FIXED<0,0>",   "NHWC",   "NCHW",        "NC",     "const",      "decoupled",
    "external",      "auto",         "block",  "distributed", "ROUND",  "FLOOR",      "CEIL",
    "ROUND_TO_ZERO", "fpgadataflow", "",       "lut",         "dsp",    "SAME_UPPER", "SAME_LOWER",
    "VALID",         "NOTSET"};
// Attribute names of the flow's ops (FINN's and ONNX's).
const std::array<const char*, 62> kAttrNames = {"PE",
                                                "SIMD",
                                                "MW",
                                                "MH",
                                                "numInputVectors",
                                                "inputDataType",
                                                "weightDataType",
                                                "outputDataType",
                                                "accDataType",
                                                "ActVal",
                                                "binaryXnorMode",
                                                "noActivation",
                                                "mem_mode",
                                                "ram_style",
                                                "resType",
                                                "NumChannels",
                                                "numSteps",
                                                "Labels",
                                                "K",
                                                "ConvKernelDim",
                                                "IFMChannels",
                                                "IFMDim",
                                                "OFMDim",
                                                "Stride",
                                                "Dilation",
                                                "depthwise",
                                                "ImgDim",
                                                "PoolDim",
                                                "Padding",
                                                "depth",
                                                "inWidth",
                                                "outWidth",
                                                "folded_shape",
                                                "normal_shape",
                                                "dataType",
                                                "out_dtype",
                                                "out_scale",
                                                "out_bias",
                                                "data_layout",
                                                "axis",
                                                "axes",
                                                "perm",
                                                "kernel_shape",
                                                "pads",
                                                "strides",
                                                "dilations",
                                                "group",
                                                "shape",
                                                "to",
                                                "alpha",
                                                "beta",
                                                "transA",
                                                "transB",
                                                "keepdims",
                                                "k",
                                                "signed",
                                                "narrow",
                                                "rounding_mode",
                                                "allowzero",
                                                "auto_pad",
                                                "ceil_mode",
                                                "epsilon"};

class Input {
 public:
  Input(const uint8_t* data, std::size_t size) : p_(data), n_(size) {}
  bool empty() const { return n_ == 0; }
  uint8_t byte() {
    if (n_ == 0) return 0;
    --n_;
    return *p_++;
  }
  template <typename T>
  T raw() {
    T v{};
    std::size_t k = std::min(sizeof(T), n_);
    std::memcpy(&v, p_, k);
    p_ += k;
    n_ -= k;
    return v;
  }
  // Mostly values from the tables, sometimes raw bits.
  int64_t integer() {
    uint8_t b = byte();
    return b < 0xE0 ? kInts[b % kInts.size()] : raw<int64_t>();
  }
  float real() {
    uint8_t b = byte();
    return b < 0xE0 ? kFloats[b % kFloats.size()] : raw<float>();
  }
  std::string text() {
    uint8_t b = byte();
    if (b < 0xE0) return kStrings[b % kStrings.size()];
    std::size_t len = std::min<std::size_t>(byte() % 16, n_);
    std::string s(reinterpret_cast<const char*>(p_), len);
    p_ += len;
    n_ -= len;
    return s;
  }
  std::size_t index(std::size_t count) { return count ? byte() % count : 0; }

 private:
  const uint8_t* p_;
  std::size_t n_;
};

void set_value(onnx::AttributeProto& a, Input& in) {
  switch (a.type()) {
    case onnx::AttributeProto::INT:
      a.set_i(in.integer());
      break;
    case onnx::AttributeProto::FLOAT:
      a.set_f(in.real());
      break;
    case onnx::AttributeProto::STRING:
      a.set_s(in.text());
      break;
    case onnx::AttributeProto::INTS: {
      a.clear_ints();
      for (int k = in.byte() % 6; k > 0; --k) a.add_ints(in.integer());
      break;
    }
    case onnx::AttributeProto::FLOATS: {
      a.clear_floats();
      for (int k = in.byte() % 6; k > 0; --k) a.add_floats(in.real());
      break;
    }
    case onnx::AttributeProto::TENSOR: {
      auto* raw = a.mutable_t()->mutable_raw_data();
      if (!raw->empty()) (*raw)[in.index(raw->size())] = static_cast<char>(in.byte());
      break;
    }
    default:
      break;
  }
}

// Every tensor name the graph mentions.
std::vector<std::string> tensor_names(const Model& m) {
  std::vector<std::string> names;
  for (const auto& n : m.graph().node()) {
    names.insert(names.end(), n.input().begin(), n.input().end());
    names.insert(names.end(), n.output().begin(), n.output().end());
  }
  for (const auto& t : m.graph().initializer()) names.push_back(t.name());
  return names;
}

void edit(Model& m, Tensor& sample, Input& in) {
  auto& g = m.graph();
  switch (in.byte() % 9) {
    case 0: {  // a new value for an existing attribute
      if (g.node_size() == 0) return;
      auto& n = *g.mutable_node(static_cast<int>(in.index(g.node_size())));
      if (n.attribute_size() == 0) return;
      set_value(*n.mutable_attribute(static_cast<int>(in.index(n.attribute_size()))), in);
      return;
    }
    case 1: {  // an attribute set (or replaced) by name, with a value of any kind
      if (g.node_size() == 0) return;
      auto& n = *g.mutable_node(static_cast<int>(in.index(g.node_size())));
      std::string name = kAttrNames[in.index(kAttrNames.size())];
      remove_attr(n, name);
      auto* a = n.add_attribute();
      a->set_name(name);
      static const onnx::AttributeProto::AttributeType kinds[] = {
          onnx::AttributeProto::INT, onnx::AttributeProto::FLOAT, onnx::AttributeProto::STRING,
          onnx::AttributeProto::INTS, onnx::AttributeProto::FLOATS};
      a->set_type(kinds[in.index(5)]);
      set_value(*a, in);
      return;
    }
    case 2: {  // an attribute removed
      if (g.node_size() == 0) return;
      auto& n = *g.mutable_node(static_cast<int>(in.index(g.node_size())));
      if (n.attribute_size() == 0) return;
      n.mutable_attribute()->erase(n.mutable_attribute()->begin() +
                                   static_cast<int>(in.index(n.attribute_size())));
      return;
    }
    case 3: {  // initializer bytes overwritten
      if (g.initializer_size() == 0) return;
      auto* raw = g.mutable_initializer(static_cast<int>(in.index(g.initializer_size())))
                      ->mutable_raw_data();
      if (raw->empty()) return;
      std::size_t at = in.raw<uint16_t>() % raw->size();
      for (int k = 1 + in.byte() % 8; k > 0 && at < raw->size(); --k, ++at)
        (*raw)[at] = static_cast<char>(in.byte());
      return;
    }
    case 4: {  // initializer dims replaced (its bytes stay)
      if (g.initializer_size() == 0) return;
      auto* t = g.mutable_initializer(static_cast<int>(in.index(g.initializer_size())));
      t->clear_dims();
      for (int k = in.byte() % 5; k > 0; --k) {
        uint8_t b = in.byte();
        t->add_dims(b < 0xC0 ? b % 10 : in.integer());
      }
      return;
    }
    case 5: {  // initializer element type replaced
      if (g.initializer_size() == 0) return;
      g.mutable_initializer(static_cast<int>(in.index(g.initializer_size())))
          ->set_data_type(in.byte() % 17);
      return;
    }
    case 6: {  // a datatype annotation replaced
      auto names = tensor_names(m);
      if (names.empty()) return;
      m.set_annotation(names[in.index(names.size())], "finn_datatype", in.text());
      return;
    }
    case 7: {  // node input rewired to another tensor
      if (g.node_size() == 0) return;
      auto& n = *g.mutable_node(static_cast<int>(in.index(g.node_size())));
      auto names = tensor_names(m);
      if (n.input_size() == 0 || names.empty()) return;
      n.set_input(static_cast<int>(in.index(n.input_size())), names[in.index(names.size())]);
      return;
    }
    default: {  // input sample bytes overwritten
      auto& bytes = sample.bytes();
      if (bytes.empty()) return;
      std::size_t at = in.raw<uint16_t>() % bytes.size();
      for (int k = 1 + in.byte() % 8; k > 0 && at < bytes.size(); --k, ++at) bytes[at] = in.byte();
      return;
    }
  }
}

}  // namespace

void executor(const uint8_t* data, std::size_t size) {
  init();
  const auto& models = sample_models();
  Input in(data, size);
  const SampleModel& base = models[in.index(models.size())];
  Model m = base.model;
  Tensor sample = base.input;
  for (int edits = 0; edits < 64 && !in.empty(); ++edits) edit(m, sample, in);
  // SHOAL_FUZZ_DUMP=FILE.onnx: the edited model, to see what a finding ran (triage only).
  if (const char* dump = std::getenv("SHOAL_FUZZ_DUMP")) m.save(dump);
  try {
    execute(m, {sample});
  } catch (const Error&) {
  }
}

}  // namespace shoal::fuzz
