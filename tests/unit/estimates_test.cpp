// FINN v0.6's cycle and resource formulas against the numbers FINN's own builds printed
// (estimates.md §5 and the v0.6 cybersecurity notebook, hardware.md §8).
#include <gtest/gtest.h>

#include "shoal/core/pyjson.hpp"
#include "shoal/ops/hw_op.hpp"
#include "shoal/transforms/folding.hpp"
#include "test_util.hpp"

using namespace shoal;

namespace {

onnx::NodeProto fc(int64_t mw, int64_t mh, int64_t pe, int64_t simd, const char* idt,
                   const char* wdt, const char* odt, bool no_activation = false,
                   const char* mem_mode = "decoupled") {
  auto n = make_node("StreamingFCLayer_Batch", {"x", "w"}, {"y"}, kDataflowDomain, "fc");
  set_attr(n, "backend", "fpgadataflow");
  set_attr(n, "MW", mw);
  set_attr(n, "MH", mh);
  set_attr(n, "PE", pe);
  set_attr(n, "SIMD", simd);
  set_attr(n, "inputDataType", idt);
  set_attr(n, "weightDataType", wdt);
  set_attr(n, "outputDataType", odt);
  set_attr(n, "noActivation", int64_t{no_activation});
  set_attr(n, "mem_mode", mem_mode);
  return n;
}

}  // namespace

TEST(Estimates, FacileLikeWorkedExample) {
  struct Row {
    int64_t mw, mh, cycles, lut, lut_dsp;
    double eff;
  } rows[] = {{14, 31, 434, 2588, 2548, 0.14127604166666666},
              {31, 11, 341, 2727, 2688, 0.11100260416666667},
              {11, 3, 33, 2588, 2548, 0.0107421875},
              {3, 1, 3, 2308, 2269, 0.0009765625}};
  for (const auto& r : rows) {
    auto n = fc(r.mw, r.mh, 1, 1, "INT6", "INT6", "UINT6");
    const HwOp* op = hw_op_of(n);
    EXPECT_EQ(op->exp_cycles(n), r.cycles);
    EXPECT_EQ(op->lut_estimation(n), r.lut);
    EXPECT_EQ(op->bram_estimation(n), 1);
    EXPECT_EQ(*op->bram_efficiency(n), r.eff);
    EXPECT_EQ(op->dsp_estimation(n), 0);
    set_attr(n, "resType", "dsp");
    EXPECT_EQ(op->lut_estimation(n), r.lut_dsp);
    EXPECT_EQ(op->dsp_estimation(n), 1);
  }
  auto th = make_node("Thresholding_Batch", {"x", "t"}, {"y"}, kDataflowDomain, "th");
  set_attr(th, "backend", "fpgadataflow");
  set_attr(th, "NumChannels", int64_t{1});
  set_attr(th, "PE", int64_t{1});
  set_attr(th, "numSteps", int64_t{15});
  set_attr(th, "inputDataType", "UINT6");
  set_attr(th, "weightDataType", "UINT6");
  set_attr(th, "outputDataType", "UINT4");
  const HwOp* top = hw_op_of(th);
  EXPECT_EQ(top->exp_cycles(th), 1);
  EXPECT_EQ(top->lut_estimation(th), 6);
  EXPECT_EQ(top->bram_estimation(th), 0);
  EXPECT_EQ(python_json_dump(top->resource_estimates(th)),
            "{\n  \"BRAM_18K\": 0,\n  \"BRAM_efficiency\": 1,\n  \"LUT\": 6,\n  \"URAM\": 0,\n"
            "  \"URAM_efficiency\": 1,\n  \"DSP\": 0\n}");
}

TEST(Estimates, CybersecurityNotebookAnchors) {
  // v0.6 notebook: mvau_wwidth_max 80, target 100 cycles: LUT 8184 / 1217 / 1217 / 341,
  // BRAM_18K 36 / 4 / 4 / 1, cycles 60 / 64 / 64 / 64 (2-bit activations throughout).
  struct Row {
    int64_t mw, mh, pe, simd;
    const char *idt, *odt;
    int64_t cycles, lut, bram;
  } rows[] = {{600, 64, 16, 40, "BIPOLAR", "UINT2", 60, 8184, 36},
              {64, 64, 1, 64, "UINT2", "UINT2", 64, 1217, 4},
              {64, 64, 1, 64, "UINT2", "UINT2", 64, 1217, 4},
              {64, 1, 1, 1, "UINT2", "BIPOLAR", 64, 341, 1}};
  for (const auto& r : rows) {
    auto n = fc(r.mw, r.mh, r.pe, r.simd, r.idt, "INT2", r.odt);
    const HwOp* op = hw_op_of(n);
    EXPECT_EQ(op->exp_cycles(n), r.cycles);
    EXPECT_EQ(op->lut_estimation(n), r.lut);
    EXPECT_EQ(op->bram_estimation(n), r.bram);
  }
}

