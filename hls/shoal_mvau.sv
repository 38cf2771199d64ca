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
//   start only when the 4-entry output buffer is sure to have room, so back-pressure
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
// THRESH_SEARCH = 1 (NUM_STEPS > 0, thresholds ascending per neuron): the same result from
// a pipelined binary search, m = clog2(NUM_STEPS+1) stages of one comparator and one
// NF*2^j-word ROM per lane (block RAM instead of NF lines of PE*NUM_STEPS*T_BITS bits);
// THRESH_FILE is then the base name of the stage files THRESH_FILE_s<j>_p<pe:3 digits>.dat
// (hls/README.md). Latency grows by m cycles, the output buffer by m entries; the
// throughput stays the same.
//
// Latency: 1 + REGISTER_SUM cycles: the output beat of neuron fold nf is valid from cycle
// c+2 (c+1 with REGISTER_SUM = 0) when its last iteration (sf == SF-1, i.e. its last
// weight word) was accepted in cycle c. REGISTER_SUM = 1 registers the adder trees' sums
// (the path through multipliers and trees ends there); REGISTER_SUM = 0 accumulates and
// thresholds in the issuing cycle (the threshold line is read a cycle ahead), for
// multiplier-free layers whose trees are shallow.
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
  parameter int REGISTER_SUM = 1,
  parameter int THRESH_SEARCH = 0,
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
`ifndef SHOAL_FAST_SIM
  localparam int TreeLevels = $clog2(SIMD);
`endif

  localparam int LineBits = (NUM_STEPS > 0) ? PE * NUM_STEPS * T_BITS : 1;
  localparam int CmpBits = (ACC_BITS > T_BITS) ? ACC_BITS : T_BITS;
  localparam int StepsW = (NUM_STEPS > 0) ? NUM_STEPS : 1;
  localparam int StepCountBits = $clog2(StepsW + 1);

  // Threshold search (THRESH_SEARCH != 0): Stages pipelined binary-search stages.
  localparam int Search = (THRESH_SEARCH != 0 && NUM_STEPS > 0) ? 1 : 0;
  localparam int Stages = $clog2(StepsW + 1);

  // Output buffer: 2 cycles from issue to buffer write (plus Stages with the threshold
  // search), so 3 (3 + Stages) entries sustain one output per cycle (SF == 1) with a
  // registered credit check; one more for slack.
  localparam int BufDepth = (Search != 0) ? 4 + Stages : 4;
  localparam int BufPtrBits = $clog2(BufDepth);
  localparam int BufCountBits = $clog2(BufDepth + 1);
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

  // The neuron fold of the next cycle (what nf_q will hold after this edge).
  logic [NfBits-1:0] nf_d;
  assign nf_d = !ap_rst_n ? '0 :
                (issue && last_synapse) ? ((nf_q == LastNf) ? '0 : nf_q + 1'b1) : nf_q;

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      sf_q      <= '0;
      nf_q      <= '0;
      pending_q <= '0;
    end else begin
      pending_q <= pending_q + BufCountBits'(issue && last_synapse) - BufCountBits'(out_fire);
      if (issue) begin
        sf_q <= last_synapse ? '0 : sf_q + 1'b1;
      end
      nf_q <= nf_d;
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
  // Stage 1 (the issuing cycle): products and one adder tree per PE, registered; the
  // threshold line of a finishing neuron fold is read alongside.
  // Stage 2: accumulators; a finishing fold's activation goes straight into the output
  // buffer. Per-lane values live in small unpacked arrays, not slices of one wide vector:
  // that keeps Verilator's C++ (and its compile time) linear in PE*SIMD.
  // v_*: the iteration whose sums enter the accumulators in this cycle (the one issued a
  // cycle ago with REGISTER_SUM, the one issuing now without).
  logic                    v_valid;
  logic                    v_first;
  logic                    v_last;
  logic [NfBits-1:0]       v_nf;
  logic [LineBits-1:0]     v_thresh;
  logic [PE*OUT_BITS-1:0]  act;

  if (REGISTER_SUM != 0) begin : g_s1
    logic s1_valid_q;
    logic s1_first_q;
    logic s1_last_q;
    logic [NfBits-1:0] s1_nf_q;
    always_ff @(posedge ap_clk) begin
      if (!ap_rst_n) begin
        s1_valid_q <= 1'b0;
      end else begin
        s1_valid_q <= issue;
      end
    end
    always_ff @(posedge ap_clk) begin
      s1_first_q <= sf_q == '0;
      s1_last_q  <= last_synapse;
      s1_nf_q    <= nf_q;
    end
    assign v_valid = s1_valid_q;
    assign v_first = s1_first_q;
    assign v_last  = s1_last_q;
    assign v_nf    = s1_nf_q;
  end else begin : g_s0
    assign v_valid = issue;
    assign v_first = sf_q == '0;
    assign v_last  = last_synapse;
    assign v_nf    = nf_q;
  end

  generate
    if (NUM_STEPS > 0 && Search == 0) begin : g_thresh_mem
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
      if (REGISTER_SUM != 0) begin : g_sync_read
        logic [LineBits-1:0] thresh_q;
        always_ff @(posedge ap_clk) begin
          if (issue && last_synapse) begin
            thresh_q <= thresh_mem[nf_q];
          end
        end
        assign v_thresh = thresh_q;
      end else begin : g_lookahead_read
        // The line of the fold being issued, read a cycle ahead through the next-state
        // address: still a synchronous read (block RAM), ready in the issuing cycle.
        logic [LineBits-1:0] thresh_q;
        always_ff @(posedge ap_clk) begin
          thresh_q <= thresh_mem[nf_d];
        end
        assign v_thresh = thresh_q;
      end
    end else begin : g_no_thresh
      logic unused_thresh;
      assign v_thresh = '0;
      assign unused_thresh = ^v_thresh;
    end
  endgenerate

