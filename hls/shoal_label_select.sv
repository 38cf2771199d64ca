// shoal_label_select: LabelSelect_Batch, the indices of the K largest of LABELS values
// (hardware.md §1.7).
//
// Stream protocol
//   in0_V (slave, PE*IN_BITS bits): NB = LABELS/PE beats per frame; lane p of beat b is
//   the value of label b*PE + p (element p in bits [(p+1)*IN_BITS-1 : p*IN_BITS]),
//   signed iff INPUT_SIGNED. Frames follow each other without separators.
//   Requires 1 <= K <= LABELS, LABELS % PE == 0 and 2^OUT_BITS >= LABELS.
//   out_V (master, OUT_BITS bits): K beats per frame, one label index each, highest value
//   first; equal values rank by the lower index (a stable sort by descending value, the
//   same as ONNX TopK). Unlike hlslib, values equal to the type minimum are ranked
//   normally (hlslib keeps its initial label-0 entries ahead of them, hardware.md §1.7).
//   out_V_TVALID and in0_V_TREADY come from registers only; out_V holds its data while
//   TVALID && !TREADY.
//
// Operation: a sorted top-K list (value, label) is updated with all PE lanes of a beat in
// one cycle by ranking: a kept entry i moves to i + #{lanes with a greater value}, lane p
// goes to #{kept entries >= it} + #{lanes q < p with v_q >= v_p} + #{lanes q > p with
// v_q > v_p}; ranks >= K drop out. After the last beat of a frame the K labels are pushed
// into a (K+1)-entry output queue, and the next frame starts a fresh list at once.
//
// Latency: 1 cycle (the first label of a frame is valid in the cycle after the one that
// accepted the frame's last beat).
// Throughput: one input beat per cycle, NB cycles per frame, when K <= NB and out_V is not
// back-pressured (the last beat of a frame waits until at most one label of the previous
// frame is still queued). With K > NB the output bounds it to K cycles per frame.