TEST(Estimates, FifoAndWidthConverter) {
  auto fifo = make_node("StreamingFIFO", {"x"}, {"y"}, kDataflowDomain, "f");
  set_attr(fifo, "backend", "fpgadataflow");
  set_attr(fifo, "depth", int64_t{512});
  set_attr(fifo, "folded_shape", std::vector<int64_t>{1, 16, 49});
  set_attr(fifo, "dataType", "UINT8");
  const HwOp* op = hw_op_of(fifo);
  EXPECT_EQ(op->instream_width(fifo), 392);
  // rtl: 2*ceil(log2 512) + ceil(512/32) * ceil(392/2) = 18 + 16*196
  EXPECT_EQ(op->lut_estimation(fifo), 18 + 16 * 196);
  EXPECT_EQ(op->bram_estimation(fifo), 0);
  set_attr(fifo, "impl_style", "vivado");
  set_attr(fifo, "ram_style", "block");
  // W = 392 > 36, depth 512: ceil(512/512) * ceil(392/36)
  EXPECT_EQ(op->bram_estimation(fifo), 11);
  EXPECT_EQ(op->lut_estimation(fifo), 18);

  auto dwc = make_node("StreamingDataWidthConverter_Batch", {"x"}, {"y"}, kDataflowDomain, "d");
  set_attr(dwc, "backend", "fpgadataflow");
  set_attr(dwc, "shape", std::vector<int64_t>{1, 64});
  set_attr(dwc, "inWidth", int64_t{16});
  set_attr(dwc, "outWidth", int64_t{64});
  set_attr(dwc, "dataType", "UINT2");
  const HwOp* dop = hw_op_of(dwc);
  EXPECT_EQ(dop->folded_input_shape(dwc), (Shape{1, 8, 8}));
  EXPECT_EQ(dop->folded_output_shape(dwc), (Shape{1, 2, 32}));
  // intw = lcm(64, 16) = 64 != in: |ceil(log2(16/64))| = 2, + 64
  EXPECT_EQ(dop->lut_estimation(dwc), 66);
}

TEST(Estimates, PythonJsonFormatting) {
  EXPECT_EQ(python_float_repr(4.0), "4.0");
  EXPECT_EQ(python_float_repr(0.0107421875), "0.0107421875");
  EXPECT_EQ(python_float_repr(11520.737327188941), "11520.737327188941");
  EXPECT_EQ(python_float_repr(1e-05), "1e-05");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(1e15), "1000000000000000.0");
  EXPECT_EQ(python_float_repr(-2.5e-7), "-2.5e-07");
  EXPECT_EQ(python_float_repr(162400.0), "162400.0");
  nlohmann::ordered_json j;
  j["a"] = nlohmann::ordered_json::object();
  j["b"] = nlohmann::ordered_json::array();
  j["c"] = {1, 2.5};
  EXPECT_EQ(python_json_dump(j),
            "{\n  \"a\": {},\n  \"b\": [],\n  \"c\": [\n    1,\n    2.5\n  ]\n}");
}

TEST(Folding, ClockAndTarget) {
  EXPECT_EQ(target_cycles_per_frame(200.0, 100), 50000);
  EXPECT_EQ(target_cycles_per_frame(10.0, 1e6), 100);
  EXPECT_EQ(ClockPeriod::parse("200").text(), "200");
  EXPECT_EQ(ClockPeriod::parse("200.0").text(), "200.0");
  EXPECT_TRUE(ClockPeriod::parse("200").is_integer);
  EXPECT_FALSE(ClockPeriod::parse("2.5").is_integer);
  EXPECT_EQ(divisors(12), (std::vector<int64_t>{1, 2, 3, 4, 6, 12}));
}
