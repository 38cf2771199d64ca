#!/usr/bin/env bats
# pynq-driver: FINN's step_make_pynq_driver and step_deployment_package. The generated
# Python runs here with /usr/bin/python3 and numpy only (no PYNQ, no FINN): its packing is
# checked against the table of hardware.md §2 and against TDATA words computed here from the
# stitched model alone; rtlsim closes the loop on every shared model. On the "board" side,
# tests/fakes/pynq imitates PYNQ 2.5 to 3.1 (register-level DMAs, buffers, clocks) and
# tests/fakes/numpy116 NumPy 1.16, the PYNQ 2.6 image's.

# The Python the tests use besides the generated files, written into $1:
#  ref_pack.py  the expected stream bytes, from the stitched model's first/last layer
#               attributes and port widths, one Python int per TDATA word (independent of
#               the driver's vectorised packing);
#  drv.py       the generated driver's packing, as a board-less user would call it;
#  split.py     a parent model's host nodes before/after its partition as two models;
#  fake_uart.py a device on a pseudo-terminal answering host_serial.py frame by frame;
#  pack_cases.py the driver's packing of every kind of width against a reference;
#  compat_check.py what in a Python file needs more than Python 3.6 or NumPy 1.16;
#  board_run.py execute() and throughput_test() on the fake PYNQ;
#  hw_table.py  the fake PYNQ's hardware (FAKE_PYNQ_HW) from reference bytes.
write_test_python() {
  local d=$1
  mkdir -p "$d"
  cat > "$d/ref_pack.py" <<'EOF'
import json, sys
import numpy as np
import onnx
from onnx import helper

RANGES = {"BINARY": (0, 1), "BIPOLAR": (-1, 1), "TERNARY": (-1, 1)}

def attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}

def text(v):
    return v.decode() if isinstance(v, bytes) else v

def stream(model_path, side):
    """(datatype name, elements per beat, TDATA bits) of the design's input or output."""
    m = onnx.load(model_path)
    meta = {p.key: p.value for p in m.metadata_props}
    ports = json.loads(meta["vivado_stitch_ifnames"])
    node = m.graph.node[0 if side == "in" else -1]
    a = attrs(node)
    op = node.op_type
    if op in ("StreamingFCLayer_Batch", "Thresholding_Batch", "LabelSelect_Batch"):
        dt = text(a["inputDataType" if side == "in" else "outputDataType"])
        if op == "StreamingFCLayer_Batch":
            per_beat = a["SIMD"] if side == "in" else a["PE"]
        elif op == "LabelSelect_Batch":
            per_beat = a["PE"] if side == "in" else 1
        else:
            per_beat = a["PE"]
    else:
        raise SystemExit("ref_pack: no rule for %s" % op)
    width = ports["s_axis" if side == "in" else "m_axis"][0][1]
    return dt, per_beat, width

def field(v, dt):
    bits = 1 if dt in ("BINARY", "BIPOLAR") else 2 if dt == "TERNARY" else int(dt.lstrip("UINT"))
    v = int(v)
    if dt == "BIPOLAR":
        assert v in (-1, 1)
        return (v + 1) // 2, bits
    lo, hi = RANGES.get(dt, (0, 2**bits - 1) if dt.startswith("U") else
                        (-2**(bits - 1), 2**(bits - 1) - 1))
    assert lo <= v <= hi, (v, dt)
    return v & (2**bits - 1), bits

