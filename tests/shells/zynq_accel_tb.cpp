// zynq_accel_tb: Verilator harness for zynq_accel_tb_top (shoal_idma -> design ->
// shoal_odma). It plays the Zynq PS: an AXI memory holding the input and output buffers,
// served on both DMAs' m_axi_gmem0 with random stalls on every handshake (ARREADY, RVALID,
// AWREADY, WREADY, BVALID), and the register accesses of driver_base.py's
// execute_on_buffers (check odma idle; odma then idma: address low, address high,
// numReps, ap_start; poll odma ap_done). It checks every burst against the AXI rules the
// DMAs promise (INCR, full-width beats, aligned, at most --max-burst beats, no 4 KiB
// crossing, WLAST on the last beat, AR/AW/W held stable until READY, reads inside the
// input buffer and writes inside the output buffer) and the control bits (ap_idle, ap_start,
// clear-on-read ap_done), then compares the output buffer with the expected bytes.
//
//   zynq_accel_tb IN.bin EXPECTED.bin FRAMES [--seed S] [--ready PCT] [--runs R]
//                 [--in-addr A] [--out-addr A] [--max-burst N] [--awready PCT]
//                 [--out OUT.bin]
//
// IN.bin holds FRAMES input frames, EXPECTED.bin FRAMES output frames (the frame sizes
// follow from the file sizes). FRAMES 0 starts both DMAs with numReps 0: they must finish
// without touching memory (EXPECTED.bin then gives the output buffer size to watch).
// Prints one PASS line and exits 0, or FAIL lines and exits 1.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "Vzynq_accel_tb_top.h"
#include "verilated.h"

namespace {

std::unique_ptr<VerilatedContext> ctx;
std::unique_ptr<Vzynq_accel_tb_top> top;
std::mt19937 rng;
int ready_pct = 60;
unsigned max_burst = 16;
uint64_t cycle = 0;
int failures = 0;

void fail(const std::string& msg) {
  std::printf("FAIL cycle %llu: %s\n", (unsigned long long)cycle, msg.c_str());
  if (++failures > 20) std::exit(1);
}

bool coin(int pct = -1) {
  return int(rng() % 100) < (pct < 0 ? ready_pct : pct);
}
int awready_pct = -1;  // --awready: AWREADY's own probability (default: --ready)

// --- memory: two buffers; everything else is out of bounds ------------------------------
struct Buffer {
  uint64_t base = 0;
  std::vector<uint8_t> bytes;
  bool holds(uint64_t a, uint64_t n) const { return a >= base && a + n <= base + bytes.size(); }
};
Buffer in_buf, out_buf;

// --- one m_axi_gmem0 port ---------------------------------------------------------------
struct Burst {
  uint64_t addr;
  unsigned len;    // beats
  unsigned bytes;  // per beat
  unsigned beat;   // next beat
};

struct MemPort {
  const char* name;
  // DUT outputs
  QData& awaddr;
  CData& awlen;
  CData& awsize;
  CData& awburst;
  CData& awvalid;
  QData& wdata;
  CData& wstrb;
  CData& wlast;
  CData& wvalid;
  CData& bready;
  QData& araddr;
  CData& arlen;
  CData& arsize;
  CData& arburst;
  CData& arvalid;
  CData& rready;
  // DUT inputs
  CData& awready;
  CData& wready;
  CData& bresp;
  CData& bvalid;
  CData& arready;
  QData& rdata;
  CData& rresp;
  CData& rlast;
  CData& rvalid;

  std::deque<Burst> reads, writes;
  struct WBeat {
    uint64_t data;
    unsigned strb;
    bool last;
  };
  std::deque<WBeat> wbeats;
  unsigned b_pending = 0;
  uint64_t ar_count = 0, aw_count = 0, b_count = 0, r_beats = 0, w_beats = 0;
  // handshakes seen before the clock edge
  bool ar_hs = false, r_hs = false, aw_hs = false, w_hs = false, b_hs = false;
  Burst ar_req{}, aw_req{};
  WBeat w_req{};

