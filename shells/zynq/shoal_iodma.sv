// shoal_iodma: the IODMA engines of FINN's Zynq block design (hardware.md §1.11, §6.2), as
// RTL instead of Vitis HLS, with the register map driver_base.py uses (shoal_iodma_ctrl).
//
//   DIRECTION 0 (idma, Mem2Stream_Batch): reads numReps frames of FRAME_BYTES bytes, back
//     to back from the buffer address, over m_axi_gmem0 and sends them on out_V as beats
//     of STREAM_BITS bits, memory byte 0 in TDATA[7:0] (hardware.md §2, the driver's
//     packed buffer).
//   DIRECTION 1 (odma, Stream2Mem_Batch): takes numReps frames of FRAME_BYTES bytes from
//     in0_V and writes them back to back from the buffer address; ap_done rises only
//     after the write response of the last burst.
//
// Memory side
//   * INTF_BITS: the AXI4 data width, a power of two from 32 to 1024, because a Xilinx
//     SmartConnect takes no narrower or wider endpoint (PG247); it converts to the HP
//     port's width. The buffer address must be aligned to INTF_BITS/8 bytes (PYNQ's
//     buffers are page aligned).
//   * A run is one byte range of numReps*FRAME_BYTES bytes from the buffer address; frames
//     may straddle words, and the run's last word may be partial. The idma reads that
//     word whole (it never leaves the aligned word, so never the page) and drops the bytes
//     past the run's end; the odma writes it with WSTRB set for the run's bytes only, so
//     memory past the run's end is not touched. Every other beat has all strobes set.
//   * INCR bursts of at most MAX_BURST beats (16: valid for the AXI3 HP ports of
//     Zynq-7000 and for AXI4; 256 is allowed on AXI4 ports), shortened so that no burst
//     crosses a 4 KiB boundary, full-width beats, AxCACHE 0011 (as Vitis HLS), responses
//     ignored (no error reporting, as FINN's driver never looks).
//   * Reads: a burst is issued only when FIFO_DEPTH words of buffer can hold it together
//     with every word already requested, so RREADY stays high and a slow stream never
//     blocks the interconnect. Several read bursts may be outstanding.
//   * Writes: a burst's address is issued only once all its words wait in the buffer, so
//     WVALID never drops inside a burst; write responses may be outstanding while the
//     next bursts go out.
//
// numReps = 0 makes a run without any memory or stream traffic: ap_done is set a few
// cycles after ap_start. A run starts two cycles after ap_start is seen (numReps is
// multiplied out, then the byte count rounded up to words).
`default_nettype none
module shoal_iodma #(
  parameter int DIRECTION = 0,       // 0: memory -> stream (idma), 1: stream -> memory (odma)
  parameter int INTF_BITS = 64,      // a power of two, 32..1024
  parameter int STREAM_BITS = 8,     // a multiple of 8 (FINN's padded stream width)
  parameter int FRAME_BYTES = 8,     // a multiple of STREAM_BITS/8
  parameter int MAX_BURST = 16,      // a power of two, 1..256
  parameter int FIFO_DEPTH = 2 * MAX_BURST,  // a power of two, at least MAX_BURST
  parameter int ADDR_BITS = 64,      // m_axi address width
  parameter int CTRL_ADDR_BITS = 6   // s_axi_control address width
) (
  input  wire                      ap_clk,
  input  wire                      ap_rst_n,
  // s_axi_control
  input  wire [CTRL_ADDR_BITS-1:0] s_axi_control_AWADDR,
  input  wire                      s_axi_control_AWVALID,
  output wire                      s_axi_control_AWREADY,
  input  wire [31:0]               s_axi_control_WDATA,
  input  wire [3:0]                s_axi_control_WSTRB,
  input  wire                      s_axi_control_WVALID,
  output wire                      s_axi_control_WREADY,
  output wire [1:0]                s_axi_control_BRESP,
  output wire                      s_axi_control_BVALID,
  input  wire                      s_axi_control_BREADY,
  input  wire [CTRL_ADDR_BITS-1:0] s_axi_control_ARADDR,
  input  wire                      s_axi_control_ARVALID,
  output wire                      s_axi_control_ARREADY,
  output wire [31:0]               s_axi_control_RDATA,
  output wire [1:0]                s_axi_control_RRESP,
  output wire                      s_axi_control_RVALID,
  input  wire                      s_axi_control_RREADY,
  // m_axi_gmem0 (the unused direction's channels are tied off)
  output wire [ADDR_BITS-1:0]      m_axi_gmem0_AWADDR,
  output wire [7:0]                m_axi_gmem0_AWLEN,
  output wire [2:0]                m_axi_gmem0_AWSIZE,
  output wire [1:0]                m_axi_gmem0_AWBURST,
  output wire [3:0]                m_axi_gmem0_AWCACHE,
  output wire [2:0]                m_axi_gmem0_AWPROT,
  output wire                      m_axi_gmem0_AWVALID,
  input  wire                      m_axi_gmem0_AWREADY,
  output wire [INTF_BITS-1:0]      m_axi_gmem0_WDATA,
  output wire [INTF_BITS/8-1:0]    m_axi_gmem0_WSTRB,
  output wire                      m_axi_gmem0_WLAST,
  output wire                      m_axi_gmem0_WVALID,
  input  wire                      m_axi_gmem0_WREADY,
  input  wire [1:0]                m_axi_gmem0_BRESP,
  input  wire                      m_axi_gmem0_BVALID,
  output wire                      m_axi_gmem0_BREADY,
  output wire [ADDR_BITS-1:0]      m_axi_gmem0_ARADDR,
  output wire [7:0]                m_axi_gmem0_ARLEN,
  output wire [2:0]                m_axi_gmem0_ARSIZE,
  output wire [1:0]                m_axi_gmem0_ARBURST,
  output wire [3:0]                m_axi_gmem0_ARCACHE,
  output wire [2:0]                m_axi_gmem0_ARPROT,
  output wire                      m_axi_gmem0_ARVALID,
  input  wire                      m_axi_gmem0_ARREADY,
  input  wire [INTF_BITS-1:0]      m_axi_gmem0_RDATA,
  input  wire [1:0]                m_axi_gmem0_RRESP,
  input  wire                      m_axi_gmem0_RLAST,
  input  wire                      m_axi_gmem0_RVALID,
  output wire                      m_axi_gmem0_RREADY,
  // the stream: out_V for DIRECTION 0, in0_V for DIRECTION 1 (the other is unused)
  output wire [STREAM_BITS-1:0]    out_V_TDATA,
  output wire                      out_V_TVALID,
  input  wire                      out_V_TREADY,
  input  wire [STREAM_BITS-1:0]    in0_V_TDATA,
  input  wire                      in0_V_TVALID,
  output wire                      in0_V_TREADY
);
  localparam int WordBytes = INTF_BITS / 8;
  localparam int WordShift = $clog2(WordBytes);
  localparam int StreamBytes = STREAM_BITS >= 8 ? STREAM_BITS / 8 : 1;  // no 0 below
  localparam int BeatsPerFrame = FRAME_BYTES / StreamBytes;
  // Counters per run: numReps (32 bits) times the bytes per frame, the largest count (the
  // word counter holds the byte count for the cycle before it is rounded up to words).
  localparam int CountBits = 32 + $clog2(FRAME_BYTES + 1);
  localparam int LenBits = $clog2(MAX_BURST + 1);
  localparam int FifoCountBits = $clog2(FIFO_DEPTH + 1);

  // Parameter checks: a bad configuration instantiates a module that does not exist, which
  // stops elaboration in Verilator, iverilog, yosys and Vivado alike (iverilog 11 has no
  // elaboration-time $error).
  localparam bit ParamsOk = (INTF_BITS >= 32) && (INTF_BITS <= 1024)
      && ((INTF_BITS & (INTF_BITS - 1)) == 0)
      && (STREAM_BITS >= 8) && (STREAM_BITS % 8 == 0) && (FRAME_BYTES > 0)
      && (FRAME_BYTES % StreamBytes == 0) && (MAX_BURST >= 1) && (MAX_BURST <= 256)
      && ((MAX_BURST & (MAX_BURST - 1)) == 0) && (FIFO_DEPTH >= MAX_BURST)
      && ((FIFO_DEPTH & (FIFO_DEPTH - 1)) == 0);
  if (!ParamsOk) begin : g_bad_parameters
    shoal_iodma_parameters_are_invalid u_error ();
  end

  // --- control ----------------------------------------------------------------------------
  logic start;
  logic done;
  logic [63:0] base_addr;
  logic [31:0] num_reps;
  shoal_iodma_ctrl #(.ADDR_BITS(CTRL_ADDR_BITS)) u_ctrl (
    .clk_i(ap_clk), .rst_ni(ap_rst_n),
    .awaddr_i(s_axi_control_AWADDR), .awvalid_i(s_axi_control_AWVALID),
    .awready_o(s_axi_control_AWREADY),
    .wdata_i(s_axi_control_WDATA), .wstrb_i(s_axi_control_WSTRB),
    .wvalid_i(s_axi_control_WVALID), .wready_o(s_axi_control_WREADY),
    .bresp_o(s_axi_control_BRESP), .bvalid_o(s_axi_control_BVALID),
    .bready_i(s_axi_control_BREADY),
    .araddr_i(s_axi_control_ARADDR), .arvalid_i(s_axi_control_ARVALID),
    .arready_o(s_axi_control_ARREADY),
    .rdata_o(s_axi_control_RDATA), .rresp_o(s_axi_control_RRESP),
    .rvalid_o(s_axi_control_RVALID), .rready_i(s_axi_control_RREADY),
    .start_o(start), .base_addr_o(base_addr), .num_reps_o(num_reps), .done_i(done));

  // --- run state ----------------------------------------------------------------------------
  // A run: start -> numReps multiplied out to bytes and beats (init_q) -> bytes rounded up
  // to words (size_q) -> running (run_q) -> done. Two set-up cycles keep the multiplier
  // and the rounding adder in separate cycles.
  logic init_q;
  logic size_q;
  logic run_q;
  logic [31:0] reps_q;
  logic [ADDR_BITS-1:0] addr_q;          // next burst address
  logic [CountBits-1:0] words_left_q;    // words not yet requested by a burst (at size_q:
                                         // the run's bytes)
  logic [CountBits-1:0] beats_left_q;    // stream beats still to pass
  logic finished;                        // the engine has nothing left to do

  // The next burst: as long as allowed, but not past the words left or a 4 KiB boundary.
  logic [12:0] bytes_to_4k;
  logic [CountBits-1:0] words_to_4k;
  logic [CountBits-1:0] len_cap;
  logic [LenBits-1:0] burst_len;
  assign bytes_to_4k = 13'd4096 - {1'b0, addr_q[11:0]};
  assign words_to_4k = CountBits'(bytes_to_4k) >> WordShift;
  assign len_cap     = words_left_q < words_to_4k ? words_left_q : words_to_4k;
  assign burst_len   = len_cap < CountBits'(MAX_BURST) ? LenBits'(len_cap)
                                                      : LenBits'(MAX_BURST);

  logic issue;  // a burst address goes out this cycle (set by the direction below)
  logic beat;   // a stream beat passes this cycle

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      init_q       <= 1'b0;
      size_q       <= 1'b0;
      run_q        <= 1'b0;
      reps_q       <= '0;
      addr_q       <= '0;
      words_left_q <= '0;
      beats_left_q <= '0;
    end else begin
      if (start) begin
        init_q <= 1'b1;
        reps_q <= num_reps;
        addr_q <= ADDR_BITS'(base_addr);
      end
      if (init_q) begin
        init_q       <= 1'b0;
        size_q       <= 1'b1;
        words_left_q <= CountBits'(reps_q) * CountBits'(FRAME_BYTES);
        beats_left_q <= CountBits'(reps_q) * CountBits'(BeatsPerFrame);
      end
      if (size_q) begin
        // A partial last word is a whole word on the bus.
        size_q       <= 1'b0;
        run_q        <= 1'b1;
        words_left_q <= (words_left_q >> WordShift)
                        + CountBits'(|words_left_q[WordShift-1:0]);
      end
      if (issue) begin
        addr_q       <= addr_q + (ADDR_BITS'(burst_len) << WordShift);
        words_left_q <= words_left_q - CountBits'(burst_len);
      end
      if (beat) beats_left_q <= beats_left_q - 1'b1;
      if (done) run_q <= 1'b0;
    end
  end
  assign done = run_q && finished;

  logic unused_addr_hi;
  assign unused_addr_hi = ^base_addr;  // bits above ADDR_BITS, if any, are dropped

  // --- constant AXI fields --------------------------------------------------------------
  assign m_axi_gmem0_AWSIZE  = 3'(WordShift);
  assign m_axi_gmem0_ARSIZE  = 3'(WordShift);
  assign m_axi_gmem0_AWBURST = 2'b01;  // INCR
  assign m_axi_gmem0_ARBURST = 2'b01;
  assign m_axi_gmem0_AWCACHE = 4'b0011;
  assign m_axi_gmem0_ARCACHE = 4'b0011;
  assign m_axi_gmem0_AWPROT  = 3'b000;
  assign m_axi_gmem0_ARPROT  = 3'b000;

  if (DIRECTION == 0) begin : g_read
    // --- memory -> stream -------------------------------------------------------------------
    logic arvalid_q;
    logic [ADDR_BITS-1:0] araddr_q;
    logic [7:0] arlen_q;
    logic [FifoCountBits-1:0] reserved_q;  // words requested and not yet sent to the DWC
    logic fifo_in_ready;
    logic [INTF_BITS-1:0] fifo_data;
    logic fifo_valid;
    logic fifo_pop;
    logic dwc_ready;
    logic dwc_valid;
    logic beats_due;  // the run still owes beats to out_V
    logic [FifoCountBits-1:0] fifo_count;

    assign issue = run_q && !arvalid_q && words_left_q != '0
        && (FifoCountBits+1)'(reserved_q) + (FifoCountBits+1)'(burst_len)
           <= (FifoCountBits+1)'(FIFO_DEPTH);  // one bit more: the sum reaches 2*FIFO_DEPTH
    assign fifo_pop = fifo_valid && dwc_ready;

    always_ff @(posedge ap_clk) begin
      if (!ap_rst_n) begin
        arvalid_q  <= 1'b0;
        araddr_q   <= '0;
        arlen_q    <= '0;
        reserved_q <= '0;
      end else begin
        if (arvalid_q && m_axi_gmem0_ARREADY) arvalid_q <= 1'b0;
        if (issue) begin
          arvalid_q <= 1'b1;
          araddr_q  <= addr_q;
          arlen_q   <= 8'(burst_len) - 8'd1;
        end
        reserved_q <= reserved_q + (issue ? FifoCountBits'(burst_len) : '0)
                      - FifoCountBits'(fifo_pop);
      end
    end

    assign m_axi_gmem0_ARVALID = arvalid_q;
    assign m_axi_gmem0_ARADDR  = araddr_q;
    assign m_axi_gmem0_ARLEN   = arlen_q;
    // Always ready in practice: every requested word has a place reserved in the FIFO.
    assign m_axi_gmem0_RREADY  = fifo_in_ready;

    shoal_iodma_fifo #(.WIDTH(INTF_BITS), .DEPTH(FIFO_DEPTH)) u_fifo (
      .clk_i(ap_clk), .rst_ni(ap_rst_n),
      .in_data_i(m_axi_gmem0_RDATA), .in_valid_i(m_axi_gmem0_RVALID),
      .in_ready_o(fifo_in_ready),
      .out_data_o(fifo_data), .out_valid_o(fifo_valid), .out_ready_i(dwc_ready),
      .count_o(fifo_count));

    // The bytes of the last word past the run's end stay in the converter, kept off out_V
    // by beats_due, and are dropped when the run ends. No word is left in the FIFO then:
    // the last word read holds at least one byte of the run, which the last beat needs.
    assign beats_due = beats_left_q != '0;
    shoal_iodma_dwc #(.IN_BITS(INTF_BITS), .OUT_BITS(STREAM_BITS)) u_dwc (
      .clk_i(ap_clk), .rst_ni(ap_rst_n), .clear_i(done), .flush_i(1'b0),
      .in_data_i(fifo_data), .in_valid_i(fifo_valid), .in_ready_o(dwc_ready),
      .out_data_o(out_V_TDATA), .out_valid_o(dwc_valid),
      .out_ready_i(out_V_TREADY && beats_due));
    assign out_V_TVALID = dwc_valid && beats_due;

    assign beat     = out_V_TVALID && out_V_TREADY;
    assign finished = !beats_due && !init_q && !size_q;

    // The write channels are not used.
    assign m_axi_gmem0_AWVALID = 1'b0;
    assign m_axi_gmem0_AWADDR  = '0;
    assign m_axi_gmem0_AWLEN   = '0;
    assign m_axi_gmem0_WDATA   = '0;
    assign m_axi_gmem0_WSTRB   = '0;
    assign m_axi_gmem0_WLAST   = 1'b0;
    assign m_axi_gmem0_WVALID  = 1'b0;
    assign m_axi_gmem0_BREADY  = 1'b0;
    assign in0_V_TREADY        = 1'b0;
    logic unused_read;
    assign unused_read = ^{m_axi_gmem0_AWREADY, m_axi_gmem0_WREADY, m_axi_gmem0_BRESP,
                           m_axi_gmem0_BVALID, m_axi_gmem0_RRESP, m_axi_gmem0_RLAST,
                           in0_V_TDATA, in0_V_TVALID, fifo_count};
  end else begin : g_write
    // --- stream -> memory -------------------------------------------------------------------
    logic awvalid_q;
    logic [ADDR_BITS-1:0] awaddr_q;
    logic [7:0] awlen_q;
    logic [LenBits-1:0] wbeats_left_q;     // beats of the current burst still to send
    logic [CountBits-1:0] bursts_open_q;   // bursts issued and not yet answered on B
    logic [FifoCountBits-1:0] fifo_count;
    logic [INTF_BITS-1:0] dwc_data;
    logic dwc_valid;
    logic fifo_in_ready;
    logic fifo_valid;
    logic in_ready;
    logic w_fire;
    logic b_fire;
    logic tail;                            // the run's last beat is in: flush the converter
    logic [WordBytes-1:0] last_strb_q;     // the run's bytes in its last word

    // Take no more beats than the run's frames hold, so the next run's data stays out.
    assign in0_V_TREADY = in_ready && run_q && beats_left_q != '0;
    assign beat = in0_V_TVALID && in0_V_TREADY;

    assign tail = run_q && beats_left_q == '0;
    shoal_iodma_dwc #(.IN_BITS(STREAM_BITS), .OUT_BITS(INTF_BITS)) u_dwc (
      .clk_i(ap_clk), .rst_ni(ap_rst_n), .clear_i(1'b0), .flush_i(tail),
      .in_data_i(in0_V_TDATA), .in_valid_i(in0_V_TVALID && run_q && beats_left_q != '0),
      .in_ready_o(in_ready),
      .out_data_o(dwc_data), .out_valid_o(dwc_valid), .out_ready_i(fifo_in_ready));

    shoal_iodma_fifo #(.WIDTH(INTF_BITS), .DEPTH(FIFO_DEPTH)) u_fifo (
      .clk_i(ap_clk), .rst_ni(ap_rst_n),
      .in_data_i(dwc_data), .in_valid_i(dwc_valid), .in_ready_o(fifo_in_ready),
      .out_data_o(m_axi_gmem0_WDATA), .out_valid_o(fifo_valid),
      .out_ready_i(m_axi_gmem0_WREADY && wbeats_left_q != '0),
      .count_o(fifo_count));

    // One burst's data at a time; its address goes out once all its words are buffered.
    // The previous address must have been taken too: its data may have gone out first.
    assign issue = run_q && wbeats_left_q == '0 && !awvalid_q && words_left_q != '0
        && fifo_count >= FifoCountBits'(burst_len);
    assign w_fire = m_axi_gmem0_WVALID && m_axi_gmem0_WREADY;
    assign b_fire = m_axi_gmem0_BVALID && m_axi_gmem0_BREADY;

    always_ff @(posedge ap_clk) begin
      if (!ap_rst_n) begin
        awvalid_q     <= 1'b0;
        awaddr_q      <= '0;
        awlen_q       <= '0;
        wbeats_left_q <= '0;
        bursts_open_q <= '0;
        last_strb_q   <= '0;
      end else begin
        // words_left_q holds the run's byte count here; 0 bytes over: the last word is full.
        if (size_q) begin
          last_strb_q <= words_left_q[WordShift-1:0] == '0 ? '1
              : ~({WordBytes{1'b1}} << words_left_q[WordShift-1:0]);
        end
        if (awvalid_q && m_axi_gmem0_AWREADY) awvalid_q <= 1'b0;
        if (issue) begin
          awvalid_q     <= 1'b1;
          awaddr_q      <= addr_q;
          awlen_q       <= 8'(burst_len) - 8'd1;
          wbeats_left_q <= burst_len;
        end else if (w_fire) begin
          wbeats_left_q <= wbeats_left_q - 1'b1;
        end
        bursts_open_q <= bursts_open_q + CountBits'(issue) - CountBits'(b_fire);
      end
    end

    assign m_axi_gmem0_AWVALID = awvalid_q;
    assign m_axi_gmem0_AWADDR  = awaddr_q;
    assign m_axi_gmem0_AWLEN   = awlen_q;
    // The run's last beat: the last of its burst, with no burst left to issue.
    assign m_axi_gmem0_WSTRB   = words_left_q == '0 && wbeats_left_q == LenBits'(1)
                                 ? last_strb_q : '1;
    assign m_axi_gmem0_WLAST   = wbeats_left_q == LenBits'(1);
    assign m_axi_gmem0_WVALID  = fifo_valid && wbeats_left_q != '0;
    assign m_axi_gmem0_BREADY  = 1'b1;
    // Done once every word has had its burst, the last burst's data and address went out
    // and every burst was answered.
    assign finished = words_left_q == '0 && wbeats_left_q == '0 && !awvalid_q
        && bursts_open_q == '0 && !init_q && !size_q;

    // The read channels and out_V are not used.
    assign m_axi_gmem0_ARVALID = 1'b0;
    assign m_axi_gmem0_ARADDR  = '0;
    assign m_axi_gmem0_ARLEN   = '0;
    assign m_axi_gmem0_RREADY  = 1'b0;
    assign out_V_TDATA         = '0;
    assign out_V_TVALID        = 1'b0;
    logic unused_write;
    assign unused_write = ^{m_axi_gmem0_ARREADY, m_axi_gmem0_RDATA, m_axi_gmem0_RRESP,
                            m_axi_gmem0_RLAST, m_axi_gmem0_RVALID, m_axi_gmem0_BRESP,
                            out_V_TREADY};
  end
endmodule
`default_nettype wire
