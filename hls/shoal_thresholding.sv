// shoal_thresholding: Thresholding_Batch, a multi-threshold activation on a channel-folded
// stream (hardware.md §1.4).
//
// Stream protocol
//   in0_V (slave, PE*IN_BITS bits): beats in folded order vecs + [NF, PE], NF =
//   NUM_CHANNELS/PE; lane pe of the beat with channel-fold index nf is channel nf*PE+pe.
//   The fold counter nf runs 0..NF-1 per pixel and wraps (no frame boundaries needed).
//   out_V (master, PE*OUT_BITS bits): one beat per input beat, same order; lane pe is
//     out = ACT_VAL + #{k < NUM_STEPS : x >= T[nf*PE+pe][k]}
//   written as OUT_BITS two's complement (wrapping). Element i of a beat sits in bits
//   [(i+1)*b-1 : i*b]. out_V_TVALID and in0_V_TREADY come from registers only (a credit
//   counter guards a small output buffer), so there is no combinational path from
//   out_V_TREADY to in0_V_TREADY; out_V holds its data while TVALID && !TREADY.
//
// Comparison rule: x is read as signed (INPUT_SIGNED=1) or unsigned IN_BITS, a threshold
// as signed (T_SIGNED=1) or unsigned T_BITS; both are extended to a common signed width
// that holds either exactly, so the comparison is the mathematical x >= T.
//
// Threshold file (THRESH_FILE, $readmemh): NF lines, line nf for channels nf*PE+pe,
// each PE*NUM_STEPS*T_BITS bits written as hex MSB first; threshold k of lane pe at bit
// offset (pe*NUM_STEPS + k)*T_BITS. (FINN's decoupled .dat reverses k inside a PE slot;
// this layout does not.) An empty THRESH_FILE gives all-zero thresholds.
//
// THRESH_SEARCH = 1 (thresholds ascending per channel): a pipelined binary search instead
// of NUM_STEPS comparators, m = clog2(NUM_STEPS+1) stages of one comparator and one
// NF*2^j-word ROM per lane, read from THRESH_FILE_s<j>_p<pe:3 digits>.dat (hls/README.md);
// latency m + 1 cycles, same throughput.
//
// Latency: 2 cycles (an input beat accepted in cycle c gives an output beat valid from
// cycle c+2).
// Throughput: one beat in and one beat out per cycle (NF cycles per pixel) when out_V is
// not back-pressured; under back-pressure the module stops accepting after at most
// 3 beats in flight and never drops data.

module shoal_thresholding #(
  parameter int NUM_CHANNELS = 4,
  parameter int PE = 2,
  parameter int NUM_STEPS = 3,
  parameter int IN_BITS = 8,
  parameter int INPUT_SIGNED = 0,
  parameter int T_BITS = 9,
  parameter int T_SIGNED = 1,
  parameter int OUT_BITS = 2,
  parameter int ACT_VAL = 0,
  parameter int THRESH_SEARCH = 0,
  parameter THRESH_FILE = ""
) (
  input  logic                   ap_clk,
  input  logic                   ap_rst_n,
  input  logic [PE*IN_BITS-1:0]  in0_V_TDATA,
  input  logic                   in0_V_TVALID,
  output logic                   in0_V_TREADY,
  output logic [PE*OUT_BITS-1:0] out_V_TDATA,
  output logic                   out_V_TVALID,
  input  logic                   out_V_TREADY
);

  localparam int NF = NUM_CHANNELS / PE;
  localparam int NfBits = (NF > 1) ? $clog2(NF) : 1;
  localparam logic [NfBits-1:0] LastNf = NfBits'(NF - 1);
  localparam int LineBits = PE * NUM_STEPS * T_BITS;
  localparam int InExt = (INPUT_SIGNED != 0) ? IN_BITS : IN_BITS + 1;
  localparam int TExt = (T_SIGNED != 0) ? T_BITS : T_BITS + 1;
  localparam int CmpBits = (InExt > TExt) ? InExt : TExt;
  localparam int StepCountBits = $clog2(NUM_STEPS + 1);
  // Threshold search (THRESH_SEARCH != 0): Stages pipelined binary-search stages.
  localparam int Stages = $clog2(NUM_STEPS + 1);
  // Output buffer: issue-to-output latency 2 (Stages + 1 with the search), so 3
  // (Stages + 2) entries keep a full-rate stream.
  localparam int BufDepth = (THRESH_SEARCH != 0) ? Stages + 2 : 3;
  localparam int BufPtrBits = $clog2(BufDepth);
  localparam int BufCountBits = $clog2(BufDepth + 1);
  localparam logic [BufCountBits-1:0] BufFull = BufCountBits'(BufDepth);

  // ---- issue: accept a beat when the output buffer has a free slot for it ----
  logic [BufCountBits-1:0] pending_q;  // beats accepted and not yet sent
  logic                    issue;
  logic                    out_fire;
  logic [NfBits-1:0]       nf_q;

  assign in0_V_TREADY = pending_q != BufFull;
  assign issue    = in0_V_TVALID && (pending_q != BufFull);
  assign out_fire = out_V_TVALID && out_V_TREADY;

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      pending_q <= '0;
      nf_q      <= '0;
    end else begin
      pending_q <= pending_q + BufCountBits'(issue) - BufCountBits'(out_fire);
      if (issue) begin
        nf_q <= (nf_q == LastNf) ? '0 : nf_q + 1'b1;
      end
    end
  end

