#!/usr/bin/env bats
# onnx-tidy: step_qonnx_to_finn + step_tidy_up.

setup() { load test_helper; }

@test "onnx-tidy --help says what it does and which FINN steps it stands for" {
  run onnx-tidy --help
  assert_success
  assert_output --partial "Usage: onnx-tidy [IN.onnx|-] [-o OUT.onnx|-]"
  assert_output --partial "step_qonnx_to_finn"
  assert_output --partial "step_tidy_up"
  run onnx-tidy --version
  assert_output --regexp "^onnx-tidy \(shoal\) [0-9]+\.[0-9]+\.[0-9]+$"
}

@test "every shared model gives its expected output after onnx-tidy" {
  require_shared
  for m in $SHARED_MODELS; do
    onnx-tidy "$(shared_model $m)" -o "$BATS_TEST_TMPDIR/$m.onnx"
    run onnx-exec "$BATS_TEST_TMPDIR/$m.onnx" "$SHARED/$m/input.npy" --expect "$SHARED/$m/expected_output.npy" \
      --atol "$(shared_atol $m)" -o "$BATS_TEST_TMPDIR/$m.npy"
    assert_success
  done
}

@test "QONNX models become FINN-ONNX: no quantizers left, MultiThresholds in the general domain" {
  require_shared
  for m in TFC_1W1A TFC_1W2A TFC_2W2A unsw_nb15-mlp-w2a2; do
    onnx-tidy "$(shared_model $m)" -o "$BATS_TEST_TMPDIR/$m.onnx"
    run py -c '
import onnx, sys
m = onnx.load(sys.argv[1])
ops = [n.op_type for n in m.graph.node]
assert not any(o in ("Quant", "BipolarQuant", "Trunc", "Gemm") for o in ops), ops
assert all(n.domain == "finn.custom_op.general" for n in m.graph.node if n.op_type == "MultiThreshold")
print(ops.count("MultiThreshold"), ops.count("MatMul"), m.graph.input[0].name, m.graph.output[0].name)
' "$BATS_TEST_TMPDIR/$m.onnx"
    assert_success
    assert_output --regexp "^[0-9]+ 4 global_in global_out$"
  done
}

@test "QONNX nets whose shapes need ONNX's inference start one onnx-lib, however many layers" {
  # onnx-tidy copied beside an onnx-lib that counts its starts (tools look for it beside them).
  local t=$BATS_TEST_TMPDIR
  mkdir "$t/bin"
  cp "$BIN/onnx-tidy" "$t/bin/"
  printf '#!/bin/sh\necho started >> "%s"\nexec "%s" "$@"\n' "$t/starts" "$BIN/onnx-lib" \
    > "$t/bin/onnx-lib"
  chmod +x "$t/bin/onnx-lib"
  for layers in 14,31,3 14,31,9,9,9,9,9,3; do
    rm -rf "$t/m" "$t/starts"
    onnx-mlp --layers $layers --wdt INT4 --adt UINT4 --idt INT4 --format qonnx -o "$t/m"
    # A Cast to float in front of every MatMul: shoal has no shape rule of its own for Cast, so
    # every pass infers shapes with ONNX, in rounds that alternate with the custom ops' rules.
    py -c '
import onnx, sys
from onnx import helper as h
m = onnx.load(sys.argv[1])
nodes = []
for n in m.graph.node:
    if n.op_type == "MatMul":
        nodes.append(h.make_node("Cast", [n.input[0]], [n.input[0] + "_cast"], to=1))
        n.input[0] += "_cast"
    nodes.append(n)
del m.graph.node[:]
m.graph.node.extend(nodes)
onnx.save(m, sys.argv[2])' "$t/m/model.onnx" "$t/m/cast.onnx"
    "$t/bin/onnx-tidy" "$t/m/cast.onnx" -o "$t/m/tidy.onnx"
    run cat "$t/starts"
    assert_output "started"
    run onnx-exec "$t/m/tidy.onnx" "$t/m/input.npy" --expect "$t/m/expected_output.npy" -o "$t/m/out.npy"
    assert_success
  done
  # A dynamic batch dimension, which ONNX cannot resolve either: still one start, and an error.
  py -c '
import onnx, sys
m = onnx.load(sys.argv[1])
for v in list(m.graph.input) + list(m.graph.output):
    v.type.tensor_type.shape.dim[0].dim_param = "N"
onnx.save(m, sys.argv[2])' "$t/m/model.onnx" "$t/m/dynamic.onnx"
  rm -f "$t/starts"
  run "$t/bin/onnx-tidy" "$t/m/dynamic.onnx" -o "$t/m/dynamic_tidy.onnx"
  assert_failure 1
  assert_output "onnx-tidy: error: tensor 'Quant_7_out0' has a shape with unknown dimensions"
  [ ! -e "$t/m/dynamic_tidy.onnx" ]
  run cat "$t/starts"
  assert_output "started"
}

