// step_convert_to_hls (dialect.md §3.4): MatMul/XnorPopcountMatMul (+ MultiThreshold)
// become StreamingFCLayer_Batch, standalone MultiThresholds Thresholding_Batch, TopK
// LabelSelect_Batch. FINN asserts on patterns it cannot convert; shoal leaves such nodes
// on the host and notes why, so the partition step can explain a split.
#include <algorithm>
#include <cmath>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/op.hpp"
#include "shoal/core/shape_inference.hpp"
#include "shoal/ops/hw_op.hpp"
#include "shoal/transforms/hls_conversion.hpp"
#include "shoal/transforms/streamline.hpp"
#include "shoal/transforms/transforms.hpp"

namespace shoal {

namespace {

void note(ConversionNotes* notes, const onnx::NodeProto& n, const std::string& why) {
  if (notes && n.output_size() > 0) (*notes)[n.output(0)] = why;
}

bool is_general(const onnx::NodeProto& n, const char* op) {
  return n.op_type() == op && classify_domain(n.domain()) == Domain::General;
}

// The thresholds of an integer-input MultiThreshold, rounded up (exact for integer inputs).
std::optional<Tensor> integer_thresholds(const Model& m, const onnx::NodeProto& mt) {
  auto t = m.initializer(mt.input(1));
  if (!t) return std::nullopt;
  Tensor f = t->astype(ElemType::Float);
  for (float& v : f.span<float>()) v = std::ceil(v);
  return f;
}

void finish_conversion(Model& m) {
  apply(m, minimize_accumulator_width);
  apply(m, infer_shapes_transform);
  apply(m, infer_datatypes);
}

onnx::NodeProto make_fc(const std::vector<std::string>& inputs, const std::string& output,
                        int64_t mw, int64_t mh, const DataType& idt, const DataType& wdt,
                        const DataType& odt, int64_t actval, bool xnor, bool no_activation,
                        const Shape& in_shape, const std::string& mem_mode) {
  auto n = make_node("StreamingFCLayer_Batch", inputs, {output}, kDataflowDomain);
  set_attr(n, "backend", "fpgadataflow");
  set_attr(n, "MW", mw);
  set_attr(n, "MH", mh);
  set_attr(n, "SIMD", int64_t{1});
  set_attr(n, "PE", int64_t{1});
  set_attr(n, "inputDataType", idt.name());
  set_attr(n, "weightDataType", wdt.name());
  set_attr(n, "outputDataType", odt.name());
  set_attr(n, "ActVal", actval);
  set_attr(n, "binaryXnorMode", int64_t{xnor});
  set_attr(n, "noActivation", int64_t{no_activation});
  set_attr(n, "numInputVectors", Shape(in_shape.begin(), in_shape.end() - 1));
  set_attr(n, "mem_mode", mem_mode);
  return n;
}

// Shared by the binary and quantized conversions. `xnor` selects XnorPopcountMatMul.
bool infer_fc(Model& m, const std::string& mem_mode, ConversionNotes* notes, bool xnor) {
  bool changed = false;
  for (int i = 0; i < m.node_count(); ++i) {
    const onnx::NodeProto mm = m.node(i);
    bool match = xnor ? is_general(mm, "XnorPopcountMatMul")
                      : (mm.op_type() == "MatMul" && mm.domain().empty());
    if (!match) continue;
    const std::string x = mm.input(0), w = mm.input(1), out = mm.output(0);
    if (!xnor && m.annotation(w, "tensor_sparsity")) {
      note(notes, mm,
           "its weights are sparse (depthwise), which needs Vector_Vector_Activate_Batch");
      continue;
    }
    DataType idt = m.datatype(x), wdt = m.datatype(w);
    if (!idt.is_integer()) {
      note(notes, mm, fmt::format("its input '{}' is {}, not an integer type", x, idt.name()));
      continue;
    }
    if (!wdt.is_integer()) {
      note(notes, mm, fmt::format("its weights '{}' are {}, not an integer type", w, wdt.name()));
      continue;
    }
    auto W = m.initializer(w);
    if (!W || W->rank() != 2) {
      note(notes, mm, fmt::format("its weights '{}' are not a constant matrix", w));
      continue;
    }
    auto in_shape = m.tensor_shape(x);
    if (!in_shape || in_shape->empty()) {
      note(notes, mm, fmt::format("the shape of its input '{}' is unknown", x));
      continue;
    }
    if (xnor) idt = wdt = DataType::binary();
    int64_t mw = W->shape()[0], mh = W->shape()[1];
    // A following MultiThreshold is fused when it is this MatMul's only consumer.
    int c = m.find_consumer(out);
    bool fuse = c >= 0 && is_general(m.node(c), "MultiThreshold") && m.consumers(out).size() == 1 &&
                !m.is_graph_output(out);
    if (fuse) {
      const onnx::NodeProto mt = m.node(c);
      auto T = integer_thresholds(m, mt);
      NodeAttrs a(mt);
      DataType odt = m.datatype(mt.output(0));
      float scale = a.f("out_scale"), bias = a.f("out_bias");
      std::string why;
      if (!T || T->rank() != 2)
        why = "its thresholds are not a constant matrix";
      else if (T->shape()[0] != 1 && T->shape()[0] != mh)
        why = fmt::format("its thresholds have {} rows, not 1 or {}", T->shape()[0], mh);
      int64_t actval = 0;
      if (why.empty() && !xnor) {
        bool bipolar_ok = odt == DataType::bipolar() && scale == 2.0f && bias == -1.0f;
        if (std::floor(bias) != bias)
          why = fmt::format("out_bias {} is not an integer", bias);
        else if (scale != 1.0f && !bipolar_ok)
          why = fmt::format("out_scale is {}, hardware needs 1", scale);
        else if (odt.is_signed() && !bipolar_ok && !(bias < 0))
          why = fmt::format("a signed output ({}) needs a negative out_bias", odt.name());
        actval = bipolar_ok ? 0 : static_cast<int64_t>(bias);
      } else if (why.empty()) {
        actval = odt.bitwidth() == 1 ? 0 : static_cast<int64_t>(odt.min());
      }
      if (why.empty()) {
        std::string tname = mt.input(1);
        DataType tdt = m.datatype(tname);
        m.set_initializer(tname, *T);
        m.set_datatype(tname, tdt);
        auto fc = make_fc({x, w, tname}, mt.output(0), mw, mh, idt, wdt, odt, actval, xnor, false,
                          *in_shape, mem_mode);
        int hi = std::max(i, c), lo = std::min(i, c);
        m.remove_node(hi);
        m.remove_node(lo);
        m.insert_node(lo, fc);
        changed = true;
        continue;
      }
      note(notes, m.node(c), why);
    }
    DataType odt = m.datatype(out);
    auto fc = make_fc({x, w}, out, mw, mh, idt, wdt, odt, 0, xnor, true, *in_shape, mem_mode);
    m.remove_node(i);
    m.insert_node(i, fc);
    changed = true;
  }
  if (changed) finish_conversion(m);
  return changed;
}

}  // namespace

bool infer_binary_streaming_fc_layer(Model& m, const std::string& mem_mode,
                                     ConversionNotes* notes) {
  return infer_fc(m, mem_mode, notes, true);
}

bool infer_quantized_streaming_fc_layer(Model& m, const std::string& mem_mode,
                                        ConversionNotes* notes) {
  return infer_fc(m, mem_mode, notes, false);
}

bool infer_thresholding_layer(Model& m, const std::string& mem_mode, ConversionNotes* notes) {
  bool changed = false;
  for (int i = 0; i < m.node_count(); ++i) {
    const onnx::NodeProto mt = m.node(i);
    if (!is_general(mt, "MultiThreshold")) continue;
    DataType idt = m.datatype(mt.input(0));
    if (!idt.is_integer()) {
      note(notes, mt,
           fmt::format("its input '{}' is {}, not an integer type", mt.input(0), idt.name()));
      continue;
    }
    auto shape = m.tensor_shape(mt.input(0));
    auto T = integer_thresholds(m, mt);
    NodeAttrs a(mt);
    float scale = a.f("out_scale"), bias = a.f("out_bias");
    DataType odt = m.datatype(mt.output(0));
    // NCHW feature maps: the hardware works on NHWC, so the op gets a Transpose on either
    // side (FINN's nchw_to_nhwc); AbsorbConsecutiveTransposes later cancels the pairs.
    const std::vector<std::string> nhwc = {"N", "H", "W", "C"};
    bool to_nhwc = shape && shape->size() == 4 && a.s("data_layout") != "NHWC";
    std::string why;
    if (!shape || shape->empty())
      why = "the shape of its input is unknown";
    else if (!T || T->rank() != 2)
      why = "its thresholds are not a constant matrix";
    else if (int64_t C = to_nhwc ? (*shape)[1] : shape->back();
             T->shape()[0] != 1 && T->shape()[0] != C)
      why = fmt::format("its thresholds have {} rows, not 1 or {}", T->shape()[0], C);
    else if (scale != 1.0f)
      why = fmt::format("out_scale is {}, hardware needs 1", scale);
    else if (std::floor(bias) != bias)
      why = fmt::format("out_bias {} is not an integer", bias);
    else if (odt.is_signed() && !(bias < 0))
      why = fmt::format("a signed output ({}) needs a negative out_bias", odt.name());
    if (!why.empty()) {
      note(notes, mt, why);
      continue;
    }
    std::vector<onnx::NodeProto> before, after;
    std::string th_in = mt.input(0), th_out = mt.output(0);
    if (to_nhwc) {
      Shape s4 = *shape, t4 = {s4[0], s4[2], s4[3], s4[1]};
      th_in = m.fresh_tensor_name(mt.input(0) + "_nhwc");
      m.set_tensor_shape(th_in, t4);
      m.set_datatype(th_in, idt);
      m.set_layout(th_in, nhwc);
      auto tin = make_node("Transpose", {mt.input(0)}, {th_in});
      set_attr(tin, "perm", std::vector<int64_t>{0, 2, 3, 1});
      before.push_back(tin);
      th_out = m.fresh_tensor_name(mt.output(0) + "_nhwc");
      m.set_tensor_shape(th_out, t4);
      m.set_datatype(th_out, odt);
      m.set_layout(th_out, nhwc);
      auto tout = make_node("Transpose", {th_out}, {mt.output(0)});
      set_attr(tout, "perm", std::vector<int64_t>{0, 3, 1, 2});
      after.push_back(tout);
      shape = t4;
    }
    std::string tname = mt.input(1);
    DataType tdt = m.datatype(tname);
    m.set_initializer(tname, *T);
    m.set_datatype(tname, tdt);
    auto n = make_node("Thresholding_Batch", {th_in, tname}, {th_out}, kDataflowDomain);
    set_attr(n, "backend", "fpgadataflow");
    set_attr(n, "NumChannels", shape->back());
    set_attr(n, "PE", int64_t{1});
    set_attr(n, "numSteps", T->shape()[1]);
    set_attr(n, "inputDataType", idt.name());
    set_attr(n, "weightDataType", idt.name());  // set by MinimizeAccumulatorWidth
    set_attr(n, "outputDataType", odt.name());
    set_attr(n, "numInputVectors", Shape(shape->begin(), shape->end() - 1));
    set_attr(n, "ActVal", static_cast<int64_t>(bias));
    set_attr(n, "mem_mode", mem_mode);
    m.remove_node(i);
    std::vector<onnx::NodeProto> nodes = before;
    nodes.push_back(n);
    nodes.insert(nodes.end(), after.begin(), after.end());
    for (std::size_t j = 0; j < nodes.size(); ++j) m.insert_node(i + static_cast<int>(j), nodes[j]);
    i += static_cast<int>(nodes.size()) - 1;
    changed = true;
  }
  if (changed) finish_conversion(m);
  return changed;
}

bool infer_label_select_layer(Model& m, ConversionNotes* notes) {
  bool changed = false;
  for (int i = 0; i < m.node_count(); ++i) {
    const onnx::NodeProto t = m.node(i);
    if (t.op_type() != "TopK" || !t.domain().empty() || t.output_size() < 2) continue;
    DataType idt = m.datatype(t.input(0));
    auto shape = m.tensor_shape(t.input(0));
    std::optional<Tensor> k;
    if (t.input_size() > 1) k = m.initializer(t.input(1));
    std::string why;
    if (!idt.is_integer())
      why = fmt::format("its input '{}' is {}, not an integer type", t.input(0), idt.name());
    else if (!m.consumers(t.output(0)).empty() || m.is_graph_output(t.output(0)))
      why = "its values output is used";
    else if (!shape || shape->empty())
      why = "the shape of its input is unknown";
    else if (!k || k->size() != 1)
      why = "k is not a constant";
    else if (attr_int(t, "largest", 1) != 1)
      why = "it selects the smallest values";
    else if (auto axis = attr_int(t, "axis", -1);
             axis != -1 && axis != static_cast<int64_t>(shape->size()) - 1)
      why = "it does not select along the last axis";
    if (!why.empty()) {
      note(notes, t, why);
      continue;
    }
    auto n = make_node("LabelSelect_Batch", {t.input(0)}, {t.output(1)}, kDataflowDomain);
    set_attr(n, "backend", "fpgadataflow");
    set_attr(n, "Labels", shape->back());
    set_attr(n, "PE", int64_t{1});
    set_attr(n, "K", static_cast<int64_t>(k->get(0)));
    set_attr(n, "inputDataType", idt.name());
    // FINN's LabelSelect_Batch constructor stores its derived output type (Labels 10: UINT8).
    set_attr(n, "outputDataType", hw_op_of(n)->output_datatype(n).name());
    m.remove_node(i);
    m.insert_node(i, n);
    changed = true;
  }
  if (changed) finish_conversion(m);
  return changed;
}

// InferConvInpGen (conv.md §3.3): an Im2Col on integer data becomes [FMPadding_Batch ->]
// ConvolutionInputGenerator, or DownSampler for a pointwise kernel with a stride.
bool infer_conv_inp_gen(Model& m, ConversionNotes* notes) {
  bool changed = false;
  for (int i = 0; i < m.node_count(); ++i) {
    const onnx::NodeProto n = m.node(i);
    if (!is_general(n, "Im2Col")) continue;
    const std::string x = n.input(0), y = n.output(0);
    DataType dt = m.datatype(x);
    auto in = m.tensor_shape(x), out = m.tensor_shape(y);
    NodeAttrs a(n);
    auto stride = attr_ints(n, "stride", {1, 1}), kernel = attr_ints(n, "kernel_size");
    auto pad = attr_ints(n, "pad_amount", {0, 0, 0, 0});
    auto dil = attr_ints(n, "dilations", {1, 1});
    int64_t depthwise = attr_int(n, "depthwise", 0);
    float pad_value = static_cast<float>(attr_int(n, "pad_value", 0));
    std::string why;
    if (!dt.is_integer())
      why = fmt::format("its input '{}' is {}, not an integer type", x, dt.name());
    else if (!in || in->size() != 4 || !out || out->size() != 4)
      why = "its input or output is not a 4-D NHWC tensor of known shape";
    else if (kernel.size() != 2 || stride.size() != 2 || pad.size() != 4 || dil.size() != 2)
      why = "its kernel, stride, padding or dilation is not 2-D";
    else if (pad[0] + pad[2] != pad[1] + pad[3])
      why = fmt::format("its padding [{}, {}, {}, {}] differs between height and width", pad[0],
                        pad[1], pad[2], pad[3]);
    else if (kernel[0] != kernel[1] || stride[0] != stride[1] || (*in)[1] != (*in)[2] ||
             (*out)[1] != (*out)[2])
      why = "its kernel, stride or image is not square";
    else if (dil[0] != 1 || dil[1] != 1)
      why = fmt::format("its dilation is {}x{}, FINN v0.6 maps only 1", dil[0], dil[1]);
    else if ((pad[0] + pad[2] > 0) && !dt.allowed(pad_value))
      why = fmt::format("its padding value {} is not a {} value", pad_value, dt.name());
    if (!why.empty()) {
      note(notes, n, why);
      continue;
    }
    const int64_t C = (*in)[3], D = (*in)[1], k = kernel[0], s = stride[0], OD = (*out)[1];
    std::vector<onnx::NodeProto> nodes;
    std::string swg_in = x;
    int64_t swg_dim = D;
    if (pad[0] + pad[1] + pad[2] + pad[3] > 0) {
      swg_dim = D + pad[0] + pad[2];
      swg_in = m.fresh_tensor_name(y + "_padded");
      m.set_tensor_shape(swg_in, {1, swg_dim, D + pad[1] + pad[3], C});
      m.set_datatype(swg_in, dt);
      auto p = make_node("FMPadding_Batch", {x}, {swg_in}, kDataflowDomain);
      set_attr(p, "backend", "fpgadataflow");
      set_attr(p, "ImgDim", std::vector<int64_t>{D, (*in)[2]});
      set_attr(p, "Padding", pad);
      set_attr(p, "NumChannels", C);
      set_attr(p, "inputDataType", dt.name());
      set_attr(p, "SIMD", C);
      nodes.push_back(p);
    }
    if (k == 1 && s > 1) {
      auto d = make_node("DownSampler", {swg_in}, {y}, kDataflowDomain);
      set_attr(d, "backend", "fpgadataflow");
      set_attr(d, "ImgDim", swg_dim);
      set_attr(d, "NumChannels", C);
      set_attr(d, "SIMD", C);
      set_attr(d, "Stride", s);
      set_attr(d, "inputDataType", dt.name());
      nodes.push_back(d);
    } else {
      auto g = make_node("ConvolutionInputGenerator", {swg_in}, {y}, kDataflowDomain);
      set_attr(g, "backend", "fpgadataflow");
      set_attr(g, "ConvKernelDim", std::vector<int64_t>{k, k});
      set_attr(g, "IFMChannels", C);
      set_attr(g, "IFMDim", std::vector<int64_t>{swg_dim, swg_dim});
      set_attr(g, "OFMDim", std::vector<int64_t>{OD, OD});
      set_attr(g, "SIMD", C);
      set_attr(g, "Stride", std::vector<int64_t>{s, s});
      set_attr(g, "Dilation", std::vector<int64_t>{1, 1});
      set_attr(g, "inputDataType", dt.name());
      set_attr(g, "outputDataType", dt.name());
      set_attr(g, "depthwise", depthwise);
      nodes.push_back(g);
    }
    m.remove_node(i);
    for (std::size_t j = 0; j < nodes.size(); ++j) m.insert_node(i + static_cast<int>(j), nodes[j]);
    changed = true;
  }
  if (changed) finish_conversion(m);
  return changed;
}

// InferStreamingMaxPool (conv.md §3.3): MaxPoolNHWC with non-overlapping square windows
// that tile the image. FINN v0.6 checks only ImgDim % k and so maps a k=3, s=2 pool to
// the wrong hardware; shoal also requires stride == kernel and no padding.
bool infer_streaming_maxpool(Model& m, ConversionNotes* notes) {
  bool changed = false;
  for (int i = 0; i < m.node_count(); ++i) {
    const onnx::NodeProto n = m.node(i);
    if (!is_general(n, "MaxPoolNHWC")) continue;
    DataType dt = m.datatype(n.input(0));
    auto in = m.tensor_shape(n.input(0));
    auto kernel = attr_ints(n, "kernel_shape"), strides = attr_ints(n, "strides", kernel);
    auto pads = attr_ints(n, "pads", {0, 0, 0, 0});
    std::string why;
    if (!dt.is_integer())
      why = fmt::format("its input '{}' is {}, not an integer type", n.input(0), dt.name());
    else if (!in || in->size() != 4 || (*in)[1] != (*in)[2])
      why = "its input is not a square NHWC feature map of known shape";
    else if (kernel.size() != 2 || kernel[0] != kernel[1])
      why = "its kernel is not square";
    else if (strides != kernel)
      why = fmt::format(
          "its stride {} differs from its kernel {} (StreamingMaxPool_Batch pools "
          "non-overlapping windows)",
          strides.empty() ? 0 : strides[0], kernel[0]);
    else if (std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p != 0; }))
      why = "it is padded";
    else if ((*in)[1] % kernel[0] != 0)
      why =
          fmt::format("its image size {} is not a multiple of its kernel {}", (*in)[1], kernel[0]);
    if (!why.empty()) {
      note(notes, n, why);
      continue;
    }
    auto p = make_node("StreamingMaxPool_Batch", {n.input(0)}, {n.output(0)}, kDataflowDomain);
    set_attr(p, "backend", "fpgadataflow");
    set_attr(p, "ImgDim", (*in)[1]);
    set_attr(p, "PoolDim", kernel[0]);
    set_attr(p, "NumChannels", (*in)[3]);
    set_attr(p, "dataType", dt.name());
    m.remove_node(i);
    m.insert_node(i, p);
    changed = true;
  }
  if (changed) finish_conversion(m);
  return changed;
}

