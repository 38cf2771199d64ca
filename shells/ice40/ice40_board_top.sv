// ice40_board_top: pins of an iCE40 board (icebreaker.pcf, hx8k_breakout.pcf) around
// shoal_ice40_shell. LED outputs are driven active low, as the iCEBreaker wires them;
// on the HX8K breakout (active-high LEDs) they are lit while nothing is wrong instead.
`default_nettype none
module ice40_board_top #(
  parameter int IN_BYTES = 1,
  parameter int OUT_BYTES = 1,
  parameter int CLKS_PER_BIT = 104,
  parameter int HAS_BUTTON = 1  // 0: boards without a reset button (rst_btn_n ignored)
) (
  input  wire clk,
  input  wire rst_btn_n,
  input  wire uart_rx,
  output wire uart_tx,
  output wire led_r_n,  // on: an input word was lost (overrun)
  output wire led_g_n   // on: a UART framing error was seen
);
  wire overrun;
  wire frame_error;
  wire button_n;
  assign button_n = (HAS_BUTTON != 0) ? rst_btn_n : 1'b1;
  shoal_ice40_shell #(
    .IN_BYTES(IN_BYTES), .OUT_BYTES(OUT_BYTES), .CLKS_PER_BIT(CLKS_PER_BIT)
  ) u_shell (
    .clk(clk), .rst_btn_n(button_n), .uart_rx(uart_rx), .uart_tx(uart_tx),
    .led_overrun(overrun), .led_frame(frame_error));
  assign led_r_n = !overrun;
  assign led_g_n = !frame_error;
endmodule