@test "output passes onnx::checker in C++ and in python3-onnx, and loads there" {
  make_facile "$BATS_TEST_TMPDIR/f"
  onnx-tidy "$BATS_TEST_TMPDIR/f/model.onnx" -o "$BATS_TEST_TMPDIR/t.onnx"
  run onnx-info --check "$BATS_TEST_TMPDIR/t.onnx"
  assert_success
  run py -c 'import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print(len(m.graph.node))' "$BATS_TEST_TMPDIR/t.onnx"
  assert_success
  assert_output "9"
  if [ -d "$SHARED" ]; then
    onnx-tidy "$(shared_model TFC_1W1A)" -o "$BATS_TEST_TMPDIR/tfc.onnx"
    run py -c 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]))' "$BATS_TEST_TMPDIR/tfc.onnx"
    assert_success
  fi
}

@test "byte-identical when produced twice, and tidy(tidy(m)) == tidy(m)" {
  onnx-mlp --layers 24,12,6 --wdt INT2 --adt UINT2 --idt INT4 --format qonnx -o "$BATS_TEST_TMPDIR/q"
  for src in "$BATS_TEST_TMPDIR/q/model.onnx" $( [ -d "$SHARED" ] && for m in $SHARED_MODELS; do shared_model $m; done ); do
    onnx-tidy "$src" -o "$BATS_TEST_TMPDIR/a.onnx"
    onnx-tidy "$src" -o "$BATS_TEST_TMPDIR/b.onnx"
    cmp "$BATS_TEST_TMPDIR/a.onnx" "$BATS_TEST_TMPDIR/b.onnx"
    onnx-tidy "$BATS_TEST_TMPDIR/a.onnx" -o "$BATS_TEST_TMPDIR/c.onnx"
    cmp "$BATS_TEST_TMPDIR/a.onnx" "$BATS_TEST_TMPDIR/c.onnx"
  done
}

@test "reads stdin and writes stdout" {
  make_facile "$BATS_TEST_TMPDIR/f"
  onnx-tidy "$BATS_TEST_TMPDIR/f/model.onnx" -o "$BATS_TEST_TMPDIR/a.onnx"
  onnx-tidy < "$BATS_TEST_TMPDIR/f/model.onnx" > "$BATS_TEST_TMPDIR/b.onnx"
  cmp "$BATS_TEST_TMPDIR/a.onnx" "$BATS_TEST_TMPDIR/b.onnx"
  cat "$BATS_TEST_TMPDIR/f/model.onnx" | onnx-tidy - -o - | cmp - "$BATS_TEST_TMPDIR/a.onnx"
}

@test "bad input: one line on stderr, exit 1, no output file" {
  cd "$BATS_TEST_TMPDIR"
  : > empty.onnx
  head -c 300 /dev/urandom > random.onnx
  make_facile f
  head -c 4000 f/model.onnx > truncated.onnx
  run onnx-tidy empty.onnx -o out.onnx
  assert_failure 1
  assert_output "onnx-tidy: error: empty.onnx: empty file, not an ONNX model"
  run onnx-tidy truncated.onnx -o out.onnx
  assert_failure 1
  assert_output "onnx-tidy: error: truncated.onnx: not an ONNX model (truncated or corrupt protobuf)"
  run onnx-tidy random.onnx -o out.onnx
  assert_failure 1
  assert_output --regexp "^onnx-tidy: error: random.onnx: not an ONNX model \((truncated or corrupt protobuf|no graph, IR version or opset)\)$"
  run onnx-tidy missing.onnx -o out.onnx
  assert_failure 1
  assert_output "onnx-tidy: error: cannot read 'missing.onnx': No such file or directory"
  # A tensor with two definitions (a fuzzer's find: datatype inference went back and forth
  # between them until the fixpoint guard gave up).
  py -c '
import onnx, sys
m = onnx.load(sys.argv[1])
m.graph.node[2].output[0] = m.graph.node[0].output[0]
onnx.save(m, sys.argv[2])' f/model.onnx twice.onnx
  run onnx-tidy twice.onnx -o out.onnx
  assert_failure 1
  assert_output "onnx-tidy: error: twice.onnx: tensor 'MatMul_0_out0' is defined twice, by node 'MatMul_0' (MatMul) and by node 'MatMul_1' (MatMul)"
  [ ! -e out.onnx ]
  run ls -A
  refute_output --partial ".tmp"
}

