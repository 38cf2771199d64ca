#include "shoal/targets/boards.hpp"

#include "shoal/core/error.hpp"

namespace shoal {

const std::vector<Board>& boards() {
  // clang-format off
  static const std::vector<Board> table = {
      {"Ultra96",    "vivado_zynq", "xczu3eg-sbva484-1-e",  "avnet.com:ultra96v1:part0:1.2",        "zynq_us+",  128, ""},
      {"Ultra96-V2", "vivado_zynq", "xczu3eg-sbva484-1-i",  "avnet.com:ultra96v2:part0:1.2",        "zynq_us+",  128, ""},
      {"Pynq-Z1",    "vivado_zynq", "xc7z020clg400-1",      "www.digilentinc.com:pynq-z1:part0:1.0", "zynq_7000", 64,  ""},
      {"Pynq-Z2",    "vivado_zynq", "xc7z020clg400-1",      "tul.com.tw:pynq-z2:part0:1.0",         "zynq_7000", 64,  ""},
      {"ZCU102",     "vivado_zynq", "xczu9eg-ffvb1156-2-e", "xilinx.com:zcu102:part0:3.3",          "zynq_us+",  128, ""},
      {"ZCU104",     "vivado_zynq", "xczu7ev-ffvc1156-2-e", "xilinx.com:zcu104:part0:1.1",          "zynq_us+",  128, ""},
      {"ZCU111",     "vivado_zynq", "xczu28dr-ffvg1517-2-e", "",                                    "zynq_us+",  128, ""},
      {"RFSoC2x2",   "vivado_zynq", "xczu28dr-ffvg1517-2-e", "xilinx.com:rfsoc2x2:part0:1.1",       "zynq_us+",  128, ""},
      {"RFSoC4x2",   "vivado_zynq", "xczu48dr-ffvg1517-2-e", "realdigital.org:rfsoc4x2:part0:1.0",  "zynq_us+",  128, ""},
      {"KV260_SOM",  "vivado_zynq", "xck26-sfvc784-2LV-c",  "xilinx.com:kv260_som:part0:1.3",       "zynq_us+",  128, ""},
      {"U50",        "vitis_alveo", "xcu50-fsvh2104-2L-e",  "", "", 0, ""},
      {"U200",       "vitis_alveo", "xcu200-fsgd2104-2-e",  "", "", 0, ""},
      {"U250",       "vitis_alveo", "xcu250-figd2104-2L-e", "", "", 0, ""},
      {"U280",       "vitis_alveo", "xcu280-fsvh2892-2L-e", "", "", 0, ""},
      {"U55C",       "vitis_alveo", "xcu55c-fsvh2892-2L-e", "", "", 0, ""},
      {"iCEBreaker",     "ice40_uart", "ice40up5k-sg48",  "", "", 0, "icebreaker"},
      {"iCE40HX8K-B-EVN", "ice40_uart", "ice40hx8k-ct256", "", "", 0, "hx8k_breakout"},
  };
  // clang-format on
  return table;
}

const std::vector<std::string>& shell_flow_types() {
  static const std::vector<std::string> types = {"vivado_zynq", "vitis_alveo", "ice40_uart"};
  return types;
}

const Board& find_board(const std::string& name, const std::string& shell) {
  for (const Board& b : boards())
    if (b.name == name && (shell.empty() || b.shell == shell)) return b;
  std::string known;
  for (const Board& b : boards())
    if (shell.empty() || b.shell == shell) known += (known.empty() ? "" : ", ") + b.name;
  if (shell.empty()) fail("board '{}' is not known (known: {})", name, known);
  fail("board '{}' is not known for shell_flow_type {} (known: {})", name, shell, known);
}

}  // namespace shoal