  void check_burst(const Burst& b, unsigned burst, const char* ch) {
    unsigned width = 8;  // the harness's port width; the DMA's may be narrower
    if (burst != 1) fail(std::string(name) + " " + ch + ": burst type is not INCR");
    if (b.bytes > width) fail(std::string(name) + " " + ch + ": beat wider than 64 bits");
    if (b.addr % b.bytes) fail(std::string(name) + " " + ch + ": unaligned address");
    if (b.len > max_burst)
      fail(std::string(name) + " " + ch + ": burst of " + std::to_string(b.len) + " beats");
    if ((b.addr & 0xFFF) + uint64_t(b.len) * b.bytes > 0x1000)
      fail(std::string(name) + " " + ch + ": burst crosses a 4 KiB boundary at " +
           std::to_string(b.addr));
  }

  // Inputs for the coming edge; VALIDs once raised stay up until their handshake.
  void drive() {
    arready = coin();
    awready = coin(awready_pct);
    wready = coin();
    if (!rvalid && !reads.empty() && coin()) {
      Burst& b = reads.front();
      uint64_t a = b.addr + uint64_t(b.beat) * b.bytes;
      uint64_t d = 0;
      if (!in_buf.holds(a, b.bytes)) {
        fail(std::string(name) + " reads outside the input buffer");
      } else {
        for (unsigned k = 0; k < b.bytes; ++k)
          d |= uint64_t(in_buf.bytes[a - in_buf.base + k]) << (8 * k);
      }
      rdata = d;
      rresp = 0;
      rlast = b.beat + 1 == b.len;
      rvalid = 1;
    }
    if (!bvalid && b_pending && coin()) {
      bvalid = 1;
      bresp = 0;
    }
  }

  // AXI: a VALID that was not taken stays up with the same payload.
  bool ar_wait = false, aw_wait = false, w_wait = false;
  uint64_t ar_held = 0, aw_held = 0, w_held = 0;
  void check_stable(bool& wait, uint64_t& held, bool valid, bool ready, uint64_t payload,
                    const char* ch) {
    if (wait && !valid) fail(std::string(name) + " " + ch + "VALID dropped before READY");
    if (wait && valid && payload != held)
      fail(std::string(name) + " " + ch + " payload changed while waiting for READY");
    wait = valid && !ready;
    held = payload;
  }

  void sample() {
    check_stable(ar_wait, ar_held, arvalid, arready, araddr ^ (uint64_t(arlen) << 56), "AR");
    check_stable(aw_wait, aw_held, awvalid, awready, awaddr ^ (uint64_t(awlen) << 56), "AW");
    check_stable(w_wait, w_held, wvalid, wready, wdata ^ (uint64_t(wlast) << 63), "W");
    ar_hs = arvalid && arready;
    r_hs = rvalid && rready;
    aw_hs = awvalid && awready;
    w_hs = wvalid && wready;
    b_hs = bvalid && bready;
    if (ar_hs) {
      ar_req = Burst{araddr, unsigned(arlen) + 1, 1u << arsize, 0};
      check_burst(ar_req, arburst, "AR");
    }
    if (aw_hs) {
      aw_req = Burst{awaddr, unsigned(awlen) + 1, 1u << awsize, 0};
      check_burst(aw_req, awburst, "AW");
    }
    if (w_hs) w_req = WBeat{wdata, wstrb, wlast != 0};
  }

