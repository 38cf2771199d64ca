// shoal_iodma_dwc: byte-order-preserving width converter between an IODMA's memory words
// and the accelerator's stream beats (Mem2Stream/Stream2Mem's internal
// StreamingDataWidthConverter, hardware.md §1.11).
//
// Both sides see the same byte string: the lowest byte of a word (beat) is the earliest,
// so memory byte 0 lands in TDATA[7:0] (LSB first). IN_BITS and OUT_BITS are multiples of
// 8 and need not divide one another (a 64-bit memory word and a 24-bit beat, say): the
// converter keeps a shift register of IN_BITS + OUT_BITS bits, appends each input word
// above the bits it holds and emits the lowest OUT_BITS once that many are present. The
// register is counted in units of G = gcd(IN_BITS, OUT_BITS) bits, the only granularity
// at which its fill level can ever stand, so the insertion shifter has as few positions
// as possible (one for equal widths, two for a 64 -> 8 bit download).
//
// The converter does not know frames or runs; the IODMA tells it where a run's byte string
// ends, which need not be on a word boundary (the run's last memory word may be partial):
//   * flush_i (stream -> memory): while high, the bits held are offered as a last output
//     word even when they are fewer than OUT_BITS; the bits above them are zero. The
//     IODMA raises it once the run's last beat is in.
//   * clear_i (memory -> stream): empties the converter, dropping the bytes of the run's
//     last word that lie past the run's end (the IODMA stops taking beats at the end).
//
// Throughput: one output beat per cycle (and one input word per cycle when the input is
// the wider side). A word is taken when it fits beside what stays after this cycle's
// output beat, so in_ready_o depends on out_ready_i: without that, the converter would
// pause one cycle in every few (64 -> 24 bits ran at 2/3 of a beat per cycle). In the
// IODMAs that path ends in registers (the word FIFO's read pointer, or in0_V_TREADY from
// the FIFO's count register); out_valid_o depends on the fill level register and flush_i
// only.
`default_nettype none
module shoal_iodma_dwc #(
  parameter int IN_BITS = 64,
  parameter int OUT_BITS = 8
) (
  input  wire                clk_i,
  input  wire                rst_ni,
  input  wire                clear_i,
  input  wire                flush_i,
  input  wire [IN_BITS-1:0]  in_data_i,
  input  wire                in_valid_i,
  output wire                in_ready_o,
  output wire [OUT_BITS-1:0] out_data_o,
  output wire                out_valid_o,
  input  wire                out_ready_i
);
  // Euclid's algorithm as a constant function (no `return`: yosys 0.23).
  function automatic int gcd(input int a, input int b);
    int x, y, t;
    x = a;
    y = b;
    for (int i = 0; i < 64; i++) begin
      if (y != 0) begin
        t = x % y;
        x = y;
        y = t;
      end
    end
    gcd = x;
  endfunction

  localparam int G = gcd(IN_BITS, OUT_BITS);
  localparam int BufBits = IN_BITS + OUT_BITS;
  localparam int InUnits = IN_BITS / G;
  localparam int OutUnits = OUT_BITS / G;
  localparam int FillBits = $clog2(InUnits + OutUnits + 1);
  localparam int ShiftBits = $clog2(BufBits + 1);

  logic [BufBits-1:0] buf_q;
  logic [FillBits-1:0] fill_q;   // units of G bits held, from bit 0 upwards
  logic full;                    // a whole output beat is held
  logic push;
  logic pop;
  logic [BufBits-1:0] kept;      // buf_q after this cycle's output beat left
  logic [FillBits-1:0] kept_fill;
  logic [BufBits-1:0] placed;    // the input word moved above the kept bits

  // Room for a word when at most one beat's worth stays after this cycle's output beat
  // (BufBits = IN + OUT); below one beat's worth no beat can leave, so the two never both
  // wait.
  assign in_ready_o  = kept_fill <= FillBits'(OutUnits);
  assign full        = fill_q >= FillBits'(OutUnits);
  assign out_valid_o = full || (flush_i && fill_q != '0);
  assign out_data_o  = buf_q[OUT_BITS-1:0];
  assign push        = in_valid_i && in_ready_o;
  assign pop         = out_valid_o && out_ready_i;
  // A partial beat leaves nothing behind: the shift moves only zeros down.
  assign kept        = pop ? (buf_q >> OUT_BITS) : buf_q;
  assign kept_fill   = !pop ? fill_q : full ? fill_q - FillBits'(OutUnits) : '0;
  assign placed      = BufBits'(in_data_i) << (ShiftBits'(kept_fill) * ShiftBits'(G));

  // Bits above the fill level are always zero (cleared at reset and by clear_i, zeros
  // shifted in), so the new word can be ORed in without a mask, and a flushed partial beat
  // has zeros above its bytes.
  always_ff @(posedge clk_i) begin
    if (!rst_ni || clear_i) begin
      buf_q  <= '0;
      fill_q <= '0;
    end else begin
      buf_q  <= push ? (kept | placed) : kept;
      fill_q <= push ? kept_fill + FillBits'(InUnits) : kept_fill;
    end
  end
endmodule
`default_nettype wire