def tdata_bytes(values, dt, per_beat, width):
    """Each beat's TDATA word as width/8 little-endian bytes, beats in row-major order."""
    out = bytearray()
    flat = [float(x) for x in np.asarray(values).reshape(-1)]
    assert len(flat) % per_beat == 0
    for b in range(0, len(flat), per_beat):
        word = 0
        for i in range(per_beat):
            f, bits = field(flat[b + i], dt)
            word |= f << (i * bits)
        out += word.to_bytes(width // 8, "little")
    return bytes(out)

if __name__ == "__main__":
    side, model, values, out = sys.argv[1:5]
    dt, per_beat, width = stream(model, side)
    open(out, "wb").write(tdata_bytes(np.load(values), dt, per_beat, width))
EOF
  cat > "$d/drv.py" <<'EOF'
# drv.py DRIVER_DIR pack|pack-output|unpack IN OUT: the generated driver's own packing.
import sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from driver import io_shape_dict
from driver_base import AcceleratorIO
mode, src, dst = sys.argv[2:5]
if mode == "unpack":
    n = int(sys.argv[5])
    io = AcceleratorIO(io_shape_dict, batch_size=n)
    packed = np.fromfile(src, dtype=np.uint8).reshape(io.oshape_packed())
    np.save(dst, io.unfold_output(io.unpack_output(packed)))
else:
    x = np.load(src)
    io = AcceleratorIO(io_shape_dict, batch_size=x.shape[0])
    if mode == "pack":
        packed = io.pack_input(io.fold_input(x.reshape(io.ishape_normal())))
    else:
        packed = io.pack_output(io.fold_output(x.reshape(io.oshape_normal())))
    assert packed.dtype == np.uint8
    packed.tofile(dst)
# the driver's data path must not need PYNQ or FINN
assert not {"pynq", "finn", "qonnx"} & set(sys.modules), sorted(sys.modules)
EOF
  cat > "$d/split.py" <<'EOF'
# split.py PARENT PRE POST: the host nodes before and after the partition, as models (a
# side without nodes is not written).
import sys
import onnx
m = onnx.load(sys.argv[1])
g = m.graph
(k,) = [i for i, n in enumerate(g.node) if n.op_type == "StreamingDataflowPartition"]
sdp = g.node[k]
infos = {v.name: v for v in list(g.value_info) + list(g.input) + list(g.output)}
def save(nodes, inp, out, path):
    s = onnx.ModelProto()
    s.CopyFrom(m)
    del s.graph.node[:], s.graph.input[:], s.graph.output[:]
    s.graph.node.extend(nodes)
    s.graph.input.append(infos[inp])
    s.graph.output.append(infos[out])
    onnx.save(s, path)
if k > 0:
    save(g.node[:k], g.input[0].name, sdp.input[0], sys.argv[2])
if k + 1 < len(g.node):
    save(g.node[k + 1:], sdp.output[0], g.output[0].name, sys.argv[3])
EOF
  cat > "$d/fake_uart.py" <<'EOF'
# fake_uart.py DRIVER_DIR IN.bin OUT.bin FRAMES INPUT.npy OUTPUT.npy: runs host_serial.py
# against a device on a pseudo-terminal that checks each input frame against IN.bin and
# answers with the frame's bytes of OUT.bin.
import os, pty, subprocess, sys, threading
drv, in_bin, out_bin, frames, inp, outp = sys.argv[1:7]
frames = int(frames)
expect_in, reply = open(in_bin, "rb").read(), open(out_bin, "rb").read()
fin, fout = len(expect_in) // frames, len(reply) // frames
master, slave = pty.openpty()
errors = []
def device():
    for f in range(frames):
        got = b""
        while len(got) < fin:
            got += os.read(master, fin - len(got))
        if got != expect_in[f * fin:(f + 1) * fin]:
            errors.append("frame %d: got %s" % (f, got.hex()))
        os.write(master, reply[f * fout:(f + 1) * fout])
t = threading.Thread(target=device, daemon=True)
t.start()
r = subprocess.run([sys.executable, os.path.join(drv, "host_serial.py"), "--port",
                    os.ttyname(slave), "--io", "os", "--timeout", "20", "--inputfile", inp,
                    "--outputfile", outp], capture_output=True, text=True)
t.join(5)
sys.stderr.write(r.stderr)
print("host_serial exit %d, device %s, frames of %d and %d bytes" % (
    r.returncode, "ok" if not errors and not t.is_alive() else errors, fin, fout))
EOF
  cat > "$d/pack_cases.py" <<'EOF'
# pack_cases.py DRIVER_DIR: the driver's packing of each kind of width and input type
# against a word-by-word reference (Python ints), with each of the four flag settings, and
# back (also from words whose padding bits are ones); one line per case.
import sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from shoal_dt import DataType, finnpy_to_packed_bytearray as pack, \
    packed_bytearray_to_finnpy as unpack

def reference(x, name, reverse_inner, reverse_endian, pad_ones=False):
    dt = DataType[name]
    bits, n = dt.bitwidth(), x.shape[-1]
    nbytes = (n * bits + 7) // 8
    out = bytearray()
    for row in x.reshape(-1, n).tolist():
        word = 0
        for i, v in enumerate(row if reverse_inner else row[::-1]):
            field = (int(v) + 1) // 2 if name == "BIPOLAR" else int(v) & ((1 << bits) - 1)
            word |= field << (i * bits)
        if pad_ones:
            word |= (1 << nbytes * 8) - (1 << n * bits)
        out += word.to_bytes(nbytes, "little" if reverse_endian else "big")
    return np.frombuffer(bytes(out), np.uint8).reshape(x.shape[:-1] + (nbytes,))

CASES = [  # datatype, shape (frames, beats..., elements per beat), input type
    ("BINARY", (50, 16, 49), np.uint8),  # 1 bit: packbits with the bits reversed
    ("BINARY", (7, 3, 13), np.bool_),
    ("BIPOLAR", (20, 4, 13), np.float32),
    ("BIPOLAR", (20, 4, 8), np.int8),
    ("UINT8", (30, 32, 32, 3), np.uint8),  # 8 bits: the bytes themselves
    ("UINT8", (30, 32, 32, 3, 1), np.float32),
    ("INT8", (30, 10, 5), np.int8),
    ("INT8", (30, 10, 5), np.float64),
    ("INT2", (40, 64, 10), np.int8),  # 2 and 4 bits: shifts within bytes
    ("UINT4", (40, 7, 7), np.uint8),
    ("TERNARY", (9, 11), np.float32),
    ("INT6", (16, 14, 1), np.int8),  # one word of up to 64 bits per beat
    ("UINT3", (3, 7), np.uint8),
    ("INT5", (4, 12), np.int64),
    ("UINT3", (40, 100, 30), np.uint8),  # 90-bit beats: fields across 64-bit words
    ("INT7", (5, 3, 100), np.int16),  # 700-bit beats: in groups of 64 elements
    ("INT12", (10, 20, 11), np.int16),  # 132-bit beats
    ("UINT24", (10, 3), np.uint32),
    ("INT33", (10, 4, 5), np.int64),
    ("INT40", (6, 2), np.float64),
    ("UINT16", (8, 5), np.uint16),
    ("INT32", (8, 3), np.int32),
    ("UINT64", (8, 2), np.uint64),
    ("INT64", (8, 3), np.int64),
]
rng = np.random.RandomState(7)
for name, shape, itype in CASES:
    dt = DataType[name]
    if name == "BIPOLAR":
        x = (rng.randint(0, 2, size=shape) * 2 - 1).astype(itype)
    else:
        x = rng.randint(dt.min(), dt.max() + 1, size=shape,
                        dtype=np.uint64 if name == "UINT64" else np.int64).astype(itype)
    original = x.copy()
    bad = []
    for ri in (False, True):
        for re in (False, True):
            p = pack(x, dt, ri, re)
            if p.dtype != np.uint8 or not np.array_equal(p, reference(x, name, ri, re)):
                bad.append("pack %d%d" % (ri, re))
            for q in (p, reference(x, name, ri, re, pad_ones=True)):
                back = unpack(q, dt, shape, ri, re)
                if back.dtype != np.float32 or not np.array_equal(back, x.astype(np.float32)):
                    bad.append("unpack %d%d" % (ri, re))
    if not np.array_equal(x, original):
        bad.append("input changed")
    print("%s %s from %s: %d bytes, %s" % (name, shape, np.dtype(itype).name,
                                           pack(x, dt).nbytes, ", ".join(bad) or "ok"))
EOF
  cat > "$d/compat_check.py" <<'EOF'
# compat_check.py FILE...: what in each file needs more than Python 3.6 or NumPy 1.16.
import ast, sys
NAMES = {  # attributes and names, and where they came
    "default_rng": "NumPy 1.17", "Generator": "NumPy 1.17", "BitGenerator": "NumPy 1.17",
    "SeedSequence": "NumPy 1.17", "integers": "NumPy 1.17", "MT19937": "NumPy 1.17",
    "PCG64": "NumPy 1.17", "Philox": "NumPy 1.17", "SFC64": "NumPy 1.17",
    "sliding_window_view": "NumPy 1.20", "bitwise_count": "NumPy 2.0",
    "time_ns": "Python 3.7", "monotonic_ns": "Python 3.7", "perf_counter_ns": "Python 3.7",
    "nullcontext": "Python 3.7", "dataclass": "Python 3.7", "isascii": "Python 3.7",
    "breakpoint": "Python 3.7", "cached_property": "Python 3.8", "isqrt": "Python 3.8",
    "removeprefix": "Python 3.9", "removesuffix": "Python 3.9",
}
REDUCTIONS = ("sum", "prod", "min", "max", "amin", "amax", "any", "all", "mean", "std", "var")
KEYWORDS = {  # (function, keyword): where it came; function None: any
    (None, "bitorder"): "NumPy 1.17", ("unpackbits", "count"): "NumPy 1.17",
    (None, "like"): "NumPy 1.20", ("unique", "equal_nan"): "NumPy 1.24",
    ("array_equal", "equal_nan"): "NumPy 1.19", ("concatenate", "dtype"): "NumPy 1.20",
    ("concatenate", "casting"): "NumPy 1.20", ("run", "capture_output"): "Python 3.7",
    ("run", "text"): "Python 3.7",
}
KEYWORDS.update({(f, "where"): "NumPy 1.17" for f in REDUCTIONS})
KEYWORDS.update({(f + "_like", "shape"): "NumPy 1.17" for f in ("empty", "zeros", "ones", "full")})
found = 0
for path in sys.argv[1:]:
    name = path.rsplit("/", 1)[-1]
    try:
        tree = ast.parse(open(path).read(), path, feature_version=(3, 6))
    except SyntaxError as e:
        print("%s:%d: not Python 3.6 syntax: %s" % (name, e.lineno, e.msg))
        found += 1
        continue
    findings = []
    for node in ast.walk(tree):
        ident = node.attr if isinstance(node, ast.Attribute) else \
            node.id if isinstance(node, ast.Name) else None
        if ident in NAMES:
            findings.append((node.lineno, "%s (%s)" % (ident, NAMES[ident])))
        if isinstance(node, ast.Call):
            f = node.func
            fname = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
            for k in node.keywords:
                since = KEYWORDS.get((fname, k.arg)) or KEYWORDS.get((None, k.arg))
                if since:
                    findings.append((node.lineno, "%s(%s=) (%s)" % (fname, k.arg, since)))
    for line, what in sorted(findings):
        print("%s:%d: %s" % (name, line, what))
    found += len(findings)
print("%d file(s), %d finding(s)" % (len(sys.argv) - 1, found))
EOF
  cat > "$d/board_run.py" <<'EOF'
# board_run.py DRIVER_DIR BITFILE INPUT.npy OUTPUT.npy: on the fake PYNQ (FAKE_PYNQ_* from
# the environment), FINNExampleOverlay.execute() of the whole input into OUTPUT.npy, then
# throughput_test(), which runs the same buffers again: the output DMA's bytes must not
# change. Prints the PYNQ version, how the DMAs were reached, the bytes the throughput
# report says were moved, and the runs of the "hardware".
import sys
import numpy as np
sys.path.insert(0, sys.argv[1])
import pynq
from driver import io_shape_dict
from driver_base import FINNExampleOverlay
x = np.load(sys.argv[3])
accel = FINNExampleOverlay(sys.argv[2], "zynq-iodma", io_shape_dict, batch_size=x.shape[0])
np.save(sys.argv[4], accel.execute(x))
hw_out = accel.obuf_packed[0].copy()
res = accel.throughput_test()
assert np.array_equal(accel.obuf_packed[0], hw_out), "a second run wrote other bytes"
moved = lambda key: int(round(res[key] * res["runtime[ms]"] * 1e3))
print("%s %s: %d frames, %d bytes in, %d bytes out" % (
    pynq.__version__, type(accel.idma[0]).__name__, res["batch_size"],
    moved("DRAM_in_bandwidth[MB/s]"), moved("DRAM_out_bandwidth[MB/s]")))
print("\n".join(line for line in pynq.trace if line.startswith("run ")))
EOF
  cat > "$d/hw_table.py" <<'EOF'
# hw_table.py REF_IN.bin REF_OUT.bin REF_FRAMES IN.bin OUT.bin FRAMES: the accelerator as
# the fake PYNQ's FAKE_PYNQ_HW, from reference bytes: each of the FRAMES input frames of
# IN.bin must be one of REF_IN.bin's; OUT.bin gets REF_OUT.bin's frame for it.
import sys
ref_in, ref_out = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
n = int(sys.argv[3])
fin, fout = len(ref_in) // n, len(ref_out) // n
table = {ref_in[f * fin:(f + 1) * fin]: ref_out[f * fout:(f + 1) * fout] for f in range(n)}
data, frames = open(sys.argv[4], "rb").read(), int(sys.argv[6])
if len(data) != frames * fin:
    sys.exit("hw_table: %d bytes for %d frames of %d" % (len(data), frames, fin))
out = []
for f in range(frames):
    frame = data[f * fin:(f + 1) * fin]
    if frame not in table:
        sys.exit("hw_table: input frame %d is none of the reference's: %s" % (f, frame.hex()))
    out.append(table[frame])
open(sys.argv[5], "wb").write(b"".join(out))
EOF
}

