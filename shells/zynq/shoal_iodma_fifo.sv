// shoal_iodma_fifo: the word buffer between an IODMA's AXI4 data channel and its width
// converter. DEPTH words of WIDTH bits in a circular buffer with an asynchronous read port
// (LUTRAM on Xilinx parts), so a word is offered the cycle after it arrives and the buffer
// moves one word in and one word out per cycle.
//
// `count` (registered) lets the DMA decide whether a whole burst fits (read side) or is
// present (write side) before it issues the burst address, so neither the R nor the W
// channel ever waits on the stream side in the middle of a burst.
`default_nettype none
module shoal_iodma_fifo #(
  parameter int WIDTH = 64,
  parameter int DEPTH = 32  // a power of two
) (
  input  wire                       clk_i,
  input  wire                       rst_ni,
  input  wire [WIDTH-1:0]           in_data_i,
  input  wire                       in_valid_i,
  output wire                       in_ready_o,
  output wire [WIDTH-1:0]           out_data_o,
  output wire                       out_valid_o,
  input  wire                       out_ready_i,
  output wire [$clog2(DEPTH+1)-1:0] count_o
);
  localparam int AddrBits = $clog2(DEPTH);
  localparam int CountBits = $clog2(DEPTH + 1);

  logic [WIDTH-1:0] mem_q [0:DEPTH-1];
  logic [AddrBits-1:0] wr_ptr_q;
  logic [AddrBits-1:0] rd_ptr_q;
  logic [CountBits-1:0] count_q;
  logic push;
  logic pop;

  assign in_ready_o  = count_q != CountBits'(DEPTH);
  assign out_valid_o = count_q != '0;
  assign out_data_o  = mem_q[rd_ptr_q];
  assign count_o     = count_q;
  assign push        = in_valid_i && in_ready_o;
  assign pop         = out_valid_o && out_ready_i;

  always_ff @(posedge clk_i) begin
    if (push) mem_q[wr_ptr_q] <= in_data_i;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      wr_ptr_q <= '0;
      rd_ptr_q <= '0;
      count_q  <= '0;
    end else begin
      // The pointers wrap by overflow: DEPTH is a power of two.
      if (push) wr_ptr_q <= wr_ptr_q + 1'b1;
      if (pop) rd_ptr_q <= rd_ptr_q + 1'b1;
      count_q <= count_q + CountBits'(push) - CountBits'(pop);
    end
  end
endmodule
`default_nettype wire
