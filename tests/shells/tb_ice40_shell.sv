// Testbench of shells/ice40: sends frames to shoal_ice40_shell over its UART, one frame at
// a time as host_serial.py does, and writes every byte the shell sends back to OUT_FILE
// (one hex byte per line). iverilog: -P tb_ice40_shell.IN_BYTES=... etc.
`timescale 1ns / 1ps
module tb_ice40_shell;
  parameter int IN_BYTES = 1;           // bytes per input beat
  parameter int OUT_BYTES = 1;          // bytes per output beat
  parameter int FRAME_IN = 1;           // input bytes per frame
  parameter int FRAME_OUT = 1;          // output bytes per frame
  parameter int FRAMES = 1;
  parameter int CLKS_PER_BIT = 8;
  parameter IN_FILE = "in.hex";
  parameter OUT_FILE = "out.hex";

  logic clk = 1'b0;
  always #5 clk = ~clk;
  logic host_tx = 1'b1;  // into the shell
  wire host_rx;          // out of the shell
  wire overrun, frame_error;

  shoal_ice40_shell #(.IN_BYTES(IN_BYTES), .OUT_BYTES(OUT_BYTES), .CLKS_PER_BIT(CLKS_PER_BIT))
    dut (.clk(clk), .rst_btn_n(1'b1), .uart_rx(host_tx), .uart_tx(host_rx),
         .led_overrun(overrun), .led_frame(frame_error));

  logic [7:0] bytes_in [0:FRAMES*FRAME_IN-1];
  integer received = 0;
  integer out_fd;

  task automatic send_byte(input logic [7:0] b);
    host_tx = 1'b0;
    repeat (CLKS_PER_BIT) @(posedge clk);
    for (int i = 0; i < 8; i++) begin
      host_tx = b[i];
      repeat (CLKS_PER_BIT) @(posedge clk);
    end
    host_tx = 1'b1;
    repeat (CLKS_PER_BIT) @(posedge clk);
  endtask

  // The host's receiver: sample each bit in its middle.
  initial begin : receiver
    logic [7:0] b;
    forever begin
      @(negedge host_rx);
      repeat (CLKS_PER_BIT / 2) @(posedge clk);
      for (int i = 0; i < 8; i++) begin
        repeat (CLKS_PER_BIT) @(posedge clk);
        b[i] = host_rx;
      end
      repeat (CLKS_PER_BIT) @(posedge clk);
      $fdisplay(out_fd, "%02x", b);
      received = received + 1;
    end
  end

  initial begin
    $readmemh(IN_FILE, bytes_in);
    out_fd = $fopen(OUT_FILE, "w");
    repeat (40) @(posedge clk);
    for (int f = 0; f < FRAMES; f++) begin
      for (int i = 0; i < FRAME_IN; i++) send_byte(bytes_in[f * FRAME_IN + i]);
      wait (received == (f + 1) * FRAME_OUT);
    end
    repeat (4 * CLKS_PER_BIT) @(posedge clk);
    $fclose(out_fd);
    if (overrun || frame_error) begin
      $display("FAIL overrun=%0d frame_error=%0d", overrun, frame_error);
      $fatal(1);
    end
    $display("PASS %0d frames, %0d bytes back", FRAMES, received);
    $finish;
  end

  // A hung design must not hang the test.
  initial begin
    #(64'd200_000_000);
    $display("FAIL timeout after %0d bytes", received);
    $fatal(1);
  end
endmodule