`ifndef SHOAL_FAST_SIM
  function automatic logic [StepCountBits-1:0] count_ones(input logic [StepsW-1:0] bits);
    logic [StepCountBits-1:0] sum;
    sum = '0;
    for (int i = 0; i < StepsW; i++) begin
      sum = sum + StepCountBits'(bits[i]);
    end
    count_ones = sum;
  endfunction
`endif

`ifdef SHOAL_FAST_SIM
  // Simulation-only datapath (rtlsim defines SHOAL_FAST_SIM): the same sums, as plain
  // loops that Verilator keeps as loops. The structural lanes and trees below unroll into
  // code that grows with PE*SIMD*log(SIMD) and made wide layers take minutes to compile.
  // Integer sums do not depend on the order of addition, so both forms agree bit for bit;
  // tests/hls runs the MVAU cases in both forms, and synthesis only ever sees the other.
  function automatic logic signed [PW-1:0] product(input logic [IN_BITS-1:0] a,
                                                   input logic [WEIGHT_BITS-1:0] w);
    logic signed [InExt-1:0]     a_ext;
    logic signed [WeightExt-1:0] w_ext;
    logic signed [PW-1:0]        a_pw;
    logic signed [PW-1:0]        w_pw;
    if (INPUT_SIGNED != 0) a_ext = InExt'($signed(a));
    else a_ext = InExt'($signed({1'b0, a}));
    if (WEIGHT_SIGNED != 0) w_ext = WeightExt'($signed(w));
    else w_ext = WeightExt'($signed({1'b0, w}));
    a_pw = PW'(a_ext);
    w_pw = PW'(w_ext);
    if (Mode == ModeXnor) product = PW'({1'b0, a[0] ~^ w[0]});
    else if (Mode == ModeBipolarBoth) product = (a[0] == w[0]) ? PW'(1) : -PW'(1);
    else if (Mode == ModeBipolarIn) product = a[0] ? w_pw : -w_pw;
    else if (Mode == ModeBipolarWeight) product = w[0] ? a_pw : -a_pw;
    else product = PW'(a_ext * w_ext);
  endfunction

  logic [SumBits-1:0] fast_sum [0:PE-1];
  if (Mode == ModeXnor) begin : g_fast_xnor
    // XNOR layers (most of a binarized CNV): the sum of the 1-bit products is the number of
    // agreeing bits, one popcount per PE instead of SIMD loop iterations per cycle. A
    // generate loop, so that each PE's weight slice is a constant select (a loop variable
    // made Verilator build wide temporaries of the whole weight word per PE).
    for (genvar p = 0; p < PE; p++) begin : g_pe_count
      logic [SIMD-1:0] agree;
      assign agree = ~(x[SIMD-1:0] ^ weights_V_TDATA[p*SIMD +: SIMD]);
      assign fast_sum[p] = issue ? SumBits'($countones(agree)) : '0;
    end
  end else begin : g_fast_loop
    // The operands as arrays through constant selects (a variable part-select of the wide
    // weight word costs Verilator a wide temporary per product), then the sums, only in
    // an issuing cycle: the sum is used (registered or accumulated) in no other.
    logic [IN_BITS-1:0]     xa [0:SIMD-1];
    logic [WEIGHT_BITS-1:0] wa [0:PE*SIMD-1];
    for (genvar s = 0; s < SIMD; s++) begin : g_x
      assign xa[s] = x[s*IN_BITS +: IN_BITS];
    end
    for (genvar j = 0; j < PE * SIMD; j++) begin : g_w
      assign wa[j] = weights_V_TDATA[j*WEIGHT_BITS +: WEIGHT_BITS];
    end
    always_comb begin : b_fast_sum
      logic [SumBits-1:0] total;
      for (int p = 0; p < PE; p++) begin
        total = '0;
        for (int s = 0; s < SIMD && issue; s++) begin
          total = total + SumBits'(product(xa[s], wa[p*SIMD + s]));
        end
        fast_sum[p] = total;
      end
    end
  end
`endif

  logic [ACC_BITS-1:0] lane_acc [0:PE-1];  // acc_next of every lane (the search's input)

  for (genvar pe = 0; pe < PE; pe++) begin : g_pe
    logic [SumBits-1:0] sum;
