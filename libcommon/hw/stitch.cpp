// Width converters and FIFOs between the layers, and the stitched top level (hardware.md §3;
// FINN's InsertDWC, InsertFIFO and CreateStitchedIP, without Vivado's block design: the top
// level is generated Verilog, and a Tcl script packages it for users who have Vivado).
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <numeric>
#include <set>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/io.hpp"
#include "shoal/core/json.hpp"
#include "shoal/hw/stitch.hpp"
#include "shoal/ops/hw_op.hpp"
#include "shoal/transforms/transforms.hpp"

namespace shoal {
namespace fs = std::filesystem;

namespace {

const HwOp& hw(const onnx::NodeProto& n) {
  const HwOp* op = hw_op_of(n);
  if (!op) fail("{} is not a hardware layer", describe(n));
  return *op;
}

// Inserts `node` (whose input is `tensor`) before every consumer `consumer` of `tensor`,
// giving the node a fresh output tensor with the given shape and datatype.
void splice_after(Model& m, int consumer, const std::string& tensor, onnx::NodeProto node,
                  const Shape& shape, const DataType& dt) {
  std::string out = m.fresh_tensor_name(tensor + "_stream");
  node.set_input(0, tensor);
  node.add_output(out);
  m.set_tensor_shape(out, shape);
  m.set_datatype(out, dt);
  auto& c = m.node(consumer);
  for (auto& in : *c.mutable_input())
    if (in == tensor) in = out;
  m.insert_node(consumer, std::move(node));
}

onnx::NodeProto make_dwc(const Shape& shape, int64_t in_width, int64_t out_width,
                         const DataType& dt) {
  auto n = make_node("StreamingDataWidthConverter_Batch", {""}, {}, kDataflowDomain);
  set_attr(n, "backend", "fpgadataflow");
  set_attr(n, "shape", shape);
  set_attr(n, "inWidth", in_width);
  set_attr(n, "outWidth", out_width);
  set_attr(n, "dataType", dt.name());
  return n;
}

}  // namespace

std::vector<int> dataflow_chain(const Model& m) {
  auto ins = m.graph_input_names(), outs = m.graph_output_names();
  if (ins.size() != 1 || outs.size() != 1)
    fail("the dataflow model has {} inputs and {} outputs; stitching needs exactly one of each",
         ins.size(), outs.size());
  std::vector<int> chain;
  std::string tensor = ins[0];
  std::set<int> seen;
  while (tensor != outs[0]) {
    auto cons = m.consumers(tensor);
    if (cons.size() != 1)
      fail("tensor '{}' feeds {} nodes; stitching handles a chain of layers only", tensor,
           cons.size());
    int i = cons[0];
    const auto& n = m.node(i);
    hw(n);
    if (!seen.insert(i).second || n.input(0) != tensor)
      fail("{} does not take '{}' as its stream input", describe(n), tensor);
    for (int k = 1; k < n.input_size(); ++k)
      if (!n.input(k).empty() && !m.has_initializer(n.input(k)))
        fail("{} has a second stream input '{}'; stitching handles a chain of layers only",
             describe(n), n.input(k));
    if (n.output_size() != 1) fail("{} has {} outputs", describe(n), n.output_size());
    chain.push_back(i);
    tensor = n.output(0);
  }
  if (static_cast<int>(chain.size()) != m.node_count())
    fail("{} of the {} nodes are not on the chain from the input to the output",
         m.node_count() - static_cast<int>(chain.size()), m.node_count());
  return chain;
}

bool insert_dwcs(Model& m) {
  bool changed = false;
  for (int i = 0; i + 1 < m.node_count(); ++i) {
    const auto& prod = m.node(i);
    if (!hw_op_of(prod) || prod.op_type() == "StreamingDataWidthConverter_Batch") continue;
    const std::string tensor = prod.output(0);
    auto cons = m.consumers(tensor);
    if (cons.size() != 1) continue;
    int c = cons[0];
    const auto& con = m.node(c);
    if (!hw_op_of(con) || con.op_type() == "StreamingDataWidthConverter_Batch") continue;
    const HwOp &p_op = hw(prod), &c_op = hw(con);
    if (p_op.folded_output_shape(prod).back() == c_op.folded_input_shape(con, 0).back()) continue;
    int64_t in_w = p_op.outstream_width(prod), out_w = c_op.instream_width(con, 0);
    Shape shape = p_op.normal_output_shape(prod);
    DataType dt = p_op.output_datatype(prod);
    if (std::max(in_w, out_w) % std::min(in_w, out_w) == 0) {
      splice_after(m, c, tensor, make_dwc(shape, in_w, out_w, dt), shape, dt);
    } else {
      int64_t lcm = std::lcm(in_w, out_w);
      splice_after(m, c, tensor, make_dwc(shape, in_w, lcm, dt), shape, dt);
      // the first converter now sits at index c; the second goes between it and the consumer
      splice_after(m, c + 1, m.node(c).output(0), make_dwc(shape, lcm, out_w, dt), shape, dt);
    }
    changed = true;
  }
  if (changed) give_unique_node_names(m);
  return changed;
}

bool insert_fifos(Model& m, const std::function<int64_t(int, int)>& depth) {
  struct Edge {
    int producer, consumer;
  };
  std::vector<Edge> edges;
  for (int i = 0; i < m.node_count(); ++i) {
    const auto& prod = m.node(i);
    if (!hw_op_of(prod) || prod.op_type() == "StreamingFIFO") continue;
    auto cons = m.consumers(prod.output(0));
    if (cons.size() != 1) continue;
    const auto& con = m.node(cons[0]);
    if (!hw_op_of(con) || con.op_type() == "StreamingFIFO") continue;
    edges.push_back({i, cons[0]});
  }
  // Insert from the back so that earlier indices stay valid.
  for (auto e = edges.rbegin(); e != edges.rend(); ++e) {
    const auto& prod = m.node(e->producer);
    const HwOp& p_op = hw(prod);
    const HwOp& c_op = hw(m.node(e->consumer));
    Shape folded = p_op.folded_output_shape(prod);
    Shape c_folded = c_op.folded_input_shape(m.node(e->consumer), 0);
    if (folded.back() != c_folded.back())
      fail("{} produces {} elements per beat but {} takes {}: insert width converters first",
           describe(prod), folded.back(), describe(m.node(e->consumer)), c_folded.back());
    auto n = make_node("StreamingFIFO", {""}, {}, kDataflowDomain);
    set_attr(n, "backend", "fpgadataflow");
    set_attr(n, "depth", depth(e->producer, e->consumer));
    set_attr(n, "folded_shape", folded);
    DataType dt = p_op.output_datatype(prod);
    set_attr(n, "dataType", dt.name());
    set_attr(n, "impl_style", "rtl");
    splice_after(m, e->consumer, prod.output(0), std::move(n), p_op.normal_output_shape(prod), dt);
  }
  if (!edges.empty()) give_unique_node_names(m);
  return !edges.empty();
}

StitchedIp write_stitched_ip(Model& m, const fs::path& dir, const fs::path& model_dir,
                             double clk_ns, const std::string& fpga_part) {
  std::vector<int> chain = dataflow_chain(m);
  StitchedIp ip;
  ip.dir = dir;
  std::error_code ec;
  fs::remove_all(dir, ec);
  make_dirs(dir);

  // Every node's directory is copied in flat; the hls/ modules once.
  std::set<std::string> copied;
  for (int i : chain) {
    const auto& n = m.node(i);
    fs::path src = node_ip_dir(m, n, model_dir);
    if (!fs::is_directory(src))
      fail("{}: its IP directory {} is missing", describe(n), src.string());
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(src))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::string name = f.filename().string();
      if (!copied.insert(name).second) {
        if (name.rfind("shoal_", 0) == 0) continue;  // a library module, already there
        fail("two nodes' IP directories both hold {}", name);
      }
      copy_file_atomic(f, dir / name);
      std::string ext = f.extension().string();
      if (ext == ".v" || ext == ".sv") ip.sources.push_back(name);
    }
  }
  // Library modules first, so that every tool sees them before their users.
  std::stable_partition(ip.sources.begin(), ip.sources.end(),
                        [](const std::string& s) { return s.rfind("shoal_", 0) == 0; });

  // The top level.
  const auto& first = m.node(chain.front());
  const auto& last = m.node(chain.back());
  ip.in_bits = hw(first).instream_width_padded(first, 0);
  ip.out_bits = hw(last).outstream_width_padded(last);
  std::string ports = fmt::format(
      "  input  wire ap_clk,\n"
      "  input  wire ap_rst_n,\n"
      "  input  wire [{}:0] s_axis_0_tdata,\n"
      "  input  wire s_axis_0_tvalid,\n"
      "  output wire s_axis_0_tready,\n"
      "  output wire [{}:0] m_axis_0_tdata,\n"
      "  output wire m_axis_0_tvalid,\n"
      "  input  wire m_axis_0_tready",
      ip.in_bits - 1, ip.out_bits - 1);
  std::string body;
  std::string prev = "s_axis_0";
  // top-level ports are lower case (FINN's block design names), layer ports upper case
  auto signal = [](const std::string& stream, std::string suffix, bool top) {
    if (!top)
      for (char& c : suffix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return stream + (top ? "_t" : "_T") + suffix;
  };
  for (std::size_t k = 0; k < chain.size(); ++k) {
    const auto& n = m.node(chain[k]);
    const HwOp& op = hw(n);
    bool last_node = k + 1 == chain.size();
    bool prev_top = k == 0;
    if (!prev_top) {
      const auto& p = m.node(chain[k - 1]);
      if (hw(p).outstream_width_padded(p) != op.instream_width_padded(n, 0))
        fail("{} sends {}-bit beats to {}, which takes {}-bit beats", describe(p),
             hw(p).outstream_width_padded(p), describe(n), op.instream_width_padded(n, 0));
    }
    std::string out = last_node ? "m_axis_0" : n.name() + "_out_V";
    if (!last_node)
      body += fmt::format("  wire [{}:0] {}_TDATA;\n  wire {}_TVALID;\n  wire {}_TREADY;\n",
                          op.outstream_width_padded(n) - 1, out, out, out);
    std::string monitor;
    if (n.op_type() == "StreamingFIFO" && attr_int(n, "depth_monitor", 0)) {
      std::string port = fmt::format("maxcount_{}", ip.monitors.size());
      ports += fmt::format(",\n  output wire [31:0] {}", port);
      ip.monitors.push_back(port);
      ip.monitored_fifos.push_back(n.name());
      monitor = fmt::format(",\n    .maxcount({})", port);
    }
    std::string module = attr_string(n, "gen_top_module", "");
    if (module.empty()) fail("{} has no generated IP (run ipgen first)", describe(n));
    body += fmt::format(
        "  {} {} (\n"
        "    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n),\n"
        "    .in0_V_TDATA({}), .in0_V_TVALID({}), .in0_V_TREADY({}),\n"
        "    .out_V_TDATA({}), .out_V_TVALID({}), .out_V_TREADY({}){});\n",
        module, n.name(), signal(prev, "data", prev_top), signal(prev, "valid", prev_top),
        signal(prev, "ready", prev_top), signal(out, "data", last_node),
        signal(out, "valid", last_node), signal(out, "ready", last_node), monitor);
    prev = out;
  }
  std::string top = fmt::format(
      "// finn_design_wrapper: the stitched dataflow design, generated by shoal stitch.\n"
      "// {} layers from s_axis_0 ({} bits) to m_axis_0 ({} bits); clock period {} ns.\n"
      "`default_nettype none\n"
      "module finn_design_wrapper (\n{}\n);\n{}endmodule\n"
      "`default_nettype wire\n",
      chain.size(), ip.in_bits, ip.out_bits, clk_ns, ports, body);
  write_file_atomic((dir / "finn_design_wrapper.v").string(), top);
  ip.sources.push_back("finn_design_wrapper.v");

  std::string list;
  for (const auto& s : ip.sources) list += s + "\n";
  write_file_atomic((dir / "all_verilog_srcs.txt").string(), list);

  // For users with Vivado: package the design as an IP, as FINN's CreateStitchedIP does.
  std::string tcl = fmt::format(
      "# Packages the stitched design as the Vivado IP xilinx_finn:finn:finn_design:1.0.\n"
      "# Generated by shoal stitch; run `vivado -mode batch -source make_project.tcl` here.\n"
      "create_project finn_vivado_stitch_proj finn_vivado_stitch_proj -part {} -force\n"
      "set srcs [split [string trim [read [open all_verilog_srcs.txt]]] \"\\n\"]\n"
      "add_files -norecurse $srcs\n"
      "set mems [glob -nocomplain *.dat]\n"
      "if {{[llength $mems]}} {{\n"
      "  add_files -norecurse $mems\n"
      "  set_property file_type {{Memory Initialization Files}} [get_files $mems]\n"
      "}}\n"
      "set_property top finn_design_wrapper [current_fileset]\n"
      "update_compile_order -fileset sources_1\n"
      "ipx::package_project -root_dir ip -vendor xilinx_finn -library finn -taxonomy /UserIP "
      "-import_files -set_current true\n"
      "set core [ipx::current_core]\n"
      "set_property name finn_design $core\n"
      "set_property core_revision 2 $core\n"
      "ipx::infer_bus_interfaces xilinx.com:interface:axis_rtl:1.0 $core\n"
      "ipx::associate_bus_interfaces -busif s_axis_0 -clock ap_clk $core\n"
      "ipx::associate_bus_interfaces -busif m_axis_0 -clock ap_clk $core\n"
      "# An inferred clock interface has no FREQ_HZ parameter until one is added.\n"
      "set clk_if [ipx::get_bus_interfaces ap_clk -of_objects $core]\n"
      "if {{[llength [ipx::get_bus_parameters FREQ_HZ -of_objects $clk_if]] == 0}} {{\n"
      "  ipx::add_bus_parameter FREQ_HZ $clk_if\n"
      "}}\n"
      "set freq [ipx::get_bus_parameters FREQ_HZ -of_objects $clk_if]\n"
      "set_property value {} $freq\n"
      "# The user's value, not one the packager recomputes; the block design's clock may\n"
      "# differ (its frequency is an integer number of MHz).\n"
      "set_property value_resolve_type user $freq\n"
      "set_property ipi_drc {{ignore_freq_hz true}} $core\n"
      "ipx::create_xgui_files $core\n"
      "ipx::update_checksums $core\n"
      "ipx::save_core $core\n"
      "close_project\n",
      fpga_part.empty() ? "xczu3eg-sbva484-1-e" : fpga_part,
      static_cast<int64_t>(std::llround(1e9 / clk_ns)));
  write_file_atomic((dir / "make_project.tcl").string(), tcl);
  write_file_atomic((dir / "make_project.sh").string(),
                    "#!/bin/sh\n# Needs Vivado on PATH.\ncd \"$(dirname \"$0\")\" && exec vivado "
                    "-mode batch -source make_project.tcl\n");
  fs::permissions(dir / "make_project.sh",
                  fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                  fs::perm_options::add, ec);

  // FINN's metadata (hardware.md §3.4), paths relative to the model.
  std::string rel = fs::relative(fs::absolute(dir), fs::absolute(model_dir), ec).string();
  if (ec || rel.empty()) rel = fs::absolute(dir).string();
  m.set_metadata("vivado_stitch_proj", rel);
  m.set_metadata("wrapper_filename", (fs::path(rel) / "finn_design_wrapper.v").string());
  m.set_metadata("vivado_stitch_vlnv", "xilinx_finn:finn:finn_design:1.0");
  nlohmann::ordered_json ifn;
  ifn["clk"] = {"ap_clk"};
  ifn["rst"] = {"ap_rst_n"};
  ifn["s_axis"] = nlohmann::ordered_json::array({{"s_axis_0", ip.in_bits}});
  ifn["m_axis"] = nlohmann::ordered_json::array({{"m_axis_0", ip.out_bits}});
  ifn["aximm"] = nlohmann::ordered_json::array();
  ifn["axilite"] = nlohmann::ordered_json::array();
  ifn["ap_none"] = ip.monitors;
  m.set_metadata("vivado_stitch_ifnames", ifn.dump());
  if (!m.metadata("clk_ns")) m.set_metadata("clk_ns", fmt::format("{}", clk_ns));
  m.set_metadata("fpga_part", fpga_part);
  return ip;
}

