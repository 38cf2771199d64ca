// shoal_swg: ConvolutionInputGenerator, the sliding-window generator of a convolution
// (Im2Col without padding) on a square NHWC image (conv.md §4.1, §5).
//
// Stream protocol
//   in0_V (slave, SIMD*IN_BITS bits): IFM_DIM*IFM_DIM*MF beats per image, MF =
//   IFM_CHANNELS/SIMD, in the order (h, w, cf); lane s of a beat is channel cf*SIMD + s
//   (bits [(s+1)*IN_BITS-1 : s*IN_BITS]). Images follow each other without separators.
//   Requires IFM_CHANNELS % SIMD == 0 and KERNEL <= IFM_DIM.
//   out_V (master, same width): OFM_DIM*OFM_DIM*KERNEL*KERNEL*MF beats per image,
//   OFM_DIM = (IFM_DIM - KERNEL)/STRIDE + 1, in the order (oy, ox, ky, kx, cf); that beat
//   is input pixel (oy*STRIDE + ky, ox*STRIDE + kx), channel group cf. This is FINN's
//   order: the MVAU's weight rows are (ky, kx, c). When IFM_DIM - KERNEL is not a
//   multiple of STRIDE the last input rows and columns are read and dropped.
//   out_V_TVALID and in0_V_TREADY come from registers only; out_V holds its data while
//   TVALID && !TREADY.
//
// Operation: a row buffer of R = KERNEL + STRIDE image rows (R*IFM_DIM*MF words of
// SIMD*IN_BITS bits, as hlslib's (k/s+1)*s*D*MF and FINN's resource estimates count
// them), one write port and one synchronous read port, so that it maps to LUTRAM or
// BRAM (RAM_STYLE 0 auto, 1 block, 2 distributed, 3 ultra: FINN's ram_style as a number,
// since iverilog has no string parameters). Rows
// go to slots round-robin and the write pointer never rewinds, also across images.
//   avail = complete rows held from the first row the current output row needs. The
//   writer may write while avail < R (the row it writes cannot be one the reader uses),
//   the reader emits an output row's windows while avail >= KERNEL and then drops the
//   rows it no longer needs: STRIDE rows, or at the last output row of an image every
//   row up to the next image's first (avail may go negative: rows still to be written
//   that nobody will read).
//   The read address is the sum of three counters (the kernel row's slot, ox*STRIDE*MF
//   and the offset within a kernel row, kx*MF + cf, which is contiguous), so there is no
//   multiplier.
//
// Latency: KERNEL rows are buffered before the first window; then 2 cycles (read, output
// register).
// Throughput: the writer and the reader work concurrently, one beat per cycle each, so an
// output row takes max(OFM_DIM*KERNEL^2*MF, STRIDE*IFM_DIM*MF) cycles and an image
// IFM_DIM*KERNEL*MF + OFM_DIM*max(...) (FINN's cycle estimate), less up to STRIDE rows of
// the next image that the writer buffers during the last output row.

module shoal_swg #(
  parameter int    IFM_DIM = 5,
  parameter int    IFM_CHANNELS = 4,
  parameter int    SIMD = 2,
  parameter int    KERNEL = 3,
  parameter int    STRIDE = 1,
  parameter int    IN_BITS = 4,
  parameter int    RAM_STYLE = 0
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
  localparam int MF = IFM_CHANNELS / SIMD;
  localparam int OFM_DIM = (IFM_DIM - KERNEL) / STRIDE + 1;
  localparam int R = KERNEL + STRIDE;
  localparam int ROW_WORDS = IFM_DIM * MF;
  localparam int DEPTH = R * ROW_WORDS;
  localparam int WIN_ROW = KERNEL * MF;                   // words of one kernel row
  localparam int DROP_LAST = IFM_DIM - (OFM_DIM - 1) * STRIDE;  // rows dropped after an image
  localparam int AddrBits = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  localparam int SumBits = AddrBits + 1;
  localparam int PosBits = (ROW_WORDS > 1) ? $clog2(ROW_WORDS) : 1;
  localparam int JBits = (WIN_ROW > 1) ? $clog2(WIN_ROW) : 1;
  localparam int KBits = (KERNEL > 1) ? $clog2(KERNEL) : 1;
  localparam int OBits = (OFM_DIM > 1) ? $clog2(OFM_DIM) : 1;
  // FINN's styles that a device lacks (LUT RAM, UltraRAM on the iCE40) are left to the
  // synthesizer: shoal's iCE40 synthesis defines SHOAL_IGNORE_RAM_STYLE.
`ifdef SHOAL_IGNORE_RAM_STYLE
  localparam int Style = RAM_STYLE * 0;
`else
  localparam int Style = RAM_STYLE;