`ifndef SHOAL_FAST_SIM
    logic signed [PW-1:0] prod [0:SIMD-1];

    for (genvar s = 0; s < SIMD; s++) begin : g_lane
      logic [IN_BITS-1:0]     a;
      logic [WEIGHT_BITS-1:0] w;
      assign a = x[s*IN_BITS +: IN_BITS];
      assign w = weights_V_TDATA[(pe*SIMD + s)*WEIGHT_BITS +: WEIGHT_BITS];

      if (Mode == ModeXnor) begin : g_xnor
        assign prod[s] = {1'b0, a[0] ~^ w[0]};
      end else if (Mode == ModeBipolarBoth) begin : g_pm1
        assign prod[s] = (a[0] == w[0]) ? 2'sb01 : 2'sb11;
      end else if (Mode == ModeBipolarIn) begin : g_sel_w
        logic signed [PW-1:0] w_ext;
        if (WEIGHT_SIGNED != 0) begin : g_s
          assign w_ext = PW'($signed(w));
        end else begin : g_u
          assign w_ext = PW'(w);
        end
        assign prod[s] = a[0] ? w_ext : -w_ext;
      end else if (Mode == ModeBipolarWeight) begin : g_sel_a
        logic signed [PW-1:0] a_ext;
        if (INPUT_SIGNED != 0) begin : g_s
          assign a_ext = PW'($signed(a));
        end else begin : g_u
          assign a_ext = PW'(a);
        end
        assign prod[s] = w[0] ? a_ext : -a_ext;
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
        assign prod[s] = PW'(a_ext * w_ext);
      end
    end

    // Balanced adder tree: at level l, t[i] += t[i + 2^l] for i a multiple of 2^(l+1).
    always_comb begin : b_tree
      logic [SumBits-1:0] t [0:SIMD-1];
      for (int s = 0; s < SIMD; s = s + 1) begin
        t[s] = SumBits'(prod[s]);
      end
      for (int l = 0; l < TreeLevels; l = l + 1) begin
        for (int i = 0; i < SIMD; i = i + 1) begin
          if (i % (2 << l) == 0 && i + (1 << l) < SIMD) begin
            t[i] = t[i] + t[i + (1 << l)];
          end
        end
      end
      sum = t[0];
    end
`else
    assign sum = fast_sum[pe];
`endif

    logic [SumBits-1:0]  v_sum;
    logic [ACC_BITS-1:0] acc_q;
    logic [ACC_BITS-1:0] acc_next;
    if (REGISTER_SUM != 0) begin : g_sum_reg
      logic [SumBits-1:0] sum_q;
      always_ff @(posedge ap_clk) begin
        sum_q <= sum;
      end
      assign v_sum = sum_q;
    end else begin : g_sum_comb
      assign v_sum = sum;
    end
    assign acc_next = (v_first ? '0 : acc_q) + ACC_BITS'($signed(v_sum));
    always_ff @(posedge ap_clk) begin
      if (v_valid) begin
        acc_q <= acc_next;
      end
    end
    assign lane_acc[pe] = acc_next;

    if (NUM_STEPS == 0 || Search != 0) begin : g_pass
      assign act[pe*OUT_BITS +: OUT_BITS] = OUT_BITS'($signed(acc_next));
    end else begin : g_thresh
`ifndef SHOAL_FAST_SIM
      logic [NUM_STEPS-1:0] ge;
      for (genvar k = 0; k < NUM_STEPS; k++) begin : g_step
        logic [T_BITS-1:0] t;
        assign t = v_thresh[(pe*NUM_STEPS + k)*T_BITS +: T_BITS];
        assign ge[k] = $signed(CmpBits'($signed(acc_next))) >= $signed(CmpBits'($signed(t)));
      end
      assign act[pe*OUT_BITS +: OUT_BITS] = OUT_BITS'(ACT_VAL) + OUT_BITS'(count_ones(ge));
