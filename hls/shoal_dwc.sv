// shoal_dwc: StreamingDataWidthConverter_Batch for an integer width ratio.
//
// Stream protocol
//   in0_V (slave, IN_WIDTH bits) -> out_V (master, OUT_WIDTH bits). The bit stream is
//   preserved LSB first: a wide beat is the concatenation of K = max/min narrow beats with
//   the first narrow beat in the least significant bits (hardware.md §1.6).
//   * IN_WIDTH == K*OUT_WIDTH (down): each input beat gives K output beats, the low
//     OUT_WIDTH bits first.
//   * OUT_WIDTH == K*IN_WIDTH (up): K input beats give one output beat, the first input
//     beat in the low IN_WIDTH bits.
//   * IN_WIDTH == OUT_WIDTH: pure wires (TDATA/TVALID forwarded, TREADY passed back).
//   Both widths must be positive and one must be a multiple of the other (the caller's
//   responsibility: FINN v0.6 rejects other ratios, hardware.md §1.6).
//   For K > 1, out_V_TVALID and in0_V_TREADY come from registers only; out_V holds its
//   data while TVALID && !TREADY.
//
// Latency (K > 1), in cycles from the cycle of the input handshake to the first cycle
// the output beat is valid: 1 (down: first narrow beat; up: after the last narrow beat).
// K == 1: 0 (wires).
//
// Throughput (K > 1): one narrow beat per cycle on the narrow side, i.e. down: K output
// beats every K cycles (a second input word is buffered while the first is sent); up: one
// input beat per cycle and one output beat every K cycles, provided the output does not
// stall.

module shoal_dwc #(
  parameter int IN_WIDTH = 16,
  parameter int OUT_WIDTH = 8
) (
  input  logic                 ap_clk,
  input  logic                 ap_rst_n,
  input  logic [IN_WIDTH-1:0]  in0_V_TDATA,
  input  logic                 in0_V_TVALID,
  output logic                 in0_V_TREADY,
  output logic [OUT_WIDTH-1:0] out_V_TDATA,
  output logic                 out_V_TVALID,
  input  logic                 out_V_TREADY
);

  localparam int Ratio = (IN_WIDTH > OUT_WIDTH) ? IN_WIDTH / OUT_WIDTH : OUT_WIDTH / IN_WIDTH;
  localparam int CountBits = $clog2(Ratio + 1);
  localparam logic [CountBits-1:0] RatioCount = CountBits'(Ratio);

  generate
    if (IN_WIDTH == OUT_WIDTH) begin : g_pass
      logic unused_clk_rst;
      assign unused_clk_rst = ap_clk ^ ap_rst_n;
      assign out_V_TDATA  = in0_V_TDATA;
      assign out_V_TVALID = in0_V_TVALID;
      assign in0_V_TREADY = out_V_TREADY;

    end else if (IN_WIDTH > OUT_WIDTH) begin : g_down
      // cur_q is shifted right by OUT_WIDTH per output beat; parts_q = beats left in it.
      // A following input word waits in next_q so that the narrow side never idles.
      logic [IN_WIDTH-1:0]  cur_q;
      logic [CountBits-1:0] parts_q;
      logic [IN_WIDTH-1:0]  next_q;
      logic                 next_valid_q;
      logic                 in_fire;
      logic                 out_fire;
      logic                 cur_free;

      assign in0_V_TREADY = !next_valid_q;
      assign in_fire  = in0_V_TVALID && !next_valid_q;
      assign out_V_TVALID = parts_q != '0;
      assign out_V_TDATA  = cur_q[OUT_WIDTH-1:0];
      assign out_fire = out_V_TVALID && out_V_TREADY;
      // The current word is used up at the end of this cycle.
      assign cur_free = (parts_q == '0) || (parts_q == CountBits'(1) && out_fire);

      always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) begin
          parts_q      <= '0;
          next_valid_q <= 1'b0;
        end else if (cur_free) begin
          if (next_valid_q) begin
            parts_q      <= RatioCount;
            next_valid_q <= in_fire;
          end else begin
            parts_q      <= in_fire ? RatioCount : '0;
          end
        end else begin
          if (out_fire) begin
            parts_q <= parts_q - 1'b1;
          end
          if (in_fire) begin
            next_valid_q <= 1'b1;
          end
        end
      end

      always_ff @(posedge ap_clk) begin
        if (cur_free) begin
          cur_q <= next_valid_q ? next_q : in0_V_TDATA;
        end else if (out_fire) begin
          cur_q <= IN_WIDTH'(cur_q >> OUT_WIDTH);
        end
        if (in_fire) begin
          next_q <= in0_V_TDATA;
        end
      end

    end else begin : g_up
      // Narrow beats are shifted in at the top of acc_q, so after K beats the first one is
      // in the LSBs. parts_q = beats collected; parts_q == K means a complete word is
      // waiting for the output register.
      logic [OUT_WIDTH-1:0] acc_q;
      logic [CountBits-1:0] parts_q;
      logic [OUT_WIDTH-1:0] acc_shifted;
      logic [OUT_WIDTH-1:0] out_q;
      logic                 out_valid_q;
      logic                 in_fire;
      logic                 out_free;
      logic                 complete_now;

      assign in0_V_TREADY = parts_q != RatioCount;
      assign in_fire = in0_V_TVALID && (parts_q != RatioCount);
      assign acc_shifted = {in0_V_TDATA, acc_q[OUT_WIDTH-1:IN_WIDTH]};
      assign out_free = !out_valid_q || out_V_TREADY;
      assign complete_now = in_fire && (parts_q == RatioCount - 1'b1);
      assign out_V_TDATA  = out_q;
      assign out_V_TVALID = out_valid_q;

      always_ff @(posedge ap_clk) begin
        if (in_fire) begin
          acc_q <= acc_shifted;
        end
        if (out_free) begin
          out_q <= (parts_q == RatioCount) ? acc_q : acc_shifted;
        end
      end

      always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) begin
          parts_q     <= '0;
          out_valid_q <= 1'b0;
        end else begin
          if (parts_q == RatioCount) begin
            if (out_free) begin
              parts_q <= '0;
            end
          end else if (in_fire) begin
            parts_q <= (complete_now && out_free) ? '0 : parts_q + 1'b1;
          end
          if (out_free) begin
            out_valid_q <= (parts_q == RatioCount) || complete_now;
          end
        end
      end
    end
  endgenerate

endmodule