`ifndef SHOAL_FAST_SIM
  // Parallel form: the number of thresholds passed.
  function automatic logic [StepCountBits-1:0] count_ones(input logic [NUM_STEPS-1:0] bits);
    logic [StepCountBits-1:0] sum;
    sum = '0;
    for (int i = 0; i < NUM_STEPS; i++) begin
      sum = sum + StepCountBits'(bits[i]);
    end
    count_ones = sum;
  endfunction
`endif

  // ---- the two forms: each gives buf_we (an output beat is ready) and buf_wd ----
  logic                   buf_we;
  logic [PE*OUT_BITS-1:0] buf_wd;

  generate
    if (THRESH_SEARCH == 0) begin : g_parallel
      // ---- parallel form: threshold memory ----
      logic [LineBits-1:0] thresh_mem [0:NF-1];
      if (THRESH_FILE != "") begin : g_init_file
        initial begin
          $readmemh(THRESH_FILE, thresh_mem);
        end
      end else begin : g_init_zero
        initial begin
          for (int i = 0; i < NF; i++) begin
            thresh_mem[i] = LineBits'(0);
          end
        end
      end

      // ---- stage 1: input beat and its thresholds ----
      logic                  s1_valid_q;
      logic [PE*IN_BITS-1:0] s1_data_q;
      logic [LineBits-1:0]   s1_thresh_q;

      always_ff @(posedge ap_clk) begin
        if (!ap_rst_n) begin
          s1_valid_q <= 1'b0;
        end else begin
          s1_valid_q <= issue;
        end
      end

      always_ff @(posedge ap_clk) begin
        if (issue) begin
          s1_data_q   <= in0_V_TDATA;
          s1_thresh_q <= thresh_mem[nf_q];
        end
      end

      // ---- stage 2: compare and count per lane ----
      for (genvar pe = 0; pe < PE; pe++) begin : g_lane
        logic [IN_BITS-1:0]   x;
        logic [CmpBits-1:0]   x_ext;

        assign x = s1_data_q[pe*IN_BITS +: IN_BITS];
        if (INPUT_SIGNED != 0) begin : g_sx
          assign x_ext = CmpBits'($signed(x));
        end else begin : g_zx
          assign x_ext = CmpBits'(x);
        end