module shoal_label_select #(
  parameter int LABELS = 10,
  parameter int PE = 1,
  parameter int K = 1,
  parameter int IN_BITS = 8,
  parameter int INPUT_SIGNED = 0,
  parameter int OUT_BITS = 8
) (
  input  logic                  ap_clk,
  input  logic                  ap_rst_n,
  input  logic [PE*IN_BITS-1:0] in0_V_TDATA,
  input  logic                  in0_V_TVALID,
  output logic                  in0_V_TREADY,
  output logic [OUT_BITS-1:0]   out_V_TDATA,
  output logic                  out_V_TVALID,
  input  logic                  out_V_TREADY
);

  localparam int NB = LABELS / PE;
  localparam int BeatBits = (NB > 1) ? $clog2(NB) : 1;
  localparam logic [BeatBits-1:0] LastBeat = BeatBits'(NB - 1);
  localparam int NC = K + PE;                 // ranking candidates: kept entries + lanes
  localparam int RankBits = $clog2(NC + 1);
  localparam int VB = IN_BITS + 1;            // values extended to a signed comparison width
  localparam int QueueDepth = K + 1;
  localparam int QueueCountBits = $clog2(QueueDepth + 1);

  // ---- frame position ----
  logic [BeatBits-1:0]       beat_q;
  logic [OUT_BITS-1:0]       label_base_q;  // label of lane 0 of the current beat
  logic                      first_beat;
  logic                      last_beat;
  logic [QueueCountBits-1:0] queue_count_q;
  logic                      in_fire;
  logic                      out_fire;

  assign first_beat   = beat_q == '0;
  assign last_beat    = beat_q == LastBeat;
  assign in0_V_TREADY = !last_beat || (queue_count_q <= QueueCountBits'(1));
  assign in_fire      = in0_V_TVALID && in0_V_TREADY;
  assign out_fire     = out_V_TVALID && out_V_TREADY;

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      beat_q       <= '0;
      label_base_q <= '0;
    end else if (in_fire) begin
      beat_q       <= last_beat ? '0 : beat_q + 1'b1;
      label_base_q <= last_beat ? '0 : label_base_q + OUT_BITS'(PE);
    end
  end

  // ---- candidates: kept list entries 0..K-1, then lanes 0..PE-1 ----
  logic [K*VB-1:0]       list_val_q;
  logic [K*OUT_BITS-1:0] list_lab_q;
  logic [K-1:0]          list_ok_q;

  logic [NC*VB-1:0]       cand_val;
  logic [NC*OUT_BITS-1:0] cand_lab;
  logic [NC-1:0]          cand_ok;
  logic [NC*RankBits-1:0] cand_rank;

  function automatic logic [RankBits-1:0] count_ones(input logic [NC-1:0] bits);
    logic [RankBits-1:0] sum;
    sum = '0;
    for (int i = 0; i < NC; i++) begin
      sum = sum + RankBits'(bits[i]);
    end
    count_ones = sum;
  endfunction

  for (genvar i = 0; i < K; i++) begin : g_kept
    assign cand_val[i*VB +: VB]             = list_val_q[i*VB +: VB];
    assign cand_lab[i*OUT_BITS +: OUT_BITS] = list_lab_q[i*OUT_BITS +: OUT_BITS];
    assign cand_ok[i] = list_ok_q[i] && !first_beat;
  end

  for (genvar p = 0; p < PE; p++) begin : g_lane
    logic [IN_BITS-1:0] v;
    assign v = in0_V_TDATA[p*IN_BITS +: IN_BITS];
    if (INPUT_SIGNED != 0) begin : g_s
      assign cand_val[(K + p)*VB +: VB] = VB'($signed(v));
    end else begin : g_u
      assign cand_val[(K + p)*VB +: VB] = VB'(v);
    end
    assign cand_lab[(K + p)*OUT_BITS +: OUT_BITS] = label_base_q + OUT_BITS'(p);
    assign cand_ok[K + p] = 1'b1;
  end

  // One comparator per pair (o, c), o < c, c a lane (kept entries are already ordered
  // among themselves): pair_ge = value(o) >= value(c). It serves both directions: the
  // earlier label o is ahead of c on ties, c is ahead of o only if strictly greater,
  // i.e. !pair_ge. Pair (o, c) sits at bit (c*(c-1) - K*(K-1))/2 + o.
  localparam int NumPairs = (NC * (NC - 1) - K * (K - 1)) / 2;
  logic [NumPairs-1:0] pair_ge;

  for (genvar c = K; c < NC; c++) begin : g_pair_c
    for (genvar o = 0; o < c; o++) begin : g_pair_o
      localparam int Idx = (c * (c - 1) - K * (K - 1)) / 2 + o;
      assign pair_ge[Idx] = $signed(cand_val[o*VB +: VB]) >= $signed(cand_val[c*VB +: VB]);
    end
  end

  for (genvar c = 0; c < NC; c++) begin : g_rank
    logic [NC-1:0] ahead;
    for (genvar o = 0; o < NC; o++) begin : g_other
      if (o == c) begin : g_self
        assign ahead[o] = 1'b0;
      end else if (o < K && c < K) begin : g_kept_kept
        assign ahead[o] = cand_ok[o] && (o < c);
      end else if (o < c) begin : g_earlier
        localparam int Idx = (c * (c - 1) - K * (K - 1)) / 2 + o;
        assign ahead[o] = cand_ok[o] && pair_ge[Idx];
      end else begin : g_later
        localparam int Idx = (o * (o - 1) - K * (K - 1)) / 2 + c;
        assign ahead[o] = cand_ok[o] && !pair_ge[Idx];
      end
    end
    assign cand_rank[c*RankBits +: RankBits] = count_ones(ahead);
  end

  // ---- new list: slot j takes the candidate of rank j ----
  function automatic logic [VB-1:0] pick_val(input logic [NC*VB-1:0] vals,
                                             input logic [NC-1:0] hit);
    logic [VB-1:0] r;
    r = '0;
    for (int i = 0; i < NC; i++) begin
      r = r | (vals[i*VB +: VB] & {VB{hit[i]}});
    end
    pick_val = r;
  endfunction

  function automatic logic [OUT_BITS-1:0] pick_lab(input logic [NC*OUT_BITS-1:0] labs,
                                                   input logic [NC-1:0] hit);
    logic [OUT_BITS-1:0] r;
    r = '0;
    for (int i = 0; i < NC; i++) begin
      r = r | (labs[i*OUT_BITS +: OUT_BITS] & {OUT_BITS{hit[i]}});
    end
    pick_lab = r;
  endfunction

  logic [K*VB-1:0]       new_val;
  logic [K*OUT_BITS-1:0] new_lab;
  logic [K-1:0]          new_ok;

  for (genvar j = 0; j < K; j++) begin : g_slot
    logic [NC-1:0] hit;
    for (genvar c = 0; c < NC; c++) begin : g_hit
      assign hit[c] = cand_ok[c] && (cand_rank[c*RankBits +: RankBits] == RankBits'(j));
    end
    assign new_val[j*VB +: VB]             = pick_val(cand_val, hit);
    assign new_lab[j*OUT_BITS +: OUT_BITS] = pick_lab(cand_lab, hit);
    assign new_ok[j] = |hit;
  end

  always_ff @(posedge ap_clk) begin
    if (in_fire) begin
      list_val_q <= new_val;
      list_lab_q <= new_lab;
    end
  end

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      list_ok_q <= '0;
    end else if (in_fire) begin
      list_ok_q <= new_ok;
    end
  end

  // ---- output queue: QueueDepth entries, head at entry 0 ----
  // A frame's K labels are pushed when at most one older label is queued, so they land at
  // entries 0..K-1 or 1..K (after this cycle's pop).
  logic [OUT_BITS-1:0]       queue_q [0:QueueDepth-1];
  logic                      push;
  logic [QueueCountBits-1:0] queue_after_pop;

  assign push = in_fire && last_beat;
  assign queue_after_pop = queue_count_q - QueueCountBits'(out_fire);

  for (genvar i = 0; i < QueueDepth; i++) begin : g_queue
    logic [OUT_BITS-1:0] shifted;
    logic [OUT_BITS-1:0] pushed;
    if (i + 1 < QueueDepth) begin : g_shift
      assign shifted = out_fire ? queue_q[i+1] : queue_q[i];
    end else begin : g_top
      assign shifted = queue_q[i];
    end
    if (i == 0) begin : g_first
      assign pushed = new_lab[0 +: OUT_BITS];
    end else if (i == K) begin : g_last
      assign pushed = new_lab[(i-1)*OUT_BITS +: OUT_BITS];
    end else begin : g_mid
      // One label still queued: the frame goes to entries 1..K, else to 0..K-1.
      assign pushed = (queue_after_pop != '0) ? new_lab[(i-1)*OUT_BITS +: OUT_BITS]
                                              : new_lab[i*OUT_BITS +: OUT_BITS];
    end
    always_ff @(posedge ap_clk) begin
      if (push && (QueueCountBits'(i) >= queue_after_pop)) begin
        queue_q[i] <= pushed;
      end else begin
        queue_q[i] <= shifted;
      end
    end
  end

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      queue_count_q <= '0;
    end else begin
      queue_count_q <= queue_after_pop + (push ? QueueCountBits'(K) : '0);
    end
  end

  assign out_V_TVALID = queue_count_q != '0;
  assign out_V_TDATA  = queue_q[0];

endmodule
