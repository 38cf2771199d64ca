#!/usr/bin/env bats
# onnx-exec: execute any model of the flow on an .npy batch.

setup() { load test_helper; }

@test "every shared model gives its expected_output.npy" {
  require_shared
  for m in $SHARED_MODELS; do
    run onnx-exec "$(shared_model $m)" "$SHARED/$m/input.npy" --expect "$SHARED/$m/expected_output.npy" \
      --atol "$(shared_atol $m)" -o "$BATS_TEST_TMPDIR/$m.npy"
    assert_success
    assert_output --partial "output matches"
  done
  # the integer-output models match exactly, values and shape
  run py -c 'import numpy as np, sys; a, b = np.load(sys.argv[1]), np.load(sys.argv[2]); print(a.shape == b.shape, (a == b).all())' \
    "$BATS_TEST_TMPDIR/unsw_nb15-mlp-w2a2.npy" "$SHARED/unsw_nb15-mlp-w2a2/expected_output.npy"
  assert_output "True True"
}

@test "a batch, a single sample and stdout all agree" {
  make_facile "$BATS_TEST_TMPDIR/f"
  cd "$BATS_TEST_TMPDIR/f"
  onnx-exec model.onnx input.npy > stdout.npy
  onnx-exec model.onnx input.npy -o file.npy
  cmp stdout.npy file.npy
  py -c 'import numpy as np; x = np.load("input.npy"); np.save("one.npy", x[3:4])'
  run py -c 'import numpy as np, subprocess
out = subprocess.run(["onnx-exec", "model.onnx", "one.npy"], capture_output=True, check=True).stdout
open("one_out.npy", "wb").write(out)
a = np.load("one_out.npy"); e = np.load("expected_output.npy")
print(a.shape, (a[0] == e[3]).all())'
  assert_output "(1, 1) True"
}

@test "prints text to a terminal" {
  command -v script >/dev/null || skip "script(1) not installed"
  make_facile "$BATS_TEST_TMPDIR/f"
  run script -qec "$BIN/onnx-exec $BATS_TEST_TMPDIR/f/model.onnx $BATS_TEST_TMPDIR/f/input.npy" /dev/null
  assert_success
  assert_line --index 0 --partial "shape [16, 1] float32"
}

@test "an input whose shape does not fit names both shapes" {
  make_facile "$BATS_TEST_TMPDIR/f"
  py -c 'import numpy as np; np.save("'"$BATS_TEST_TMPDIR"'/bad.npy", np.zeros((16, 13), np.float32))'
  run onnx-exec "$BATS_TEST_TMPDIR/f/model.onnx" "$BATS_TEST_TMPDIR/bad.npy" -o "$BATS_TEST_TMPDIR/o.npy"
  assert_failure 1
  assert_output "onnx-exec: error: $BATS_TEST_TMPDIR/bad.npy has shape [16, 13], but model input 'global_in' takes [1, 14] (one sample, or a batch whose rows have that shape)"
  [ ! -e "$BATS_TEST_TMPDIR/o.npy" ]
}

@test "an op the executor does not know is named with its node" {
  make_facile "$BATS_TEST_TMPDIR/f"
  py -c '
import onnx, sys
m = onnx.load(sys.argv[1])
m.graph.node[2].op_type = "MatMulX"
onnx.save(m, sys.argv[2])' "$BATS_TEST_TMPDIR/f/model.onnx" "$BATS_TEST_TMPDIR/bad.onnx"
  run onnx-exec "$BATS_TEST_TMPDIR/bad.onnx" "$BATS_TEST_TMPDIR/f/input.npy" -o "$BATS_TEST_TMPDIR/o.npy"
  assert_failure 1
  assert_output "onnx-exec: error: node 'MatMul_1' (MatMulX): op 'MatMulX' is not supported"
  [ ! -e "$BATS_TEST_TMPDIR/o.npy" ]
}

@test "bad .npy files and a mismatch with --expect are errors" {
  make_facile "$BATS_TEST_TMPDIR/f"
  cd "$BATS_TEST_TMPDIR"
  head -c 148 f/input.npy > trunc.npy
  run onnx-exec f/model.onnx trunc.npy -o o.npy
  assert_failure 1
  assert_output "onnx-exec: error: trunc.npy: truncated .npy data (20 of 896 bytes for shape [16, 14])"
  run onnx-exec f/model.onnx nope.npy -o o.npy
  assert_failure 1
  assert_output "onnx-exec: error: cannot read 'nope.npy': No such file or directory"
  py -c 'import numpy as np; e = np.load("f/expected_output.npy"); e[5, 0] += 1; np.save("wrong.npy", e)'
  run onnx-exec f/model.onnx f/input.npy --expect wrong.npy -o o.npy
  assert_failure 1
  assert_output --regexp "^onnx-exec: error: output differs from wrong.npy in 1 of 16 values \(largest difference 1 at flat index 5: "
  run onnx-exec f/model.onnx
  assert_failure 2
  assert_line --index 0 "onnx-exec: error: expected a model and an input .npy"
}