`ifdef SHOAL_FAST_SIM
        // Simulation-only (rtlsim defines SHOAL_FAST_SIM): the same count as a loop that
        // runs only in a cycle whose result is used; Verilator evaluates every comparator
        // of the parallel form in every cycle, which made a 255-step input layer dominate
        // the simulation of a whole CNV.
        logic [StepCountBits-1:0] passed;
        always_comb begin : b_fast_count
          passed = '0;
          if (s1_valid_q) begin
            for (int k = 0; k < NUM_STEPS; k++) begin
              if (T_SIGNED != 0) begin
                if ($signed(x_ext) >= $signed(CmpBits'($signed(
                        s1_thresh_q[(pe*NUM_STEPS + k)*T_BITS +: T_BITS])))) begin
                  passed = passed + 1'b1;
                end
              end else if ($signed(x_ext) >= $signed(CmpBits'(
                               s1_thresh_q[(pe*NUM_STEPS + k)*T_BITS +: T_BITS]))) begin
                passed = passed + 1'b1;
              end
            end
          end
        end
        assign buf_wd[pe*OUT_BITS +: OUT_BITS] = OUT_BITS'(ACT_VAL) + OUT_BITS'(passed);
`else
        logic [NUM_STEPS-1:0] ge;
        for (genvar k = 0; k < NUM_STEPS; k++) begin : g_step
          logic [T_BITS-1:0]  t;
          logic [CmpBits-1:0] t_ext;
          assign t = s1_thresh_q[(pe*NUM_STEPS + k)*T_BITS +: T_BITS];
          if (T_SIGNED != 0) begin : g_st
            assign t_ext = CmpBits'($signed(t));
          end else begin : g_zt
            assign t_ext = CmpBits'(t);
          end
          assign ge[k] = $signed(x_ext) >= $signed(t_ext);
        end

        assign buf_wd[pe*OUT_BITS +: OUT_BITS] = OUT_BITS'(ACT_VAL) + OUT_BITS'(count_ones(ge));
