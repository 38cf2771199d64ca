// shoal_idma: the input DMA (memory -> out_V) of FINN's Zynq block design (cell idma0 in make_zynq_proj.tcl), a
// Verilog-2001 top around shoal_iodma (DIRECTION 0) so that Vivado can reference it as a
// block-design module. The port names follow Vitis HLS (ap_clk, ap_rst_n, s_axi_control_*,
// m_axi_gmem0_*, out_V_*), from which Vivado infers the interfaces s_axi_control (AXI4-Lite),
// m_axi_gmem0 (AXI4 master) and out_V (AXI4-Stream); the attributes tie them to ap_clk and
// mark ap_rst_n active low. Parameters: shoal_iodma.sv and shells/zynq/README.md.
`default_nettype none
module shoal_idma #(
  parameter integer INTF_BITS = 64,
  parameter integer STREAM_BITS = 8,
  parameter integer FRAME_BYTES = 8,
  parameter integer MAX_BURST = 16,
  parameter integer FIFO_DEPTH = 0,  // 0: 2 * MAX_BURST
  parameter integer ADDR_BITS = 64
) (
  (* X_INTERFACE_INFO = "xilinx.com:signal:clock:1.0 ap_clk CLK" *)
  (* X_INTERFACE_PARAMETER = "ASSOCIATED_BUSIF s_axi_control:m_axi_gmem0:out_V, ASSOCIATED_RESET ap_rst_n" *)
  input  wire                     ap_clk,
  (* X_INTERFACE_INFO = "xilinx.com:signal:reset:1.0 ap_rst_n RST" *)
  (* X_INTERFACE_PARAMETER = "POLARITY ACTIVE_LOW" *)
  input  wire                     ap_rst_n,
  input  wire [5:0]               s_axi_control_AWADDR,
  input  wire                     s_axi_control_AWVALID,
  output wire                     s_axi_control_AWREADY,
  input  wire [31:0]              s_axi_control_WDATA,
  input  wire [3:0]               s_axi_control_WSTRB,
  input  wire                     s_axi_control_WVALID,
  output wire                     s_axi_control_WREADY,
  output wire [1:0]               s_axi_control_BRESP,
  output wire                     s_axi_control_BVALID,
  input  wire                     s_axi_control_BREADY,
  input  wire [5:0]               s_axi_control_ARADDR,
  input  wire                     s_axi_control_ARVALID,
  output wire                     s_axi_control_ARREADY,
  output wire [31:0]              s_axi_control_RDATA,
  output wire [1:0]               s_axi_control_RRESP,
  output wire                     s_axi_control_RVALID,
  input  wire                     s_axi_control_RREADY,
  output wire [ADDR_BITS-1:0]     m_axi_gmem0_AWADDR,
  output wire [7:0]               m_axi_gmem0_AWLEN,
  output wire [2:0]               m_axi_gmem0_AWSIZE,
  output wire [1:0]               m_axi_gmem0_AWBURST,
  output wire [3:0]               m_axi_gmem0_AWCACHE,
  output wire [2:0]               m_axi_gmem0_AWPROT,
  output wire                     m_axi_gmem0_AWVALID,
  input  wire                     m_axi_gmem0_AWREADY,
  output wire [INTF_BITS-1:0]     m_axi_gmem0_WDATA,
  output wire [INTF_BITS/8-1:0]   m_axi_gmem0_WSTRB,
  output wire                     m_axi_gmem0_WLAST,
  output wire                     m_axi_gmem0_WVALID,
  input  wire                     m_axi_gmem0_WREADY,
  input  wire [1:0]               m_axi_gmem0_BRESP,
  input  wire                     m_axi_gmem0_BVALID,
  output wire                     m_axi_gmem0_BREADY,
  output wire [ADDR_BITS-1:0]     m_axi_gmem0_ARADDR,
  output wire [7:0]               m_axi_gmem0_ARLEN,
  output wire [2:0]               m_axi_gmem0_ARSIZE,
  output wire [1:0]               m_axi_gmem0_ARBURST,
  output wire [3:0]               m_axi_gmem0_ARCACHE,
  output wire [2:0]               m_axi_gmem0_ARPROT,
  output wire                     m_axi_gmem0_ARVALID,
  input  wire                     m_axi_gmem0_ARREADY,
  input  wire [INTF_BITS-1:0]     m_axi_gmem0_RDATA,
  input  wire [1:0]               m_axi_gmem0_RRESP,
  input  wire                     m_axi_gmem0_RLAST,
  input  wire                     m_axi_gmem0_RVALID,
  output wire                     m_axi_gmem0_RREADY,
  output wire [STREAM_BITS-1:0]   out_V_TDATA,
  output wire                     out_V_TVALID,
  input  wire                     out_V_TREADY
);
  wire unused_in0_V_TREADY;
  // The default follows MAX_BURST even when a tool passes every parameter explicitly.
  localparam integer FifoDepth = FIFO_DEPTH > 0 ? FIFO_DEPTH : 2 * MAX_BURST;
  shoal_iodma #(
    .DIRECTION(0), .INTF_BITS(INTF_BITS), .STREAM_BITS(STREAM_BITS),
    .FRAME_BYTES(FRAME_BYTES), .MAX_BURST(MAX_BURST), .FIFO_DEPTH(FifoDepth),
    .ADDR_BITS(ADDR_BITS), .CTRL_ADDR_BITS(6)
  ) u_iodma (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n),
    .s_axi_control_AWADDR(s_axi_control_AWADDR), .s_axi_control_AWVALID(s_axi_control_AWVALID),
    .s_axi_control_AWREADY(s_axi_control_AWREADY),
    .s_axi_control_WDATA(s_axi_control_WDATA), .s_axi_control_WSTRB(s_axi_control_WSTRB),
    .s_axi_control_WVALID(s_axi_control_WVALID), .s_axi_control_WREADY(s_axi_control_WREADY),
    .s_axi_control_BRESP(s_axi_control_BRESP), .s_axi_control_BVALID(s_axi_control_BVALID),
    .s_axi_control_BREADY(s_axi_control_BREADY),
    .s_axi_control_ARADDR(s_axi_control_ARADDR), .s_axi_control_ARVALID(s_axi_control_ARVALID),
    .s_axi_control_ARREADY(s_axi_control_ARREADY),
    .s_axi_control_RDATA(s_axi_control_RDATA), .s_axi_control_RRESP(s_axi_control_RRESP),
    .s_axi_control_RVALID(s_axi_control_RVALID), .s_axi_control_RREADY(s_axi_control_RREADY),
    .m_axi_gmem0_AWADDR(m_axi_gmem0_AWADDR), .m_axi_gmem0_AWLEN(m_axi_gmem0_AWLEN),
    .m_axi_gmem0_AWSIZE(m_axi_gmem0_AWSIZE), .m_axi_gmem0_AWBURST(m_axi_gmem0_AWBURST),
    .m_axi_gmem0_AWCACHE(m_axi_gmem0_AWCACHE), .m_axi_gmem0_AWPROT(m_axi_gmem0_AWPROT),
    .m_axi_gmem0_AWVALID(m_axi_gmem0_AWVALID), .m_axi_gmem0_AWREADY(m_axi_gmem0_AWREADY),
    .m_axi_gmem0_WDATA(m_axi_gmem0_WDATA), .m_axi_gmem0_WSTRB(m_axi_gmem0_WSTRB),
    .m_axi_gmem0_WLAST(m_axi_gmem0_WLAST), .m_axi_gmem0_WVALID(m_axi_gmem0_WVALID),
    .m_axi_gmem0_WREADY(m_axi_gmem0_WREADY),
    .m_axi_gmem0_BRESP(m_axi_gmem0_BRESP), .m_axi_gmem0_BVALID(m_axi_gmem0_BVALID),
    .m_axi_gmem0_BREADY(m_axi_gmem0_BREADY),
    .m_axi_gmem0_ARADDR(m_axi_gmem0_ARADDR), .m_axi_gmem0_ARLEN(m_axi_gmem0_ARLEN),
    .m_axi_gmem0_ARSIZE(m_axi_gmem0_ARSIZE), .m_axi_gmem0_ARBURST(m_axi_gmem0_ARBURST),
    .m_axi_gmem0_ARCACHE(m_axi_gmem0_ARCACHE), .m_axi_gmem0_ARPROT(m_axi_gmem0_ARPROT),
    .m_axi_gmem0_ARVALID(m_axi_gmem0_ARVALID), .m_axi_gmem0_ARREADY(m_axi_gmem0_ARREADY),
    .m_axi_gmem0_RDATA(m_axi_gmem0_RDATA), .m_axi_gmem0_RRESP(m_axi_gmem0_RRESP),
    .m_axi_gmem0_RLAST(m_axi_gmem0_RLAST), .m_axi_gmem0_RVALID(m_axi_gmem0_RVALID),
    .m_axi_gmem0_RREADY(m_axi_gmem0_RREADY),
    .out_V_TDATA(out_V_TDATA), .out_V_TVALID(out_V_TVALID), .out_V_TREADY(out_V_TREADY),
    .in0_V_TDATA({STREAM_BITS{1'b0}}), .in0_V_TVALID(1'b0), .in0_V_TREADY(unused_in0_V_TREADY)
  );
endmodule
`default_nettype wire