StitchedIp stitched_ip_of(const Model& m) {
  auto rel = m.metadata("vivado_stitch_proj");
  auto ifn_text = m.metadata("vivado_stitch_ifnames");
  if (!rel || !ifn_text)
    fail("{} records no stitched design (run stitch first)",
         m.path().empty() ? std::string("the model") : m.path().string());
  StitchedIp ip;
  fs::path p(*rel);
  ip.dir = p.is_absolute() ? p : m.directory() / p;
  auto ifn = parse_json(*ifn_text, "metadata vivado_stitch_ifnames");
  try {
    ip.in_bits = ifn.at("s_axis").at(0).at(1).get<int64_t>();
    ip.out_bits = ifn.at("m_axis").at(0).at(1).get<int64_t>();
    if (ifn.contains("ap_none"))
      for (const auto& x : ifn["ap_none"]) ip.monitors.push_back(x.get<std::string>());
  } catch (const nlohmann::json::exception&) {
    fail("metadata vivado_stitch_ifnames is not the interface list stitch writes: {}", *ifn_text);
  }
  for (int i : dataflow_chain(m)) {
    const auto& n = m.node(i);
    if (n.op_type() == "StreamingFIFO" && attr_int(n, "depth_monitor", 0))
      ip.monitored_fifos.push_back(n.name());
  }
  if (ip.monitored_fifos.size() != ip.monitors.size())
    fail("the stitched design has {} FIFO monitors but the model {} monitored FIFOs",
         ip.monitors.size(), ip.monitored_fifos.size());
  std::string list = read_file((ip.dir / "all_verilog_srcs.txt").string());
  std::size_t start = 0;
  for (std::size_t nl; (nl = list.find('\n', start)) != std::string::npos; start = nl + 1)
    if (nl > start) ip.sources.push_back(list.substr(start, nl - start));
  return ip;
}

}  // namespace shoal