// RemoveCNVtoFCFlatten (conv.md §3.3): Transpose(0,3,1,2) -> Reshape to 2-D ->
// StreamingFCLayer_Batch reads the NHWC map directly once its weight rows are permuted from
// (c, h, w) to (h, w, c) order.
bool remove_cnv_to_fc_flatten(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    const onnx::NodeProto t = m.node(i);
    if (t.op_type() != "Transpose" || !t.domain().empty()) continue;
    if (attr_ints(t, "perm") != std::vector<int64_t>{0, 3, 1, 2}) continue;
    auto tc = m.consumers(t.output(0));
    if (tc.size() != 1 || m.is_graph_output(t.output(0))) continue;
    const onnx::NodeProto r = m.node(tc[0]);
    if ((r.op_type() != "Reshape" && r.op_type() != "Flatten") || !r.domain().empty()) continue;
    auto rc = m.consumers(r.output(0));
    if (rc.size() != 1 || m.is_graph_output(r.output(0))) continue;
    const onnx::NodeProto fc = m.node(rc[0]);
    if (fc.op_type() != "StreamingFCLayer_Batch" || fc.input(0) != r.output(0)) continue;
    auto in = m.tensor_shape(t.input(0)), flat = m.tensor_shape(r.output(0));
    auto W = m.initializer(fc.input(1));
    if (!in || in->size() != 4 || !flat || flat->size() != 2 || !W || W->rank() != 2) continue;
    const int64_t H = (*in)[1], Wd = (*in)[2], C = (*in)[3], MH = W->shape()[1];
    if (W->shape()[0] != H * Wd * C) continue;
    // Row (c, h, w) of the flattened NCHW order moves to row (h, w, c).
    Tensor permuted = W->astype(ElemType::Float);
    auto src = W->astype(ElemType::Float);
    auto ps = src.span<float>();
    auto pd = permuted.span<float>();
    for (int64_t c = 0; c < C; ++c)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < Wd; ++w) {
          int64_t from = (c * H + h) * Wd + w, to = (h * Wd + w) * C + c;
          std::copy_n(ps.begin() + from * MH, MH, pd.begin() + to * MH);
        }
    std::string wname = fc.input(1);
    DataType wdt = m.datatype(wname);
    m.set_initializer(wname, permuted);
    m.set_datatype(wname, wdt);
    std::string src_tensor = t.input(0);
    m.node(rc[0]).set_input(0, src_tensor);
    int hi = std::max(i, tc[0]), lo = std::min(i, tc[0]);
    m.remove_node(hi);
    m.remove_node(lo);
    apply(m, remove_unused_tensors);
    return true;
  }
  return false;
}

