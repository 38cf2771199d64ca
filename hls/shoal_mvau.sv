// shoal_mvau: matrix-vector-activation unit with FINN StreamingFCLayer_Batch semantics
// (hardware.md §1.2), weights from a stream (internal_decoupled / external mem_mode).
//
// Folding: SF = MW/SIMD synapse folds, NF = MH/PE neuron folds (MW % SIMD == 0,
// MH % PE == 0). Per input vector the unit runs NF*SF iterations, sf innermost:
//   for nf in 0..NF-1: for sf in 0..SF-1:
//     x = (nf == 0) ? in0_V.read() (and kept in an SF-deep buffer) : buffer[sf]
//     w = weights_V.read()                                // word nf*SF + sf
//     acc[pe] = (sf == 0 ? 0 : acc[pe]) + sum_s mul(x[s], w[pe][s])
//     if sf == SF-1: out_V.write(act(acc[pe]) for pe)     // neurons nf*PE + pe
//
// Stream protocol (a beat transfers when TVALID && TREADY at a rising edge of ap_clk)
//   in0_V     (slave,  SIMD*IN_BITS bits): SF beats per vector, element s = input
//             sf*SIMD + s in bits [(s+1)*IN_BITS-1 : s*IN_BITS].
//   weights_V (slave,  PE*SIMD*WEIGHT_BITS bits): NF*SF words per vector, word nf*SF+sf;
//             W[sf*SIMD + s][nf*PE + pe] (ONNX (MW, MH) indexing) at bit offset
//             (pe*SIMD + s)*WEIGHT_BITS. shoal_memstream with DEPTH = NF*SF delivers this.
//   out_V     (master, PE*OUT_BITS bits): NF beats per vector, element pe = neuron
//             nf*PE + pe.
//   An iteration needs a weight word and, during nf == 0, an input beat; both are taken
//   in the same cycle (each TREADY depends on the other stream's TVALID, never on
//   out_V_TREADY). out_V_TVALID comes from a register; out_V holds its data while
//   TVALID && !TREADY. A credit counter lets an output-producing iteration (sf == SF-1)
//   start only when the 5-entry output buffer is sure to have room, so back-pressure
//   stalls the loop without loss and without a combinational path from out_V_TREADY.
//
// Operands (element bit 1 = +1, 0 = -1 for bipolar):
//   XNOR != 0                       : 1-bit x, w; product = (x == w) (popcount of XNOR)
//   INPUT_BIPOLAR && WEIGHT_BIPOLAR : product = (x == w) ? +1 : -1
//   INPUT_BIPOLAR only              : product = x ? +w : -w
//   WEIGHT_BIPOLAR only             : product = w ? +x : -x
//   otherwise                       : integer product, x signed iff INPUT_SIGNED, w signed
//                                     iff WEIGHT_SIGNED.
//   Bipolar and XNOR operands are 1 bit wide (IN_BITS/WEIGHT_BITS = 1); the *_SIGNED flag
//   of a bipolar operand is ignored. The accumulator is ACC_BITS two's complement (sums
//   wrap modulo 2^ACC_BITS), so unsigned accumulator ranges need one spare bit.
//
// Activation:
//   NUM_STEPS == 0 (noActivation): out = accumulator (OUT_BITS == ACC_BITS expected; a
//   wider OUT_BITS gets sign extension, a narrower one truncation).
//   NUM_STEPS  > 0: out = ACT_VAL + #{k : acc >= T[n][k]}, thresholds T_BITS signed,
//   compared as signed numbers, result written as OUT_BITS two's complement.
//
// Threshold file (THRESH_FILE, $readmemh, only read when NUM_STEPS > 0): NF lines, line nf
// for neurons nf*PE + pe, each PE*NUM_STEPS*T_BITS bits as hex MSB first; threshold k of
// lane pe at bit offset (pe*NUM_STEPS + k)*T_BITS. An empty THRESH_FILE gives zeros.
//
// Latency: 4 cycles: the output beat of neuron fold nf is valid from cycle c+4 when its
// last iteration (sf == SF-1, i.e. its last weight word) was accepted in cycle c.
// Throughput: one iteration per cycle while inputs and weights are available and out_V is
// not back-pressured: NF*SF cycles per vector, back-to-back vectors without bubbles.
// Area: PE*SIMD multipliers (or XNOR/negation lanes), one adder tree per PE.