@test "an unknown datatype name in an annotation is named with its tensor" {
  make_facile "$BATS_TEST_TMPDIR/f"
  py -c '
import onnx, sys
m = onnx.load(sys.argv[1])
m.graph.quantization_annotation[0].quant_parameter_tensor_names[0].value = "INT6X"
onnx.save(m, sys.argv[2])' "$BATS_TEST_TMPDIR/f/model.onnx" "$BATS_TEST_TMPDIR/bad.onnx"
  run onnx-tidy "$BATS_TEST_TMPDIR/bad.onnx" -o "$BATS_TEST_TMPDIR/out.onnx"
  assert_failure 1
  assert_output "onnx-tidy: error: unknown datatype 'INT6X' in the annotation of tensor 'global_in'"
  [ ! -e "$BATS_TEST_TMPDIR/out.onnx" ]
}

@test "refuses to write a binary model to a terminal" {
  command -v script >/dev/null || skip "script(1) not installed"
  make_facile "$BATS_TEST_TMPDIR/f"
  run script -qec "$BIN/onnx-tidy $BATS_TEST_TMPDIR/f/model.onnx" /dev/null
  assert_failure
  assert_output --partial "onnx-tidy: error: refusing to write a binary ONNX model to a terminal"
}

@test "usage errors exit 2" {
  run onnx-tidy a.onnx b.onnx
  assert_failure 2
  assert_line --index 0 "onnx-tidy: error: more than one input given"
  run onnx-tidy --bogus
  assert_failure 2
  assert_line --index 0 --partial "onnx-tidy: error:"
}

# Model $1 from the generated facile-like model with the python snippet $2 applied to m
# (onnx and helper imported).
hostile_facile() {
  make_facile "$BATS_TEST_TMPDIR/src"
  py -c "
import onnx, sys
from onnx import helper, TensorProto
m = onnx.load(sys.argv[1])
$2
onnx.save(m, sys.argv[2])" "$BATS_TEST_TMPDIR/src/model.onnx" "$1"
}

@test "limits: initializers whose shape overflows, is negative or exceeds the tensor limit" {
  cd "$BATS_TEST_TMPDIR"
  hostile_facile overflow.onnx 'w = m.graph.initializer[0]
del w.dims[:]
w.dims.extend([2**40, 2**40])'
  run onnx-tidy overflow.onnx -o out.onnx
  assert_failure 1
  assert_output "onnx-tidy: error: overflow.onnx: tensor 'MatMul_0_param0' of shape [1099511627776, 1099511627776] has more elements than int64 can count"
  hostile_facile negative.onnx 'w = m.graph.initializer[0]
w.dims[0] = -3'
  run onnx-tidy negative.onnx -o out.onnx
  assert_failure 1
  assert_output "onnx-tidy: error: negative.onnx: tensor 'MatMul_0_param0' has a negative dimension -3"
  hostile_facile huge.onnx 'w = m.graph.initializer[0]
del w.dims[:]
w.dims.extend([2**20, 2**20])'
  run onnx-tidy huge.onnx -o out.onnx
  assert_failure 1
  assert_output "onnx-tidy: error: huge.onnx: tensor 'MatMul_0_param0' of shape [1048576, 1048576] has 1099511627776 float32 elements, more than the 1073741824 bytes a tensor may take (SHOAL_MAX_TENSOR_BYTES)"
  # the limit is configurable: the 14x31 weights (1736 bytes) no longer fit 1000 bytes
  make_facile f
  SHOAL_MAX_TENSOR_BYTES=1000 run onnx-tidy f/model.onnx -o out.onnx
  assert_failure 1
  assert_output "onnx-tidy: error: f/model.onnx: tensor 'MatMul_0_param0' of shape [14, 31] has 434 float32 elements, more than the 1000 bytes a tensor may take (SHOAL_MAX_TENSOR_BYTES)"
  SHOAL_MAX_TENSOR_BYTES=lots run onnx-tidy f/model.onnx -o out.onnx
  assert_failure 1
  assert_output "onnx-tidy: error: SHOAL_MAX_TENSOR_BYTES is 'lots', not a positive number of bytes"
  [ ! -e out.onnx ]
}

