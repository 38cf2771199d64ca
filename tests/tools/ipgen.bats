#!/usr/bin/env bats
# ipgen: step_hls_ipgen (PrepareIP + HLSSynthIP), RTL written directly. No simulation here.

setup() { load test_helper; }

# A folding that exercises every index of the memory layouts: layer 0 SIMD 7 (SF 2, NF 31),
# layer 2 PE 3 (SF 11, NF 1); the others PE=SIMD=1.
FOLDED_WIDE='{"Defaults": {}, "StreamingFCLayer_Batch_0": {"SIMD": 7},
 "StreamingFCLayer_Batch_2": {"PE": 3}}'

# The facile-like child folded with $2 (a folding config) in $1/folded.onnx.
folded_facile() {
  make_facile "$1"
  child_of "$1/model.onnx" "$1/c"
  echo "$2" > "$1/folding.json"
  fold "$1/c/child.onnx" --config "$1/folding.json" -o "$1/folded.onnx"
}

# Per node of an ipgen'd model ($1): its attributes, checked to be relative paths that exist
# from the model's folder, the files of its directory and the module its wrapper declares.
ip_of() {
  py -c '
import onnx, os, re, sys
path = sys.argv[1]
m = onnx.load(path)
for n in m.graph.node:
    a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
    a = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in a.items()}
    d, top = a["code_gen_dir_ipgen"], a["gen_top_module"]
    assert a["ip_path"] == d and not os.path.isabs(d), (d, a["ip_path"])
    full = os.path.join(os.path.dirname(os.path.abspath(path)), d)
    text = open(os.path.join(full, top + ".v")).read()
    modules = re.findall(r"^module (\w+)", text, re.M)
    print(n.name, d, top, "declares", *modules, "|", *sorted(os.listdir(full)))
' "$1"
}