  void update() {
    if (ar_hs) {
      reads.push_back(ar_req);
      ++ar_count;
    }
    if (r_hs) {
      rvalid = 0;
      ++r_beats;
      if (++reads.front().beat == reads.front().len) reads.pop_front();
    }
    if (aw_hs) {
      writes.push_back(aw_req);
      ++aw_count;
    }
    if (w_hs) {
      wbeats.push_back(w_req);
      ++w_beats;
    }
    if (b_hs) {
      bvalid = 0;
      --b_pending;
      ++b_count;
    }
    // Write data may come before its address: apply beats once their burst is known.
    while (!writes.empty() && !wbeats.empty()) {
      Burst& b = writes.front();
      WBeat w = wbeats.front();
      wbeats.pop_front();
      uint64_t a = b.addr + uint64_t(b.beat) * b.bytes;
      if (w.last != (b.beat + 1 == b.len)) fail(std::string(name) + ": WLAST misplaced");
      if (!out_buf.holds(a, b.bytes)) {
        fail(std::string(name) + " writes outside the output buffer");
      } else {
        for (unsigned k = 0; k < b.bytes; ++k)
          if (w.strb >> k & 1)
            out_buf.bytes[a - out_buf.base + k] = uint8_t(w.data >> (8 * k));
          else
            fail(std::string(name) + ": partial write strobe");
      }
      if (++b.beat == b.len) {
        writes.pop_front();
        ++b_pending;
      }
    }
  }
};

#define MEM_PORT(p)                                                                               \
  MemPort {                                                                                       \
#p "dma", top->p##_mem_AWADDR, top->p##_mem_AWLEN, top->p##_mem_AWSIZE, top->p##_mem_AWBURST, \
        top->p##_mem_AWVALID, top->p##_mem_WDATA, top->p##_mem_WSTRB, top->p##_mem_WLAST,         \
        top->p##_mem_WVALID, top->p##_mem_BREADY, top->p##_mem_ARADDR, top->p##_mem_ARLEN,        \
        top->p##_mem_ARSIZE, top->p##_mem_ARBURST, top->p##_mem_ARVALID, top->p##_mem_RREADY,     \
        top->p##_mem_AWREADY, top->p##_mem_WREADY, top->p##_mem_BRESP, top->p##_mem_BVALID,       \
        top->p##_mem_ARREADY, top->p##_mem_RDATA, top->p##_mem_RRESP, top->p##_mem_RLAST,         \
        top->p##_mem_RVALID                                                                       \
  }

// --- one s_axi_control port, driven as PYNQ's MMIO does ------------------------------------
struct CtrlPort {
  CData& awaddr;
  CData& awvalid;
  IData& wdata;
  CData& wstrb;
  CData& wvalid;
  CData& bready;
  CData& araddr;
  CData& arvalid;
  CData& rready;
  CData& awready;
  CData& wready;
  CData& bvalid;
  CData& arready;
  IData& rdata;
  CData& rvalid;
  bool aw_hs = false, w_hs = false, b_hs = false, ar_hs = false, r_hs = false;
  uint32_t r_data = 0;
  void sample() {
    aw_hs = awvalid && awready;
    w_hs = wvalid && wready;
    b_hs = bvalid && bready;
    ar_hs = arvalid && arready;
    r_hs = rvalid && rready;
    r_data = rdata;
  }
};

#define CTRL_PORT(p)                                                                             \
  CtrlPort {                                                                                     \
    top->p##_ctrl_AWADDR, top->p##_ctrl_AWVALID, top->p##_ctrl_WDATA, top->p##_ctrl_WSTRB,       \
        top->p##_ctrl_WVALID, top->p##_ctrl_BREADY, top->p##_ctrl_ARADDR, top->p##_ctrl_ARVALID, \
        top->p##_ctrl_RREADY, top->p##_ctrl_AWREADY, top->p##_ctrl_WREADY, top->p##_ctrl_BVALID, \
        top->p##_ctrl_ARREADY, top->p##_ctrl_RDATA, top->p##_ctrl_RVALID                         \
  }

std::unique_ptr<MemPort> imem, omem;
std::unique_ptr<CtrlPort> ictrl, octrl;
uint64_t max_cycles = 20000000;

// One clock cycle: drive the memory's inputs, settle, record the handshakes, clock edge,
// then let the memory act on them.
void tick() {
  top->ap_clk = 0;
  imem->drive();
  omem->drive();
  top->eval();
  imem->sample();
  omem->sample();
  ictrl->sample();
  octrl->sample();
  ctx->timeInc(1);
  top->ap_clk = 1;
  top->eval();
  ctx->timeInc(1);
  imem->update();
  omem->update();
  if (++cycle > max_cycles) {
    fail("timeout");
    std::exit(1);
  }
}

void ctrl_write(CtrlPort& c, unsigned addr, uint32_t data) {
  c.awaddr = addr;
  c.wdata = data;
  c.wstrb = 0xF;
  c.awvalid = 1;
  c.wvalid = 1;
  c.bready = 1;
  bool aw = false, w = false, b = false;
  while (!b) {
    tick();
    if (c.aw_hs) {
      aw = true;
      c.awvalid = 0;
    }
    if (c.w_hs) {
      w = true;
      c.wvalid = 0;
    }
    if (c.b_hs) {
      if (!aw || !w) fail("control write response before its address and data");
      b = true;
    }
  }
  c.bready = 0;
}

// The memory as it was when a control read was taken (the register value the read
// returns is sampled then): lets the harness check what ap_done promises at that moment.
struct Snapshot {
  std::vector<uint8_t> out;
  uint64_t unanswered_writes = 0;  // write bursts not answered, beats without an address
  uint64_t open_reads = 0;
} at_read;

uint32_t ctrl_read(CtrlPort& c, unsigned addr) {
  c.araddr = addr;
  c.arvalid = 1;
  c.rready = 1;
  for (;;) {
    tick();
    if (c.ar_hs) {
      c.arvalid = 0;
      at_read.out = out_buf.bytes;
      at_read.unanswered_writes = omem->aw_count - omem->b_count + omem->wbeats.size();
      at_read.open_reads = imem->reads.size();
    }
    if (c.r_hs) break;
  }
  c.rready = 0;
  return c.r_data;
}

// driver_base.py _start_dma
void start_dma(CtrlPort& c, uint64_t addr, uint32_t reps) {
  ctrl_write(c, 0x10, uint32_t(addr));
  ctrl_write(c, 0x14, uint32_t(addr >> 32));
  ctrl_write(c, 0x1C, reps);
  ctrl_write(c, 0x00, 1);
}

void expect_reg(CtrlPort& c, unsigned addr, uint32_t want, const char* what) {
  uint32_t got = ctrl_read(c, addr);
  if (got != want) {
    char m[160];
    std::snprintf(m, sizeof m, "%s: register 0x%02x reads 0x%x, expected 0x%x", what, addr, got,
                  want);
    fail(m);
  }
}

std::vector<uint8_t> load(const char* path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "zynq_accel_tb: cannot read %s\n", path);
    std::exit(2);
  }
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: zynq_accel_tb IN.bin EXPECTED.bin FRAMES [--seed S] "
                 "[--ready PCT] [--runs R] [--in-addr A] [--out-addr A] "
                 "[--max-burst N] [--out OUT.bin]\n");
    return 2;
  }
  std::vector<uint8_t> input = load(argv[1]);
  std::vector<uint8_t> expected = load(argv[2]);
  uint32_t frames = uint32_t(std::strtoul(argv[3], nullptr, 0));
  unsigned seed = 1, runs = 2;
  uint64_t in_addr = 0x10000F00, out_addr = 0x123456F40;  // 4 KiB crossings, a high address
  const char* out_path = nullptr;
  for (int i = 4; i + 1 < argc; i += 2) {
    std::string o = argv[i];
    uint64_t v = std::strtoull(argv[i + 1], nullptr, 0);
    if (o == "--seed")
      seed = unsigned(v);
    else if (o == "--ready")
      ready_pct = int(v);
    else if (o == "--runs")
      runs = unsigned(v);
    else if (o == "--in-addr")
      in_addr = v;
    else if (o == "--out-addr")
      out_addr = v;
    else if (o == "--max-burst")
      max_burst = unsigned(v);
    else if (o == "--awready")
      awready_pct = int(v);
    else if (o == "--out")
      out_path = argv[i + 1];
    else {
      std::fprintf(stderr, "zynq_accel_tb: unknown option %s\n", o.c_str());
      return 2;
    }
  }
  rng.seed(seed);
  in_buf.base = in_addr;
  in_buf.bytes = input;
  out_buf.base = out_addr;

  ctx = std::make_unique<VerilatedContext>();
  ctx->commandArgs(argc, argv);
  top = std::make_unique<Vzynq_accel_tb_top>(ctx.get());
  imem = std::make_unique<MemPort>(MEM_PORT(i));
  omem = std::make_unique<MemPort>(MEM_PORT(o));
  ictrl = std::make_unique<CtrlPort>(CTRL_PORT(i));
  octrl = std::make_unique<CtrlPort>(CTRL_PORT(o));

  top->ap_rst_n = 0;
  for (int i = 0; i < 8; ++i) tick();
  top->ap_rst_n = 1;
  tick();

  // Out of reset: idle, not started, not done.
  expect_reg(*octrl, 0x00, 0x4, "odma after reset");
  expect_reg(*ictrl, 0x00, 0x4, "idma after reset");

  uint64_t run_cycles = 0;
  for (unsigned run = 0; run < std::max(runs, 1u); ++run) {
    out_buf.bytes.assign(expected.size(), 0xA5);  // a pattern a correct run overwrites
    // execute_on_buffers: the output DMA must be idle, then consumers first.
    if (!(ctrl_read(*octrl, 0x00) & 0x4)) fail("odma not idle before a run");
    uint64_t t0 = cycle;
    start_dma(*octrl, out_addr, frames);
    start_dma(*ictrl, in_addr, frames);
    expect_reg(*octrl, 0x10, uint32_t(out_addr), "odma address low");
    expect_reg(*octrl, 0x14, uint32_t(out_addr >> 32), "odma address high");
    expect_reg(*octrl, 0x1C, frames, "odma numReps");
    if (frames > 0) {
      // A run in progress: ap_start stays 1, ap_idle 0.
      expect_reg(*ictrl, 0x00, 0x1, "idma while running");
    }
    // wait_until_finished: poll odma ap_done.
    uint32_t ctrl;
    while (!((ctrl = ctrl_read(*octrl, 0x00)) & 0x2)) {
    }
    run_cycles = cycle - t0;
    if (ctrl != 0x6) fail("odma at done reads " + std::to_string(ctrl) + ", expected 6");
    // ap_done promises every write answered and the whole output in memory.
    if (at_read.unanswered_writes || at_read.open_reads)
      fail("odma reported ap_done before every write response");
    if (at_read.out != expected) fail("odma reported ap_done before all output was in memory");
    expect_reg(*octrl, 0x00, 0x4, "odma after reading ap_done (clear on read)");
    expect_reg(*ictrl, 0x00, 0x6, "idma after the run (done not yet read)");
    expect_reg(*ictrl, 0x00, 0x4, "idma after reading ap_done");
    for (int i = 0; i < 50; ++i) tick();  // nothing may move after done
    if (out_buf.bytes != expected) {
      size_t k = 0;
      while (k < expected.size() && out_buf.bytes[k] == expected[k]) ++k;
      char m[160];
      std::snprintf(m, sizeof m,
                    "run %u: output buffer differs from the expected bytes "
                    "first at byte %zu of %zu (0x%02x, expected 0x%02x)",
                    run, k, expected.size(), out_buf.bytes[k], expected[k]);
      fail(m);
    }
    if (!imem->reads.empty() || !omem->writes.empty() || !omem->wbeats.empty() || omem->b_pending)
      fail("memory transactions left open after ap_done");
  }
  if (frames == 0 && (imem->ar_count || imem->aw_count || omem->ar_count || omem->aw_count))
    fail("numReps 0 touched memory");

  if (out_path) {
    std::ofstream f(out_path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(out_buf.bytes.data()),
            std::streamsize(out_buf.bytes.size()));
  }
  top->final();
  if (failures) return 1;
  std::printf(
      "PASS %u frames x %u runs: %zu bytes in (%llu read bursts), %zu bytes out "
      "(%llu write bursts), %llu cycles for the last run\n",
      frames, runs, input.size(), (unsigned long long)imem->ar_count, expected.size(),
      (unsigned long long)omem->aw_count, (unsigned long long)run_cycles);
  return 0;
}
