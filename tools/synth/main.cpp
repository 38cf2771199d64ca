// synth: FINN's step_out_of_context_synthesis, with Yosys (and nextpnr-ice40 for iCE40
// parts, Vivado for Xilinx parts where it is on PATH).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "shoal/core/cli.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/io.hpp"
#include "shoal/core/model.hpp"
#include "shoal/core/process.hpp"
#include "shoal/core/pyjson.hpp"
#include "shoal/targets/bitfile.hpp"
#include "shoal/targets/synth.hpp"
#include "shoal/transforms/folding.hpp"

using namespace shoal;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  ToolInfo info{
      "synth",
      "synth STITCHED.onnx --part PART [--clk-ns T] --report-dir DIR [--work-dir W] "
      "[--per-layer] [--layer-sum] [-j N]\n"
      "       synth STITCHED.onnx --bitfile BITDIR --board BOARD [--shell-flow-type T] "
      "[--clk-ns T] --report-dir DIR [--work-dir W]",
      "Synthesizes the stitched design of a model (after `stitch`) out of context, as FINN's\n"
      "step_out_of_context_synthesis, and writes DIR/ooc_synth_and_timing.json: FINN's keys\n"
      "LUT, FF, DSP, BRAM, WNS, fmax_mhz, estimated_throughput_fps in FINN's order (floats;\n"
      "BRAM in FINN's unit), then keys that say what produced them: synthesis_tool, timing.\n"
      "fmax_mhz = 1000 / (clock - WNS), 0 when WNS is exactly 0 (FINN's quirk);\n"
      "estimated_throughput_fps = fmax_mhz * 1e6 / max_cycles, max_cycles the largest\n"
      "cycles_estimate of the layers (their expected cycles where none is annotated).\n"
      "The clock is --clk-ns, else the one the model records.\n"
      "\n"
      "Xilinx parts (xc7...: synth_xilinx -family xc7; xczu/xcu/xcvu/xcku/xcau/xck26...:\n"
      "-family xcup): where `vivado` is on PATH it runs W/synth_ooc.tcl as FINN's OOC step\n"
      "does (a project of every source with a clock on ap_clk, out-of-context synthesis\n"
      "with Flow_PerfOptimized_high and retiming, placed and routed; the routed design's\n"
      "utilization and WNS in W/vivado/res.txt with FINN's keys: LUT LUTRAM FF DSP BRAM\n"
      "BRAM_18K BRAM_36K URAM Carry WNS Delay vivado_version vivado_build_no) and reports\n"
      "Vivado's numbers with vivado_proj_folder first, as FINN does. Memory file names in the\n"
      "sources are made absolute where Vivado runs, and a run that could not read one (Synth\n"
      "8-4445: zero weights) is an error. Without Vivado it still writes that script,\n"
      "says so in the \"vivado\" key, and runs Yosys: synth_xilinx -flatten -noiopad\n"
      "-noclkbuf of finn_design_wrapper.\n"
      "--layer-sum reports instead the sum of every layer synthesized alone (top = the node's\n"
      "module; FIFOs and width converters are layers too; the stitched top is only wiring),\n"
      "-j N Yosys processes at a time (default: one per hardware thread), each result cached\n"
      "by content in $SHOAL_SYNTH_CACHE (default ~/.cache/shoal/synth), so that a rerun\n"
      "synthesizes only the layers that changed; DIR/synth_layer_resources.json has them. It\n"
      "is faster and NOT exact: a layer alone does not become the netlist it becomes inside\n"
      "the flattened whole design. ABC maps for the least depth and recovers area only within\n"
      "the deepest path of what it maps, which the rest of the design sets; and one Yosys\n"
      "wreduce pass narrows an MVAU's popcount adders only as far as the order it visits them\n"
      "allows (TFC_1W1A's first layer alone kept 432 of them 8 bits wide). A layer is mapped\n"
      "with its hierarchy kept (weight memory apart from datapath), then flattened to be\n"
      "counted and timed. Measured on the shared MLPs at 1e6 fps (bench/full_build.py): FF\n"
      "within 0.4 %, LUT from 2 % below to 45 % above the whole design's.\n"
      "LUT = LUT1..LUT6 and INV cells (LUT_logic) + LUTs of distributed RAM (LUTRAM) and\n"
      "shift registers (SRL), as Vivado's LUT total counts them; FF = FD* cells; BRAM =\n"
      "RAMB36 + RAMB18 / 2; URAM; DSP = DSP48E1/E2. The timing is an ESTIMATE, labelled so in\n"
      "the report: Yosys `sta` over the netlist with the cell delays of Yosys' 7-series models\n"
      "(no routing delays, no setup times; cells without a model, such as UltraScale's E2\n"
      "primitives, cut the paths through them); WNS = clock - critical_path_ns. With\n"
      "--layer-sum the critical path is the longest of any layer's: paths that cross layer\n"
      "boundaries are not seen.\n"
      "\n"
      "Lattice iCE40 parts (ice40<device>[-<package>], e.g. ice40up5k-sg48, ice40hx8k-ct256,\n"
      "ice40hx1k-tq144; without a package nextpnr's default): Yosys synth_ice40 (-dsp on\n"
      "UltraPlus parts), nextpnr-ice40 --freq 1000/clock --seed 1, icepack. The design's\n"
      "stream ports are wider than any package has pins, so it is placed inside\n"
      "shoal_ice40_top (W/ice40/shoal_ice40_top.v): 8 registered pins, s_axis_0 TDATA from a\n"
      "serial-in shift register, m_axis_0 TDATA XOR-reduced to one pin by registered 4-input\n"
      "XOR stages; nothing of the core is optimized away, and fmax_mhz is the placed-and-routed\n"
      "fmax of the design core (the wrapper adds no logic level to it beyond one XOR LUT after\n"
      "the outputs). LUT/FF count SB_LUT4/SB_DFF* including the wrapper's flip-flops (the\n"
      "io_wrapper key says how many); DSP and BRAM are nextpnr's ICESTORM_DSP and ICESTORM_RAM\n"
      "(4-kbit blocks); \"utilization\" has nextpnr's used/available of LCs, RAM, DSP and I/O,\n"
      "\"timing_met\" whether fmax reaches the clock, \"bitstream\" the .bin\n"
      "(W/ice40/finn_design_wrapper.bin). A design larger than the device fails naming the\n"
      "resource and the device's capacity.\n"
      "\n"
      "--per-layer first synthesizes every node's IP directory alone as --layer-sum does\n"
      "(Yosys, no place and route, even where Vivado exists) and writes "
      "DIR/synth_layer_resources.json, the synthesized\n"
      "counterpart of FINN's estimate_layer_resources_hls.json: per node {LUT, FF, BRAM,\n"
      "URAM, DSP} counted as above (iCE40: BRAM = 4-kbit RAMs, URAM = SPRAMs), and a \"total\"\n"
      "of floats. It is written even when the whole design then fails to fit the device.\n"
      "\n"
      "The work dir W (default: DIR/../synth) gets a flat copy of the design (W/src), the\n"
      "scripts, logs, netlists and the bitstream. A Yosys run is skipped when W holds its\n"
      "result for the same script, sources and Yosys version (W/*/cache.key). Progress goes to\n"
      "stderr when it is a terminal; one summary line always does. Paths in the reports are\n"
      "relative to DIR.\n"
      "\n"
      "--bitfile is FINN's step_synthesize_bitfile: the board's shell around the design and\n"
      "a bitstream in BITDIR. The part comes from the board (FINN's board tables; --part is\n"
      "not taken), the shell from --shell-flow-type or the board:\n"
      "  vivado_zynq (Ultra96, Ultra96-V2, Pynq-Z1, Pynq-Z2, ZCU102, ZCU104, KV260_SOM, ...):\n"
      "    shells/zynq, the stitched design between the DMA engines idma0 and odma0 that the\n"
      "    PYNQ driver uses, the processing system, interconnects, one clock at\n"
      "    int(1000/clock) MHz. W/zynq gets config.tcl and make_zynq_proj.tcl; where `vivado`\n"
      "    is on PATH it runs them and BITDIR gets finn-accel.bit and finn-accel.hwh, DIR\n"
      "    post_synth_resources.xml and post_route_timing.rpt. Without Vivado, BITDIR gets\n"
      "    README.md with the command that finishes the job, and the summary line says\n"
      "    Vivado is needed (exit status 0: everything shoal can do is done).\n"
      "  ice40_uart (iCEBreaker: ice40up5k-sg48; iCE40HX8K-B-EVN: ice40hx8k-ct256):\n"
      "    shells/ice40, the design behind the board's USB UART (115200 baud 8N1, see\n"
      "    shells/README.md; the generated driver's host_serial.py talks to it), Yosys,\n"
      "    nextpnr-ice40 with the board's pins at its 12 MHz oscillator (the design runs at\n"
      "    12 MHz: the shell has no PLL), icepack: BITDIR/finn-accel.bin and\n"
      "    DIR/post_route_timing.json (fmax, LUT, FF, BRAM, DSP, utilization). Fails when the\n"
      "    design does not fit or misses 12 MHz.\n"
      "  vitis_alveo: refused (needs Vitis).\n"};
  auto options = make_options(info);
  options.add_options()("part", "FPGA part", cxxopts::value<std::string>())(
      "clk-ns", "clock period in ns (default: the one the model records)",
      cxxopts::value<std::string>())("report-dir", "where the reports go",
                                     cxxopts::value<std::string>())(
      "work-dir", "where synthesis works (default: DIR/../synth)", cxxopts::value<std::string>())(
      "per-layer", "also synthesize every layer alone: DIR/synth_layer_resources.json")(
      "layer-sum", "Xilinx without Vivado: the sum of the layers synthesized alone (not exact)")(
      "j,jobs", "Yosys processes at a time for the layers (default: hardware threads)",
      cxxopts::value<int>())("input", "stitched model", cxxopts::value<std::vector<std::string>>());
  options.add_options()("bitfile", "build the board's bitstream into this directory",
                        cxxopts::value<std::string>())("board", "the board (with --bitfile)",
                                                       cxxopts::value<std::string>())(
      "shell-flow-type", "vivado_zynq, ice40_uart (default: the board's)",
      cxxopts::value<std::string>());
  options.parse_positional({"input"});
  return run_tool(info, options, argc, argv, [](const cxxopts::ParseResult& r) {
    if (!r.count("input")) throw UsageError("expected a stitched model");
    const bool bitfile = r.count("bitfile") > 0;
    if (bitfile && r.count("part"))
      throw UsageError("--bitfile takes the part from --board, not --part");
    if (bitfile && r.count("per-layer")) throw UsageError("--per-layer goes without --bitfile");
    if (bitfile && r.count("layer-sum")) throw UsageError("--layer-sum goes without --bitfile");
    if (!bitfile && (r.count("board") || r.count("shell-flow-type")))
      throw UsageError("--board and --shell-flow-type go with --bitfile");
    if (bitfile && !r.count("board")) throw UsageError("missing --board BOARD");
    if (!bitfile && !r.count("part")) throw UsageError("missing --part PART");
    if (!r.count("report-dir")) throw UsageError("missing --report-dir DIR");
    std::string input = single_input(r);
    if (input == "-") throw UsageError("the model must be a file: it records paths relative to it");
    SynthOptions o;
    std::optional<Board> board;
    if (bitfile) {
      std::string shell = r.count("shell-flow-type") ? r["shell-flow-type"].as<std::string>() : "";
      if (!shell.empty() && std::find(shell_flow_types().begin(), shell_flow_types().end(),
                                      shell) == shell_flow_types().end())
        throw UsageError(
            fmt::format("--shell-flow-type '{}' is not vivado_zynq, vitis_alveo or "
                        "ice40_uart",
                        shell));
      board = find_board(r["board"].as<std::string>(), shell);
    }
    o.part = parse_fpga_part(board ? board->part : r["part"].as<std::string>());
    Model m = Model::load(input);
    std::optional<ClockPeriod> clk;
    if (r.count("clk-ns"))
      clk = ClockPeriod::parse(r["clk-ns"].as<std::string>());
    else if (auto recorded = m.metadata("clk_ns"))
      clk = ClockPeriod::parse(*recorded);
    if (!clk) fail("the model records no clock period: give --clk-ns");
    o.clk_ns = clk->ns;
    o.report_dir = fs::absolute(r["report-dir"].as<std::string>()).lexically_normal();
    if (!o.report_dir.has_filename()) o.report_dir = o.report_dir.parent_path();
    o.layer_sum = r.count("layer-sum") > 0;
    if (o.layer_sum && o.part.vendor != FpgaPart::Vendor::Xilinx)
      throw UsageError(fmt::format(
          "--layer-sum is for Xilinx parts; {} designs are placed and routed whole", o.part.name));
    if (r.count("jobs")) {
      o.jobs = r["jobs"].as<int>();
      if (o.jobs < 1) throw UsageError(fmt::format("-j must be at least 1, not {}", o.jobs));
    }
    o.work_dir = r.count("work-dir")
                     ? fs::absolute(r["work-dir"].as<std::string>()).lexically_normal()
                     : o.report_dir.parent_path() / "synth";
    if (::isatty(STDERR_FILENO))
      o.progress = [](const std::string& line) { std::cerr << "synth: " << line << std::endl; };
    auto start = std::chrono::steady_clock::now();
    make_dirs(o.report_dir);
    if (board) {
      BitfileOptions b;
      b.board = *board;
      b.clk_ns = o.clk_ns;
      b.bitfile_dir = fs::absolute(r["bitfile"].as<std::string>()).lexically_normal();
      b.report_dir = o.report_dir;
      b.work_dir = o.work_dir;
      b.progress = o.progress;
      BitfileResult result = build_bitfile(m, b);
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cerr << "synth: " << result.summary << fmt::format("; {:.1f} s\n", seconds);
      return 0;
    }
    // The layers first: where the whole design does not fit a device, their numbers show
    // which layer is too large.
    const bool layers_are_the_flow =
        o.part.vendor == FpgaPart::Vendor::Xilinx && o.layer_sum && !program_exists("vivado");
    if (r.count("per-layer") && !layers_are_the_flow)
      write_python_json((o.report_dir / "synth_layer_resources.json").string(),
                        synthesize_layers(m, o));
    SynthResult result = synthesize(m, o);
    write_python_json((o.report_dir / "ooc_synth_and_timing.json").string(), result.timing_report);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // Vivado's numbers are the exact ones; a sum the user asked for is not what they get.
    const bool layer_sum_dropped = o.layer_sum && !layers_are_the_flow;
    std::cerr << "synth: " << result.summary
              << (layer_sum_dropped ? "; --layer-sum not applied: Vivado synthesized the whole "
                                      "design"
                                    : "")
              << (r.count("per-layer") && !layers_are_the_flow
                      ? "; per-layer resources in synth_layer_resources.json"
                      : "")
              << fmt::format("; {:.1f} s\n", seconds);
    return 0;
  });
}