`else
      // The same count as a loop (see SHOAL_FAST_SIM above), only in the cycle that
      // pushes the activation into the output buffer.
      logic [StepCountBits-1:0] passed;
      always_comb begin : b_fast_count
        passed = '0;
        for (int k = 0; k < NUM_STEPS && v_valid && v_last; k++) begin
          if ($signed(CmpBits'($signed(acc_next))) >=
              $signed(CmpBits'($signed(v_thresh[(pe*NUM_STEPS + k)*T_BITS +: T_BITS])))) begin
            passed = passed + 1'b1;
          end
        end
      end
      assign act[pe*OUT_BITS +: OUT_BITS] = OUT_BITS'(ACT_VAL) + OUT_BITS'(passed);
`endif
    end
  end

  logic s2_done;
  assign s2_done = v_valid && v_last;

  // ---------------------------------------------------------------------------------
  // Threshold search (THRESH_SEARCH != 0, NUM_STEPS > 0): a pipelined binary search over
  // the ascending thresholds instead of NUM_STEPS parallel comparators. The thresholds
  // are padded to 2^Stages - 1 with +infinity; stage j (j < Stages) adds
  // 2^(Stages-1-j) to the count when acc >= T[count + 2^(Stages-1-j) - 1] (a padded
  // probe never passes), so after the last stage count = #{k : acc >= T[k]}. Stage j of
  // lane pe reads its probe from its own synchronous ROM of NF*2^j T_BITS words, address
  // nf*2^j + (count >> (Stages-j)), from THRESH_FILE_s<j>_p<pe:3 digits>.dat (file
  // layout in hls/README.md). The ROM is read in the cycle before the stage compares, so
  // each stage adds one cycle: a finishing fold enters an input register in the cycle
  // the accumulators finish, then passes Stages compare stages into the output buffer.
  logic                   search_done;
  logic [PE*OUT_BITS-1:0] search_act;
  logic                   buf_we;
  logic [PE*OUT_BITS-1:0] buf_wd;

  generate
    if (Search != 0) begin : g_search
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
              valid_q <= s2_done;
            end
          end
          always_ff @(posedge ap_clk) begin
            fold_q <= v_nf;
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
        logic [ACC_BITS-1:0] val [0:Stages-1];  // stage j's accumulator
        logic [Stages-1:0]   cnt [0:Stages-1];  // count after stage j
        for (genvar j = 0; j < Stages; j++) begin : g_stage
          // address nf*2^j + i; without folds (NF == 1) just i (1 bit for stage 0)
          localparam int AddrBits = (NF > 1) ? NfBits + j : ((j > 0) ? j : 1);
          localparam int Depth = NF * (1 << j);
          localparam logic [Stages:0] Offset = (Stages + 1)'((1 << (Stages - 1 - j)) - 1);
          logic [T_BITS-1:0]   rom [0:Depth-1];
          logic [AddrBits-1:0] addr;
          logic [T_BITS-1:0]   t_q;
          logic [ACC_BITS-1:0] val_q;
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
            assign addr = v_nf;
            always_ff @(posedge ap_clk) begin
              val_q <= lane_acc[pe];
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
          assign pad = ({1'b0, cnt_q} + Offset) >= (Stages + 1)'(NUM_STEPS);
          assign ge  = !pad && ($signed(CmpBits'($signed(val_q))) >= $signed(CmpBits'($signed(t_q))));
          assign val[j] = val_q;
          assign cnt[j] = cnt_q | (Stages'(ge) << (Stages - 1 - j));
        end
        assign search_act[pe*OUT_BITS +: OUT_BITS] = OUT_BITS'(ACT_VAL) + OUT_BITS'(cnt[Stages-1]);
        logic unused_val;  // the last stage's operand goes no further
        assign unused_val = ^val[Stages-1];
      end
      logic unused_search;  // the last stage's fold and the parallel form's activation
      assign unused_search = ^st_nf[Stages-1] ^ (^act);
      assign search_done = st_valid[Stages-1];
      assign buf_we = search_done;
      assign buf_wd = search_act;
    end else begin : g_no_search
      logic unused_search;
      assign search_done = 1'b0;
      assign search_act  = '0;
      assign buf_we = s2_done;
      assign buf_wd = act;
      always_comb begin : b_unused
        logic u;
        u = ^v_nf ^ search_done ^ (^search_act);
        for (int p = 0; p < PE; p++) begin
          u = u ^ (^lane_acc[p]);
        end
        unused_search = u;
      end
    end
  endgenerate

  // ---------------------------------------------------------------------------------
  // Output buffer (circular, BufDepth entries)
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
