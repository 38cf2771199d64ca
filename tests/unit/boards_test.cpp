// The board table that build-dataflow and synth --bitfile use, against hardware.md §6.1
// figures and against shells/zynq/boards.tsv (the shell's own table, for its users).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "shoal/core/error.hpp"
#include "shoal/targets/boards.hpp"

using namespace shoal;

TEST(Boards, ZynqRowsEqualTheShellsTable) {
  std::ifstream tsv(std::string(SHOAL_SOURCE_DIR) + "/shells/zynq/boards.tsv");
  ASSERT_TRUE(tsv) << "shells/zynq/boards.tsv";
  std::string line;
  std::getline(tsv, line);
  EXPECT_EQ(line, "board\tpart\tboard_part\tps_kind\tport_width_bits");
  int rows = 0;
  while (std::getline(tsv, line)) {
    std::istringstream fields(line);
    std::string name, part, board_part, ps, width;
    std::getline(fields, name, '\t');
    std::getline(fields, part, '\t');
    std::getline(fields, board_part, '\t');
    std::getline(fields, ps, '\t');
    std::getline(fields, width, '\t');
    const Board& b = find_board(name, "vivado_zynq");
    EXPECT_EQ(b.part, part) << name;
    EXPECT_EQ(b.board_part, board_part) << name;
    EXPECT_EQ(b.ps, ps) << name;
    EXPECT_EQ(b.port_width_bits, std::stoi(width)) << name;
    ++rows;
  }
  int zynq = 0;
  for (const Board& b : boards()) zynq += b.shell == "vivado_zynq";
  EXPECT_EQ(rows, zynq);
}

TEST(Boards, FinnPartMaps) {
  EXPECT_EQ(find_board("Ultra96").part, "xczu3eg-sbva484-1-e");
  EXPECT_EQ(find_board("Pynq-Z1").port_width_bits, 64);
  EXPECT_EQ(find_board("U250", "vitis_alveo").part, "xcu250-figd2104-2L-e");
  EXPECT_EQ(find_board("iCEBreaker").part, "ice40up5k-sg48");
  EXPECT_EQ(find_board("iCEBreaker").shell, "ice40_uart");
  EXPECT_THROW(find_board("Ultra96", "vitis_alveo"), Error);
  EXPECT_THROW(find_board("ultra96"), Error);
}