module shoal_mvau #(
  parameter int MW = 4,
  parameter int MH = 4,
  parameter int PE = 2,
  parameter int SIMD = 2,
  parameter int IN_BITS = 4,
  parameter int WEIGHT_BITS = 4,
  parameter int ACC_BITS = 16,
  parameter int OUT_BITS = 2,
  parameter int INPUT_SIGNED = 0,
  parameter int WEIGHT_SIGNED = 1,
  parameter int INPUT_BIPOLAR = 0,
  parameter int WEIGHT_BIPOLAR = 0,
  parameter int XNOR = 0,
  parameter int NUM_STEPS = 3,
  parameter int T_BITS = 16,
  parameter int ACT_VAL = 0,
  parameter THRESH_FILE = ""
) (
  input  logic                           ap_clk,
  input  logic                           ap_rst_n,
  input  logic [SIMD*IN_BITS-1:0]        in0_V_TDATA,
  input  logic                           in0_V_TVALID,
  output logic                           in0_V_TREADY,
  input  logic [PE*SIMD*WEIGHT_BITS-1:0] weights_V_TDATA,
  input  logic                           weights_V_TVALID,
  output logic                           weights_V_TREADY,
  output logic [PE*OUT_BITS-1:0]         out_V_TDATA,
  output logic                           out_V_TVALID,
  input  logic                           out_V_TREADY
);

  localparam int SF = MW / SIMD;
  localparam int NF = MH / PE;
  localparam int SfBits = (SF > 1) ? $clog2(SF) : 1;
  localparam int NfBits = (NF > 1) ? $clog2(NF) : 1;
  localparam logic [SfBits-1:0] LastSf = SfBits'(SF - 1);
  localparam logic [NfBits-1:0] LastNf = NfBits'(NF - 1);

  // Product kind and width (PW bits, two's complement, always exact).
  localparam int ModeInt = 0;
  localparam int ModeXnor = 1;
  localparam int ModeBipolarBoth = 2;
  localparam int ModeBipolarIn = 3;
  localparam int ModeBipolarWeight = 4;
  localparam int Mode = (XNOR != 0) ? ModeXnor :
                        (INPUT_BIPOLAR != 0 && WEIGHT_BIPOLAR != 0) ? ModeBipolarBoth :
                        (INPUT_BIPOLAR != 0) ? ModeBipolarIn :
                        (WEIGHT_BIPOLAR != 0) ? ModeBipolarWeight : ModeInt;
  localparam int InExt = (INPUT_SIGNED != 0) ? IN_BITS : IN_BITS + 1;
  localparam int WeightExt = (WEIGHT_SIGNED != 0) ? WEIGHT_BITS : WEIGHT_BITS + 1;
  // +-w needs one bit more than w (signed or unsigned); a product of two unsigned
  // operands needs a sign bit on top of IN_BITS + WEIGHT_BITS.
  localparam int PW = (Mode == ModeXnor || Mode == ModeBipolarBoth) ? 2 :
                      (Mode == ModeBipolarIn) ? WEIGHT_BITS + 1 :
                      (Mode == ModeBipolarWeight) ? IN_BITS + 1 :
                      (INPUT_SIGNED == 0 && WEIGHT_SIGNED == 0) ? IN_BITS + WEIGHT_BITS + 1 :
                      IN_BITS + WEIGHT_BITS;
  // Exact width of a sum of SIMD products, capped at the accumulator width (modular).
  localparam int SumFull = PW + $clog2(SIMD);
  localparam int SumBits = (SumFull < ACC_BITS) ? SumFull : ACC_BITS;

  localparam int LineBits = (NUM_STEPS > 0) ? PE * NUM_STEPS * T_BITS : 1;
  localparam int CmpBits = (ACC_BITS > T_BITS) ? ACC_BITS : T_BITS;
  localparam int StepsW = (NUM_STEPS > 0) ? NUM_STEPS : 1;
  localparam int StepCountBits = $clog2(StepsW + 1);

  // Output buffer: 4 cycles from issue to buffer write, so 5 entries sustain one output
  // per cycle (SF == 1) with a registered credit check.
  localparam int BufDepth = 5;
  localparam int BufPtrBits = 3;
  localparam int BufCountBits = 3;
  localparam logic [BufCountBits-1:0] BufFull = BufCountBits'(BufDepth);

  // ---------------------------------------------------------------------------------
  // Loop control and issue
  logic [SfBits-1:0]       sf_q;
  logic [NfBits-1:0]       nf_q;
  logic [BufCountBits-1:0] pending_q;  // outputs issued and not yet sent
  logic                    first_fold;
  logic                    last_synapse;
  logic                    credit_ok;
  logic                    operands_ok;
  logic                    issue;
  logic                    out_fire;

  assign first_fold   = nf_q == '0;
  assign last_synapse = sf_q == LastSf;
  assign credit_ok    = !last_synapse || (pending_q != BufFull);
  assign operands_ok  = weights_V_TVALID && (!first_fold || in0_V_TVALID);
  assign issue        = operands_ok && credit_ok;
  assign in0_V_TREADY     = first_fold && weights_V_TVALID && credit_ok;
  assign weights_V_TREADY = (!first_fold || in0_V_TVALID) && credit_ok;
  assign out_fire     = out_V_TVALID && out_V_TREADY;

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      sf_q      <= '0;
      nf_q      <= '0;
      pending_q <= '0;
    end else begin
      pending_q <= pending_q + BufCountBits'(issue && last_synapse) - BufCountBits'(out_fire);
      if (issue) begin
        sf_q <= last_synapse ? '0 : sf_q + 1'b1;
        if (last_synapse) begin
          nf_q <= (nf_q == LastNf) ? '0 : nf_q + 1'b1;
        end
      end
    end
  end

  // Input vector: read from the stream during nf == 0 and replayed from a buffer after.
  logic [SIMD*IN_BITS-1:0] x;
  generate
    if (NF > 1) begin : g_replay
      logic [SIMD*IN_BITS-1:0] vec_mem [0:SF-1];
      always_ff @(posedge ap_clk) begin
        if (issue && first_fold) begin
          vec_mem[sf_q] <= in0_V_TDATA;
        end
      end
      assign x = first_fold ? in0_V_TDATA : vec_mem[sf_q];
    end else begin : g_direct
      assign x = in0_V_TDATA;
    end
  endgenerate

  // ---------------------------------------------------------------------------------
  // Stage 1: products
  logic [PE*SIMD*PW-1:0] prod;
  logic [PE*SIMD*PW-1:0] s1_prod_q;
  logic                  s1_valid_q;
  logic                  s1_first_q;
  logic                  s1_last_q;
  logic [NfBits-1:0]     s1_nf_q;

  for (genvar pe = 0; pe < PE; pe++) begin : g_pe_mul
    for (genvar s = 0; s < SIMD; s++) begin : g_simd_mul
      logic [IN_BITS-1:0]     a;
      logic [WEIGHT_BITS-1:0] w;
      logic signed [PW-1:0]   p;
      assign a = x[s*IN_BITS +: IN_BITS];
      assign w = weights_V_TDATA[(pe*SIMD + s)*WEIGHT_BITS +: WEIGHT_BITS];

      if (Mode == ModeXnor) begin : g_xnor
        assign p = {1'b0, a[0] ~^ w[0]};
      end else if (Mode == ModeBipolarBoth) begin : g_pm1
        assign p = (a[0] == w[0]) ? 2'sb01 : 2'sb11;
      end else if (Mode == ModeBipolarIn) begin : g_sel_w
        logic signed [PW-1:0] w_ext;
        if (WEIGHT_SIGNED != 0) begin : g_s
          assign w_ext = PW'($signed(w));
        end else begin : g_u
          assign w_ext = PW'(w);
        end
        assign p = a[0] ? w_ext : -w_ext;
      end else if (Mode == ModeBipolarWeight) begin : g_sel_a
        logic signed [PW-1:0] a_ext;
        if (INPUT_SIGNED != 0) begin : g_s
          assign a_ext = PW'($signed(a));
        end else begin : g_u
          assign a_ext = PW'(a);
        end
        assign p = w[0] ? a_ext : -a_ext;
      end else begin : g_mul
        logic signed [InExt-1:0]     a_ext;
        logic signed [WeightExt-1:0] w_ext;
        if (INPUT_SIGNED != 0) begin : g_sa
          assign a_ext = $signed(a);
        end else begin : g_ua
          assign a_ext = $signed({1'b0, a});
        end
        if (WEIGHT_SIGNED != 0) begin : g_sw
          assign w_ext = $signed(w);
        end else begin : g_uw
          assign w_ext = $signed({1'b0, w});
        end
        assign p = a_ext * w_ext;
      end

      assign prod[(pe*SIMD + s)*PW +: PW] = p;
    end
  end

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      s1_valid_q <= 1'b0;
    end else begin
      s1_valid_q <= issue;
    end
  end

  always_ff @(posedge ap_clk) begin
    s1_prod_q  <= prod;
    s1_first_q <= sf_q == '0;
    s1_last_q  <= last_synapse;
    s1_nf_q    <= nf_q;
  end

  // ---------------------------------------------------------------------------------
  // Stage 2: one adder tree per PE
  function automatic logic [SumBits-1:0] tree_sum(input logic [SIMD*SumBits-1:0] terms);
    logic [SIMD*SumBits-1:0] work;
    work = terms;
    for (int stride = 1; stride < SIMD; stride = stride * 2) begin
      for (int i = 0; i + stride < SIMD; i = i + 2 * stride) begin
        work[i*SumBits +: SumBits] = work[i*SumBits +: SumBits] +
                                     work[(i + stride)*SumBits +: SumBits];
      end
    end
    tree_sum = work[SumBits-1:0];
  endfunction

  logic [PE*SumBits-1:0] sums;
  logic [PE*SumBits-1:0] s2_sum_q;
  logic                  s2_valid_q;
  logic                  s2_first_q;
  logic                  s2_last_q;
  logic [NfBits-1:0]     s2_nf_q;

  for (genvar pe = 0; pe < PE; pe++) begin : g_pe_sum
    logic [SIMD*SumBits-1:0] terms;
    for (genvar s = 0; s < SIMD; s++) begin : g_term
      assign terms[s*SumBits +: SumBits] =
          SumBits'($signed(s1_prod_q[(pe*SIMD + s)*PW +: PW]));
    end
    assign sums[pe*SumBits +: SumBits] = tree_sum(terms);
  end

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      s2_valid_q <= 1'b0;
    end else begin
      s2_valid_q <= s1_valid_q;
    end
  end

  always_ff @(posedge ap_clk) begin
    s2_sum_q   <= sums;
    s2_first_q <= s1_first_q;
    s2_last_q  <= s1_last_q;
    s2_nf_q    <= s1_nf_q;
  end

  // ---------------------------------------------------------------------------------
  // Stage 3: accumulators (+ threshold line of the finishing neuron fold)
  logic [PE*ACC_BITS-1:0] acc_q;
  logic                   s3_done_q;
  logic [LineBits-1:0]    s3_thresh_q;

  for (genvar pe = 0; pe < PE; pe++) begin : g_pe_acc
    logic [ACC_BITS-1:0] base;
    assign base = s2_first_q ? '0 : acc_q[pe*ACC_BITS +: ACC_BITS];
    always_ff @(posedge ap_clk) begin
      if (s2_valid_q) begin
        acc_q[pe*ACC_BITS +: ACC_BITS] <=
            base + ACC_BITS'($signed(s2_sum_q[pe*SumBits +: SumBits]));
      end
    end
  end

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      s3_done_q <= 1'b0;
    end else begin
      s3_done_q <= s2_valid_q && s2_last_q;
    end
  end

  generate
    if (NUM_STEPS > 0) begin : g_thresh_mem
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
      always_ff @(posedge ap_clk) begin
        if (s2_valid_q && s2_last_q) begin
          s3_thresh_q <= thresh_mem[s2_nf_q];
        end
      end
    end else begin : g_no_thresh
      logic unused_thresh;
      assign s3_thresh_q = '0;
      assign unused_thresh = ^{s2_nf_q, s3_thresh_q};
    end
  endgenerate

  // ---------------------------------------------------------------------------------
  // Activation (combinational on stage 3) into the output buffer
  function automatic logic [StepCountBits-1:0] count_ones(input logic [StepsW-1:0] bits);
    logic [StepCountBits-1:0] sum;
    sum = '0;
    for (int i = 0; i < StepsW; i++) begin
      sum = sum + StepCountBits'(bits[i]);
    end
    count_ones = sum;
  endfunction

  logic [PE*OUT_BITS-1:0] act;

  for (genvar pe = 0; pe < PE; pe++) begin : g_pe_act
    logic [ACC_BITS-1:0] acc;
    assign acc = acc_q[pe*ACC_BITS +: ACC_BITS];
    if (NUM_STEPS == 0) begin : g_pass
      assign act[pe*OUT_BITS +: OUT_BITS] = OUT_BITS'($signed(acc));
    end else begin : g_thresh
      logic [NUM_STEPS-1:0] ge;
      for (genvar k = 0; k < NUM_STEPS; k++) begin : g_step
        logic [T_BITS-1:0] t;
        assign t = s3_thresh_q[(pe*NUM_STEPS + k)*T_BITS +: T_BITS];
        assign ge[k] = $signed(CmpBits'($signed(acc))) >= $signed(CmpBits'($signed(t)));
      end
      assign act[pe*OUT_BITS +: OUT_BITS] = OUT_BITS'(ACT_VAL) + OUT_BITS'(count_ones(ge));
    end
  end

  // ---------------------------------------------------------------------------------
  // Output buffer (circular, BufDepth entries)
  logic [PE*OUT_BITS-1:0]  buf_q [0:BufDepth-1];
  logic [BufPtrBits-1:0]   buf_wr_q;
  logic [BufPtrBits-1:0]   buf_rd_q;
  logic [BufCountBits-1:0] buf_count_q;

  always_ff @(posedge ap_clk) begin
    if (s3_done_q) begin
      buf_q[buf_wr_q] <= act;
    end
  end

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      buf_wr_q    <= '0;
      buf_rd_q    <= '0;
      buf_count_q <= '0;
    end else begin
      if (s3_done_q) begin
        buf_wr_q <= (buf_wr_q == BufPtrBits'(BufDepth - 1)) ? '0 : buf_wr_q + 1'b1;
      end
      if (out_fire) begin
        buf_rd_q <= (buf_rd_q == BufPtrBits'(BufDepth - 1)) ? '0 : buf_rd_q + 1'b1;
      end
      buf_count_q <= buf_count_q + BufCountBits'(s3_done_q) - BufCountBits'(out_fire);
    end
  end

  assign out_V_TVALID = buf_count_q != '0;
  assign out_V_TDATA  = buf_q[buf_rd_q];

endmodule