# One stitched facile-like model and its driver for the whole file.
setup_file() {
  load test_helper
  stitched_facile "$BATS_FILE_TMPDIR/f"
  write_test_python "$BATS_FILE_TMPDIR/py"
  pynq-driver "$BATS_FILE_TMPDIR/f/stitched.onnx" --out-dir "$BATS_FILE_TMPDIR/f/out" \
    2> "$BATS_FILE_TMPDIR/f/driver.log"
}

setup() {
  load test_helper
  F=$BATS_FILE_TMPDIR/f
  D=$F/out/driver
  P=$BATS_FILE_TMPDIR/py
  FAKES=$ROOT/tests/fakes
}

# The generated driver's Python, without PYTHONPATH, user site packages or __pycache__.
drv_py() { /usr/bin/python3 -B -E -s "$@"; }

# The same on a "board": PYNQ is tests/fakes/pynq (FAKE_PYNQ_* from the environment).
board_py() { PYTHONPATH=$FAKES /usr/bin/python3 -B -s "$@"; }

# The same with NumPy as 1.16 has it (tests/fakes/numpy116).
numpy116_py() { PYTHONPATH=$FAKES:$FAKES/numpy116 /usr/bin/python3 -B -s "$@"; }

# The "board" of the facile-like design in $1: a copy of the driver, an empty bitfile with
# its .hwh (the fake PYNQ wants both), and table.npz, the stand-in hardware's 16 frames (their
# bytes in and out, computed from the model by ref_pack.py).
facile_board() {
  local d=$1
  cp -r "$D" "$d"
  touch "$d/resizer.bit" "$d/resizer.hwh"
  py -c '
import numpy as np, sys
sys.path.insert(0, sys.argv[1])
from ref_pack import stream, tdata_bytes
x, y = np.load(sys.argv[3]), np.load(sys.argv[4])
fin = [tdata_bytes(r, *stream(sys.argv[2], "in")) for r in x]
fout = [tdata_bytes(r, *stream(sys.argv[2], "out")) for r in y]
np.savez(sys.argv[5], **{"in": np.frombuffer(b"".join(fin), np.uint8).reshape(len(x), -1),
                         "out": np.frombuffer(b"".join(fout), np.uint8).reshape(len(y), -1)})
' "$P" "$F/stitched.onnx" "$F/input.npy" "$F/expected_output.npy" "$d/table.npz"
}

# Whether two .npy files hold the same shape and values.
same_npy() {
  py -c 'import numpy as np, sys; a, e = np.load(sys.argv[1]), np.load(sys.argv[2])
assert a.shape == e.shape and (a == e).all(), (a.shape, e.shape)' "$1" "$2"
}

# nw_metrics.txt ($1): its keys, then batch size, clock and the bytes moved in and out
# (bandwidth times runtime).
metrics() {
  py -c '
import ast, sys
r = ast.literal_eval(open(sys.argv[1]).read())
print(*r)
moved = lambda key: round(r[key] * r["runtime[ms]"] * 1e3, 6)
print(r["batch_size"], r["fclk[mhz]"], moved("DRAM_in_bandwidth[MB/s]"),
      moved("DRAM_out_bandwidth[MB/s]"))' "$1"
}

# The loop of the issue for one stitched design: the driver packs the accelerator's input
# into exactly the TDATA bytes computed from the model; rtlsim's outputs, packed by the
# driver as the hardware would send them (again the bytes computed from the model),
# unpack to onnx-exec's outputs of the folded model. Then FINNExampleOverlay's execute()
# and throughput_test() on the PYNQ stand-in, in PYNQ 2.6's naming (the DMAs through
# MMIO) and 3.1's, with a "hardware" that answers each input frame, which must be one of
# the reference's, with rtlsim's output bytes: the same outputs. Files in $1:
# stitched.onnx, folded.onnx, acc_in.npy; leaves in.bin, hw_out.bin, drv_out.npy and
# board_out_<PYNQ version>.npy there.
driver_loop() {
  local d=$1 n
  n=$(py -c 'import numpy, sys; print(numpy.load(sys.argv[1]).shape[0])' "$d/acc_in.npy")
  pynq-driver "$d/stitched.onnx" --out-dir "$d/out" 2> "$d/driver.log"
  drv_py "$P/drv.py" "$d/out/driver" pack "$d/acc_in.npy" "$d/in.bin"
  py "$P/ref_pack.py" in "$d/stitched.onnx" "$d/acc_in.npy" "$d/ref_in.bin"
  cmp "$d/in.bin" "$d/ref_in.bin"
  rtlsim "$d/stitched.onnx" "$d/acc_in.npy" -o "$d/hw_out.npy" 2> /dev/null
  py "$P/ref_pack.py" out "$d/stitched.onnx" "$d/hw_out.npy" "$d/hw_out.bin"
  drv_py "$P/drv.py" "$d/out/driver" pack-output "$d/hw_out.npy" "$d/drv_hw_out.bin"
  cmp "$d/hw_out.bin" "$d/drv_hw_out.bin"
  drv_py "$P/drv.py" "$d/out/driver" unpack "$d/hw_out.bin" "$d/drv_out.npy" "$n"
  onnx-exec "$d/folded.onnx" "$d/acc_in.npy" -o "$d/ref_out.npy"
  py -c '
import numpy as np, sys
got, ref = np.load(sys.argv[1]), np.load(sys.argv[2])
assert got.dtype == np.float32 and got.shape == ref.shape, (got.dtype, got.shape, ref.shape)
assert (got == ref).all(), "driver output differs from onnx-exec"
' "$d/drv_out.npy" "$d/ref_out.npy"
  touch "$d/a.bit" "$d/a.hwh"
  local in_bytes out_bytes v api
  in_bytes=$(stat -c %s "$d/ref_in.bin")
  out_bytes=$(stat -c %s "$d/hw_out.bin")
  for v in 2.6 3.1; do
    if [ $v = 2.6 ]; then api=MMIO; else api=DefaultIP; fi
    run env FAKE_PYNQ_VERSION=$v PYTHONPATH="$FAKES" \
      FAKE_PYNQ_HW="/usr/bin/python3 $P/hw_table.py $d/ref_in.bin $d/hw_out.bin $n" \
      /usr/bin/python3 -B -s "$P/board_run.py" "$d/out/driver" "$d/a.bit" "$d/acc_in.npy" \
      "$d/board_out_$v.npy"
    assert_success
    assert_output "$v $api: $n frames, $in_bytes bytes in, $out_bytes bytes out
run $n frames: $in_bytes bytes in, $out_bytes bytes out (FAKE_PYNQ_HW)
run $n frames: $in_bytes bytes in, $out_bytes bytes out (FAKE_PYNQ_HW)"
    same_npy "$d/board_out_$v.npy" "$d/drv_out.npy"
  done
}

