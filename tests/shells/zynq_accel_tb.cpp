// zynq_accel_tb: Verilator harness for zynq_accel_tb_top (shoal_idma -> design ->
// shoal_odma). It plays the Zynq PS: an AXI memory holding the input and output buffers,
// served on both DMAs' m_axi_gmem0 with random stalls on every handshake (ARREADY, RVALID,
// AWREADY, WREADY, BVALID), and the register accesses of driver_base.py's
// execute_on_buffers (check odma idle; odma then idma: address low, address high,
// numReps, ap_start; poll odma ap_done).
//
//   zynq_accel_tb IN.bin EXPECTED.bin|- FRAMES [--out OUT.bin] [--runs R] [--seed S]
//                 [--ready PCT] [--awready PCT] [--in-addr A] [--out-addr A]
//                 [--max-burst N]
//
//   IN.bin        the packed input buffer: FRAMES x I_FRAME_BYTES bytes (the driver's
//                 ishape_packed); with FRAMES 0, any size (a buffer nobody may read)
//   EXPECTED.bin  the output buffer the run must leave, FRAMES x O_FRAME_BYTES bytes; with
//                 FRAMES 0, its size is the size of the buffer to watch. `-`: no
//                 expectation (the harness as the hardware behind a fake PYNQ): the
//                 output is whatever the design writes, checked only for the protocol
//                 rules below and for being the same in every run; write it with --out
//   FRAMES        numReps of both DMAs
//   --out F       the output buffer after the last run (O_FRAME_BYTES x FRAMES bytes)
//   --runs R      runs back to back on the same buffers (default 2)
//   --seed S      seed of the random stalls (default 1)
//   --ready PCT   probability of each READY/VALID the memory drives (default 60)
//   --awready PCT AWREADY's own probability (default: --ready)
//   --in-addr A, --out-addr A   buffer addresses (default 0x10000F00 and 0x123456F40:
//                 4 KiB crossings and a high address word)
//   --max-burst N the longest burst the memory accepts (default 16)
//
// The frame sizes and widths come from zynq_accel_tb_top's parameters (I_*, O_*).
// Prints one PASS line and one line of beat counts and exits 0; FAIL lines and exit 1 when
// a check fails; exit 2 on bad arguments.
//
// Checks: every burst against the AXI rules the DMAs promise (INCR, full-width beats of
// INTF_BITS, aligned, at most --max-burst beats, no 4 KiB crossing, WLAST on the last
// beat, AR/AW/W held stable until READY); reads only inside the aligned words that hold
// the input run (the last one may be read whole, never a word beyond); writes only to the
// words of the output run, with WSTRB set exactly for the run's bytes; 256 guard bytes
// after the output buffer unchanged (after the input buffer: random bytes, which must not
// reach the stream); exactly FRAMES x beats per frame on each stream per run, no beat
// offered after it and none withdrawn or changed before TREADY; the control bits
// (ap_idle, ap_start, clear-on-read ap_done); at the read that returns ap_done, every
// write answered and the whole output in memory; nothing moving afterwards; the output
// buffer against EXPECTED.bin (or against the first run).
#include <algorithm>
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

constexpr unsigned kPortBytes = 128;  // the harness's m_axi data width (zynq_accel_tb_top)
constexpr size_t kGuardBytes = 256;   // after each buffer: more than a word of any width

using Data = VlWide<kPortBytes / 4>;
using Strobes = VlWide<kPortBytes / 32>;

unsigned byte_of(const Data& d, unsigned k) {
  return (d.at(k / 4) >> (8 * (k % 4))) & 0xFF;
}
bool strobe_of(const Strobes& s, unsigned k) {
  return (s.at(k / 32) >> (k % 32)) & 1;
}

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

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return b;
}

bool coin(int pct = -1) {
  return int(rng() % 100) < (pct < 0 ? ready_pct : pct);
}
int awready_pct = -1;  // --awready: AWREADY's own probability (default: --ready)

