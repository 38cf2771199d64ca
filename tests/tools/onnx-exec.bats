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

@test "Conv, MaxPool and AveragePool equal a NumPy reference over strides, dilations, uneven pads and groups" {
  # 48 random windows in 1-D and 2-D, some with end pads past the kernel (windows wholly
  # on padding: -inf for MaxPool, NaN for AveragePool without the padded taps). The
  # reference pads the input explicitly and reads every tap, so it shares nothing with the
  # executor's walk over the taps inside the input.
  cd "$BATS_TEST_TMPDIR"
  py -c '
import numpy as np, onnx, itertools
from onnx import helper as h, TensorProto as T, numpy_helper as nh
rng = np.random.default_rng(5)
def windows(x, k, s, d, pb, pe, fill):
    sp = x.shape[2:]
    xp = np.pad(x, [(0, 0), (0, 0)] + list(zip(pb, pe)), constant_values=fill)
    out = [(sp[i] + pb[i] + pe[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(len(sp))]
    for o in itertools.product(*[range(n) for n in out]):
        taps = tuple(slice(o[i] * s[i], o[i] * s[i] + d[i] * (k[i] - 1) + 1, d[i]) for i in range(len(sp)))
        yield o, xp[(slice(None), slice(None)) + taps], out
for case in range(48):
    rank = 1 + case % 2
    op = ["Conv", "MaxPool", "AveragePool"][case % 3]
    sp = list(rng.integers(3, 9, rank)); k = list(rng.integers(1, 4, rank))
    s = list(rng.integers(1, 4, rank)); d = list(rng.integers(1, 3, rank)) if op != "AveragePool" else [1] * rank
    pb = [int(rng.integers(0, k[i])) for i in range(rank)]; pe = [int(rng.integers(0, k[i] + 2)) for i in range(rank)]
    if any(sp[i] + pb[i] + pe[i] < d[i] * (k[i] - 1) + 1 for i in range(rank)): pe = [p + 8 for p in pe]
    group = [1, 2][case % 2] if op == "Conv" else 1
    C, M, N = 2 * group, 2 * group, 2
    x = rng.standard_normal([N, C] + sp).astype(np.float32)
    attrs = dict(kernel_shape=k, strides=s, pads=pb + pe)
    inits, ins = [], ["x"]
    if op == "Conv":
        W = rng.standard_normal([M, C // group] + k).astype(np.float32)
        B = rng.standard_normal(M).astype(np.float32)
        inits = [nh.from_array(W, "W"), nh.from_array(B, "B")]; ins += ["W", "B"]
        attrs.update(dilations=d, group=group)
    elif op == "MaxPool":
        attrs.update(dilations=d)
    else:
        attrs.update(count_include_pad=case % 4 // 2)
    ref = []
    fill = -np.inf if op == "MaxPool" else 0.0
    xd = x.astype(np.float64)
    ones = np.ones_like(xd)
    outs = {}
    for (o, w, out), (_, wc, _) in zip(windows(xd, k, s, d, pb, pe, fill), windows(ones, k, s, d, pb, pe, 0.0)):
        axes = tuple(range(2, 2 + rank))
        if op == "Conv":
            per = []
            for m in range(M):
                g = m // (M // group)
                per.append((w[:, g * (C // group):(g + 1) * (C // group)] * W[m].astype(np.float64)).sum(axis=(1,) + axes) + B[m])
            outs[o] = np.stack(per, axis=1)
        elif op == "MaxPool":
            outs[o] = w.max(axis=axes)
        else:
            n = np.prod(k) if attrs["count_include_pad"] else wc[0, 0].sum()
            outs[o] = w.sum(axis=axes) / n
        shape = out
    y = np.zeros([N, M if op == "Conv" else C] + shape)
    for o, v in outs.items(): y[(slice(None), slice(None)) + o] = v
    node = h.make_node(op, ins, ["y"], **attrs)
    g = h.make_graph([node], "g", [h.make_tensor_value_info("x", T.FLOAT, list(x.shape))],
                     [h.make_tensor_value_info("y", T.FLOAT, list(y.shape))], inits)
    onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 13)]), f"case{case}.onnx")
    np.save(f"case{case}_x.npy", x); np.save(f"case{case}_ref.npy", y.astype(np.float32))
'
  for c in $(seq 0 47); do
    onnx-exec "case$c.onnx" "case${c}_x.npy" -o "case${c}_y.npy"
  done
  run py -c '
import numpy as np
bad = [c for c in range(48) if not (np.load(f"case{c}_y.npy").shape == np.load(f"case{c}_ref.npy").shape
       and np.allclose(np.load(f"case{c}_y.npy"), np.load(f"case{c}_ref.npy"), rtol=1e-5, atol=1e-5, equal_nan=True))]
print("mismatches", bad)'
  assert_output "mismatches []"
}