# driver_loop on a shared model at 1e6 fps (beats of several elements; $2: a folding config
# applied on top), from the parent's input.npy through its host nodes to
# expected_output.npy; then the same bytes through host_serial.py and a device on a
# pseudo-terminal.
shared_driver_loop() {
  local m=$1 folding=$2 d=$BATS_TEST_TMPDIR/$1
  if [ -z "$folding" ]; then
    hw_flow_shared $m "$d" 1000000
  else
    mkdir -p "$d"
    onnx-tidy "$(shared_model $m)" | streamline | to-hls -o "$d/parent.onnx" 2> /dev/null
    echo "$folding" > "$d/folding.json"
    fold "$d/parent_partition_0.onnx" --clk-ns 10 --target-fps 1000000 \
      --config "$d/folding.json" -o "$d/folded.onnx"
    stitch "$d/folded.onnx" -o "$d/stitched.onnx" --out-dir "$d/st" 2> "$d/stitch.log" \
      || { cat "$d/stitch.log" >&2; return 1; }
  fi
  py "$P/split.py" "$d/parent.onnx" "$d/pre.onnx" "$d/post.onnx"
  if [ -e "$d/pre.onnx" ]; then
    onnx-exec "$d/pre.onnx" "$SHARED/$m/input.npy" -o "$d/acc_in.npy"
  else
    cp "$SHARED/$m/input.npy" "$d/acc_in.npy"
  fi
  driver_loop "$d"
  local out
  for out in drv_out board_out_2.6 board_out_3.1; do
    if [ -e "$d/post.onnx" ]; then
      onnx-exec "$d/post.onnx" "$d/$out.npy" --expect "$SHARED/$m/expected_output.npy" \
        --atol "$(shared_atol $m)" > /dev/null
    else
      same_npy "$d/$out.npy" "$SHARED/$m/expected_output.npy"
    fi
  done
  run drv_py "$P/fake_uart.py" "$d/out/driver" "$d/in.bin" "$d/hw_out.bin" 16 \
    "$d/acc_in.npy" "$d/serial_out.npy"
  assert_success
  assert_line --partial "host_serial exit 0, device ok"
  py -c 'import numpy as np, sys; assert (np.load(sys.argv[1]) == np.load(sys.argv[2])).all()' \
    "$d/serial_out.npy" "$d/drv_out.npy"
}

@test "--help names the generated files, FINN's steps and the options" {
  run pynq-driver --help
  assert_success
  assert_line --index 0 \
    "Usage: pynq-driver STITCHED.onnx --out-dir DIR [--platform zynq-iodma|alveo] [--clk-ns T]"
  for s in driver.py driver_base.py validate.py shoal_dt.py host_serial.py runtime_weights/ \
    step_make_pynq_driver step_deployment_package --deploy --bitfile-dir --clk-ns \
    "NumPy 1.16 or" "PYNQ (2.5 to 3.1)" "run with --fclk_mhz MHZ" share/shoal/pynq-driver; do
    assert_output --partial "$s"
  done
}

@test "the driver directory: FINN's files, shoal_dt.py and host_serial.py, no machine paths" {
  run ls -A "$D"
  assert_output "driver.py
driver_base.py
host_serial.py
runtime_weights
shoal_dt.py
validate.py"
  [ -z "$(ls -A "$D/runtime_weights")" ]
  run cat "$F/driver.log"
  assert_output "pynq-driver: INT6 (1, 14, 1) -> UINT4 (1, 1, 1); frames of 14 and 1 bytes;\
 zynq-iodma at 100.0 MHz; in $F/out/driver"
  ! grep -rlE "$BATS_FILE_TMPDIR|$ROOT|$HOME|/work/" "$D"
  # every file compiles with the system's python3
  drv_py -c 'import sys
for f in sys.argv[1:]: compile(open(f).read(), f, "exec")' "$D"/*.py
}

@test "io_shape_dict: FINN's keys, datatypes and shapes of the facile-like design" {
  run drv_py -c '
import sys
sys.path.insert(0, sys.argv[1])
import driver
for k, v in driver.io_shape_dict.items():
    print(k, v)
print("fclk_mhz", driver.fclk_mhz)
print(sorted(m for m in ("pynq", "finn", "qonnx") if m in sys.modules))' "$D"
  assert_success
  assert_output "idt [DataType['INT6']]
odt [DataType['UINT4']]
ishape_normal [(1, 14)]
oshape_normal [(1, 1)]
ishape_folded [(1, 14, 1)]
oshape_folded [(1, 1, 1)]
ishape_packed [(1, 14, 1)]
oshape_packed [(1, 1, 1)]
input_dma_name ['idma0']
output_dma_name ['odma0']
number_of_external_weights 0
num_inputs 1
num_outputs 1
fclk_mhz 100.0
[]"
}

@test "the same inputs give byte-identical files" {
  pynq-driver "$F/stitched.onnx" --out-dir "$BATS_TEST_TMPDIR/again" 2> /dev/null
  diff -r "$D" "$BATS_TEST_TMPDIR/again/driver"
}

@test "--name is the source the files name; otherwise the input's file name; no quotes" {
  head -1 "$D/driver.py" | grep -qx '"""Driver of the accelerator generated by shoal from stitched.onnx.'
  pynq-driver "$F/stitched.onnx" --out-dir "$BATS_TEST_TMPDIR/a" \
    --name "cnv's model.onnx" 2> /dev/null
  head -1 "$BATS_TEST_TMPDIR/a/driver/driver.py" |
    grep -qx "\"\"\"Driver of the accelerator generated by shoal from cnv's model.onnx."
  head -1 "$BATS_TEST_TMPDIR/a/driver/host_serial.py" | grep -q "from cnv's model.onnx behind"
  drv_py -c 'import sys; compile(open(sys.argv[1]).read(), sys.argv[1], "exec")' \
    "$BATS_TEST_TMPDIR/a/driver/driver.py"
  run pynq-driver "$F/stitched.onnx" --out-dir "$BATS_TEST_TMPDIR/b" --name 'a"""b'
  assert_failure 2
  assert_output --partial "--name: no newline, quote or backslash"
  [ ! -e "$BATS_TEST_TMPDIR/b" ]
}

@test "--platform and --clk-ns set driver.py's defaults; the model's clock otherwise" {
  pynq-driver "$F/stitched.onnx" --out-dir "$BATS_TEST_TMPDIR/a" --platform alveo \
    --clk-ns 3 2> /dev/null
  run grep -E '^fclk_mhz|default="(zynq|alveo)' "$BATS_TEST_TMPDIR/a/driver/driver.py"
  assert_output --partial 'fclk_mhz = 333.3333333333333'
  assert_output --partial 'default="alveo"'
  run grep -E '^fclk_mhz|default="(zynq|alveo)' "$D/driver.py"
  assert_output --partial 'fclk_mhz = 100.0'
  assert_output --partial 'default="zynq-iodma"'
  run drv_py "$BATS_TEST_TMPDIR/a/driver/driver.py" --help
  assert_success
  for s in --exec_mode --platform --batchsize --device --bitfile --inputfile --outputfile \
    --runtime_weight_dir "{zynq-iodma,alveo}" "{execute,throughput_test}"; do
    assert_output --partial -- "$s"
  done
}