bool minimize_accumulator_width(Model& m) {
  for (int i = 0; i < m.node_count(); ++i)
    if (const HwOp* op = hw_op_of(m.node(i))) op->minimize_accumulator_width(m, i);
  return false;
}

// A Transpose followed by its inverse cancels (absorb.py AbsorbConsecutiveTransposes).
bool absorb_consecutive_transposes(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    const auto& a = m.node(i);
    if (a.op_type() != "Transpose" || !a.domain().empty()) continue;
    auto cons = m.consumers(a.output(0));
    if (cons.size() != 1 || m.is_graph_output(a.output(0))) continue;
    const auto& b = m.node(cons[0]);
    if (b.op_type() != "Transpose" || !b.domain().empty()) continue;
    auto p1 = attr_ints(a, "perm"), p2 = attr_ints(b, "perm");
    if (p1.size() != p2.size() || p1.empty()) continue;
    bool inverse = true;
    for (std::size_t k = 0; k < p1.size(); ++k) inverse &= p1[p2[k]] == static_cast<int64_t>(k);
    if (!inverse || m.is_graph_output(b.output(0))) continue;
    std::string in = a.input(0), out = b.output(0);
    int bi = cons[0];
    m.remove_node(std::max(i, bi));
    m.remove_node(std::min(i, bi));
    for (int c : m.consumers(out))
      for (auto& x : *m.node(c).mutable_input())
        if (x == out) x = in;
    return true;
  }
  return false;
}

