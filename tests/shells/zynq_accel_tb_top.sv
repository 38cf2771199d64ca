// zynq_accel_tb_top: the data path of the Zynq shell's block design for simulation,
// shoal_idma -> finn_design_wrapper -> shoal_odma, with each DMA's s_axi_control and
// m_axi_gmem0 brought out to the C++ harness (zynq_accel_tb.cpp), which plays the PS: the
// driver's register accesses and an AXI memory that stalls at random. The m_axi data
// ports are widened to 1024 bits (strobes to 128) here so that the harness sees the same
// C++ types for every INTF_BITS (the upper bits are zero / ignored). The parameters come
// out as constants, and the beats on the design's two streams are counted, so that the
// harness can size the buffers and check that each run moves exactly its beats.
`default_nettype none
module zynq_accel_tb_top #(
  parameter int I_INTF_BITS = 64,
  parameter int I_STREAM_BITS = 8,
  parameter int I_FRAME_BYTES = 8,
  parameter int O_INTF_BITS = 64,
  parameter int O_STREAM_BITS = 8,
  parameter int O_FRAME_BYTES = 8,
  parameter int MAX_BURST = 16
) (
  input  wire ap_clk,
  input  wire ap_rst_n,
  input  wire [5:0] i_ctrl_AWADDR,
  input  wire i_ctrl_AWVALID,
  input  wire [31:0] i_ctrl_WDATA,
  input  wire [3:0] i_ctrl_WSTRB,
  input  wire i_ctrl_WVALID,
  input  wire i_ctrl_BREADY,
  input  wire [5:0] i_ctrl_ARADDR,
  input  wire i_ctrl_ARVALID,
  input  wire i_ctrl_RREADY,
  output wire i_ctrl_AWREADY,
  output wire i_ctrl_WREADY,
  output wire [1:0] i_ctrl_BRESP,
  output wire i_ctrl_BVALID,
  output wire i_ctrl_ARREADY,
  output wire [31:0] i_ctrl_RDATA,
  output wire [1:0] i_ctrl_RRESP,
  output wire i_ctrl_RVALID,
  output wire [63:0] i_mem_AWADDR,
  output wire [7:0] i_mem_AWLEN,
  output wire [2:0] i_mem_AWSIZE,
  output wire [1:0] i_mem_AWBURST,
  output wire [3:0] i_mem_AWCACHE,
  output wire [2:0] i_mem_AWPROT,
  output wire i_mem_AWVALID,
  output wire [1023:0] i_mem_WDATA,
  output wire [127:0] i_mem_WSTRB,
  output wire i_mem_WLAST,
  output wire i_mem_WVALID,
  output wire i_mem_BREADY,
  output wire [63:0] i_mem_ARADDR,
  output wire [7:0] i_mem_ARLEN,
  output wire [2:0] i_mem_ARSIZE,
  output wire [1:0] i_mem_ARBURST,
  output wire [3:0] i_mem_ARCACHE,
  output wire [2:0] i_mem_ARPROT,
  output wire i_mem_ARVALID,
  output wire i_mem_RREADY,
  input  wire i_mem_AWREADY,
  input  wire i_mem_WREADY,
  input  wire [1:0] i_mem_BRESP,
  input  wire i_mem_BVALID,
  input  wire i_mem_ARREADY,
  input  wire [1023:0] i_mem_RDATA,
  input  wire [1:0] i_mem_RRESP,
  input  wire i_mem_RLAST,
  input  wire i_mem_RVALID,
  input  wire [5:0] o_ctrl_AWADDR,
  input  wire o_ctrl_AWVALID,
  input  wire [31:0] o_ctrl_WDATA,
  input  wire [3:0] o_ctrl_WSTRB,
  input  wire o_ctrl_WVALID,
  input  wire o_ctrl_BREADY,
  input  wire [5:0] o_ctrl_ARADDR,
  input  wire o_ctrl_ARVALID,
  input  wire o_ctrl_RREADY,
  output wire o_ctrl_AWREADY,
  output wire o_ctrl_WREADY,
  output wire [1:0] o_ctrl_BRESP,
  output wire o_ctrl_BVALID,
  output wire o_ctrl_ARREADY,
  output wire [31:0] o_ctrl_RDATA,
  output wire [1:0] o_ctrl_RRESP,
  output wire o_ctrl_RVALID,
  output wire [63:0] o_mem_AWADDR,
  output wire [7:0] o_mem_AWLEN,
  output wire [2:0] o_mem_AWSIZE,
  output wire [1:0] o_mem_AWBURST,
  output wire [3:0] o_mem_AWCACHE,
  output wire [2:0] o_mem_AWPROT,
  output wire o_mem_AWVALID,
  output wire [1023:0] o_mem_WDATA,
  output wire [127:0] o_mem_WSTRB,
  output wire o_mem_WLAST,
  output wire o_mem_WVALID,
  output wire o_mem_BREADY,
  output wire [63:0] o_mem_ARADDR,
  output wire [7:0] o_mem_ARLEN,
  output wire [2:0] o_mem_ARSIZE,
  output wire [1:0] o_mem_ARBURST,
  output wire [3:0] o_mem_ARCACHE,
  output wire [2:0] o_mem_ARPROT,
  output wire o_mem_ARVALID,
  output wire o_mem_RREADY,
  input  wire o_mem_AWREADY,
  input  wire o_mem_WREADY,
  input  wire [1:0] o_mem_BRESP,
  input  wire o_mem_BVALID,
  input  wire o_mem_ARREADY,
  input  wire [1023:0] o_mem_RDATA,
  input  wire [1:0] o_mem_RRESP,
  input  wire o_mem_RLAST,
  input  wire o_mem_RVALID,
  output wire [31:0] i_intf_bits,
  output wire [31:0] i_stream_bits,
  output wire [31:0] i_frame_bytes,
  output wire [31:0] o_intf_bits,
  output wire [31:0] o_stream_bits,
  output wire [31:0] o_frame_bytes,
  output wire [31:0] s_beats,     // beats taken by the design on s_axis_0 since reset
  output wire [31:0] m_beats,     // beats given by the design on m_axis_0 since reset
  output wire s_valid,            // the idma offers a beat
  output wire s_unstable          // the idma dropped TVALID or changed TDATA before TREADY
);
  logic [I_INTF_BITS-1:0] i_wdata;
  logic [I_INTF_BITS/8-1:0] i_wstrb;
  logic [O_INTF_BITS-1:0] o_wdata;
  logic [O_INTF_BITS/8-1:0] o_wstrb;
  assign i_mem_WDATA = 1024'(i_wdata);
  assign i_mem_WSTRB = 128'(i_wstrb);
  assign o_mem_WDATA = 1024'(o_wdata);
  assign o_mem_WSTRB = 128'(o_wstrb);
  assign i_intf_bits = I_INTF_BITS;
  assign i_stream_bits = I_STREAM_BITS;
  assign i_frame_bytes = I_FRAME_BYTES;
  assign o_intf_bits = O_INTF_BITS;
  assign o_stream_bits = O_STREAM_BITS;
  assign o_frame_bytes = O_FRAME_BYTES;
  logic unused_rdata;
  assign unused_rdata = ^{i_mem_RDATA, o_mem_RDATA};

  logic [I_STREAM_BITS-1:0] s_tdata;
  logic s_tvalid;
  logic s_tready;
  logic [O_STREAM_BITS-1:0] m_tdata;
  logic m_tvalid;
  logic m_tready;

  logic [31:0] s_beats_q;
  logic [31:0] m_beats_q;
  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      s_beats_q <= '0;
      m_beats_q <= '0;
    end else begin
      if (s_tvalid && s_tready) s_beats_q <= s_beats_q + 1;
      if (m_tvalid && m_tready) m_beats_q <= m_beats_q + 1;
    end
  end
  assign s_beats = s_beats_q;
  assign m_beats = m_beats_q;
  assign s_valid = s_tvalid;

  // AXI4-Stream: a beat once offered stays, unchanged, until it is taken.
  logic s_wait_q;
  logic [I_STREAM_BITS-1:0] s_held_q;
  logic s_unstable_q;
  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      s_wait_q     <= 1'b0;
      s_held_q     <= '0;
      s_unstable_q <= 1'b0;
    end else begin
      if (s_wait_q && (!s_tvalid || s_tdata != s_held_q)) s_unstable_q <= 1'b1;
      s_wait_q <= s_tvalid && !s_tready;
      s_held_q <= s_tdata;
    end
  end
  assign s_unstable = s_unstable_q;

  shoal_idma #(.INTF_BITS(I_INTF_BITS), .STREAM_BITS(I_STREAM_BITS), .FRAME_BYTES(I_FRAME_BYTES), .MAX_BURST(MAX_BURST), .FIFO_DEPTH(2 * MAX_BURST)) u_idma (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n),
    .s_axi_control_AWADDR(i_ctrl_AWADDR),
    .s_axi_control_AWVALID(i_ctrl_AWVALID),
    .s_axi_control_WDATA(i_ctrl_WDATA),
    .s_axi_control_WSTRB(i_ctrl_WSTRB),
    .s_axi_control_WVALID(i_ctrl_WVALID),
    .s_axi_control_BREADY(i_ctrl_BREADY),
    .s_axi_control_ARADDR(i_ctrl_ARADDR),
    .s_axi_control_ARVALID(i_ctrl_ARVALID),
    .s_axi_control_RREADY(i_ctrl_RREADY),
    .s_axi_control_AWREADY(i_ctrl_AWREADY),
    .s_axi_control_WREADY(i_ctrl_WREADY),
    .s_axi_control_BRESP(i_ctrl_BRESP),
    .s_axi_control_BVALID(i_ctrl_BVALID),
    .s_axi_control_ARREADY(i_ctrl_ARREADY),
    .s_axi_control_RDATA(i_ctrl_RDATA),
    .s_axi_control_RRESP(i_ctrl_RRESP),
    .s_axi_control_RVALID(i_ctrl_RVALID),
    .m_axi_gmem0_AWADDR(i_mem_AWADDR),
    .m_axi_gmem0_AWLEN(i_mem_AWLEN),
    .m_axi_gmem0_AWSIZE(i_mem_AWSIZE),
    .m_axi_gmem0_AWBURST(i_mem_AWBURST),
    .m_axi_gmem0_AWCACHE(i_mem_AWCACHE),
    .m_axi_gmem0_AWPROT(i_mem_AWPROT),
    .m_axi_gmem0_AWVALID(i_mem_AWVALID),
    .m_axi_gmem0_WDATA(i_wdata),
    .m_axi_gmem0_WSTRB(i_wstrb),
    .m_axi_gmem0_WLAST(i_mem_WLAST),
    .m_axi_gmem0_WVALID(i_mem_WVALID),
    .m_axi_gmem0_BREADY(i_mem_BREADY),
    .m_axi_gmem0_ARADDR(i_mem_ARADDR),
    .m_axi_gmem0_ARLEN(i_mem_ARLEN),
    .m_axi_gmem0_ARSIZE(i_mem_ARSIZE),
    .m_axi_gmem0_ARBURST(i_mem_ARBURST),
    .m_axi_gmem0_ARCACHE(i_mem_ARCACHE),
    .m_axi_gmem0_ARPROT(i_mem_ARPROT),
    .m_axi_gmem0_ARVALID(i_mem_ARVALID),
    .m_axi_gmem0_RREADY(i_mem_RREADY),
    .m_axi_gmem0_AWREADY(i_mem_AWREADY),
    .m_axi_gmem0_WREADY(i_mem_WREADY),
    .m_axi_gmem0_BRESP(i_mem_BRESP),
    .m_axi_gmem0_BVALID(i_mem_BVALID),
    .m_axi_gmem0_ARREADY(i_mem_ARREADY),
    .m_axi_gmem0_RDATA(i_mem_RDATA[I_INTF_BITS-1:0]),
    .m_axi_gmem0_RRESP(i_mem_RRESP),
    .m_axi_gmem0_RLAST(i_mem_RLAST),
    .m_axi_gmem0_RVALID(i_mem_RVALID),
    .out_V_TDATA(s_tdata), .out_V_TVALID(s_tvalid), .out_V_TREADY(s_tready));

  finn_design_wrapper u_accel (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n),
    .s_axis_0_tdata(s_tdata), .s_axis_0_tvalid(s_tvalid), .s_axis_0_tready(s_tready),
    .m_axis_0_tdata(m_tdata), .m_axis_0_tvalid(m_tvalid), .m_axis_0_tready(m_tready));

  shoal_odma #(.INTF_BITS(O_INTF_BITS), .STREAM_BITS(O_STREAM_BITS), .FRAME_BYTES(O_FRAME_BYTES), .MAX_BURST(MAX_BURST), .FIFO_DEPTH(2 * MAX_BURST)) u_odma (
    .ap_clk(ap_clk), .ap_rst_n(ap_rst_n),
    .s_axi_control_AWADDR(o_ctrl_AWADDR),
    .s_axi_control_AWVALID(o_ctrl_AWVALID),
    .s_axi_control_WDATA(o_ctrl_WDATA),
    .s_axi_control_WSTRB(o_ctrl_WSTRB),
    .s_axi_control_WVALID(o_ctrl_WVALID),
    .s_axi_control_BREADY(o_ctrl_BREADY),
    .s_axi_control_ARADDR(o_ctrl_ARADDR),
    .s_axi_control_ARVALID(o_ctrl_ARVALID),
    .s_axi_control_RREADY(o_ctrl_RREADY),
    .s_axi_control_AWREADY(o_ctrl_AWREADY),
    .s_axi_control_WREADY(o_ctrl_WREADY),
    .s_axi_control_BRESP(o_ctrl_BRESP),
    .s_axi_control_BVALID(o_ctrl_BVALID),
    .s_axi_control_ARREADY(o_ctrl_ARREADY),
    .s_axi_control_RDATA(o_ctrl_RDATA),
    .s_axi_control_RRESP(o_ctrl_RRESP),
    .s_axi_control_RVALID(o_ctrl_RVALID),
    .m_axi_gmem0_AWADDR(o_mem_AWADDR),
    .m_axi_gmem0_AWLEN(o_mem_AWLEN),
    .m_axi_gmem0_AWSIZE(o_mem_AWSIZE),
    .m_axi_gmem0_AWBURST(o_mem_AWBURST),
    .m_axi_gmem0_AWCACHE(o_mem_AWCACHE),
    .m_axi_gmem0_AWPROT(o_mem_AWPROT),
    .m_axi_gmem0_AWVALID(o_mem_AWVALID),
    .m_axi_gmem0_WDATA(o_wdata),
    .m_axi_gmem0_WSTRB(o_wstrb),
    .m_axi_gmem0_WLAST(o_mem_WLAST),
    .m_axi_gmem0_WVALID(o_mem_WVALID),
    .m_axi_gmem0_BREADY(o_mem_BREADY),
    .m_axi_gmem0_ARADDR(o_mem_ARADDR),
    .m_axi_gmem0_ARLEN(o_mem_ARLEN),
    .m_axi_gmem0_ARSIZE(o_mem_ARSIZE),
    .m_axi_gmem0_ARBURST(o_mem_ARBURST),
    .m_axi_gmem0_ARCACHE(o_mem_ARCACHE),
    .m_axi_gmem0_ARPROT(o_mem_ARPROT),
    .m_axi_gmem0_ARVALID(o_mem_ARVALID),
    .m_axi_gmem0_RREADY(o_mem_RREADY),
    .m_axi_gmem0_AWREADY(o_mem_AWREADY),
    .m_axi_gmem0_WREADY(o_mem_WREADY),
    .m_axi_gmem0_BRESP(o_mem_BRESP),
    .m_axi_gmem0_BVALID(o_mem_BVALID),
    .m_axi_gmem0_ARREADY(o_mem_ARREADY),
    .m_axi_gmem0_RDATA(o_mem_RDATA[O_INTF_BITS-1:0]),
    .m_axi_gmem0_RRESP(o_mem_RRESP),
    .m_axi_gmem0_RLAST(o_mem_RLAST),
    .m_axi_gmem0_RVALID(o_mem_RVALID),
    .in0_V_TDATA(m_tdata), .in0_V_TVALID(m_tvalid), .in0_V_TREADY(m_tready));

endmodule
`default_nettype wire
