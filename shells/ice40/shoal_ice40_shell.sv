// shoal_ice40_shell: the stitched design (finn_design_wrapper) behind a UART, for iCE40
// boards without a processor. The host writes frames and reads results over the board's
// USB serial port (8N1, no flow control):
//
//   host -> board: the input stream's TDATA words, IN_BYTES bytes each, least significant
//                  byte first, beat after beat (the packed input of hardware.md §2, the
//                  bytes a FINN driver would place in the input buffer)
//   board -> host: the output stream's TDATA words, OUT_BYTES bytes each, the same order
//
// so a frame of B input beats is B*IN_BYTES bytes and yields its output beats' bytes. A
// word that arrives while the previous one still waits for the design (the design is
// stalled by the UART that sends its results) sets `overrun` (a sticky error, shown on an
// LED): hosts send a frame, read its result, then send the next (host_serial.py does).
//
// Reset: a power-on counter holds ap_rst_n low for 16 cycles; `rst_btn_n` (active low)
// resets again.
`default_nettype none
module shoal_ice40_shell #(
  parameter int IN_BYTES = 1,
  parameter int OUT_BYTES = 1,
  parameter int CLKS_PER_BIT = 104  // 12 MHz / 115200 baud
) (
  input  wire clk,
  input  wire rst_btn_n,
  input  wire uart_rx,
  output wire uart_tx,
  output wire led_overrun,  // lit (high) after an input word was lost
  output wire led_frame     // lit (high) after a UART framing error
);
  // --- reset -----------------------------------------------------------------------------
  // iCE40 flip-flops power up at 0, so the counter starts from 0 without a reset.
  logic [4:0] por_q = '0;
  logic rst_n;
  always_ff @(posedge clk) begin
    if (!rst_btn_n) por_q <= '0;
    else if (!por_q[4]) por_q <= por_q + 1'b1;
  end
  assign rst_n = por_q[4];

  // --- host -> design ---------------------------------------------------------------------
  logic [7:0] rx_byte;
  logic rx_valid;
  logic rx_frame_error;
  shoal_uart_rx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_rx (
    .clk(clk), .rst_n(rst_n), .rx(uart_rx),
    .data(rx_byte), .valid(rx_valid), .frame_error(rx_frame_error));

  localparam int InCountBits = $clog2(IN_BYTES + 1);
  logic [IN_BYTES*8-1:0] in_word_q;   // being assembled (its lowest byte drops out as the
                                      // last one arrives)
  logic [IN_BYTES*8-1:0] in_beat_q;   // offered to the design
  logic [InCountBits-1:0] in_count_q;
  logic in_valid_q;
  logic in_ready;
  logic overrun_q;
  logic frame_error_q;
  logic word_done;

  assign word_done = rx_valid && in_count_q == InCountBits'(IN_BYTES - 1);

  // Bytes arrive least significant first: each new byte enters at the top.
  logic [IN_BYTES*8-1:0] in_next;
  if (IN_BYTES > 1) begin : g_in_shift
    assign in_next = {rx_byte, in_word_q[IN_BYTES*8-1:8]};
  end else begin : g_in_byte
    assign in_next = rx_byte;
  end
  always_ff @(posedge clk) begin
    if (rx_valid) in_word_q <= in_next;
  end
  logic unused_low_byte;
  assign unused_low_byte = ^in_word_q[7:0];

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      in_count_q    <= '0;
      in_valid_q    <= 1'b0;
      overrun_q     <= 1'b0;
      frame_error_q <= 1'b0;
    end else begin
      if (rx_frame_error) frame_error_q <= 1'b1;
      if (rx_valid) in_count_q <= word_done ? '0 : in_count_q + 1'b1;
      if (in_valid_q && in_ready) in_valid_q <= 1'b0;
      if (word_done) begin
        if (in_valid_q && !in_ready) overrun_q <= 1'b1;
        in_valid_q <= 1'b1;
      end
    end
  end

  always_ff @(posedge clk) begin
    if (word_done && !(in_valid_q && !in_ready)) in_beat_q <= in_next;
  end

  // --- the design --------------------------------------------------------------------------
  logic [OUT_BYTES*8-1:0] out_tdata;
  logic out_tvalid;
  logic out_tready;
  finn_design_wrapper u_accel (
    .ap_clk(clk), .ap_rst_n(rst_n),
    .s_axis_0_tdata(in_beat_q), .s_axis_0_tvalid(in_valid_q), .s_axis_0_tready(in_ready),
    .m_axis_0_tdata(out_tdata), .m_axis_0_tvalid(out_tvalid), .m_axis_0_tready(out_tready));

  // --- design -> host ---------------------------------------------------------------------
  localparam int OutCountBits = $clog2(OUT_BYTES + 1);
  logic [OUT_BYTES*8-1:0] out_word_q;
  logic [OutCountBits-1:0] out_left_q;  // bytes of out_word_q still to send
  logic tx_ready;

  assign out_tready = out_left_q == '0;

  logic [OUT_BYTES*8-1:0] out_rest;  // the word without the byte being sent
  if (OUT_BYTES > 1) begin : g_out_shift
    assign out_rest = {8'h00, out_word_q[OUT_BYTES*8-1:8]};
  end else begin : g_out_byte
    assign out_rest = '0;
  end

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      out_left_q <= '0;
    end else if (out_tready) begin
      if (out_tvalid) begin
        out_word_q <= out_tdata;
        out_left_q <= OutCountBits'(OUT_BYTES);
      end
    end else if (tx_ready) begin
      out_left_q <= out_left_q - 1'b1;
      out_word_q <= out_rest;
    end
  end

  shoal_uart_tx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_tx (
    .clk(clk), .rst_n(rst_n),
    .data(out_word_q[7:0]), .valid(out_left_q != '0), .ready(tx_ready), .tx(uart_tx));

  assign led_overrun = overrun_q;
  assign led_frame = frame_error_q;
endmodule
