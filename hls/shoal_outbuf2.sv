// shoal_outbuf2: a 2-entry output buffer for AXI-Stream masters whose data is produced by
// internal logic (padding, pooling, window generation), so that out_V_TVALID and TDATA
// come from registers and the producer can still deliver one beat per cycle.
//
// Interface
//   push / push_data: the producer writes one beat this cycle. It must only push while
//   the buffer has room once this cycle's out_V handshake (if any) has taken the head:
//   count - (out_V_TVALID && out_V_TREADY) < 2. A producer that wants its decision from
//   registers only uses count != 2, which implies it.
//   count: occupancy 0..2 (registered).
//   out_V: the buffer's head; TVALID = count != 0, TDATA held while TVALID && !TREADY.
//
// Entry 0 is always the head, so TDATA is a register without a read multiplexer.

module shoal_outbuf2 #(
  parameter int WIDTH = 8
) (
  input  logic             ap_clk,
  input  logic             ap_rst_n,
  input  logic             push,
  input  logic [WIDTH-1:0] push_data,
  output logic [1:0]       count,
  output logic [WIDTH-1:0] out_V_TDATA,
  output logic             out_V_TVALID,
  input  logic             out_V_TREADY
);

  logic [1:0]       count_q;
  logic [WIDTH-1:0] buf0_q;
  logic [WIDTH-1:0] buf1_q;
  logic             out_fire;
  logic [1:0]       count_after_pop;

  assign out_fire        = out_V_TVALID && out_V_TREADY;
  assign count_after_pop = count_q - 2'(out_fire);

  always_ff @(posedge ap_clk) begin
    if (push && count_after_pop == 2'd0) begin
      buf0_q <= push_data;
    end else if (out_fire) begin
      buf0_q <= buf1_q;
    end
    if (push && count_after_pop == 2'd1) begin
      buf1_q <= push_data;
    end
  end

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      count_q <= '0;
    end else begin
      count_q <= count_after_pop + 2'(push);
    end
  end

  assign count        = count_q;
  assign out_V_TVALID = count_q != 2'd0;
  assign out_V_TDATA  = buf0_q;

endmodule