@test "--rtlsim --partition: the parent through the simulated stitched child, exactly" {
  # the stitched design is the one rtlsim.bats and stitch.bats use: one set of cached builds
  stitched_facile "$BATS_TEST_TMPDIR/f"
  cd "$BATS_TEST_TMPDIR/f"
  run onnx-exec parent.onnx input.npy --partition stitched.onnx --rtlsim \
    --expect expected_output.npy -o out.npy
  assert_success
  # (whether the simulator came from the cache is rtlsim.bats's business)
  assert_line --index 0 --regexp \
    '^onnx-exec: 16 frames through the stitched design in [0-9]+ cycles'
  assert_line --index 1 \
    "onnx-exec: output matches expected_output.npy (16 values, largest difference 0)"
  run py -c '
import numpy as np
a, e = np.load("out.npy"), np.load("expected_output.npy")
print(a.shape, a.dtype, (a == e).all(), len(np.unique(a)))'
  assert_output "(16, 1) float32 True 9"
  # the same as rtlsim on the child alone: the parent holds nothing but the partition
  rtlsim stitched.onnx input.npy -o child.npy
  cmp out.npy child.npy
  # --rtlsim and --partition need each other, and the partition must be stitched
  run onnx-exec parent.onnx input.npy --rtlsim -o o.npy
  assert_failure 2
  assert_line --index 0 "onnx-exec: error: --rtlsim and --partition STITCHED.onnx go together"
  run onnx-exec parent.onnx input.npy --partition folded.onnx --rtlsim -o o.npy
  assert_failure 1
  assert_output "onnx-exec: error: folded.onnx records no stitched design (run stitch first)"
  run onnx-exec folded.onnx input.npy --partition stitched.onnx --rtlsim -o o.npy
  assert_failure 1
  assert_output "onnx-exec: error: the model holds 0 StreamingDataflowPartition nodes;\
 --rtlsim needs exactly one"
  [ ! -e o.npy ]
}

@test "limits: a partition whose child names its parent stops at the nesting limit" {
  make_facile "$BATS_TEST_TMPDIR/f"
  cd "$BATS_TEST_TMPDIR/f"
  onnx-tidy model.onnx | streamline | to-hls -o parent.onnx 2> /dev/null
  # the child's first layer becomes a partition that names the parent again
  py -c '
import onnx
from onnx import helper
c = onnx.load("parent_partition_0.onnx")
n = c.graph.node[0]
c.graph.node.remove(n)
c.graph.node.insert(0, helper.make_node("StreamingDataflowPartition", [n.input[0]], list(n.output),
    domain="finn.custom_op.fpgadataflow", name="StreamingDataflowPartition_0", model="parent.onnx"))
onnx.save(c, "parent_partition_0.onnx")'
  run onnx-exec parent.onnx input.npy -o out.npy
  assert_failure 1
  assert_output "onnx-exec: error: node 'StreamingDataflowPartition_0' (StreamingDataflowPartition): partitions nest deeper than 4 levels (does a child model name its parent or itself?)"
  [ ! -e out.npy ]
}

@test "limits: input arrays above the tensor limit or beyond int64" {
  make_facile "$BATS_TEST_TMPDIR/f"
  cd "$BATS_TEST_TMPDIR/f"
  # the model's largest tensor (thresholds, 31 x 63 float32) is 7812 bytes: a limit of 8000
  # passes the model and 100 samples, not 200 (11200 bytes)
  py -c '
import numpy as np
np.save("mid.npy", np.zeros((100, 14), np.float32))
np.save("big.npy", np.zeros((200, 14), np.float32))'
  SHOAL_MAX_TENSOR_BYTES=8000 onnx-exec model.onnx mid.npy -o mid_out.npy
  SHOAL_MAX_TENSOR_BYTES=8000 run onnx-exec model.onnx big.npy -o out.npy
  assert_failure 1
  assert_output "onnx-exec: error: big.npy: array of shape [200, 14] has 2800 float32 elements, more than the 8000 bytes a tensor may take (SHOAL_MAX_TENSOR_BYTES)"
  py -c '
import numpy as np
h = "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (549755813888, 549755813888), }"
h = h.replace("\"", chr(39))
h += " " * (63 - (10 + len(h)) % 64) + "\n"
open("huge.npy", "wb").write(b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h.encode())'
  run onnx-exec model.onnx huge.npy -o out.npy
  assert_failure 1
  assert_output "onnx-exec: error: huge.npy: array of shape [549755813888, 549755813888] has more elements than int64 can count"
  [ ! -e out.npy ]
}
