// shoal_uart_rx: 8N1 UART receiver. One byte per `valid` pulse; no flow control (a UART
// has none), so the consumer must take every byte in the cycle it is offered.
//
// The line is synchronized through two flip-flops, a start bit is confirmed at its middle,
// and each data bit is sampled at its middle, LSB first. A missing stop bit drops the byte
// and raises `frame_error` for one cycle.
`default_nettype none
module shoal_uart_rx #(
  parameter int CLKS_PER_BIT = 104  // clock / baud rate, e.g. 12 MHz / 115200
) (
  input  wire       clk,
  input  wire       rst_n,
  input  wire       rx,
  output logic [7:0] data,
  output logic       valid,
  output logic       frame_error
);
  localparam int CountBits = $clog2(CLKS_PER_BIT + 1);
  localparam logic [CountBits-1:0] Full = CountBits'(CLKS_PER_BIT - 1);
  localparam logic [CountBits-1:0] Half = CountBits'((CLKS_PER_BIT - 1) / 2);

  typedef enum logic [1:0] {Idle, Start, Bits, Stop} state_e;
  state_e state_q;
  logic [CountBits-1:0] count_q;
  logic [2:0] bit_q;
  logic [7:0] shift_q;
  logic [1:0] sync_q;
  logic line;

  always_ff @(posedge clk) begin
    sync_q <= {sync_q[0], rx};
  end
  assign line = sync_q[1];

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      state_q     <= Idle;
      count_q     <= '0;
      bit_q       <= '0;
      valid       <= 1'b0;
      frame_error <= 1'b0;
    end else begin
      valid       <= 1'b0;
      frame_error <= 1'b0;
      unique case (state_q)
        Idle: begin
          count_q <= '0;
          if (!line) state_q <= Start;
        end
        Start: begin
          if (count_q == Half) begin
            count_q <= '0;
            bit_q   <= '0;
            state_q <= line ? Idle : Bits;  // a glitch, not a start bit
          end else begin
            count_q <= count_q + 1'b1;
          end
        end
        Bits: begin
          if (count_q == Full) begin
            count_q <= '0;
            shift_q <= {line, shift_q[7:1]};
            bit_q   <= bit_q + 1'b1;
            if (bit_q == 3'd7) state_q <= Stop;
          end else begin
            count_q <= count_q + 1'b1;
          end
        end
        Stop: begin
          if (count_q == Full) begin
            state_q     <= Idle;
            valid       <= line;
            frame_error <= !line;
          end else begin
            count_q <= count_q + 1'b1;
          end
        end
        default: state_q <= Idle;
      endcase
    end
  end
  assign data = shift_q;
endmodule
