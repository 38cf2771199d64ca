// shoal_fmpadding: FMPadding_Batch, zero padding of an NHWC image (conv.md §4.2) with the
// exact ONNX pads [top, left, bottom, right].
//
// Stream protocol
//   in0_V (slave, SIMD*IN_BITS bits): IMG_H*IMG_W*CF beats per image, CF = NUM_CHANNELS/SIMD,
//   in the order (h, w, cf); lane s of a beat is channel cf*SIMD + s (element s in bits
//   [(s+1)*IN_BITS-1 : s*IN_BITS]). Images follow each other without separators.
//   Requires NUM_CHANNELS % SIMD == 0 and pads >= 0.
//   out_V (master, SIMD*IN_BITS bits): OH*OW*CF beats per image, OH = PAD_TOP + IMG_H +
//   PAD_BOTTOM, OW = PAD_LEFT + IMG_W + PAD_RIGHT, same order and lane layout. Output
//   pixel (oh, ow) is input pixel (oh - PAD_TOP, ow - PAD_LEFT) where that lies inside the
//   image and all-zero bits otherwise (the value 0 of every integer type; the input type
//   must allow 0, as FINN asserts). Unlike hlslib's FMPadding, which only gets the total
//   padding per axis, the pads are exact, also when asymmetric.
//   out_V_TVALID and in0_V_TREADY come from registers only; out_V holds its data while
//   TVALID && !TREADY.
//
// Operation: counters (oh, ow, cf) walk the output. Each cycle in which the 2-entry output
// buffer has room, a padding position issues a zero beat, an image position passes the
// input beat on (in0_V_TREADY = room && image position).
//
// Latency: 1 cycle (input handshake to output beat valid).
// Throughput: one output beat per cycle when out_V is not back-pressured and the input
// keeps up: OH*OW*CF cycles per image (FINN's cycle estimate).

module shoal_fmpadding #(
  parameter int IMG_H = 4,
  parameter int IMG_W = 4,
  parameter int NUM_CHANNELS = 2,
  parameter int SIMD = 1,
  parameter int IN_BITS = 4,
  parameter int PAD_TOP = 1,
  parameter int PAD_LEFT = 1,
  parameter int PAD_BOTTOM = 1,
  parameter int PAD_RIGHT = 1
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
  localparam int CF = NUM_CHANNELS / SIMD;
  localparam int OH = PAD_TOP + IMG_H + PAD_BOTTOM;
  localparam int OW = PAD_LEFT + IMG_W + PAD_RIGHT;
  localparam int CfBits = (CF > 1) ? $clog2(CF) : 1;
  localparam int HBits = (OH > 1) ? $clog2(OH) : 1;
  localparam int WBits = (OW > 1) ? $clog2(OW) : 1;

  // ---- output position ----
  logic [CfBits-1:0] cf_q;
  logic [WBits-1:0]  ow_q;
  logic [HBits-1:0]  oh_q;
  logic              last_cf;
  logic              last_ow;
  logic              last_oh;
  logic              pad_top;
  logic              pad_bottom;
  logic              pad_left;
  logic              pad_right;
  logic              is_pad;

  assign last_cf = cf_q == CfBits'(CF - 1);
  assign last_ow = ow_q == WBits'(OW - 1);
  assign last_oh = oh_q == HBits'(OH - 1);

  if (PAD_TOP > 0) begin : g_top
    assign pad_top = oh_q < HBits'(PAD_TOP);
  end else begin : g_no_top
    assign pad_top = 1'b0;
  end
  if (PAD_BOTTOM > 0) begin : g_bottom
    assign pad_bottom = oh_q >= HBits'(PAD_TOP + IMG_H);
  end else begin : g_no_bottom
    assign pad_bottom = 1'b0;
  end
  if (PAD_LEFT > 0) begin : g_left
    assign pad_left = ow_q < WBits'(PAD_LEFT);
  end else begin : g_no_left
    assign pad_left = 1'b0;
  end
  if (PAD_RIGHT > 0) begin : g_right
    assign pad_right = ow_q >= WBits'(PAD_LEFT + IMG_W);
  end else begin : g_no_right
    assign pad_right = 1'b0;
  end
  assign is_pad = pad_top || pad_bottom || pad_left || pad_right;

  // ---- issue ----
  logic [1:0] count_q;      // output buffer occupancy (0..2)
  logic       room;
  logic       issue;

  assign room         = count_q != 2'd2;
  assign in0_V_TREADY = room && !is_pad;
  assign issue        = room && (is_pad || in0_V_TVALID);

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      cf_q <= '0;
      ow_q <= '0;
      oh_q <= '0;
    end else if (issue) begin
      cf_q <= last_cf ? '0 : cf_q + 1'b1;
      if (last_cf) begin
        ow_q <= last_ow ? '0 : ow_q + 1'b1;
        if (last_ow) begin
          oh_q <= last_oh ? '0 : oh_q + 1'b1;
        end
      end
    end
  end

  // ---- 2-entry output buffer ----
  shoal_outbuf2 #(.WIDTH(W)) outbuf (
    .ap_clk, .ap_rst_n,
    .push(issue), .push_data(is_pad ? '0 : in0_V_TDATA),
    .count(count_q),
    .out_V_TDATA, .out_V_TVALID, .out_V_TREADY
  );

endmodule