`endif
  localparam int AvailBits = $clog2(IFM_DIM + R + 1) + 1;  // signed: [KERNEL - IFM_DIM, R]

  // Adds rows*ROW_WORDS to a slot start address, modulo DEPTH (rows < R).
  function automatic logic [AddrBits-1:0] advance(input logic [AddrBits-1:0] addr,
                                                  input int rows);
    logic [SumBits-1:0] sum;
    sum = {1'b0, addr} + SumBits'(rows * ROW_WORDS);
    if (sum >= SumBits'(DEPTH)) begin
      sum = sum - SumBits'(DEPTH);
    end
    advance = sum[AddrBits-1:0];
  endfunction

  // ---- row accounting ----
  logic signed [AvailBits-1:0] avail_q;
  logic                        in_fire;
  logic                        row_written;
  logic                        issue;
  logic                        row_read;   // the last beat of an output row is issued
  logic                        last_oy;

  assign in0_V_TREADY = avail_q < AvailBits'(R);
  assign in_fire      = in0_V_TVALID && in0_V_TREADY;

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      avail_q <= '0;
    end else begin
      avail_q <= avail_q + AvailBits'(row_written) -
                 (row_read ? AvailBits'(last_oy ? DROP_LAST : STRIDE) : '0);
    end
  end

  // ---- writer ----
  logic [AddrBits-1:0] wr_addr_q;
  logic [PosBits-1:0]  wr_pos_q;

  assign row_written = in_fire && (wr_pos_q == PosBits'(ROW_WORDS - 1));

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      wr_addr_q <= '0;
      wr_pos_q  <= '0;
    end else if (in_fire) begin
      wr_addr_q <= (wr_addr_q == AddrBits'(DEPTH - 1)) ? '0 : wr_addr_q + 1'b1;
      wr_pos_q  <= row_written ? '0 : wr_pos_q + 1'b1;
    end
  end

  // ---- reader: counters (oy, ox, ky, j = kx*MF + cf) and address parts ----
  logic [JBits-1:0]    j_q;
  logic [KBits-1:0]    ky_q;
  logic [OBits-1:0]    ox_q;
  logic [OBits-1:0]    oy_q;
  logic [AddrBits-1:0] base_addr_q;  // slot of the output row's first input row
  logic [AddrBits-1:0] ky_addr_q;    // slot of input row oy*STRIDE + ky
  logic [AddrBits-1:0] ox_off_q;     // ox*STRIDE*MF
  logic [AddrBits-1:0] rd_addr;
  logic [AddrBits-1:0] next_base;
  logic                last_j;
  logic                last_ky;
  logic                last_ox;

  assign last_j    = j_q == JBits'(WIN_ROW - 1);
  assign last_ky   = ky_q == KBits'(KERNEL - 1);
  assign last_ox   = ox_q == OBits'(OFM_DIM - 1);
  assign last_oy   = oy_q == OBits'(OFM_DIM - 1);
  assign row_read  = issue && last_j && last_ky && last_ox;
  assign next_base = advance(base_addr_q, last_oy ? DROP_LAST % R : STRIDE);
  assign rd_addr   = ky_addr_q + ox_off_q + AddrBits'(j_q);

  // Issue a read when the rows are there and the output buffer will have room for it:
  // occupancy + the read in flight - this cycle's pop <= 1.
  logic [1:0] count;
  logic       inflight_q;
  logic [2:0] pending;

  assign pending = 3'(count) + 3'(inflight_q) - 3'(out_V_TVALID && out_V_TREADY);
  assign issue   = (avail_q >= AvailBits'(KERNEL)) && (pending <= 3'd1);

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      j_q         <= '0;
      ky_q        <= '0;
      ox_q        <= '0;
      oy_q        <= '0;
      base_addr_q <= '0;
      ky_addr_q   <= '0;
      ox_off_q    <= '0;
    end else if (issue) begin
      j_q <= last_j ? '0 : j_q + 1'b1;
      if (last_j) begin
        ky_q      <= last_ky ? '0 : ky_q + 1'b1;
        ky_addr_q <= advance(ky_addr_q, 1);
        if (last_ky) begin
          ox_q      <= last_ox ? '0 : ox_q + 1'b1;
          ox_off_q  <= last_ox ? '0 : ox_off_q + AddrBits'(STRIDE * MF);
          ky_addr_q <= last_ox ? next_base : base_addr_q;
          if (last_ox) begin
            oy_q        <= last_oy ? '0 : oy_q + 1'b1;
            base_addr_q <= next_base;
          end
        end
      end
    end
  end

  // ---- row buffer: one write port, one synchronous read port ----
  logic [W-1:0] rd_data_q;

  if (Style == 1) begin : g_block
    (* ram_style = "block" *) logic [W-1:0] mem[0:DEPTH-1];
    always_ff @(posedge ap_clk) begin
      if (in_fire) mem[wr_addr_q] <= in0_V_TDATA;
      if (issue) rd_data_q <= mem[rd_addr];
    end
  end else if (Style == 2) begin : g_distributed
    (* ram_style = "distributed" *) logic [W-1:0] mem[0:DEPTH-1];
    always_ff @(posedge ap_clk) begin
      if (in_fire) mem[wr_addr_q] <= in0_V_TDATA;
      if (issue) rd_data_q <= mem[rd_addr];
    end
  end else if (Style == 3) begin : g_ultra
    (* ram_style = "ultra" *) logic [W-1:0] mem[0:DEPTH-1];
    always_ff @(posedge ap_clk) begin
      if (in_fire) mem[wr_addr_q] <= in0_V_TDATA;
      if (issue) rd_data_q <= mem[rd_addr];
    end
  end else begin : g_auto
    logic [W-1:0] mem[0:DEPTH-1];
    always_ff @(posedge ap_clk) begin
      if (in_fire) mem[wr_addr_q] <= in0_V_TDATA;
      if (issue) rd_data_q <= mem[rd_addr];
    end
  end

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      inflight_q <= 1'b0;
    end else begin
      inflight_q <= issue;
    end
  end

  // ---- 2-entry output buffer ----
  shoal_outbuf2 #(.WIDTH(W)) outbuf (
    .ap_clk, .ap_rst_n,
    .push(inflight_q), .push_data(rd_data_q),
    .count,
    .out_V_TDATA, .out_V_TVALID, .out_V_TREADY
  );

endmodule
