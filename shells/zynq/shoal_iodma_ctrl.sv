// shoal_iodma_ctrl: the AXI4-Lite register file of an IODMA, laid out as the s_axi_control
// interface Vitis HLS generates for FINN's IODMA function (hardware.md §1.11), because
// driver_base.py programs the DMAs through exactly these offsets:
//
//   0x00 AP_CTRL  bit 0 ap_start  R/W: writing 1 requests a run; reads 1 from then until
//                                 the run ends (Vitis HLS clears it at ap_ready, which for
//                                 this function is the end of the run)
//                 bit 1 ap_done   R, clear on read: set when a run ends, cleared by the
//                                 next read of 0x00 (the read that sees it returns 1)
//                 bit 2 ap_idle   R: 1 while no run is in progress (also after reset)
//                 other bits read 0 (no ap_ready/auto_restart: FINN never uses them)
//   0x10          buffer address, bits 31:0   R/W
//   0x14          buffer address, bits 63:32  R/W
//   0x1C          numReps (frames per run)    R/W
//   0x04-0x0C, 0x18 and the rest read 0 and ignore writes (no interrupts: the driver
//                 polls ap_done).
//
// Writes honour WSTRB. Both responses are OKAY. A write of 1 to ap_start while a run is
// in progress does not queue a second run (the bit is already 1 and clears at the end),
// as in Vitis HLS. The address and numReps are sampled when a run starts, so the driver
// may reprogram them while a run is in progress.
`default_nettype none
module shoal_iodma_ctrl #(
  parameter int ADDR_BITS = 6
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  // AXI4-Lite slave
  input  wire [ADDR_BITS-1:0] awaddr_i,
  input  wire                 awvalid_i,
  output wire                 awready_o,
  input  wire [31:0]          wdata_i,
  input  wire [3:0]           wstrb_i,
  input  wire                 wvalid_i,
  output wire                 wready_o,
  output wire [1:0]           bresp_o,
  output wire                 bvalid_o,
  input  wire                 bready_i,
  input  wire [ADDR_BITS-1:0] araddr_i,
  input  wire                 arvalid_i,
  output wire                 arready_o,
  output wire [31:0]          rdata_o,
  output wire [1:0]           rresp_o,
  output wire                 rvalid_o,
  input  wire                 rready_i,
  // to and from the DMA engine
  output wire                 start_o,     // one cycle: a run begins with these values
  output wire [63:0]          base_addr_o,
  output wire [31:0]          num_reps_o,
  input  wire                 done_i       // one cycle: the run has ended
);
  localparam logic [ADDR_BITS-1:0] RegCtrl    = ADDR_BITS'(8'h00);
  localparam logic [ADDR_BITS-1:0] RegAddrLo  = ADDR_BITS'(8'h10);
  localparam logic [ADDR_BITS-1:0] RegAddrHi  = ADDR_BITS'(8'h14);
  localparam logic [ADDR_BITS-1:0] RegNumReps = ADDR_BITS'(8'h1C);

  logic start_q;     // ap_start
  logic done_q;      // ap_done
  logic busy_q;      // a run is in progress (!ap_idle)
  logic [63:0] addr_q;
  logic [31:0] reps_q;
  logic bvalid_q;
  logic rvalid_q;
  logic [31:0] rdata_q;

  // --- write channel: take address and data together, one write at a time --------------
  logic wr_fire;
  logic rd_fire;
  logic [31:0] wmask;
  assign awready_o = awvalid_i && wvalid_i && !bvalid_q;
  assign wready_o  = awvalid_i && wvalid_i && !bvalid_q;
  assign wr_fire   = awvalid_i && wvalid_i && !bvalid_q;
  assign bvalid_o  = bvalid_q;
  assign bresp_o   = 2'b00;
  assign wmask     = {{8{wstrb_i[3]}}, {8{wstrb_i[2]}}, {8{wstrb_i[1]}}, {8{wstrb_i[0]}}};

  // --- read channel: one read in flight, data registered --------------------------------
  assign arready_o = !rvalid_q;
  assign rd_fire   = arvalid_i && !rvalid_q;
  assign rvalid_o  = rvalid_q;
  assign rresp_o   = 2'b00;
  assign rdata_o   = rdata_q;

  // A run starts the cycle after ap_start is seen while idle.
  assign start_o     = start_q && !busy_q;
  assign base_addr_o = addr_q;
  assign num_reps_o  = reps_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      start_q  <= 1'b0;
      done_q   <= 1'b0;
      busy_q   <= 1'b0;
      addr_q   <= '0;
      reps_q   <= '0;
      bvalid_q <= 1'b0;
      rvalid_q <= 1'b0;
      rdata_q  <= '0;
    end else begin
      if (bvalid_q && bready_i) bvalid_q <= 1'b0;
      if (rvalid_q && rready_i) rvalid_q <= 1'b0;

      if (start_o) busy_q <= 1'b1;
      // Clear-on-read first, so that a run ending in the same cycle as the read is not
      // lost: its done stays set for the next read.
      if (rd_fire && araddr_i == RegCtrl) done_q <= 1'b0;
      if (done_i) begin
        busy_q  <= 1'b0;
        start_q <= 1'b0;
        done_q  <= 1'b1;
      end

      if (wr_fire) begin
        bvalid_q <= 1'b1;
        case (awaddr_i)
          RegCtrl: if (wstrb_i[0] && wdata_i[0]) start_q <= 1'b1;
          RegAddrLo: addr_q[31:0] <= (addr_q[31:0] & ~wmask) | (wdata_i & wmask);
          RegAddrHi: addr_q[63:32] <= (addr_q[63:32] & ~wmask) | (wdata_i & wmask);
          RegNumReps: reps_q <= (reps_q & ~wmask) | (wdata_i & wmask);
          default: ;
        endcase
      end

      if (rd_fire) begin
        rvalid_q <= 1'b1;
        case (araddr_i)
          RegCtrl: rdata_q <= {29'b0, !busy_q, done_q, start_q};
          RegAddrLo: rdata_q <= addr_q[31:0];
          RegAddrHi: rdata_q <= addr_q[63:32];
          RegNumReps: rdata_q <= reps_q;
          default: rdata_q <= '0;
        endcase
      end
    end
  end
endmodule
`default_nettype wire