# Decodes every memory file of an ipgen'd model ($1) with the layouts of hls/README.md and
# compares it with the model's weights and thresholds; prints "node file lines" per file.
check_memories() {
  py -c '
import onnx, os, re, sys
import numpy as np
from onnx import numpy_helper as nh
path = sys.argv[1]
m = onnx.load(path)
inits = {i.name: nh.to_array(i) for i in m.graph.initializer}
def param(text, name):
    return int(re.search(r"\.%s\((-?\d+)\)" % name, text).group(1))
def field(word, index, bits, signed):
    v = (word >> (index * bits)) & ((1 << bits) - 1)
    return v - (1 << bits) if signed and v >> (bits - 1) else v
def lines(d, name, width):
    rows = open(os.path.join(d, name)).read().split()
    # $readmemh lines: whole hex digits for the word width, MSB first
    assert all(len(r) == (width + 3) // 4 for r in rows), (name, width, rows[0])
    return [int(r, 16) for r in rows]
def check_thresholds(d, name, T, pe, bits, signed):
    rows = lines(d, name, pe * T.shape[1] * bits)
    for nf, w in enumerate(rows):
        for p in range(pe):
            for k in range(T.shape[1]):
                assert field(w, p * T.shape[1] + k, bits, signed) == T[nf * pe + p][k], (name, nf)
    print(name, len(rows))
for n in m.graph.node:
    a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
    d = os.path.join(os.path.dirname(os.path.abspath(path)), a["code_gen_dir_ipgen"].decode())
    text = open(os.path.join(d, n.name + ".v")).read()
    pe = a["PE"]
    T = inits[n.input[-1]]
    if n.op_type == "StreamingFCLayer_Batch":
        simd, mw, mh = a["SIMD"], a["MW"], a["MH"]
        W, wb = inits[n.input[1]], param(text, "WEIGHT_BITS")
        sf, nf = mw // simd, mh // pe
        rows = lines(d, n.name + "_weights.dat", pe * simd * wb)
        assert len(rows) == nf * sf
        for t, w in enumerate(rows):
            for p in range(pe):
                for s in range(simd):
                    want = W[(t % sf) * simd + s][(t // sf) * pe + p]
                    assert field(w, p * simd + s, wb, True) == want, (n.name, t, p, s)
        print(n.name + "_weights.dat", len(rows))
        check_thresholds(d, n.name + "_thresholds.dat", T, pe, param(text, "T_BITS"), True)
    else:
        check_thresholds(d, n.name + "_thresholds.dat", T, pe, param(text, "T_BITS"),
                         param(text, "T_SIGNED") == 1)
' "$1"
}

@test "ipgen --help says what it generates and records" {
  run ipgen --help
  assert_success
  assert_line --index 0 \
    "Usage: ipgen IN.onnx -o OUT.onnx [--out-dir DIR] [--thresholds parallel|search]"
  assert_output --partial "code_gen_dir_ipgen"
  assert_output --partial "gen_top_module"
  assert_output --partial "threshold_impl"
  assert_output --partial "--thresholds arg"
}

@test "a rerun after a folding change rewrites only the layer that changed" {
  folded_facile "$BATS_TEST_TMPDIR/f" "$FOLDED_WIDE"
  mkdir "$BATS_TEST_TMPDIR/out"
  ipgen "$BATS_TEST_TMPDIR/f/folded.onnx" -o "$BATS_TEST_TMPDIR/out/ip.onnx" 2> /dev/null
  local ip=$BATS_TEST_TMPDIR/out/ip
  touch -d "2020-01-01 00:00" "$ip"/*/*
  run ipgen "$BATS_TEST_TMPDIR/f/folded.onnx" -o "$BATS_TEST_TMPDIR/out/ip.onnx"
  assert_success
  assert_output "ipgen: 5 layers in $ip (5 unchanged, left as they were)"
  # StreamingFCLayer_Batch_2 from PE 3 to PE 1: its wrapper and memory files change
  echo '{"Defaults": {}, "StreamingFCLayer_Batch_0": {"SIMD": 7}}' > "$BATS_TEST_TMPDIR/g.json"
  fold "$BATS_TEST_TMPDIR/f/c/child.onnx" --config "$BATS_TEST_TMPDIR/g.json" \
    -o "$BATS_TEST_TMPDIR/f/refolded.onnx"
  run ipgen "$BATS_TEST_TMPDIR/f/refolded.onnx" -o "$BATS_TEST_TMPDIR/out/ip.onnx"
  assert_success
  assert_output "ipgen: 5 layers in $ip (4 unchanged, left as they were)"
  run find "$ip" -type f -newermt "2020-01-02" -printf "%P\n"
  assert_success
  [ -n "$output" ]
  refute_output --regexp "^(StreamingFCLayer_Batch_[013]|Thresholding_Batch_0)/"
  grep -q "PE(1)" "$ip/StreamingFCLayer_Batch_2/StreamingFCLayer_Batch_2.v"
}

@test "one directory per node beside the output model, its wrapper declaring gen_top_module" {
  folded_facile "$BATS_TEST_TMPDIR/f" "$FOLDED_WIDE"
  mkdir "$BATS_TEST_TMPDIR/out"
  run ipgen "$BATS_TEST_TMPDIR/f/folded.onnx" -o "$BATS_TEST_TMPDIR/out/ip.onnx"
  assert_success
  assert_output "ipgen: 5 layers in $BATS_TEST_TMPDIR/out/ip"
  run ip_of "$BATS_TEST_TMPDIR/out/ip.onnx"
  assert_success
  local mvau="shoal_memstream.sv shoal_mvau.sv"
  assert_output "StreamingFCLayer_Batch_0 ip/StreamingFCLayer_Batch_0 StreamingFCLayer_Batch_0\
 declares StreamingFCLayer_Batch_0 | StreamingFCLayer_Batch_0.v\
 StreamingFCLayer_Batch_0_thresholds.dat StreamingFCLayer_Batch_0_weights.dat $mvau
StreamingFCLayer_Batch_1 ip/StreamingFCLayer_Batch_1 StreamingFCLayer_Batch_1\
 declares StreamingFCLayer_Batch_1 | StreamingFCLayer_Batch_1.v\
 StreamingFCLayer_Batch_1_thresholds.dat StreamingFCLayer_Batch_1_weights.dat $mvau
StreamingFCLayer_Batch_2 ip/StreamingFCLayer_Batch_2 StreamingFCLayer_Batch_2\
 declares StreamingFCLayer_Batch_2 | StreamingFCLayer_Batch_2.v\
 StreamingFCLayer_Batch_2_thresholds.dat StreamingFCLayer_Batch_2_weights.dat $mvau
StreamingFCLayer_Batch_3 ip/StreamingFCLayer_Batch_3 StreamingFCLayer_Batch_3\
 declares StreamingFCLayer_Batch_3 | StreamingFCLayer_Batch_3.v\
 StreamingFCLayer_Batch_3_thresholds.dat StreamingFCLayer_Batch_3_weights.dat $mvau
Thresholding_Batch_0 ip/Thresholding_Batch_0 Thresholding_Batch_0\
 declares Thresholding_Batch_0 | Thresholding_Batch_0.v Thresholding_Batch_0_thresholds.dat\
 shoal_thresholding.sv"
  # the library modules are copies of hls/, so that each directory stands on its own
  cmp "$ROOT/hls/shoal_mvau.sv" "$BATS_TEST_TMPDIR/out/ip/StreamingFCLayer_Batch_2/shoal_mvau.sv"
}

@test "--out-dir elsewhere: paths relative to the output model, whatever the working dir" {
  folded_facile "$BATS_TEST_TMPDIR/f" "$FOLDED_WIDE"
  mkdir -p "$BATS_TEST_TMPDIR/w/run/models"
  cd "$BATS_TEST_TMPDIR/w/run"
  ipgen ../../f/folded.onnx -o models/ip.onnx --out-dir ../hw
  [ -d "$BATS_TEST_TMPDIR/w/hw/Thresholding_Batch_0" ]
  # nothing absolute is recorded: the tree still resolves after a move
  cd "$BATS_TEST_TMPDIR"
  mv w moved
  run ip_of moved/run/models/ip.onnx
  assert_success
  assert_line --index 0 --partial "StreamingFCLayer_Batch_0 ../../hw/StreamingFCLayer_Batch_0\
 StreamingFCLayer_Batch_0 declares StreamingFCLayer_Batch_0 |"
  assert_line --index 4 --partial \
    "Thresholding_Batch_0 ../../hw/Thresholding_Batch_0 Thresholding_Batch_0 declares"
}

@test "the weight and threshold files hold the model's values in hls/README.md's layouts" {
  folded_facile "$BATS_TEST_TMPDIR/f" "$FOLDED_WIDE"
  ipgen "$BATS_TEST_TMPDIR/f/folded.onnx" -o "$BATS_TEST_TMPDIR/ip.onnx"
  # weights: NF*SF lines of PE*SIMD*6 bits; thresholds: NF lines of PE*63*T_BITS bits
  run check_memories "$BATS_TEST_TMPDIR/ip.onnx"
  assert_success
  assert_output "StreamingFCLayer_Batch_0_weights.dat 62
StreamingFCLayer_Batch_0_thresholds.dat 31
StreamingFCLayer_Batch_1_weights.dat 341
StreamingFCLayer_Batch_1_thresholds.dat 11
StreamingFCLayer_Batch_2_weights.dat 11
StreamingFCLayer_Batch_2_thresholds.dat 1
StreamingFCLayer_Batch_3_weights.dat 3
StreamingFCLayer_Batch_3_thresholds.dat 1
Thresholding_Batch_0_thresholds.dat 1"
  # the worked example's width: layer 0 has 7 weights of 6 bits a line, 42 bits = 11 digits
  run head -1 "$BATS_TEST_TMPDIR/ip/StreamingFCLayer_Batch_0/StreamingFCLayer_Batch_0_weights.dat"
  assert_output --regexp '^[0-9a-f]{11}$'
}

@test "each node's directory lints clean on its own (verilator -Wall)" {
  command -v verilator >/dev/null || skip "verilator not installed"
  folded_facile "$BATS_TEST_TMPDIR/f" "$FOLDED_WIDE"
  ipgen "$BATS_TEST_TMPDIR/f/folded.onnx" -o "$BATS_TEST_TMPDIR/ip.onnx"
  for d in "$BATS_TEST_TMPDIR"/ip/*/; do
    local top
    top=$(basename "$d")
    cd "$d"
    run verilator --lint-only -Wall shoal_*.sv "$top.v" --top-module "$top"
    assert_success
    assert_output ""
  done
}

@test "a LabelSelect_Batch without outputDataType (FINN v0.6) gets the derived UINT8" {
  local d=$BATS_TEST_TMPDIR/t
  make_topk_mlp "$d"
  child_of "$d/model.onnx" "$d/c"
  echo '{"Defaults": {}, "LabelSelect_Batch_0": {"PE": 5}}' > "$d/folding.json"
  fold "$d/c/child.onnx" --config "$d/folding.json" -o "$d/folded.onnx"
  without_label_select_odt "$d/folded.onnx" "$d/v06.onnx"
  run ipgen "$d/v06.onnx" -o "$d/ip.onnx"
  assert_success
  assert_output "ipgen: 3 layers in $d/ip"
  cd "$d/ip/LabelSelect_Batch_0"
  run grep -o -e "10 labels.*" -e "OUT_BITS([0-9]*)" LabelSelect_Batch_0.v
  assert_output "10 labels, PE 5, top 1; UINT8 -> UINT8
OUT_BITS(8)"
  command -v verilator >/dev/null || return 0
  run verilator --lint-only -Wall shoal_*.sv LabelSelect_Batch_0.v --top-module LabelSelect_Batch_0
  assert_success
  assert_output ""
}

@test "generating twice gives the same files, and a rerun replaces the old ones" {
  folded_facile "$BATS_TEST_TMPDIR/f" "$FOLDED_WIDE"
  mkdir "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
  ipgen "$BATS_TEST_TMPDIR/f/folded.onnx" -o "$BATS_TEST_TMPDIR/a/ip.onnx"
  ipgen "$BATS_TEST_TMPDIR/f/folded.onnx" -o "$BATS_TEST_TMPDIR/b/ip.onnx"
  # identical sources are what lets rtlsim reuse a cached simulator
  diff -r "$BATS_TEST_TMPDIR/a/ip" "$BATS_TEST_TMPDIR/b/ip"
  touch "$BATS_TEST_TMPDIR/a/ip/StreamingFCLayer_Batch_1/stale.v"
  ipgen "$BATS_TEST_TMPDIR/f/c/child.onnx" -o "$BATS_TEST_TMPDIR/a/ip.onnx"
  [ ! -e "$BATS_TEST_TMPDIR/a/ip/StreamingFCLayer_Batch_1/stale.v" ]
  # the unfolded child is PE=SIMD=1: 434 weight lines for layer 0 instead of 62
  cd "$BATS_TEST_TMPDIR/a/ip/StreamingFCLayer_Batch_0"
  run wc -l < StreamingFCLayer_Batch_0_weights.dat
  assert_output "434"
}

@test "a missing input, a parent model, a software model, a bad folding: one-line errors" {
  folded_facile "$BATS_TEST_TMPDIR/f" "$FOLDED_WIDE"
  cd "$BATS_TEST_TMPDIR"
  run ipgen missing.onnx -o out.onnx
  assert_failure 1
  assert_output "ipgen: error: cannot read 'missing.onnx': No such file or directory"
  run ipgen f/c/parent.onnx -o out.onnx
  assert_failure 1
  assert_output "ipgen: error: node 'StreamingDataflowPartition_0' (StreamingDataflowPartition)\
 is not a hardware layer; ipgen works on the dataflow partition"
  run ipgen f/model.onnx -o out.onnx
  assert_failure 1
  assert_output "ipgen: error: node 'MatMul_0' (MatMul) is not a hardware layer;\
 ipgen works on the dataflow partition"
  py -c '
import onnx, sys
m = onnx.load(sys.argv[1])
[a for a in m.graph.node[0].attribute if a.name == "SIMD"][0].i = 4
onnx.save(m, sys.argv[2])' f/folded.onnx simd4.onnx
  run ipgen simd4.onnx -o out.onnx
  assert_failure 1
  assert_output "ipgen: error: node 'StreamingFCLayer_Batch_0' (StreamingFCLayer_Batch):\
 SIMD=4 does not divide MW=14 (allowed: 1, 2, 7, 14)"
  [ ! -e out.onnx ]
}

@test "-o is required and must be a file" {
  folded_facile "$BATS_TEST_TMPDIR/f" "$FOLDED_WIDE"
  run ipgen "$BATS_TEST_TMPDIR/f/folded.onnx"
  assert_failure 2
  assert_line --index 0 "ipgen: error: -o OUT.onnx is required"
  run ipgen "$BATS_TEST_TMPDIR/f/folded.onnx" -o -
  assert_failure 2
  assert_line --index 0 \
    "ipgen: error: the output must be a file: the model records paths relative to it"
}

@test "a failure leaves nothing half-written: no IP, no model, earlier IP untouched" {
  folded_facile "$BATS_TEST_TMPDIR/f" "$FOLDED_WIDE"
  cd "$BATS_TEST_TMPDIR"
  # -o into a missing directory fails before any IP is written
  run ipgen f/folded.onnx -o nodir/out.onnx --out-dir ipx
  assert_failure 1
  assert_output "ipgen: error: cannot write 'nodir/out.onnx': No such file or directory"
  [ ! -e ipx ]
  # a node that fails after others were generated: the IP directory stays as it was
  ipgen f/folded.onnx -o good.onnx --out-dir ipy
  find ipy -type f | sort | xargs md5sum > before.txt
  py -c '
import onnx, sys
m = onnx.load(sys.argv[1])
m.graph.node[-1].name = "bad name"
onnx.save(m, sys.argv[2])' f/folded.onnx badname.onnx
  run ipgen badname.onnx -o bad.onnx --out-dir ipy
  assert_failure 1
  assert_output --partial "the node name is not a Verilog identifier"
  [ ! -e bad.onnx ]
  find ipy -type f | sort | xargs md5sum > after.txt
  cmp before.txt after.txt
  run ls -A ipy
  refute_output --partial ".ipgen-"
}

# Per node of an ipgen'd model ($1) with --thresholds search: its threshold_impl attribute,
# the wrapper's THRESH_SEARCH, and every stage file decoded with hls/README.md's search
# layout against the model's thresholds; prints "node impl stages files lines" per node.
check_search_memories() {
  py -c '
import onnx, os, re, sys
import numpy as np
from onnx import numpy_helper as nh
path = sys.argv[1]
m = onnx.load(path)
inits = {i.name: nh.to_array(i) for i in m.graph.initializer}
def param(text, name):
    return re.search(r"\.%s\(([^)]*)\)" % name, text).group(1)
for n in m.graph.node:
    a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
    a = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in a.items()}
    d = os.path.join(os.path.dirname(os.path.abspath(path)), a["code_gen_dir_ipgen"])
    text = open(os.path.join(d, n.name + ".v")).read()
    T = np.ceil(inits[n.input[-1]]).astype(np.int64)
    pe, steps = a["PE"], T.shape[1]
    bits = int(param(text, "T_BITS"))
    signed = n.op_type == "StreamingFCLayer_Batch" or param(text, "T_SIGNED") == "1"
    assert param(text, "THRESH_SEARCH") == "1"
    base = param(text, "THRESH_FILE").strip("\"")
    assert not os.path.exists(os.path.join(d, n.name + "_thresholds.dat"))
    stages = int(np.ceil(np.log2(steps + 1)))
    files = lines = 0
    for j in range(stages):
        for p in range(pe):
            rows = open(os.path.join(d, "%s_s%d_p%03d.dat" % (base, j, p))).read().split()
            assert len(rows) == T.shape[0] // pe * 2 ** j, (n.name, j, p, len(rows))
            for r, row in enumerate(rows):
                assert len(row) == (bits + 3) // 4
                nf, i = divmod(r, 2 ** j)
                k = i * 2 ** (stages - j) + 2 ** (stages - 1 - j) - 1
                v = int(row, 16)
                if signed and v >> (bits - 1):
                    v -= 1 << bits
                assert v == (T[nf * pe + p][k] if k < steps else 0), (n.name, j, p, r)
            files += 1
            lines += len(rows)
    print(n.name, a["threshold_impl"], stages, files, lines)
' "$1"
}

@test "--thresholds search: threshold_impl, THRESH_SEARCH and the stage files of every node" {
  folded_facile "$BATS_TEST_TMPDIR/f" "$FOLDED_WIDE"
  run ipgen "$BATS_TEST_TMPDIR/f/folded.onnx" -o "$BATS_TEST_TMPDIR/ip.onnx" --thresholds search
  assert_success
  # 63 thresholds: 6 stages of NF*(1+2+...+32) lines per lane; layer 2 has PE 3 (3 files a
  # stage, NF 1); the standalone thresholding 15: 4 stages
  run check_search_memories "$BATS_TEST_TMPDIR/ip.onnx"
  assert_success
  assert_output "StreamingFCLayer_Batch_0 search 6 6 1953
StreamingFCLayer_Batch_1 search 6 6 693
StreamingFCLayer_Batch_2 search 6 18 189
StreamingFCLayer_Batch_3 search 6 6 63
Thresholding_Batch_0 search 4 4 15"
  # each directory still lints clean on its own
  if command -v verilator >/dev/null; then
    for d in "$BATS_TEST_TMPDIR"/ip/*/; do
      local top
      top=$(basename "$d")
      cd "$d"
      run verilator --lint-only -Wall shoal_*.sv "$top.v" --top-module "$top"
      assert_success
      assert_output ""
    done
  fi
  # parallel (the default) records nothing new and writes the one-line-per-fold files
  ipgen "$BATS_TEST_TMPDIR/f/folded.onnx" -o "$BATS_TEST_TMPDIR/par.onnx" --out-dir "$BATS_TEST_TMPDIR/par"
  run grep -l -r --include="*.v" "THRESH_SEARCH(1)" "$BATS_TEST_TMPDIR/par"
  assert_output ""
  [ -e "$BATS_TEST_TMPDIR/par/Thresholding_Batch_0/Thresholding_Batch_0_thresholds.dat" ]
  # and a rerun with parallel over a search model sets the attribute back
  ipgen "$BATS_TEST_TMPDIR/ip.onnx" -o "$BATS_TEST_TMPDIR/back.onnx" --out-dir "$BATS_TEST_TMPDIR/back" \
    --thresholds parallel
  run py -c '
import onnx, sys
m = onnx.load(sys.argv[1])
print(sorted({a.s.decode() for n in m.graph.node for a in n.attribute if a.name == "threshold_impl"}))' \
    "$BATS_TEST_TMPDIR/back.onnx"
  assert_output "['parallel']"
}

@test "--thresholds search: unsorted thresholds fail naming node and channel, writing nothing" {
  folded_facile "$BATS_TEST_TMPDIR/f" "$FOLDED_WIDE"
  cd "$BATS_TEST_TMPDIR"
  # channel 4 of layer 1: thresholds 10 and 11 swapped
  py -c '
import onnx, sys
from onnx import numpy_helper as nh
m = onnx.load(sys.argv[1])
n = [n for n in m.graph.node if n.name == "StreamingFCLayer_Batch_1"][0]
for i, init in enumerate(m.graph.initializer):
    if init.name == n.input[2]:
        T = nh.to_array(init).copy()
        T[4][10], T[4][11] = T[4][11] + 1, T[4][10]
        print(int(T[4][10]), int(T[4][11]))
        m.graph.initializer[i].CopyFrom(nh.from_array(T, init.name))
onnx.save(m, sys.argv[2])' f/folded.onnx unsorted.onnx > swapped.txt
  read -r a b < swapped.txt
  run ipgen unsorted.onnx -o out.onnx --out-dir ipz --thresholds search
  assert_failure 1
  assert_output "ipgen: error: node 'StreamingFCLayer_Batch_1' (StreamingFCLayer_Batch): the\
 thresholds of channel 4 are not ascending (threshold 10 is $a, threshold 11 is $b); the search\
 form needs them sorted"
  [ ! -e ipz ]
  [ ! -e out.onnx ]
  # the parallel form does not care about the order
  run ipgen unsorted.onnx -o out.onnx --out-dir ipz
  assert_success
}

@test "--thresholds with another value is a usage error" {
  folded_facile "$BATS_TEST_TMPDIR/f" "$FOLDED_WIDE"
  cd "$BATS_TEST_TMPDIR"
  run ipgen f/folded.onnx -o out.onnx --thresholds binary
  assert_failure 2
  assert_line --index 0 "ipgen: error: --thresholds must be parallel or search, not 'binary'"
  [ ! -e ip ]
  [ ! -e out.onnx ]
}

# The facile-like model at PE=SIMD=1 with --thresholds search through stitch and the
# simulated stitched design: exactly expected_output.npy.
@test "--thresholds search end to end: stitch keeps the search form, rtlsim is exact" {
  command -v verilator >/dev/null || skip "verilator not installed"
  local d=$BATS_TEST_TMPDIR/e
  mkdir -p "$d"
  cp "$SHARED/facile_like/input.npy" "$SHARED/facile_like/expected_output.npy" "$d/"
  onnx-tidy "$SHARED/facile_like/facile_like_tidy.onnx" | streamline | to-hls -o "$d/parent.onnx"
  fold "$d/parent_partition_0.onnx" --clk-ns 10 -o "$d/folded.onnx"
  ipgen "$d/folded.onnx" -o "$d/ip.onnx" --thresholds search
  stitch "$d/ip.onnx" -o "$d/stitched.onnx" --out-dir "$d/st" 2> "$d/stitch.log" \
    || { cat "$d/stitch.log" >&2; return 1; }
  # stitch regenerates every layer's IP; it keeps the search form only where generate_ip
  # applies threshold_impl (apply_threshold_impl, see libcommon/include/shoal/ops/rtl.hpp)
  if ! grep -q "THRESH_SEARCH(1)" "$d"/st/stitched_ip/StreamingFCLayer_Batch_0.v; then
    skip "this build's generate_ip does not apply threshold_impl"
  fi
  [ "$(grep -l "THRESH_SEARCH(1)" "$d"/st/stitched_ip/*.v | wc -l)" = 5 ]
  [ "$(ls "$d"/st/stitched_ip/*_thresholds_s*_p*.dat | wc -l)" = 28 ]
  cd "$d"
  run onnx-exec parent.onnx input.npy --partition stitched.onnx --rtlsim \
    --expect expected_output.npy -o out.npy
  assert_success
  assert_line --partial "output matches expected_output.npy"
  assert_line --partial "largest difference 0"
}

# A padding and pooling chain in FINN's hardware form into $1/pool.onnx: x [1,5,4,2] INT4 ->
# FMPadding_Batch (asymmetric pads [0, 1, 1, 1], SIMD 2) -> [1,6,6,2] ->
# StreamingMaxPool_Batch (3x3) -> [1,2,2,2], and a random input in $1/x.npy (4 images).
make_pad_pool() {
  mkdir -p "$1"
  py - "$1" <<'PY'
import sys, numpy as np, onnx
from onnx import helper as h, TensorProto as T
d = sys.argv[1]
def hw(op, i, o, name, **attrs):
    return h.make_node(op, i, o, name=name, domain="finn.custom_op.fpgadataflow",
                       backend="fpgadataflow", **attrs)
nodes = [
    hw("FMPadding_Batch", ["x"], ["p"], "FMPadding_Batch_0", ImgDim=[5, 4],
       Padding=[0, 1, 1, 1], NumChannels=2, SIMD=2, inputDataType="INT4"),
    hw("StreamingMaxPool_Batch", ["p"], ["y"], "StreamingMaxPool_Batch_0", ImgDim=6,
       PoolDim=3, NumChannels=2, dataType="INT4"),
]
g = h.make_graph(nodes, "pad_pool",
                 [h.make_tensor_value_info("x", T.FLOAT, [1, 5, 4, 2])],
                 [h.make_tensor_value_info("y", T.FLOAT, [1, 2, 2, 2])])
for t in ["x", "p", "y"]:
    a = g.quantization_annotation.add()
    a.tensor_name = t
    e = a.quant_parameter_tensor_names.add()
    e.key, e.value = "finn_datatype", "INT4"
m = h.make_model(g, opset_imports=[h.make_opsetid("", 11),
                                   h.make_opsetid("finn.custom_op.fpgadataflow", 1)])
onnx.save(m, d + "/pool.onnx")
rng = np.random.default_rng(5)
np.save(d + "/x.npy", rng.integers(-8, 8, size=(4, 5, 4, 2)).astype(np.float32))
PY
}

@test "FMPadding_Batch and StreamingMaxPool_Batch: exact pads and the pool's parameters, lint clean" {
  local d=$BATS_TEST_TMPDIR/pp
  make_pad_pool "$d"
  run ipgen "$d/pool.onnx" -o "$d/ip.onnx"
  assert_success
  assert_output "ipgen: 2 layers in $d/ip"
  run ip_of "$d/ip.onnx"
  assert_success
  assert_output "FMPadding_Batch_0 ip/FMPadding_Batch_0 FMPadding_Batch_0 declares\
 FMPadding_Batch_0 | FMPadding_Batch_0.v shoal_fmpadding.sv shoal_outbuf2.sv
StreamingMaxPool_Batch_0 ip/StreamingMaxPool_Batch_0 StreamingMaxPool_Batch_0 declares\
 StreamingMaxPool_Batch_0 | StreamingMaxPool_Batch_0.v shoal_maxpool.sv shoal_outbuf2.sv"
  run grep -h -o -e "shoal_[a-z]* #(.*" -e "  *\.PAD_TOP.*" -e "  *\.INPUT_SIGNED.*" \
    "$d"/ip/FMPadding_Batch_0/FMPadding_Batch_0.v "$d"/ip/StreamingMaxPool_Batch_0/StreamingMaxPool_Batch_0.v
  assert_output "shoal_fmpadding #(.IMG_H(5), .IMG_W(4), .NUM_CHANNELS(2), .SIMD(2), .IN_BITS(4),
    .PAD_TOP(0), .PAD_LEFT(1), .PAD_BOTTOM(1), .PAD_RIGHT(1)) fmpadding (
shoal_maxpool #(.IMG_DIM(6), .POOL_DIM(3), .NUM_CHANNELS(2), .IN_BITS(4),
    .INPUT_SIGNED(1)) maxpool ("
  command -v verilator >/dev/null || return 0
  for top in FMPadding_Batch_0 StreamingMaxPool_Batch_0; do
    cd "$d/ip/$top"
    run verilator --lint-only -Wall shoal_*.sv "$top.v" --top-module "$top"
    assert_success
    assert_output ""
  done
}

@test "FMPadding_Batch and StreamingMaxPool_Batch stitched: rtlsim is onnx-exec, bit for bit" {
  command -v verilator >/dev/null || skip "verilator not installed"
  local d=$BATS_TEST_TMPDIR/pp
  make_pad_pool "$d"
  stitch "$d/pool.onnx" --clk-ns 10 -o "$d/stitched.onnx" --out-dir "$d/st" 2> "$d/stitch.log" \
    || { cat "$d/stitch.log" >&2; return 1; }
  rtlsim "$d/stitched.onnx" "$d/x.npy" -o "$d/out.npy"
  onnx-exec "$d/pool.onnx" "$d/x.npy" -o "$d/ref.npy"
  run py -c '
import numpy as np, sys
a, r, x = np.load(sys.argv[1]), np.load(sys.argv[2]), np.load(sys.argv[3])
p = np.pad(x, ((0, 0), (0, 1), (1, 1), (0, 0)))
e = p.reshape(4, 2, 3, 2, 3, 2).max(axis=(2, 4))
print(a.shape, (a == r).all(), (a == e).all())' "$d/out.npy" "$d/ref.npy" "$d/x.npy"
  assert_output "(4, 2, 2, 2) True True"
}

# A strided 1x1 conv input and a sliding window in FINN's hardware form into $1/swg.onnx:
# x [1,7,7,4] INT4 -> DownSampler (stride 2, SIMD 2) -> [1,4,4,4] ->
# ConvolutionInputGenerator (3x3, stride 1, SIMD 2) -> [1,2,2,36], and 4 random images in
# $1/x.npy. A second window generator (k3 s2 on the 7x7 input, whose last row and column
# no window reaches) reads x too: y2 [1,3,3,36].
make_swg() {
  mkdir -p "$1"
  py - "$1" <<'PY'
import sys, numpy as np, onnx
from onnx import helper as h, TensorProto as T
d = sys.argv[1]
def hw(op, i, o, name, **attrs):
    return h.make_node(op, i, o, name=name, domain="finn.custom_op.fpgadataflow",
                       backend="fpgadataflow", **attrs)
def model(nodes, outs, shapes, name):
    g = h.make_graph(nodes, name, [h.make_tensor_value_info("x", T.FLOAT, [1, 7, 7, 4])],
                     [h.make_tensor_value_info(o, T.FLOAT, s) for o, s in zip(outs, shapes)])
    for t in ["x"] + [o for n in nodes for o in n.output]:
        a = g.quantization_annotation.add()
        a.tensor_name = t
        e = a.quant_parameter_tensor_names.add()
        e.key, e.value = "finn_datatype", "INT4"
    return h.make_model(g, opset_imports=[h.make_opsetid("", 11),
                                          h.make_opsetid("finn.custom_op.fpgadataflow", 1)])
swg = dict(IFMChannels=4, SIMD=2, Dilation=[1, 1], inputDataType="INT4",
           outputDataType="INT4")
chain = [
    hw("DownSampler", ["x"], ["d"], "DownSampler_0", ImgDim=7, NumChannels=4, SIMD=2,
       Stride=2, inputDataType="INT4"),
    hw("ConvolutionInputGenerator", ["d"], ["y"], "ConvolutionInputGenerator_0",
       ConvKernelDim=[3, 3], IFMDim=[4, 4], OFMDim=[2, 2], Stride=[1, 1], **swg),
]
onnx.save(model(chain, ["y"], [[1, 2, 2, 36]], "ds_swg"), d + "/swg.onnx")
strided = [hw("ConvolutionInputGenerator", ["x"], ["y2"], "ConvolutionInputGenerator_0",
              ConvKernelDim=[3, 3], IFMDim=[7, 7], OFMDim=[3, 3], Stride=[2, 2],
              ram_style="block", **swg)]
onnx.save(model(strided, ["y2"], [[1, 3, 3, 36]], "swg_s2"), d + "/swg_s2.onnx")
rng = np.random.default_rng(9)
np.save(d + "/x.npy", rng.integers(-8, 8, size=(4, 7, 7, 4)).astype(np.float32))
PY
}

@test "ConvolutionInputGenerator and DownSampler: their files, parameters and ram_style, lint clean" {
  local d=$BATS_TEST_TMPDIR/swg
  make_swg "$d"
  run ipgen "$d/swg.onnx" -o "$d/ip.onnx"
  assert_success
  run ip_of "$d/ip.onnx"
  assert_success
  assert_output "DownSampler_0 ip/DownSampler_0 DownSampler_0 declares DownSampler_0\
 | DownSampler_0.v shoal_downsampler.sv shoal_outbuf2.sv
ConvolutionInputGenerator_0 ip/ConvolutionInputGenerator_0 ConvolutionInputGenerator_0\
 declares ConvolutionInputGenerator_0 | ConvolutionInputGenerator_0.v shoal_outbuf2.sv\
 shoal_swg.sv"
  run ipgen "$d/swg_s2.onnx" -o "$d/ip2.onnx" --out-dir "$d/ip2"
  assert_success
  run grep -h -o -e "shoal_[a-z]* #(.*" -e "  *\.IN_BITS.*" \
    "$d"/ip/DownSampler_0/DownSampler_0.v "$d"/ip/ConvolutionInputGenerator_0/ConvolutionInputGenerator_0.v
  assert_output "shoal_downsampler #(.IMG_DIM(7), .NUM_CHANNELS(4), .SIMD(2), .STRIDE(2),
    .IN_BITS(4)) downsampler (
shoal_swg #(.IFM_DIM(4), .IFM_CHANNELS(4), .SIMD(2), .KERNEL(3), .STRIDE(1),
    .IN_BITS(4), .RAM_STYLE(2)) swg ("
  run grep -h -o "RAM_STYLE([0-9])" "$d"/ip2/ConvolutionInputGenerator_0/ConvolutionInputGenerator_0.v
  assert_output "RAM_STYLE(1)"
  command -v verilator >/dev/null || return 0
  for top in DownSampler_0 ConvolutionInputGenerator_0; do
    cd "$d/ip/$top"
    run verilator --lint-only -Wall shoal_*.sv "$top.v" --top-module "$top"
    assert_success
    assert_output ""
  done
}

@test "ConvolutionInputGenerator and DownSampler stitched: rtlsim is onnx-exec, bit for bit" {
  command -v verilator >/dev/null || skip "verilator not installed"
  local d=$BATS_TEST_TMPDIR/swg
  make_swg "$d"
  for net in swg swg_s2; do
    stitch "$d/$net.onnx" --clk-ns 10 -o "$d/$net.st.onnx" --out-dir "$d/st_$net" \
      2> "$d/stitch.log" || { cat "$d/stitch.log" >&2; return 1; }
    rtlsim "$d/$net.st.onnx" "$d/x.npy" -o "$d/$net.out.npy"
    onnx-exec "$d/$net.onnx" "$d/x.npy" -o "$d/$net.ref.npy"
  done
  run py -c '
import numpy as np, sys
d = sys.argv[1]
x = np.load(d + "/x.npy")
def im2col(img, k, s):
    n, h = img.shape[0], (img.shape[1] - k) // s + 1
    return np.stack([np.stack([img[:, oy*s:oy*s+k, ox*s:ox*s+k, :].reshape(n, -1)
                               for ox in range(h)], 1) for oy in range(h)], 1)
want = {"swg": im2col(x[:, ::2, ::2, :], 3, 1), "swg_s2": im2col(x, 3, 2)}
for net in ["swg", "swg_s2"]:
    a, r = np.load(d + "/" + net + ".out.npy"), np.load(d + "/" + net + ".ref.npy")
    print(net, a.shape, (a == r).all(), (a == want[net]).all())' "$d"
  assert_output "swg (4, 2, 2, 36) True True
swg_s2 (4, 3, 3, 36) True True"
}

@test "ConvolutionInputGenerator that shoal cannot build: depthwise order and an OFMDim that is not the geometry's, one line each" {
  local d=$BATS_TEST_TMPDIR/swg
  make_swg "$d"
  py - "$d" <<'PY'
import sys, onnx
from onnx import helper
d = sys.argv[1]
for name, attr, value in [("dw", "depthwise", 1), ("ofm", "OFMDim", [3, 3])]:
    m = onnx.load(d + "/swg.onnx")
    n = [n for n in m.graph.node if n.op_type == "ConvolutionInputGenerator"][0]
    kept = [a for a in n.attribute if a.name != attr]
    del n.attribute[:]
    n.attribute.extend(kept + [helper.make_attribute(attr, value)])
    onnx.save(m, d + "/" + name + ".onnx")
PY
  run ipgen "$d/dw.onnx" -o "$d/dw_ip.onnx"
  assert_failure 1
  assert_output "ipgen: error: node 'ConvolutionInputGenerator_0' (ConvolutionInputGenerator): shoal has no RTL for the depthwise window order yet"
  [ ! -e "$d/dw_ip.onnx" ]
  run ipgen "$d/ofm.onnx" -o "$d/ofm_ip.onnx"
  assert_failure 1
  assert_output "ipgen: error: node 'ConvolutionInputGenerator_0' (ConvolutionInputGenerator): OFMDim 3 differs from the 2 windows a 4x4 input gives with kernel 3 and stride 1"
  [ ! -e "$d/ofm_ip.onnx" ]
}
