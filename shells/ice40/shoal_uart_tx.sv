// shoal_uart_tx: 8N1 UART transmitter with a valid/ready byte input (AXI-Stream style):
// a byte is taken when valid && ready and sent LSB first between a start and a stop bit.
`default_nettype none
module shoal_uart_tx #(
  parameter int CLKS_PER_BIT = 104
) (
  input  wire       clk,
  input  wire       rst_n,
  input  wire [7:0] data,
  input  wire       valid,
  output logic      ready,
  output logic      tx
);
  localparam int CountBits = $clog2(CLKS_PER_BIT + 1);
  localparam logic [CountBits-1:0] Full = CountBits'(CLKS_PER_BIT - 1);

  logic [9:0] frame_q;  // stop, data[7:0], start: shifted out LSB first
  logic [3:0] left_q;   // bits still to send
  logic [CountBits-1:0] count_q;

  assign ready = left_q == '0;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      frame_q <= '1;
      left_q  <= '0;
      count_q <= '0;
    end else if (ready) begin
      if (valid) begin
        frame_q <= {1'b1, data, 1'b0};
        left_q  <= 4'd10;
        count_q <= '0;
      end
    end else if (count_q == Full) begin
      count_q <= '0;
      frame_q <= {1'b1, frame_q[9:1]};
      left_q  <= left_q - 1'b1;
    end else begin
      count_q <= count_q + 1'b1;
    end
  end
  // Idle line is high; while sending, the current bit is frame_q[0].
  assign tx = ready ? 1'b1 : frame_q[0];
endmodule