// --- memory: two buffers, each followed by guard bytes; everything else is out of bounds
struct Buffer {
  uint64_t base = 0;
  size_t size = 0;  // the run's bytes; `bytes` holds kGuardBytes more
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> run() const {
    return std::vector<uint8_t>(bytes.begin(), bytes.begin() + std::ptrdiff_t(size));
  }
};
Buffer in_buf, out_buf;
std::vector<uint8_t> out_guard;  // what the output guard bytes must keep

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
  Data& wdata;
  Strobes& wstrb;
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
  Data& rdata;
  CData& rresp;
  CData& rlast;
  CData& rvalid;

  Buffer* buf = nullptr;    // the buffer this DMA reads (idma) or writes (odma)
  unsigned word_bytes = 0;  // INTF_BITS / 8
  std::deque<Burst> reads, writes;
  struct WBeat {
    Data data;
    Strobes strb;
    bool last;
  };
  std::deque<WBeat> wbeats;
  unsigned b_pending = 0;
  uint64_t ar_count = 0, aw_count = 0, b_count = 0, r_beats = 0, w_beats = 0;
  uint64_t partial_w_beats = 0;  // write beats with some strobes clear
  // handshakes seen before the clock edge
  bool ar_hs = false, r_hs = false, aw_hs = false, w_hs = false, b_hs = false;
  Burst ar_req{}, aw_req{};
  WBeat w_req{};

  std::string at(const char* ch) const { return std::string(name) + " " + ch + ": "; }

  // The rules of every burst, and its place: the words of the buffer's run, of which the
  // last may hold bytes past the run's end; not one word beyond.
  void check_burst(const Burst& b, unsigned burst, const char* ch) {
    if (burst != 1) fail(at(ch) + "burst type is not INCR");
    if (b.bytes != word_bytes)
      fail(at(ch) + std::to_string(b.bytes) + "-byte beats on a " + std::to_string(8 * word_bytes) +
           "-bit port");
    if (b.addr % b.bytes) fail(at(ch) + "unaligned address");
    if (b.len > max_burst) fail(at(ch) + "burst of " + std::to_string(b.len) + " beats");
    uint64_t end = b.addr + uint64_t(b.len) * b.bytes;
    if ((b.addr & 0xFFF) + uint64_t(b.len) * b.bytes > 0x1000)
      fail(at(ch) + "burst crosses a 4 KiB boundary at " + std::to_string(b.addr));
    uint64_t run_end = buf->base + buf->size;
    uint64_t word_end = (run_end + b.bytes - 1) / b.bytes * b.bytes;
    if (b.addr < buf->base)
      fail(at(ch) + "burst at " + hex(b.addr) + " before the buffer at " + hex(buf->base));
    else if (end > word_end)
      fail(at(ch) + "burst " + hex(b.addr) + ".." + hex(end) +
           " goes past the aligned word that holds the run's last byte (ends at " + hex(word_end) +
           ")");
  }

  // Inputs for the coming edge; VALIDs once raised stay up until their handshake.
  void drive() {
    arready = coin();
    awready = coin(awready_pct);
    wready = coin();
    if (!rvalid && !reads.empty() && coin()) {
      Burst& b = reads.front();
      uint64_t a = b.addr + uint64_t(b.beat) * b.bytes;
      for (auto& w : rdata.m_storage) w = 0;
      if (a >= buf->base && a + b.bytes <= buf->base + buf->bytes.size()) {
        for (unsigned k = 0; k < b.bytes && k < kPortBytes; ++k)
          rdata.at(k / 4) |= uint32_t(buf->bytes[a - buf->base + k]) << (8 * (k % 4));
      }  // else: check_burst has reported it; the beat reads zeros
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
  std::vector<uint32_t> ar_held, aw_held, w_held;
  void check_stable(bool& wait, std::vector<uint32_t>& held, bool valid, bool ready,
                    const std::vector<uint32_t>& payload, const char* ch) {
    if (wait && !valid) fail(std::string(name) + " " + ch + "VALID dropped before READY");
    if (wait && valid && payload != held)
      fail(std::string(name) + " " + ch + " payload changed while waiting for READY");
    wait = valid && !ready;
    held = payload;
  }

  void sample() {
    check_stable(ar_wait, ar_held, arvalid, arready,
                 {uint32_t(araddr), uint32_t(araddr >> 32), arlen, arsize, arburst}, "AR");
    check_stable(aw_wait, aw_held, awvalid, awready,
                 {uint32_t(awaddr), uint32_t(awaddr >> 32), awlen, awsize, awburst}, "AW");
    std::vector<uint32_t> w(std::begin(wdata.m_storage), std::end(wdata.m_storage));
    w.insert(w.end(), std::begin(wstrb.m_storage), std::end(wstrb.m_storage));
    w.push_back(wlast);
    check_stable(w_wait, w_held, wvalid, wready, w, "W");
    ar_hs = arvalid && arready;
    r_hs = rvalid && rready;
    aw_hs = awvalid && awready;
    w_hs = wvalid && wready;
    b_hs = bvalid && bready;
    if (ar_hs) {
      ar_req = Burst{araddr, unsigned(arlen) + 1, 1u << arsize, 0};
      if (buf != &in_buf) fail(std::string(name) + " issues a read");
      check_burst(ar_req, arburst, "AR");
    }
    if (aw_hs) {
      aw_req = Burst{awaddr, unsigned(awlen) + 1, 1u << awsize, 0};
      if (buf != &out_buf) fail(std::string(name) + " issues a write");
      check_burst(aw_req, awburst, "AW");
    }
    if (w_hs) w_req = WBeat{wdata, wstrb, wlast != 0};
  }

  // One write beat at address a: the strobes must be set exactly for the run's bytes.
  void write_beat(uint64_t a, unsigned n, const WBeat& w) {
    if (a < buf->base || a + n > buf->base + buf->bytes.size()) {
      fail(std::string(name) + " writes outside the output buffer");
      return;
    }
    bool past_end = false, missing = false, partial = false;
    for (unsigned k = 0; k < n && k < kPortBytes; ++k) {
      bool in_run = a + k < buf->base + buf->size;
      bool s = strobe_of(w.strb, k);
      past_end |= s && !in_run;
      missing |= !s && in_run;
      partial |= !s;
      if (s) buf->bytes[a - buf->base + k] = uint8_t(byte_of(w.data, k));
    }
    partial_w_beats += partial;
    if (past_end)
      fail(std::string(name) + ": WSTRB set for a byte past the run's end (beat at " + hex(a) +
           ")");
    if (missing)
      fail(std::string(name) + ": WSTRB clear for a byte of the run (beat at " + hex(a) + ")");
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
      if (w.last != (b.beat + 1 == b.len)) fail(std::string(name) + ": WLAST misplaced");
      write_beat(b.addr + uint64_t(b.beat) * b.bytes, b.bytes, w);
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
  static bool s_unstable_seen = false;
  if (top->s_unstable && !s_unstable_seen) {
    s_unstable_seen = true;
    fail("idma: out_V dropped TVALID or changed TDATA before TREADY");
  }
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
  uint32_t s_beats = 0, m_beats = 0;
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
      at_read.s_beats = top->s_beats;
      at_read.m_beats = top->m_beats;
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

// The first difference of two byte strings of the same size, for a FAIL line.
std::string first_difference(const std::vector<uint8_t>& got, const std::vector<uint8_t>& want) {
  size_t k = 0;
  while (k < want.size() && got[k] == want[k]) ++k;
  if (k == want.size()) return "no difference";
  char m[120];
  std::snprintf(m, sizeof m, "first at byte %zu of %zu (0x%02x, expected 0x%02x)", k, want.size(),
                got[k], want[k]);
  return m;
}

[[noreturn]] void usage_error(const std::string& msg) {
  std::fprintf(stderr, "zynq_accel_tb: %s\n", msg.c_str());
  std::fprintf(stderr,
               "usage: zynq_accel_tb IN.bin EXPECTED.bin|- FRAMES [--out OUT.bin] [--runs R] "
               "[--seed S] [--ready PCT] [--awready PCT] [--in-addr A] [--out-addr A] "
               "[--max-burst N]\n");
  std::exit(2);
}

std::vector<uint8_t> load(const char* path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) usage_error(std::string("cannot read ") + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) usage_error("IN.bin, EXPECTED.bin (or -) and FRAMES are required");
  std::vector<uint8_t> input = load(argv[1]);
  bool have_expected = std::strcmp(argv[2], "-") != 0;
  std::vector<uint8_t> expected;
  if (have_expected) expected = load(argv[2]);
  char* end = nullptr;
  unsigned long long frames_arg = std::strtoull(argv[3], &end, 0);
  if (*argv[3] == '\0' || *end != '\0' || frames_arg > 0xFFFFFFFFull)
    usage_error(std::string("FRAMES is not a 32-bit count: ") + argv[3]);
  uint32_t frames = uint32_t(frames_arg);
  unsigned seed = 1, runs = 2;
  uint64_t in_addr = 0x10000F00, out_addr = 0x123456F40;  // 4 KiB crossings, a high address
  const char* out_path = nullptr;
  for (int i = 4; i < argc; i += 2) {
    std::string o = argv[i];
    if (i + 1 >= argc) usage_error("option " + o + " needs a value");
    if (o == "--out") {
      out_path = argv[i + 1];
      continue;
    }
    uint64_t v = std::strtoull(argv[i + 1], &end, 0);
    if (*argv[i + 1] == '\0' || *end != '\0')
      usage_error("option " + o + " takes a number, not " + argv[i + 1]);
    if (o == "--seed")
      seed = unsigned(v);
    else if (o == "--ready")
      ready_pct = int(v);
    else if (o == "--runs")
      runs = std::max(unsigned(v), 1u);
    else if (o == "--in-addr")
      in_addr = v;
    else if (o == "--out-addr")
      out_addr = v;
    else if (o == "--max-burst")
      max_burst = unsigned(v);
    else if (o == "--awready")
      awready_pct = int(v);
    else
      usage_error("unknown option " + o);
  }
  rng.seed(seed);

  ctx = std::make_unique<VerilatedContext>();
  ctx->commandArgs(argc, argv);
  top = std::make_unique<Vzynq_accel_tb_top>(ctx.get());
  top->eval();  // the parameter outputs
  const uint64_t i_frame_bytes = top->i_frame_bytes, o_frame_bytes = top->o_frame_bytes;
  const uint64_t i_beat_bytes = top->i_stream_bits / 8, o_beat_bytes = top->o_stream_bits / 8;
  if (frames > 0 && input.size() != frames * i_frame_bytes)
    usage_error(std::string(argv[1]) + " has " + std::to_string(input.size()) + " bytes, not " +
                std::to_string(frames) + " frames x " + std::to_string(i_frame_bytes));
  size_t out_size = frames > 0 ? frames * o_frame_bytes : expected.size();
  if (have_expected && expected.size() != out_size)
    usage_error(std::string(argv[2]) + " has " + std::to_string(expected.size()) + " bytes, not " +
                std::to_string(frames) + " frames x " + std::to_string(o_frame_bytes));

  // Guard bytes: random after the input (the idma may read them with the run's last word
  // but must not pass them on), random after the output (the odma must not write them).
  std::mt19937 guard_rng(0x5EED);
  in_buf.base = in_addr;
  in_buf.size = input.size();
  in_buf.bytes = input;
  for (size_t k = 0; k < kGuardBytes; ++k) in_buf.bytes.push_back(uint8_t(guard_rng()));
  out_guard.resize(kGuardBytes);
  for (auto& g : out_guard) g = uint8_t(guard_rng());
  out_buf.base = out_addr;
  out_buf.size = out_size;

  imem = std::make_unique<MemPort>(MEM_PORT(i));
  omem = std::make_unique<MemPort>(MEM_PORT(o));
  imem->buf = &in_buf;
  omem->buf = &out_buf;
  imem->word_bytes = top->i_intf_bits / 8;
  omem->word_bytes = top->o_intf_bits / 8;
  ictrl = std::make_unique<CtrlPort>(CTRL_PORT(i));
  octrl = std::make_unique<CtrlPort>(CTRL_PORT(o));
  // A Xilinx SmartConnect takes 32..1024-bit endpoints (PG247), so a narrower DMA port
  // could never be connected in the block design.
  for (const MemPort* m : {imem.get(), omem.get()})
    if (m->word_bytes < 4 || m->word_bytes > kPortBytes)
      fail(std::string(m->name) + ": m_axi_gmem0 is " + std::to_string(8 * m->word_bytes) +
           " bits; a SmartConnect takes 32..1024");

  top->ap_rst_n = 0;
  for (int i = 0; i < 8; ++i) tick();
  top->ap_rst_n = 1;
  tick();

  // Out of reset: idle, not started, not done.
  expect_reg(*octrl, 0x00, 0x4, "odma after reset");
  expect_reg(*ictrl, 0x00, 0x4, "idma after reset");

  uint64_t run_cycles = 0;
  std::vector<uint8_t> first_run;
  for (unsigned run = 0; run < runs; ++run) {
    out_buf.bytes.assign(out_size, 0xA5);  // a pattern a correct run overwrites
    out_buf.bytes.insert(out_buf.bytes.end(), out_guard.begin(), out_guard.end());
    uint32_t s_beats0 = top->s_beats, m_beats0 = top->m_beats;
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
    Snapshot done = at_read;
    if (ctrl != 0x6) fail("odma at done reads " + std::to_string(ctrl) + ", expected 6");
    // ap_done promises every write answered and the whole output in memory.
    if (done.unanswered_writes || done.open_reads)
      fail("odma reported ap_done before every write response");
    expect_reg(*octrl, 0x00, 0x4, "odma after reading ap_done (clear on read)");
    expect_reg(*ictrl, 0x00, 0x6, "idma after the run (done not yet read)");
    expect_reg(*ictrl, 0x00, 0x4, "idma after reading ap_done");
    for (int i = 0; i < 50; ++i) tick();  // nothing may move after done
    if (done.out != out_buf.bytes)
      fail("run " + std::to_string(run) +
           ": memory changed after ap_done: " + first_difference(out_buf.bytes, done.out));
    if (uint32_t(top->s_beats) != done.s_beats || uint32_t(top->m_beats) != done.m_beats)
      fail("run " + std::to_string(run) + ": stream beats after ap_done");
    if (top->s_valid) fail("run " + std::to_string(run) + ": idma offers a beat after the run");
    uint64_t s_want = frames * i_frame_bytes / i_beat_bytes;
    uint64_t m_want = frames * o_frame_bytes / o_beat_bytes;
    if (uint32_t(top->s_beats - s_beats0) != s_want || uint32_t(top->m_beats - m_beats0) != m_want)
      fail("run " + std::to_string(run) + ": " + std::to_string(top->s_beats - s_beats0) +
           " beats into the design and " + std::to_string(top->m_beats - m_beats0) +
           " out, expected " + std::to_string(s_want) + " and " + std::to_string(m_want));
    std::vector<uint8_t> got = out_buf.run();
    if (have_expected && got != expected)
      fail("run " + std::to_string(run) + ": output buffer differs from the expected bytes " +
           first_difference(got, expected));
    if (!have_expected && run > 0 && got != first_run)
      fail("run " + std::to_string(run) + ": output buffer differs from run 0's " +
           first_difference(got, first_run));
    if (run == 0) first_run = got;
    if (!std::equal(out_guard.begin(), out_guard.end(), out_buf.bytes.begin() + out_size))
      fail("run " + std::to_string(run) + ": a guard byte after the output buffer changed");
    if (!imem->reads.empty() || !omem->writes.empty() || !omem->wbeats.empty() || omem->b_pending)
      fail("memory transactions left open after ap_done");
  }
  if (frames == 0 && (imem->ar_count || imem->aw_count || omem->ar_count || omem->aw_count))
    fail("numReps 0 touched memory");

  if (out_path) {
    std::ofstream f(out_path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(out_buf.bytes.data()), std::streamsize(out_size));
    if (!f) {
      std::fprintf(stderr, "zynq_accel_tb: cannot write %s\n", out_path);
      return 2;
    }
  }
  top->final();
  if (failures) return 1;
  std::printf(
      "PASS %u frames x %u runs: %zu bytes in (%llu read bursts), %zu bytes out "
      "(%llu write bursts), %llu cycles for the last run\n",
      frames, runs, input.size(), (unsigned long long)imem->ar_count, out_size,
      (unsigned long long)omem->aw_count, (unsigned long long)run_cycles);
  std::printf(
      "beats: %llu read, %llu written (%llu with partial strobes), %u into the design, "
      "%u out\n",
      (unsigned long long)imem->r_beats, (unsigned long long)omem->w_beats,
      (unsigned long long)omem->partial_w_beats, uint32_t(top->s_beats), uint32_t(top->m_beats));
  return 0;
}
