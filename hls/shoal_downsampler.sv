// shoal_downsampler: DownSampler, the input of a strided 1x1 convolution: keeps the pixels
// (STRIDE*i, STRIDE*j) of a square NHWC image (conv.md §4.6).
//
// Stream protocol
//   in0_V (slave, SIMD*IN_BITS bits): IMG_DIM*IMG_DIM*MF beats per image, MF =
//   NUM_CHANNELS/SIMD, in the order (h, w, cf); lane s of a beat is channel cf*SIMD + s.
//   Requires NUM_CHANNELS % SIMD == 0.
//   out_V (master, same width): OD*OD*MF beats per image, OD = (IMG_DIM - 1)/STRIDE + 1,
//   same order; output pixel (i, j) is input pixel (STRIDE*i, STRIDE*j).
//   out_V_TVALID and in0_V_TREADY come from registers only; out_V holds its data while
//   TVALID && !TREADY.
//
// Operation: counters (h, w, cf) and their phases modulo STRIDE walk the input; a beat
// whose row and column phases are 0 goes into a 2-entry output buffer, the others are
// dropped. Input is refused only while a kept beat would find the buffer full.
//
// Latency: 1 cycle.
// Throughput: one input beat per cycle when out_V is not back-pressured:
// IMG_DIM^2*MF cycles per image (FINN's estimate).

module shoal_downsampler #(
  parameter int IMG_DIM = 5,
  parameter int NUM_CHANNELS = 4,
  parameter int SIMD = 2,
  parameter int STRIDE = 2,
  parameter int IN_BITS = 4
) (
  input  logic                    ap_clk,
  input  logic                    ap_rst_n,
  input  logic [SIMD*IN_BITS-1:0] in0_V_TDATA,
  input  logic                    in0_V_TVALID,
  output logic                    in0_V_TREADY,
  output logic [SIMD*IN_BITS-1:0] out_V_TDATA,
  output logic                    out_V_TVALID,
  input  logic                    out_V_TREADY
);

  localparam int W = SIMD * IN_BITS;
  localparam int MF = NUM_CHANNELS / SIMD;
  localparam int CfBits = (MF > 1) ? $clog2(MF) : 1;
  localparam int DBits = (IMG_DIM > 1) ? $clog2(IMG_DIM) : 1;
  localparam int SBits = (STRIDE > 1) ? $clog2(STRIDE) : 1;

  logic [CfBits-1:0] cf_q;
  logic [DBits-1:0]  w_q;
  logic [DBits-1:0]  h_q;
  logic [SBits-1:0]  w_phase_q;  // w mod STRIDE
  logic [SBits-1:0]  h_phase_q;  // h mod STRIDE
  logic              last_cf;
  logic              last_w;
  logic              last_h;
  logic              keep;
  logic [1:0]        count;
  logic              in_fire;

  assign last_cf      = cf_q == CfBits'(MF - 1);
  assign last_w       = w_q == DBits'(IMG_DIM - 1);
  assign last_h       = h_q == DBits'(IMG_DIM - 1);
  assign keep         = (w_phase_q == '0) && (h_phase_q == '0);
  assign in0_V_TREADY = (count != 2'd2) || !keep;
  assign in_fire      = in0_V_TVALID && in0_V_TREADY;

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      cf_q      <= '0;
      w_q       <= '0;
      h_q       <= '0;
      w_phase_q <= '0;
      h_phase_q <= '0;
    end else if (in_fire) begin
      cf_q <= last_cf ? '0 : cf_q + 1'b1;
      if (last_cf) begin
        w_q       <= last_w ? '0 : w_q + 1'b1;
        w_phase_q <= (last_w || w_phase_q == SBits'(STRIDE - 1)) ? '0 : w_phase_q + 1'b1;
        if (last_w) begin
          h_q       <= last_h ? '0 : h_q + 1'b1;
          h_phase_q <= (last_h || h_phase_q == SBits'(STRIDE - 1)) ? '0 : h_phase_q + 1'b1;
        end
      end
    end
  end

  shoal_outbuf2 #(.WIDTH(W)) outbuf (
    .ap_clk, .ap_rst_n,
    .push(in_fire && keep), .push_data(in0_V_TDATA),
    .count,
    .out_V_TDATA, .out_V_TVALID, .out_V_TREADY
  );

endmodule
