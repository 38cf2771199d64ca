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
