// shoal_fifo: StreamingFIFO holding exactly DEPTH items, with occupancy monitors.
//
// Stream protocol
//   in0_V (slave, WIDTH bits) -> out_V (master, WIDTH bits), items leave in arrival order.
//   A beat transfers when TVALID && TREADY at a rising edge of ap_clk.
//   in0_V_TREADY = (occupancy < DEPTH) and out_V_TVALID = (an item is presented) are both
//   driven from registers only: no combinational path from in0_V to out_V or from
//   out_V_TREADY to in0_V_TREADY. out_V holds its data while TVALID && !TREADY.
//
// Occupancy monitors (width $clog2(DEPTH+1))
//   count    = items currently held (accepted and not yet delivered), registered.
//   maxcount = peak value of count since reset (for FIFO sizing by simulation).
//
// Implementation (chosen by DEPTH)
//   DEPTH <= SRL_MAX_DEPTH: an addressable shift register (Xilinx SRL16/SRLC32 in yosys)
//     read at the oldest entry; latency 1 cycle (an item accepted in cycle c is presented
//     from cycle c+1 when the FIFO was empty).
//   DEPTH >  SRL_MAX_DEPTH: a circular buffer in a synchronous-read memory (block RAM or
//     LUTRAM) whose registered read port is the output register; latency 2 cycles.
//
// Throughput: one item in and one item out per cycle simultaneously, as long as the FIFO
// is neither empty nor full (a full FIFO accepts again in the cycle after an item
// leaves).

module shoal_fifo #(
  parameter int DEPTH = 2,
  parameter int WIDTH = 8,
  parameter int SRL_MAX_DEPTH = 32
) (
  input  logic                       ap_clk,
  input  logic                       ap_rst_n,
  input  logic [WIDTH-1:0]           in0_V_TDATA,
  input  logic                       in0_V_TVALID,
  output logic                       in0_V_TREADY,
  output logic [WIDTH-1:0]           out_V_TDATA,
  output logic                       out_V_TVALID,
  input  logic                       out_V_TREADY,
  output logic [$clog2(DEPTH+1)-1:0] count,
  output logic [$clog2(DEPTH+1)-1:0] maxcount
);

  localparam int CountBits = $clog2(DEPTH + 1);
  localparam int AddrBits = $clog2(DEPTH);
  localparam logic [CountBits-1:0] Depth = CountBits'(DEPTH);
  localparam logic [AddrBits-1:0] LastAddr = AddrBits'(DEPTH - 1);

  logic in_fire;
  logic out_fire;
  logic [CountBits-1:0] count_q;
  logic [CountBits-1:0] count_d;
  logic [CountBits-1:0] maxcount_q;
  logic in_ready_q;

  assign in_fire  = in0_V_TVALID && in_ready_q;
  assign out_fire = out_V_TVALID && out_V_TREADY;
  assign count_d  = count_q + CountBits'(in_fire) - CountBits'(out_fire);

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      count_q    <= '0;
      maxcount_q <= '0;
      in_ready_q <= 1'b0;
    end else begin
      count_q    <= count_d;
      maxcount_q <= (count_d > maxcount_q) ? count_d : maxcount_q;
      in_ready_q <= count_d != Depth;
    end
  end

  assign in0_V_TREADY = in_ready_q;
  assign count        = count_q;
  assign maxcount     = maxcount_q;

  generate
    if (DEPTH <= SRL_MAX_DEPTH) begin : g_srl
      // Entry 0 receives the newest item; the oldest sits at read_addr_q = count - 1.
      logic [AddrBits-1:0] read_addr_q;
      logic                valid_q;

`ifdef SHOAL_FAST_SIM
      // Simulation-only (rtlsim defines SHOAL_FAST_SIM): the same shift register as a ring
      // of words, entry i (0 = newest) in slot wr_slot_q - 1 - i modulo DEPTH. Verilator
      // shifted each bit's chain separately, a fifth of a CNV simulation's time.
      logic [WIDTH-1:0]    ring [0:DEPTH-1];
      logic [AddrBits-1:0] wr_slot_q;
      logic [AddrBits:0]   rd_slot;

      always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) begin
          wr_slot_q <= '0;
        end else if (in_fire) begin
          ring[wr_slot_q] <= in0_V_TDATA;
          wr_slot_q       <= (wr_slot_q == LastAddr) ? '0 : wr_slot_q + 1'b1;
        end
      end
      assign rd_slot = {1'b0, wr_slot_q} + (AddrBits + 1)'(DEPTH - 1) - {1'b0, read_addr_q};
      assign out_V_TDATA = ring[(rd_slot >= (AddrBits + 1)'(DEPTH)) ?
                                AddrBits'(rd_slot - (AddrBits + 1)'(DEPTH)) : AddrBits'(rd_slot)];
`else
      // One DEPTH-bit shift chain per data bit, read through a variable bit select: the
      // shape yosys maps to dynamic shift registers (SRLC32E on Xilinx).
      for (genvar b = 0; b < WIDTH; b++) begin : g_bit
        logic [DEPTH-1:0] chain_q;
        always_ff @(posedge ap_clk) begin
          if (in_fire) begin
            chain_q <= {chain_q[DEPTH-2:0], in0_V_TDATA[b]};
          end
        end
        assign out_V_TDATA[b] = chain_q[read_addr_q];
      end
`endif

      always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) begin
          read_addr_q <= '0;
          valid_q     <= 1'b0;
        end else begin
          valid_q <= count_d != '0;
          // The address moves up on a push and down on a pop; it stays 0 while at most one
          // item is held.
          if (in_fire && !out_fire && valid_q) begin
            read_addr_q <= read_addr_q + 1'b1;
          end else if (!in_fire && out_fire && read_addr_q != '0) begin
            read_addr_q <= read_addr_q - 1'b1;
          end
        end
      end

      assign out_V_TVALID = valid_q;
    end else begin : g_ram
      logic [WIDTH-1:0]    mem [0:DEPTH-1];
      logic [AddrBits-1:0] wr_addr_q;
      logic [AddrBits-1:0] rd_addr_q;
      logic [CountBits-1:0] stored_q;  // items in mem that are not yet in the output register
      logic                valid_q;
      logic [WIDTH-1:0]    rdata_q;
      logic                read_en;

      // Read the next stored item when the output register is empty or being emptied.
      // Items written in this cycle are not counted yet, so a read never hits the address
      // being written.
      assign read_en = (stored_q != '0) && (!valid_q || out_V_TREADY);

      always_ff @(posedge ap_clk) begin
        if (in_fire) begin
          mem[wr_addr_q] <= in0_V_TDATA;
        end
      end

      always_ff @(posedge ap_clk) begin
        if (read_en) begin
          rdata_q <= mem[rd_addr_q];
        end
      end

      always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) begin
          wr_addr_q <= '0;
          rd_addr_q <= '0;
          stored_q  <= '0;
          valid_q   <= 1'b0;
        end else begin
          if (in_fire) begin
            wr_addr_q <= (wr_addr_q == LastAddr) ? '0 : wr_addr_q + 1'b1;
          end
          if (read_en) begin
            rd_addr_q <= (rd_addr_q == LastAddr) ? '0 : rd_addr_q + 1'b1;
          end
          stored_q <= stored_q + CountBits'(in_fire) - CountBits'(read_en);
          if (read_en) begin
            valid_q <= 1'b1;
          end else if (out_V_TREADY) begin
            valid_q <= 1'b0;
          end
        end
      end

      assign out_V_TDATA  = rdata_q;
      assign out_V_TVALID = valid_q;
    end
  endgenerate

endmodule