@test "shoal_dt packs the table of hardware.md §2 in all three conventions, and unpacks it" {
  run drv_py -c '
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np
from shoal_dt import DataType, finnpy_to_packed_bytearray as pack, \
    packed_bytearray_to_finnpy as unpack
rows = [  # type, values, no flags, rtlsim TDATA, driver
    ("UINT4", [1, 7, 2, 5], "17 25", 0x5271, "71 52"),
    ("INT4", [-1, 2, -8, 7], "f2 87", 0x782f, "2f 78"),
    ("INT2", [1, -1, 1, -1], "77", 0xdd, "dd"),
    ("TERNARY", [-1, 0, 1, 1], "c5", 0x53, "53"),
    ("BIPOLAR", [-1, 1, 1, -1, -1, -1, 1, 1], "63", 0xc6, "c6"),
    ("BIPOLAR", [-1, 1, 1, -1, 1], "0d", 0x16, "16"),
    ("BINARY", [1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1], "80 c1", 0x8301, "01 83"),
    ("UINT3", [1, 2, 3], "00 53", 0x0d1, "d1 00"),
    ("UINT3", [7, 7, 7], "01 ff", 0x1ff, "ff 01"),
    ("INT3", [-1, 0, -4], "01 c4", 0x107, "07 01"),
    ("UINT8", [1, 2, 3, 200], "01 02 03 c8", 0xc8030201, "01 02 03 c8"),
    ("INT8", [-1, -128, 127, 5], "ff 80 7f 05", 0x057f80ff, "ff 80 7f 05"),
    ("INT16", [-2, 300], "ff fe 01 2c", 0x012cfffe, "fe ff 2c 01"),
    ("INT32", [-4, 0, -4, -4], "ff ff ff fc 00 00 00 00 ff ff ff fc ff ff ff fc",
     0xfffffffcfffffffc00000000fffffffc, "fc ff ff ff 00 00 00 00 fc ff ff ff fc ff ff ff"),
    ("FLOAT32", [-1.0, 17.125], "bf 80 00 00 41 89 00 00", 0x41890000bf800000,
     "00 00 80 bf 00 00 89 41"),
]
hexs = lambda b: " ".join("%02x" % x for x in np.asarray(b).reshape(-1))
bad = 0
for name, values, no_flags, tdata, driver in rows:
    dt, a = DataType[name], np.array(values, dtype=np.float32)
    d = pack(a, dt, reverse_inner=True, reverse_endian=True)
    got = (hexs(pack(a, dt)), int.from_bytes(bytes(d), "little"), hexs(d))
    if got != (no_flags, tdata, driver):
        print("MISMATCH", name, values, got); bad += 1
    for ri in (False, True):
        for re in (False, True):
            back = unpack(pack(a, dt, ri, re), dt, a.shape, ri, re)
            if back.dtype != np.float32 or not (back == a).all():
                print("ROUNDTRIP", name, ri, re, back); bad += 1
print(len(rows), "rows", bad, "bad")
' "$D"
  assert_success
  assert_output "15 rows 0 bad"
}

@test "shoal_dt: multi-beat tensors, padding ignored, FINN's output shapes and DataType API" {
  run drv_py -c '
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np
from shoal_dt import DataType, finnpy_to_packed_bytearray as pack, \
    packed_bytearray_to_finnpy as unpack
hexs = lambda b: " ".join("%02x" % x for x in np.asarray(b).reshape(-1))
for shape, dt, values in [((1, 2, 3), "UINT4", [[1, 2, 3], [4, 5, 6]]),
                          ((1, 2, 2, 3), "UINT2", [[[1, 2, 3], [0, 1, 2]], [[3, 3, 3], [2, 1, 0]]]),
                          ((2, 4), "UINT4", [[1, 7, 2, 5], [2, 5, 1, 7]])]:
    a = np.array(values, dtype=np.float32).reshape(shape)
    p = pack(a, DataType[dt])
    print(p.shape, p.dtype, hexs(p), "|", hexs(pack(a, DataType[dt], True, True)))
# padding bits above the last element do not matter
print(unpack(np.array([0xd1, 0xfe], np.uint8), DataType["UINT3"], (3,), True, True))
print(unpack(np.array([0xfe, 0xff, 0x2c, 0x01], np.uint8), DataType["INT16"], None, True, True))
t = DataType["INT6"]
print(t, t.bitwidth(), t.min(), t.max(), t.signed(), t.is_integer(), t.allowed(-32), t.allowed(32))
print(DataType.UINT8 == DataType["UINT8"], DataType["UINT1"], DataType["BIPOLAR"].min(),
      DataType["TERNARY"].signed(), DataType["UINT64"].max(), DataType["FLOAT32"].is_integer())
for bad in (lambda: pack(np.array([8.0]), DataType["INT4"]),
            lambda: pack(np.array([0.0]), DataType["BIPOLAR"]),
            lambda: DataType["FIXED<8,4>"]):
    try:
        bad()
    except (ValueError, KeyError) as e:
        print(type(e).__name__, e)
' "$D"
  assert_success
  assert_output "(1, 2, 2) uint8 01 23 04 56 | 21 03 54 06
(1, 2, 2, 1) uint8 1b 06 3f 24 | 39 24 3f 06
(2, 2) uint8 17 25 25 17 | 71 52 52 71
[1. 2. 3.]
[ -2. 300.]
DataType['INT6'] 6 -32 31 True True True False
True DataType['BINARY'] -1 True 18446744073709551615 False
ValueError 8.0 is not a value of datatype INT4
ValueError 0.0 is not a value of datatype BIPOLAR
KeyError \"unknown datatype 'FIXED<8,4>'\""
}

