// shoal_memstream: streams a read-only memory forever on an AXI-Stream output.
//
// Stream protocol
//   out_V (master, WIDTH bits): Mem[0], Mem[1], ..., Mem[DEPTH-1], Mem[0], ... without
//   end. A beat transfers when out_V_TVALID && out_V_TREADY at a rising edge of ap_clk.
//   out_V_TVALID comes straight from a register (it does not depend on out_V_TREADY);
//   while out_V_TVALID && !out_V_TREADY the data is held stable (the memory read is
//   disabled, so its registered output keeps the word).
//
// Memory file
//   INIT_FILE is read with $readmemh: one hex line per word, address 0 first, hex digits
//   MSB first (zero padded at the top). An empty INIT_FILE gives an all-zero memory
//   (useful for lint and tests only).
//
// Latency: the first word is valid from the cycle after the first rising edge with
// ap_rst_n high.
// Throughput: one word per cycle while out_V_TREADY is high; no bubbles after stalls.
//
// Implementation: a synchronous-read ROM whose read enable is the "output register is
// free" condition, so the ROM's own output register is the stream register. Yosys maps
// it to block RAM (RAMB18/36 or SB_RAM40) when DEPTH*WIDTH is large, LUTs otherwise.
// The only combinational path from out_V_TREADY goes to the ROM enable and the address
// counter enable (no path to any output).

module shoal_memstream #(
  parameter int DEPTH = 16,
  parameter int WIDTH = 32,
  parameter INIT_FILE = ""
) (
  input  logic             ap_clk,
  input  logic             ap_rst_n,
  output logic [WIDTH-1:0] out_V_TDATA,
  output logic             out_V_TVALID,
  input  logic             out_V_TREADY
);

  localparam int AddrBits = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  localparam logic [AddrBits-1:0] LastAddr = AddrBits'(DEPTH - 1);

  logic [WIDTH-1:0] mem [0:DEPTH-1];

  generate
    if (INIT_FILE != "") begin : g_init_file
      initial begin
        $readmemh(INIT_FILE, mem);
      end
    end else begin : g_init_zero
      initial begin
        for (int i = 0; i < DEPTH; i++) begin
          mem[i] = WIDTH'(0);
        end
      end
    end
  endgenerate

  logic [AddrBits-1:0] addr_q;
  logic                valid_q;
  logic [WIDTH-1:0]    rdata_q;
  logic                read_en;

  // A new word is read whenever the output register is empty or being emptied.
  assign read_en = !valid_q || out_V_TREADY;

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      addr_q  <= '0;
      valid_q <= 1'b0;
    end else if (read_en) begin
      addr_q  <= (addr_q == LastAddr) ? '0 : addr_q + 1'b1;
      valid_q <= 1'b1;
    end
  end

  // Kept free of reset so that it maps onto the block RAM output register.
  always_ff @(posedge ap_clk) begin
    if (read_en) begin
      rdata_q <= mem[addr_q];
    end
  end

  assign out_V_TDATA  = rdata_q;
  assign out_V_TVALID = valid_q;

endmodule
