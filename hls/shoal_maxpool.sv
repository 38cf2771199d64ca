// shoal_maxpool: StreamingMaxPool_Batch, max over non-overlapping POOL_DIM x POOL_DIM
// windows (stride POOL_DIM) of a square NHWC image (conv.md §4.3).
//
// Stream protocol
//   in0_V (slave, NUM_CHANNELS*IN_BITS bits): IMG_DIM*IMG_DIM beats per image, one pixel
//   (all channels) per beat in the order (h, w); element c in bits
//   [(c+1)*IN_BITS-1 : c*IN_BITS], signed iff INPUT_SIGNED. Requires IMG_DIM % POOL_DIM == 0.
//   out_V (master, same width): OD*OD beats per image, OD = IMG_DIM/POOL_DIM, order
//   (oh, ow); element c = max over h in [oh*k, oh*k+k), w in [ow*k, ow*k+k) of x[h][w][c].
//   1-bit BINARY and BIPOLAR data (bit 1 = +1, 0 = -1) are both INPUT_SIGNED = 0, IN_BITS 1:
//   the maximum is the OR of the bits (hlslib StreamingMaxPool_Batch).
//   out_V_TVALID and in0_V_TREADY come from registers only; out_V holds its data while
//   TVALID && !TREADY.
//
// Operation: a row buffer of OD entries holds the partial maxima of the windows of the
// current output row (NUM_CHANNELS*IN_BITS bits each, written and read back in the same
// order, asynchronous read: LUTRAM or flip-flops). Input (h, w) updates entry w/k with
// max(entry, x) (or x at the window's first pixel); the window's last pixel sends the
// maximum into a 2-entry output buffer. Input is refused only at a window's last pixel
// while that buffer is full.
//
// Latency: 1 cycle (last pixel of a window to its output beat).
// Throughput: one input beat per cycle, IMG_DIM^2 cycles per image, when out_V is not
// back-pressured (FINN's estimate D*(D + D/k) over-counts, conv.md §4.3).

module shoal_maxpool #(
  parameter int IMG_DIM = 4,
  parameter int POOL_DIM = 2,
  parameter int NUM_CHANNELS = 2,
  parameter int IN_BITS = 4,
  parameter int INPUT_SIGNED = 0
) (
  input  logic                            ap_clk,
  input  logic                            ap_rst_n,
  input  logic [NUM_CHANNELS*IN_BITS-1:0] in0_V_TDATA,
  input  logic                            in0_V_TVALID,
  output logic                            in0_V_TREADY,
  output logic [NUM_CHANNELS*IN_BITS-1:0] out_V_TDATA,
  output logic                            out_V_TVALID,
  input  logic                            out_V_TREADY
);

  localparam int W = NUM_CHANNELS * IN_BITS;
  localparam int OD = IMG_DIM / POOL_DIM;
  localparam int KBits = (POOL_DIM > 1) ? $clog2(POOL_DIM) : 1;
  localparam int OdBits = (OD > 1) ? $clog2(OD) : 1;

  // ---- input position: h = oh*k + ky, w = ox*k + kx ----
  logic [KBits-1:0]  kx_q;
  logic [KBits-1:0]  ky_q;
  logic [OdBits-1:0] ox_q;
  logic              last_kx;
  logic              last_ky;
  logic              last_ox;
  logic              window_first;
  logic              window_last;

  assign last_kx      = kx_q == KBits'(POOL_DIM - 1);
  assign last_ky      = ky_q == KBits'(POOL_DIM - 1);
  assign last_ox      = ox_q == OdBits'(OD - 1);
  assign window_first = (kx_q == '0) && (ky_q == '0);
  assign window_last  = last_kx && last_ky;

  logic [1:0] count_q;      // output buffer occupancy (0..2)
  logic       in_fire;
  logic       push;

  assign in0_V_TREADY = (count_q != 2'd2) || !window_last;
  assign in_fire      = in0_V_TVALID && in0_V_TREADY;
  assign push         = in_fire && window_last;

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      kx_q <= '0;
      ky_q <= '0;
      ox_q <= '0;
    end else if (in_fire) begin
      kx_q <= last_kx ? '0 : kx_q + 1'b1;
      if (last_kx) begin
        ox_q <= last_ox ? '0 : ox_q + 1'b1;
        if (last_ox) begin
          ky_q <= last_ky ? '0 : ky_q + 1'b1;
        end
      end
    end
  end

  // ---- row buffer and element-wise maximum ----
  logic [W-1:0] row_q [0:OD-1];
  logic [W-1:0] partial;
  logic [W-1:0] merged;
  logic [W-1:0] updated;

  assign partial = row_q[ox_q];

  if (IN_BITS == 1 && INPUT_SIGNED == 0) begin : g_or
    // 1-bit data: the maximum is the OR, for all channels at once (one vector operation
    // where Verilator would evaluate a lane per channel).
    assign merged = partial | in0_V_TDATA;
  end else begin : g_lanes
    for (genvar c = 0; c < NUM_CHANNELS; c++) begin : g_lane
      logic [IN_BITS-1:0] a;
      logic [IN_BITS-1:0] x;
      logic               keep;
      assign a = partial[c*IN_BITS +: IN_BITS];
      assign x = in0_V_TDATA[c*IN_BITS +: IN_BITS];
      if (INPUT_SIGNED != 0) begin : g_s
        assign keep = $signed(a) >= $signed(x);
      end else begin : g_u
        assign keep = a >= x;
      end
      assign merged[c*IN_BITS +: IN_BITS] = keep ? a : x;
    end
  end

  assign updated = window_first ? in0_V_TDATA : merged;

  always_ff @(posedge ap_clk) begin
    if (in_fire) begin
      row_q[ox_q] <= updated;
    end
  end

  // ---- 2-entry output buffer ----
  shoal_outbuf2 #(.WIDTH(W)) outbuf (
    .ap_clk, .ap_rst_n,
    .push, .push_data(updated),
    .count(count_q),
    .out_V_TDATA, .out_V_TVALID, .out_V_TREADY
  );

endmodule