@test "the driver's Python: the sources byte for byte, py_compile, Python 3.6 and NumPy 1.16" {
  local src=$ROOT/tools/pynq-driver/python
  run ls "$src"
  assert_output "driver.py.in
driver_base.py
host_serial.py.in
shoal_dt.py
validate.py"
  # the files without placeholders are written as they are in the source tree
  for f in driver_base.py validate.py shoal_dt.py; do cmp "$src/$f" "$D/$f"; done
  PYTHONPYCACHEPREFIX=$BATS_TEST_TMPDIR/pyc /usr/bin/python3 -m py_compile "$src"/*.py \
    "$D"/*.py "$FAKES"/pynq/*.py "$FAKES"/numpy116/*.py "$FAKES"/dataset_loading/*.py
  run drv_py "$P/compat_check.py" "$D"/*.py
  assert_output "5 file(s), 0 finding(s)"
  # and the check finds what it looks for
  cat > "$BATS_TEST_TMPDIR/new.py" <<'EOF'
import numpy as np
rng = np.random.default_rng(1)
x = rng.integers(0, 4, size=8)
p = np.packbits(x, bitorder="little")
s = np.sum(x, where=x > 1)
EOF
  printf 'def f(a, /):\n    return a\n' > "$BATS_TEST_TMPDIR/new38.py"
  run drv_py "$P/compat_check.py" "$BATS_TEST_TMPDIR/new.py" "$BATS_TEST_TMPDIR/new38.py"
  assert_output "new.py:2: default_rng (NumPy 1.17)
new.py:3: integers (NumPy 1.17)
new.py:4: packbits(bitorder=) (NumPy 1.17)
new.py:5: sum(where=) (NumPy 1.17)
new38.py:1: not Python 3.6 syntax: Positional-only parameters are only supported in Python 3.8 and greater
2 file(s), 5 finding(s)"
}

@test "shoal_dt: 1, 2, 4, 8 bits, fields across uint64 words, beats over 64 bits = a word-by-word reference" {
  run drv_py "$P/pack_cases.py" "$D"
  assert_success
  assert_output "BINARY (50, 16, 49) from uint8: 5600 bytes, ok
BINARY (7, 3, 13) from bool: 42 bytes, ok
BIPOLAR (20, 4, 13) from float32: 160 bytes, ok
BIPOLAR (20, 4, 8) from int8: 80 bytes, ok
UINT8 (30, 32, 32, 3) from uint8: 92160 bytes, ok
UINT8 (30, 32, 32, 3, 1) from float32: 92160 bytes, ok
INT8 (30, 10, 5) from int8: 1500 bytes, ok
INT8 (30, 10, 5) from float64: 1500 bytes, ok
INT2 (40, 64, 10) from int8: 7680 bytes, ok
UINT4 (40, 7, 7) from uint8: 1120 bytes, ok
TERNARY (9, 11) from float32: 27 bytes, ok
INT6 (16, 14, 1) from int8: 224 bytes, ok
UINT3 (3, 7) from uint8: 9 bytes, ok
INT5 (4, 12) from int64: 32 bytes, ok
UINT3 (40, 100, 30) from uint8: 48000 bytes, ok
INT7 (5, 3, 100) from int16: 1320 bytes, ok
INT12 (10, 20, 11) from int16: 3400 bytes, ok
UINT24 (10, 3) from uint32: 90 bytes, ok
INT33 (10, 4, 5) from int64: 840 bytes, ok
INT40 (6, 2) from float64: 60 bytes, ok
UINT16 (8, 5) from uint16: 80 bytes, ok
INT32 (8, 3) from int32: 96 bytes, ok
UINT64 (8, 2) from uint64: 128 bytes, ok
INT64 (8, 3) from int64: 192 bytes, ok"
  # values outside the datatype, whatever the input type
  run drv_py -c '
import sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from shoal_dt import finnpy_to_packed_bytearray as pack
for values, dt in [(np.array([3, 40], np.int16), "INT4"), (np.array([[1, 2], [3, -1]], np.int8), "UINT2"),
                   (np.array([1, 256], np.uint16), "UINT8"), (np.array([0.5]), "UINT2"),
                   (np.array([np.nan], np.float32), "UINT2"), (np.array([True, False]), "BIPOLAR")]:
    try:
        pack(values, dt, True, True)
    except ValueError as e:
        print(e)' "$D"
  assert_output "40 is not a value of datatype INT4
-1 is not a value of datatype UINT2
256 is not a value of datatype UINT8
0.5 is not a value of datatype UINT2
nan is not a value of datatype UINT2
False is not a value of datatype BIPOLAR"
}

@test "shoal_dt: a batch of 1000 CIFAR-10 or MNIST frames needs at most twice the packed bytes" {
  # tracemalloc sees numpy's buffers: the peak of everything allocated while packing
  run drv_py -c '
import sys, tracemalloc
import numpy as np
sys.path.insert(0, sys.argv[1])
from shoal_dt import finnpy_to_packed_bytearray as pack
rng = np.random.RandomState(0)
for shape, dt, itype in [((1000, 32, 32, 3, 1), "UINT8", np.uint8),
                         ((1000, 32, 32, 3), "UINT8", np.uint8),
                         ((1000, 32, 32, 3), "INT8", np.int8),
                         ((1000, 16, 49), "BINARY", np.uint8)]:
    x = rng.randint(0, 2 if dt == "BINARY" else 100, size=shape).astype(itype)
    tracemalloc.start()
    p = pack(x, dt, reverse_inner=True, reverse_endian=True)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(shape, dt, p.nbytes, peak <= 2 * p.nbytes)' "$D"
  assert_output "(1000, 32, 32, 3, 1) UINT8 3072000 True
(1000, 32, 32, 3) UINT8 3072000 True
(1000, 32, 32, 3) INT8 3072000 True
(1000, 16, 49) BINARY 112000 True"
}

@test "the facile-like design: driver packing = TDATA bytes, rtlsim and execute() through the driver = expected" {
  local d=$BATS_TEST_TMPDIR/loop
  # its own copy (the simulator comes from the cache): the loop writes beside the model
  stitched_facile "$d"
  cp "$d/input.npy" "$d/acc_in.npy"
  driver_loop "$d"
  # 16 frames of 14 one-byte beats in, one one-byte beat out
  [ "$(stat -c %s "$d/in.bin")" = 224 ] && [ "$(stat -c %s "$d/hw_out.bin")" = 16 ]
  py -c 'import numpy as np, sys; assert (np.load(sys.argv[1]) == np.load(sys.argv[2])).all()' \
    "$d/drv_out.npy" "$d/expected_output.npy"
}

@test "host_serial.py: the protocol in --help, and frames through a pseudo-terminal" {
  run drv_py "$D/host_serial.py" --help
  assert_success
  assert_output --partial "host -> shell: one input frame, 14 byte(s): 14 beat(s) of 1 byte(s)."
  assert_output --partial "shell -> host: one output frame, 1 byte(s): 1 beat(s) of 1 byte(s)."
  assert_output --partial "byte 0 = TDATA[7:0]"
  assert_output --partial "8 bits wide and holds 1 INT6 element(s)"
  local d=$BATS_TEST_TMPDIR
  py "$P/ref_pack.py" in "$F/stitched.onnx" "$F/input.npy" "$d/in.bin"
  py "$P/ref_pack.py" out "$F/stitched.onnx" "$F/expected_output.npy" "$d/out.bin"
  run drv_py "$P/fake_uart.py" "$D" "$d/in.bin" "$d/out.bin" 16 "$F/input.npy" "$d/o.npy"
  assert_success
  assert_line "host_serial exit 0, device ok, frames of 14 and 1 bytes"
  assert_line --regexp \
    "^16 frame\(s\): 224 bytes sent, 16 received in [0-9.]+ s; results written to"
  py -c 'import numpy as np, sys; a, e = np.load(sys.argv[1]), np.load(sys.argv[2])
assert a.shape == e.shape and (a == e).all()' "$d/o.npy" "$F/expected_output.npy"
}

@test "host_serial.py: a device that stays silent is an error naming the frame, after --timeout" {
  run drv_py -c '
import os, pty, subprocess, sys
master, slave = pty.openpty()
r = subprocess.run([sys.executable, sys.argv[1] + "/host_serial.py", "--port", os.ttyname(slave),
                    "--io", "os", "--timeout", "0.2", "--inputfile", sys.argv[2],
                    "--outputfile", "/dev/null"], capture_output=True, text=True)
print(r.returncode, r.stderr.strip())' "$D" "$F/input.npy"
  assert_output "1 host_serial.py: error: frame 0: 0 of 1 output bytes arrived"
}

@test "driver.py without PYNQ: one error line; with the PYNQ stand-in: execute and throughput_test" {
  local d=$BATS_TEST_TMPDIR/board
  facile_board "$d"
  cd "$d"
  run drv_py driver.py --exec_mode execute --inputfile "$F/input.npy"
  assert_failure 1
  assert_output "driver.py: error: PYNQ is not installed: the overlay runs on the board\
 (AcceleratorIO packs and unpacks data anywhere)"
  export FAKE_PYNQ_TABLE=$d/table.npz
  for platform in zynq-iodma alveo; do
    run board_py driver.py --exec_mode execute --batchsize 16 --platform $platform \
      --inputfile "$F/input.npy" --outputfile out_$platform.npy
    assert_success
    assert_output "Results written to out_$platform.npy"
    same_npy out_$platform.npy "$F/expected_output.npy"
  done
  run board_py driver.py --batchsize 4 --inputfile "$F/input.npy"
  assert_failure 1
  assert_output "driver.py: error: input 0 has shape (16, 14), the accelerator takes (4, 14)\
 at batch size 4"
  export FAKE_PYNQ_TRACE=$d/trace.txt
  run board_py driver.py --exec_mode throughput_test --batchsize 100
  assert_success
  assert_output "Results written to nw_metrics.txt"
  run metrics nw_metrics.txt
  assert_line --index 0 "runtime[ms] throughput[images/s] DRAM_in_bandwidth[MB/s]\
 DRAM_out_bandwidth[MB/s] fclk[mhz] batch_size fold_input[ms] pack_input[ms]\
 copy_input_data_to_device[ms] copy_output_data_from_device[ms] unpack_output[ms]\
 unfold_output[ms]"
  # the bytes: 100 frames of 14 in, 1 out (zero frames, which the table does not know)
  assert_line --index 1 "100 100.0 1400.0 100.0"
  run grep "^run" trace.txt
  assert_output "run 100 frames: 1400 bytes in, 100 bytes out (table: 100 unknown)"
}

@test "the fabric clock: left as PYNQ programs it from the .hwh, set only by --fclk_mhz" {
  local d=$BATS_TEST_TMPDIR/board
  facile_board "$d"
  cd "$d"
  run drv_py driver.py --help
  assert_output --partial "--fclk_mhz FCLK_MHZ"
  assert_output --partial "(100 MHz)"
  export FAKE_PYNQ_TABLE=$d/table.npz FAKE_PYNQ_TRACE=$d/trace.txt
  # a bitfile whose clock is not the one driver.py records (100 MHz): the driver keeps it
  export FAKE_PYNQ_HWH_FCLK_MHZ=187.5
  run board_py driver.py --exec_mode throughput_test --batchsize 2
  assert_success
  run metrics nw_metrics.txt
  assert_line --index 1 "2 187.5 28.0 2.0"
  run grep -E "fclk0_mhz" trace.txt
  assert_output "download: fclk0_mhz 187.5"
  rm trace.txt
  run board_py driver.py --exec_mode throughput_test --batchsize 2 --fclk_mhz 50
  assert_success
  run metrics nw_metrics.txt
  assert_line --index 1 "2 50.0 28.0 2.0"
  run grep -E "fclk0_mhz" trace.txt
  assert_output "download: fclk0_mhz 187.5
Clocks.fclk0_mhz = 50.0"
}

@test "PYNQ 2.5 to 3.1: the DMAs as cells or through MMIO (<cell>/s_axi_control), int registers" {
  local d=$BATS_TEST_TMPDIR/board
  facile_board "$d"
  cd "$d"
  export FAKE_PYNQ_TABLE=$d/table.npz
  for v in 2.5 2.6 2.7 3.0 3.1; do
    run env FAKE_PYNQ_VERSION=$v PYTHONPATH="$FAKES" /usr/bin/python3 -B -s -c '
import sys
import numpy as np
import pynq
from driver import io_shape_dict
from driver_base import FINNExampleOverlay
accel = FINNExampleOverlay("resizer.bit", "zynq-iodma", io_shape_dict, batch_size=16)
y = accel.execute(np.load(sys.argv[1]))
assert (y == np.load(sys.argv[2])).all()
print(pynq.__version__, sorted(accel.ip_dict), type(accel.idma[0]).__name__)
# numpy integers for the batch size, as finn-examples notebooks pass them
del pynq.trace[:]
accel.execute_on_buffers(batch_size=np.int64(4))
print("\n".join(pynq.trace))' "$F/input.npy" "$F/expected_output.npy"
    assert_success
    case $v in
      2.5 | 2.6) keys="['idma0/s_axi_control', 'odma0/s_axi_control'] MMIO" api=MMIO ;;
      *) keys="['idma0', 'odma0'] DefaultIP" api=DefaultIP ;;
    esac
    # the output DMA first, then the input DMA (addresses above 4 GiB), then polling the
    # output DMA until ap_done
    assert_output "$v $keys
$api odma0 read 0x00 -> 0x4
$api odma0 write 0x10 0x20001000
$api odma0 write 0x14 0x1
$api odma0 write 0x1c 0x4
$api odma0 write 0x00 0x1
$api idma0 write 0x10 0x20000000
$api idma0 write 0x14 0x1
$api idma0 write 0x1c 0x4
$api idma0 write 0x00 0x1
run 4 frames: 56 bytes in, 4 bytes out (table: 0 unknown)
$api odma0 read 0x00 -> 0x1
$api odma0 read 0x00 -> 0x1
$api odma0 read 0x00 -> 0x6"
  done
  # a DMA the overlay does not have: named, with what ip_dict holds
  run env FAKE_PYNQ_VERSION=2.6 PYTHONPATH="$FAKES" /usr/bin/python3 -B -s -c '
from driver import io_shape_dict
from driver_base import FINNExampleOverlay
try:
    FINNExampleOverlay("resizer.bit", "zynq-iodma", dict(io_shape_dict, input_dma_name=["idma9"]))
except RuntimeError as e:
    print(e)'
  assert_output "the overlay has no DMA idma9: its ip_dict holds idma0/s_axi_control,\
 odma0/s_axi_control"
}

@test "Alveo: buffers without cacheable= on PYNQ 2.5 and 2.6 (XrtMemory.allocate), with it later" {
  local d=$BATS_TEST_TMPDIR/board
  facile_board "$d"
  cd "$d"
  export FAKE_PYNQ_TABLE=$d/table.npz
  for v in 2.5 2.6 3.1; do
    rm -f trace.txt
    run env FAKE_PYNQ_VERSION=$v FAKE_PYNQ_TRACE=trace.txt PYTHONPATH="$FAKES" \
      /usr/bin/python3 -B -s driver.py --platform alveo --batchsize 16 --inputfile "$F/input.npy"
    assert_success
    same_npy output.npy "$F/expected_output.npy"
    run grep -E "^(allocate|run)" trace.txt
    case $v in
      3.1) kw=" cacheable=False" ;;
      *) kw="" ;;
    esac
    assert_output "allocate (16, 14, 1) uint8$kw target=<fake Alveo xilinx_u250_xdma_201830_2>
allocate (16, 1, 1) uint8$kw target=<fake Alveo xilinx_u250_xdma_201830_2>
run 16 frames: 224 bytes in, 16 bytes out (table: 0 unknown)"
  done
}

@test "NumPy 1.16 semantics (PYNQ 2.6's image): packing, execute and throughput_test" {
  local d=$BATS_TEST_TMPDIR/board
  facile_board "$d"
  cd "$d"
  run numpy116_py -c '
import numpy as np
print(np.shoal_numpy116_shim, hasattr(np.random, "default_rng"), hasattr(np.random, "Generator"))
for f in (lambda: np.packbits(np.zeros(8, np.uint8), bitorder="little"),
          lambda: np.unpackbits(np.zeros(1, np.uint8), count=8),
          lambda: np.zeros_like(np.zeros(3), shape=(2,))):
    try:
        f()
    except TypeError as e:
        print(e)'
  assert_output "True False False
'bitorder' is an invalid keyword argument for packbits() (NumPy 1.16; the argument came in 1.17)
'count' is an invalid keyword argument for unpackbits() (NumPy 1.16; the argument came in 1.17)
'shape' is an invalid keyword argument for zeros_like() (NumPy 1.16; the argument came in 1.17)"
  # every width and input type packs as with today's NumPy
  run drv_py "$P/pack_cases.py" "$D"
  assert_success
  local today=$output
  run numpy116_py "$P/pack_cases.py" "$D"
  assert_success
  assert_output "$today"
  # the whole driver on a PYNQ 2.6 stand-in
  export FAKE_PYNQ_TABLE=$d/table.npz FAKE_PYNQ_VERSION=2.6
  run numpy116_py driver.py --exec_mode execute --batchsize 16 --inputfile "$F/input.npy"
  assert_success
  same_npy output.npy "$F/expected_output.npy"
  run numpy116_py driver.py --exec_mode throughput_test --batchsize 10
  assert_success
  run metrics nw_metrics.txt
  assert_line --index 1 "10 100.0 140.0 10.0"
  # random inputs of every kind of datatype
  run numpy116_py -c '
import sys
import numpy as np
from shoal_dt import DataType, gen_finn_dt_tensor, random_tensor
np.random.seed(1)
for name in ("BIPOLAR", "BINARY", "TERNARY", "INT4", "UINT8", "INT8", "UINT16", "INT33", "UINT64"):
    x = random_tensor(name, (3, 50))
    g = gen_finn_dt_tensor(name, (2, 2), seed=4)
    print(name, x.dtype, DataType[name].allowed(x), g.dtype, DataType[name].allowed(g))'
  assert_success
  assert_output "BIPOLAR int8 True float32 True
BINARY uint8 True float32 True
TERNARY int8 True float32 True
INT4 int8 True float32 True
UINT8 uint8 True float32 True
INT8 int8 True float32 True
UINT16 uint16 True float32 True
INT33 int64 True float32 True
UINT64 uint64 True float32 True"
}

@test "validate.py with PYNQ and dataset stand-ins: batches, top-1 accuracy" {
  local d=$BATS_TEST_TMPDIR/board
  facile_board "$d"
  cd "$d"
  py -c '
import numpy as np, sys
y = np.load(sys.argv[2])
labels = y.reshape(-1).astype(np.uint8)
labels[3] = (labels[3] + 1) % 16  # one wrong label: 15 of 16 right
# as a data set loader gives them: integers (here int8, the input is INT6)
np.savez(sys.argv[3], x=np.load(sys.argv[1]).astype(np.int8), y=labels)
' "$F/input.npy" "$F/expected_output.npy" mnist.npz
  run env PYTHONPATH="$FAKES" FAKE_PYNQ_TABLE=table.npz FAKE_MNIST=mnist.npz \
    /usr/bin/python3 -B -s validate.py --dataset mnist --batchsize 8
  assert_success
  assert_output "batch 1 / 2 : total OK 7 NOK 1
batch 2 / 2 : total OK 15 NOK 1
Final accuracy: 93.750000"
  run drv_py validate.py --dataset mnist
  assert_failure 1
  assert_output --partial "validate.py: error: No module named 'dataset_loading'"
}

@test "--deploy without a bitfile: the driver and a README naming the Vivado step" {
  local out=$BATS_TEST_TMPDIR/o
  run pynq-driver "$F/stitched.onnx" --out-dir "$out" --deploy "$out/deploy"
  assert_success
  assert_line --index 0 "pynq-driver: warning: no finn-accel.bit in $out/bitfile:\
 $out/deploy/bitfile/README.md says which step makes it"
  diff -r "$out/driver" "$out/deploy/driver"
  diff -r "$D" "$out/deploy/driver"
  run ls -A "$out/deploy/bitfile"
  assert_output "README.md"
  run cat "$out/deploy/bitfile/README.md"
  assert_output --partial "step_synthesize_bitfile"
  assert_output --partial "needs Vivado"
  assert_output --partial "- finn-accel.bit
- finn-accel.hwh"
  assert_output --partial "--bitfile ../bitfile/finn-accel.bit"
  ! grep -rlE "$BATS_TEST_TMPDIR|$ROOT" "$out/deploy"
  pynq-driver "$F/stitched.onnx" --out-dir "$out" --deploy "$out/deploy2" --platform alveo \
    2> /dev/null
  run cat "$out/deploy2/bitfile/README.md"
  assert_output --partial "finn-accel.xclbin"
  assert_output --partial "Vitis"
}

@test "--deploy with bitfiles: FINN's layout, bitfile folder copied, the README gone" {
  local out=$BATS_TEST_TMPDIR/o
  pynq-driver "$F/stitched.onnx" --out-dir "$out" --deploy "$out/deploy" 2> /dev/null
  mkdir -p "$out/bitfile"
  printf 'bit' > "$out/bitfile/finn-accel.bit"
  printf 'hwh' > "$out/bitfile/finn-accel.hwh"
  run pynq-driver "$F/stitched.onnx" --out-dir "$out" --deploy "$out/deploy"
  assert_success
  refute_output --partial "warning"
  run ls -A "$out/deploy" "$out/deploy/bitfile"
  assert_output "$out/deploy:
bitfile
driver

$out/deploy/bitfile:
finn-accel.bit
finn-accel.hwh"
  cmp "$out/bitfile/finn-accel.hwh" "$out/deploy/bitfile/finn-accel.hwh"
  # bitfiles elsewhere, one of the pair missing
  mkdir "$BATS_TEST_TMPDIR/bits"
  printf 'bit' > "$BATS_TEST_TMPDIR/bits/finn-accel.bit"
  run pynq-driver "$F/stitched.onnx" --out-dir "$out" --deploy "$BATS_TEST_TMPDIR/d3" \
    --bitfile-dir "$BATS_TEST_TMPDIR/bits"
  assert_success
  assert_line --index 0 "pynq-driver: warning: $BATS_TEST_TMPDIR/bits has finn-accel.bit but no\
 finn-accel.hwh, which PYNQ needs beside it"
  [ -f "$BATS_TEST_TMPDIR/d3/bitfile/finn-accel.bit" ]
}

@test "a model that is not stitched is refused, nothing written" {
  run pynq-driver "$F/folded.onnx" --out-dir "$BATS_TEST_TMPDIR/x"
  assert_failure 1
  assert_output "pynq-driver: error: $F/folded.onnx records no stitched design (run stitch first)"
  run pynq-driver "$F/parent.onnx" --out-dir "$BATS_TEST_TMPDIR/x"
  assert_failure 1
  assert_output "pynq-driver: error: $F/parent.onnx records no stitched design (run stitch first)"
  run pynq-driver "$BATS_TEST_TMPDIR/none.onnx" --out-dir "$BATS_TEST_TMPDIR/x"
  assert_failure 1
  assert_output --partial "pynq-driver: error: cannot read '$BATS_TEST_TMPDIR/none.onnx'"
  [ ! -e "$BATS_TEST_TMPDIR/x" ]
}

@test "bad usage: no --out-dir, no model, an unknown platform, a bad clock, --bitfile-dir alone" {
  run pynq-driver "$F/stitched.onnx"
  assert_failure 2
  assert_line --index 0 "pynq-driver: error: --out-dir DIR is required"
  run pynq-driver --out-dir "$BATS_TEST_TMPDIR/x"
  assert_failure 2
  assert_line --index 0 "pynq-driver: error: expected a stitched model"
  run pynq-driver "$F/stitched.onnx" --out-dir "$BATS_TEST_TMPDIR/x" --platform pynq-z1
  assert_failure 2
  assert_line --index 0 \
    "pynq-driver: error: unknown platform 'pynq-z1': expected zynq-iodma or alveo"
  run pynq-driver "$F/stitched.onnx" --out-dir "$BATS_TEST_TMPDIR/x" --bitfile-dir b
  assert_failure 2
  assert_line --index 0 "pynq-driver: error: --bitfile-dir goes with --deploy"
  run pynq-driver "$F/stitched.onnx" --out-dir "$BATS_TEST_TMPDIR/x" --clk-ns 0
  assert_failure 1
  assert_output "pynq-driver: error: clock period '0' is not a positive number of ns"
  run pynq-driver "$F/stitched.onnx" --out-dir "$BATS_TEST_TMPDIR/x" --clk-ns fast
  assert_failure 1
  assert_output "pynq-driver: error: clock period 'fast' is not a positive number of ns"
  [ ! -e "$BATS_TEST_TMPDIR/x" ]
}

@test "facile_like: packed by the driver, rtlsim, unpacked; execute() on PYNQ 2.6 and 3.1 = expected" {
  require_shared
  shared_driver_loop facile_like
}

@test "TFC_1W1A: driver packing, rtlsim, unpacking, execute() on PYNQ 2.6 and 3.1, host nodes = expected" {
  require_shared
  shared_driver_loop TFC_1W1A
}

@test "TFC_1W2A: driver packing, rtlsim, unpacking, execute() on PYNQ 2.6 and 3.1, host nodes = expected" {
  require_shared
  shared_driver_loop TFC_1W2A
}

@test "TFC_2W2A: driver packing, rtlsim, unpacking, execute() on PYNQ 2.6 and 3.1, host nodes = expected" {
  require_shared
  shared_driver_loop TFC_2W2A
}

@test "unsw_nb15-mlp-w2a2: packed by the driver, rtlsim, unpacked; execute() on PYNQ 2.6 and 3.1 = expected" {
  require_shared
  shared_driver_loop unsw_nb15-mlp-w2a2
}

@test "TFC_2W2A with five INT8 outputs a beat (last layer PE=5): the same loop" {
  require_shared
  shared_driver_loop TFC_2W2A '{"Defaults": {}, "StreamingFCLayer_Batch_3": {"PE": 5}}'
  run grep -E '"o(dt|shape_folded|shape_packed)"' "$BATS_TEST_TMPDIR/TFC_2W2A/out/driver/driver.py"
  assert_output '    "odt": [DataType['"'INT8'"']],
    "oshape_folded": [(1, 2, 5)],
    "oshape_packed": [(1, 2, 5)],'
}