void convert_to_hls_step(Model& m, const ConvertToHlsOptions& o, ConversionNotes* notes) {
  apply(m, infer_shapes_transform);
  if (o.standalone_thresholds)
    apply(m, [&](Model& x) { return infer_thresholding_layer(x, "const", notes); });
  apply(m, [&](Model& x) { return infer_binary_streaming_fc_layer(x, o.mem_mode, notes); });
  apply(m, [&](Model& x) { return infer_quantized_streaming_fc_layer(x, o.mem_mode, notes); });
  apply(m, [&](Model& x) { return infer_label_select_layer(x, notes); });
  // v0.6's builder calls InferThresholdingLayer() with its default mem_mode, "const".
  apply(m, [&](Model& x) { return infer_thresholding_layer(x, "const", notes); });
  bool convs = false;
  for (const auto& n : m.graph().node()) convs |= is_general(n, "Im2Col");
  if (convs) {
    apply(m, [&](Model& x) { return infer_conv_inp_gen(x, notes); });
    apply(m, [&](Model& x) { return infer_streaming_maxpool(x, notes); });
    apply(m, remove_cnv_to_fc_flatten);
  }
  apply(m, absorb_consecutive_transposes);
  apply(m, [](Model& x) { return give_unique_node_names(x); });
  apply(m, infer_data_layouts);
}

}  // namespace shoal