`endif
      end

      assign buf_we = s1_valid_q;
    end else begin : g_search
      // Pipelined binary search over the ascending thresholds of each channel (see
      // shoal_mvau.sv, THRESH_SEARCH, for the scheme): the accepted beat enters an
      // input register (stage 0's ROM is read alongside), then passes Stages compare
      // stages; stage j of lane pe reads THRESH_FILE_s<j>_p<pe:3 digits>.dat.
      logic              st_valid [0:Stages-1];
      logic [NfBits-1:0] st_nf    [0:Stages-1];
      for (genvar j = 0; j < Stages; j++) begin : g_ctl
        logic              valid_q;
        logic [NfBits-1:0] fold_q;
        if (j == 0) begin : g_first
          always_ff @(posedge ap_clk) begin
            if (!ap_rst_n) begin
              valid_q <= 1'b0;
            end else begin
              valid_q <= issue;
            end
          end
          always_ff @(posedge ap_clk) begin
            fold_q <= nf_q;
          end
        end else begin : g_next
          always_ff @(posedge ap_clk) begin
            if (!ap_rst_n) begin
              valid_q <= 1'b0;
            end else begin
              valid_q <= st_valid[j-1];
            end
          end
          always_ff @(posedge ap_clk) begin
            fold_q <= st_nf[j-1];
          end
        end
        assign st_valid[j] = valid_q;
        assign st_nf[j]    = fold_q;
      end

      for (genvar pe = 0; pe < PE; pe++) begin : g_lane
        logic [IN_BITS-1:0] x;
        logic [CmpBits-1:0] x_ext;
        logic [CmpBits-1:0] val [0:Stages-1];  // stage j's input, extended
        logic [Stages-1:0]  cnt [0:Stages-1];  // count after stage j
        assign x = in0_V_TDATA[pe*IN_BITS +: IN_BITS];
        if (INPUT_SIGNED != 0) begin : g_sx
          assign x_ext = CmpBits'($signed(x));
        end else begin : g_zx
          assign x_ext = CmpBits'(x);
        end
        for (genvar j = 0; j < Stages; j++) begin : g_stage
          // address nf*2^j + i; without folds (NF == 1) just i (1 bit for stage 0)
          localparam int AddrBits = (NF > 1) ? NfBits + j : ((j > 0) ? j : 1);
          localparam int Depth = NF * (1 << j);
          localparam logic [Stages:0] Offset = (Stages + 1)'((1 << (Stages - 1 - j)) - 1);
          logic [T_BITS-1:0]   rom [0:Depth-1];
          logic [AddrBits-1:0] addr;
          logic [T_BITS-1:0]   t_q;
          logic [CmpBits-1:0]  t_ext;
          logic [CmpBits-1:0]  val_q;
          logic [Stages-1:0]   cnt_q;
          logic                pad;
          logic                ge;
          if (THRESH_FILE != "") begin : g_init_file
            initial begin
              $readmemh({THRESH_FILE, "_s", 8'(48 + j), "_p", 8'(48 + (pe / 100) % 10),
                         8'(48 + (pe / 10) % 10), 8'(48 + pe % 10), ".dat"}, rom);
            end
          end else begin : g_init_zero
            initial begin
              for (int i = 0; i < Depth; i++) begin
                rom[i] = T_BITS'(0);
              end
            end
          end
          if (j == 0) begin : g_first
            assign addr = nf_q;
            always_ff @(posedge ap_clk) begin
              val_q <= x_ext;
              cnt_q <= '0;
            end
          end else begin : g_next
            if (NF > 1) begin : g_fold
              assign addr = {st_nf[j-1], cnt[j-1][Stages-1 -: j]};
            end else begin : g_one
              assign addr = cnt[j-1][Stages-1 -: j];
            end
            always_ff @(posedge ap_clk) begin
              val_q <= val[j-1];
              cnt_q <= cnt[j-1];
            end
          end
          always_ff @(posedge ap_clk) begin
            t_q <= rom[addr];
          end
          if (T_SIGNED != 0) begin : g_st
            assign t_ext = CmpBits'($signed(t_q));
          end else begin : g_zt
            assign t_ext = CmpBits'(t_q);
          end
          assign pad = ({1'b0, cnt_q} + Offset) >= (Stages + 1)'(NUM_STEPS);
          assign ge  = !pad && ($signed(val_q) >= $signed(t_ext));
          assign val[j] = val_q;
          assign cnt[j] = cnt_q | (Stages'(ge) << (Stages - 1 - j));
        end
        assign buf_wd[pe*OUT_BITS +: OUT_BITS] = OUT_BITS'(ACT_VAL) + OUT_BITS'(cnt[Stages-1]);
        logic unused_val;  // the last stage's operand goes no further
        assign unused_val = ^val[Stages-1];
      end
      logic unused_search;  // the last stage's fold
      assign unused_search = ^st_nf[Stages-1];
      assign buf_we = st_valid[Stages-1];
    end
  endgenerate

  // ---- output buffer (circular, BufDepth entries) ----
  logic [PE*OUT_BITS-1:0]  buf_q [0:BufDepth-1];
  logic [BufPtrBits-1:0]   buf_wr_q;
  logic [BufPtrBits-1:0]   buf_rd_q;
  logic [BufCountBits-1:0] buf_count_q;

  always_ff @(posedge ap_clk) begin
    if (buf_we) begin
      buf_q[buf_wr_q] <= buf_wd;
    end
  end

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      buf_wr_q    <= '0;
      buf_rd_q    <= '0;
      buf_count_q <= '0;
    end else begin
      if (buf_we) begin
        buf_wr_q <= (buf_wr_q == BufPtrBits'(BufDepth - 1)) ? '0 : buf_wr_q + 1'b1;
      end
      if (out_fire) begin
        buf_rd_q <= (buf_rd_q == BufPtrBits'(BufDepth - 1)) ? '0 : buf_rd_q + 1'b1;
      end
      buf_count_q <= buf_count_q + BufCountBits'(buf_we) - BufCountBits'(out_fire);
    end
  end

  assign out_V_TVALID = buf_count_q != '0;
  assign out_V_TDATA  = buf_q[buf_rd_q];

endmodule