@test "limits: declared and inferred shapes that overflow int64" {
  cd "$BATS_TEST_TMPDIR"
  hostile_facile declared.onnx 'd = m.graph.output[0].type.tensor_type.shape.dim
d[0].dim_value = 2**62
d[1].dim_value = 4'
  run onnx-tidy declared.onnx -o out.onnx
  assert_failure 1
  assert_output "onnx-tidy: error: declared.onnx: tensor 'global_out' of shape [4611686018427387904, 4] has more elements than int64 can count"
  # a Reshape to [2^31, 2^31] of the 14 inputs is inferred from its shape initializer
  hostile_facile reshape.onnx 'n = m.graph.node[0]
m.graph.initializer.append(helper.make_tensor("big", TensorProto.INT64, [2], [2**31, 2**31]))
m.graph.node.insert(0, helper.make_node("Reshape", [n.input[0], "big"], ["reshaped"], name="Reshape_0"))
n.input[0] = "reshaped"'
  run onnx-tidy reshape.onnx -o out.onnx
  assert_failure 1
  assert_output "onnx-tidy: error: node 'Reshape_0' (Reshape): output 'reshaped' of shape [2147483648, 2147483648] has 4611686018427387904 float32 elements, more than the 1073741824 bytes a tensor may take (SHOAL_MAX_TENSOR_BYTES)"
  [ ! -e out.onnx ]
}

@test "limits: attribute sizes and subgraph nesting" {
  cd "$BATS_TEST_TMPDIR"
  hostile_facile ints.onnx 'm.graph.node[0].attribute.append(helper.make_attribute("pads", [0] * (2**20 + 1)))'
  run onnx-tidy ints.onnx -o out.onnx
  assert_failure 1
  assert_output "onnx-tidy: error: ints.onnx: node 'MatMul_0' (MatMul): attribute 'pads' holds 1048577 values, more than the 1048576 an attribute may hold"
  hostile_facile string.onnx 'm.graph.node[1].attribute.append(helper.make_attribute("note", "x" * (2**20 + 1)))'
  run onnx-tidy string.onnx -o out.onnx
  assert_failure 1
  assert_output "onnx-tidy: error: string.onnx: node 'MultiThreshold_0' (MultiThreshold): attribute 'note' holds a string of 1048577 bytes, more than the 1048576 an attribute may hold"
  # 17 If nodes, each holding the next in its then_branch
  hostile_facile nested.onnx 'leaf = helper.make_graph([], "leaf", [], [])
body = leaf
for k in range(17):
    cond = helper.make_node("If", ["c"], ["y"], name="If_%d" % k, then_branch=body, else_branch=leaf)
    body = helper.make_graph([cond], "level%d" % k, [], [])
m.graph.node.extend(body.node)'
  run onnx-tidy nested.onnx -o out.onnx
  assert_failure 1
  # If_16 is in the main graph, If_0 at depth 16: its branches would be the 17th level
  assert_output "onnx-tidy: error: nested.onnx: node 'If_0' (If): subgraphs nest deeper than 16 levels"
  [ ! -e out.onnx ]
}

@test "limits: datatypes of 0, more than 64 or a negative number of bits" {
  cd "$BATS_TEST_TMPDIR"
  for dt in INT0 UINT0 UINT65 INT65 INT-3 UINT-1; do
    hostile_facile "$dt.onnx" "m.graph.quantization_annotation[0].quant_parameter_tensor_names[0].value = '$dt'"
    run onnx-tidy "$dt.onnx" -o out.onnx
    assert_failure 1
    assert_output "onnx-tidy: error: unknown datatype '$dt' in the annotation of tensor 'global_in'"
  done
  # a QONNX Quant node's bit width input
  onnx-mlp --layers 6,4 --wdt INT3 --adt UINT2 --idt INT3 --format qonnx -o q
  for bits in 0 65 -3 2.5 nan 1e300; do
    py -c '
import onnx, sys
from onnx import numpy_helper as nh
import numpy as np
m = onnx.load(sys.argv[1])
q = [n for n in m.graph.node if n.op_type == "Quant"][0]
for t in m.graph.initializer:
    if t.name == q.input[3]:
        t.CopyFrom(nh.from_array(np.array(float(sys.argv[3]), dtype=np.float32), t.name))
onnx.save(m, sys.argv[2])' q/model.onnx bits.onnx "$bits"
    run onnx-tidy bits.onnx -o out.onnx
    assert_failure 1
    assert_output --regexp "^onnx-tidy: error: node 'Quant_[0-9]+' \(Quant\): bit width [-0-9.a-z+]+ is not an integer from 1 to 64$"
  done
  [ ! -e out.onnx ]
}
