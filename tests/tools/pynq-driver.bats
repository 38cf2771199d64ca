#!/usr/bin/env bats
# pynq-driver: FINN's step_make_pynq_driver and step_deployment_package. The generated
# Python runs here with /usr/bin/python3 and numpy only (no PYNQ, no FINN): its packing is
# checked against the table of hardware.md §2 and against TDATA words computed here from the
# stitched model alone; rtlsim closes the loop on every shared model.

# The Python the tests use besides the generated files, written into $1:
#  ref_pack.py  the expected stream bytes, from the stitched model's first/last layer
#               attributes and port widths, one Python int per TDATA word (independent of
#               the driver's vectorised packing);
#  drv.py       the generated driver's packing, as a board-less user would call it;
#  split.py     a parent model's host nodes before/after its partition as two models;
#  fake_uart.py a device on a pseudo-terminal answering host_serial.py frame by frame;
#  fake/        stand-ins for the pynq and dataset_loading packages.
write_test_python() {
  local d=$1
  mkdir -p "$d/fake/pynq" "$d/fake/dataset_loading"
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
  # A PYNQ stand-in: the "hardware" answers each input frame with the output frame that
  # FAKE_PYNQ_TABLE (.npz: in, out = frame bytes, one row per frame) gives, zeros for
  # frames it does not know; it insists that the output DMA starts before the input DMA.
  cat > "$d/fake/pynq/__init__.py" <<'EOF'
import os
import numpy as np
_memory = {}
_next = [0x1_2000_0000]  # above 4 GiB: the driver must write the high address word

class PynqBuffer(np.ndarray):
    def flush(self):
        self.flushed = True
    def invalidate(self):
        pass

def allocate(shape, dtype="u4", target=None, cacheable=False):
    buf = np.zeros(shape, dtype=dtype).view(PynqBuffer)
    buf.device_address = _next[0]
    _next[0] += (buf.nbytes + 0xFFF) & ~0xFFF
    _memory[buf.device_address] = buf
    return buf

def _table():
    t = np.load(os.environ["FAKE_PYNQ_TABLE"])
    return {bytes(i): bytes(o) for i, o in zip(t["in"], t["out"])}

class _Handle:
    def wait(self):
        pass

class _Dma:
    def __init__(self, overlay, is_input):
        self.regs = {0: 0x4}
        self.overlay, self.is_input = overlay, is_input
    def read(self, offset):
        return self.regs.get(offset, 0)
    def write(self, offset, value):
        self.regs[offset] = value
        if offset == 0 and value & 1:
            address = self.regs[0x10] | (self.regs.get(0x14, 0) << 32)
            self.go(_memory[address], self.regs[0x1C])
    def start(self, buf, reps):
        self.go(buf, reps)
        return _Handle()
    def go(self, buf, reps):
        self.regs[0] = 0x1
        if not self.is_input:
            self.overlay.out = (buf, reps)
            return
        out, out_reps = self.overlay.out
        assert out_reps == reps
        table = _table()
        frames_in = buf.reshape(buf.shape[0], -1)[:reps]
        frames_out = out.reshape(out.shape[0], -1)
        for f in range(reps):
            frames_out[f] = np.frombuffer(
                table.get(frames_in[f].tobytes(), bytes(frames_out.shape[1])), np.uint8)
        self.regs[0] = 0x6
        self.overlay.odma0.regs[0] = 0x6
        self.overlay.runs += 1

class Overlay:
    def __init__(self, bitfile_name, download=True, device=None):
        if not os.path.exists(bitfile_name):
            raise IOError("Bitstream file %s does not exist." % bitfile_name)
        self.idma0, self.odma0 = _Dma(self, True), _Dma(self, False)
        self.out, self.runs = None, 0
        self.clock_dict = {"clock0": {"frequency": 250.0}}

class Device:
    devices = ["card0"]
EOF
  cat > "$d/fake/pynq/ps.py" <<'EOF'
class Clocks:
    fclk0_mhz = 50.0
EOF
  touch "$d/fake/dataset_loading/__init__.py"
  cat > "$d/fake/dataset_loading/mnist.py" <<'EOF'
import os
import numpy as np
def load_mnist_data(root, download=True, one_hot=False):
    t = np.load(os.environ["FAKE_MNIST"])
    return None, None, t["x"], t["y"], None, None
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
}

# The generated driver's Python, without PYTHONPATH, user site packages or __pycache__.
drv_py() { /usr/bin/python3 -B -E -s "$@"; }

# The loop of the issue for one stitched design: the driver packs the accelerator's input
# into exactly the TDATA bytes computed from the model; rtlsim's outputs, packed by the
# driver as the hardware would send them (again the bytes computed from the model),
# unpack to onnx-exec's outputs of the folded model. Files in $1: stitched.onnx,
# folded.onnx, acc_in.npy; leaves in.bin, hw_out.bin and drv_out.npy there.
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
  if [ -e "$d/post.onnx" ]; then
    onnx-exec "$d/post.onnx" "$d/drv_out.npy" --expect "$SHARED/$m/expected_output.npy" \
      --atol "$(shared_atol $m)" > /dev/null
  else
    py -c 'import numpy as np, sys; assert (np.load(sys.argv[1]) == np.load(sys.argv[2])).all()' \
      "$d/drv_out.npy" "$SHARED/$m/expected_output.npy"
  fi
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
    step_make_pynq_driver step_deployment_package --deploy --bitfile-dir --clk-ns; do
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

@test "the facile-like design: driver packing = TDATA bytes, rtlsim through the driver = expected" {
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

@test "driver.py without PYNQ: one error line; with a PYNQ stand-in: execute and throughput_test" {
  local d=$BATS_TEST_TMPDIR/board
  cp -r "$D" "$d"
  cd "$d"
  run drv_py driver.py --exec_mode execute --inputfile "$F/input.npy"
  assert_failure 1
  assert_output "driver.py: error: PYNQ is not installed: the overlay runs on the board\
 (AcceleratorIO packs and unpacks data anywhere)"
  # the stand-in hardware knows the 16 frames: their bytes in and out, computed from the model
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
  touch resizer.bit
  export FAKE_PYNQ_TABLE=$d/table.npz
  for platform in zynq-iodma alveo; do
    run env PYTHONPATH="$P/fake" /usr/bin/python3 -B -s driver.py --exec_mode execute \
      --batchsize 16 --platform $platform --inputfile "$F/input.npy" --outputfile out_$platform.npy
    assert_success
    assert_output "Results written to out_$platform.npy"
    py -c 'import numpy as np, sys; a, e = np.load(sys.argv[1]), np.load(sys.argv[2])
assert a.shape == e.shape and (a == e).all()' out_$platform.npy "$F/expected_output.npy"
  done
  run env PYTHONPATH="$P/fake" /usr/bin/python3 -B -s driver.py --batchsize 4 \
    --inputfile "$F/input.npy"
  assert_failure 1
  assert_output "driver.py: error: input 0 has shape (16, 14), the accelerator takes (4, 14)\
 at batch size 4"
  run env PYTHONPATH="$P/fake" /usr/bin/python3 -B -s driver.py --exec_mode throughput_test \
    --batchsize 100
  assert_success
  assert_output "Results written to nw_metrics.txt"
  run py -c '
import ast, sys
r = ast.literal_eval(open(sys.argv[1]).read())
print(*r)
# bandwidth times runtime: the bytes moved
moved = lambda key: round(r[key] * r["runtime[ms]"] * 1e3, 6)
print(r["batch_size"], r["fclk[mhz]"], moved("DRAM_in_bandwidth[MB/s]"),
      moved("DRAM_out_bandwidth[MB/s]"))' nw_metrics.txt
  assert_line --index 0 "runtime[ms] throughput[images/s] DRAM_in_bandwidth[MB/s]\
 DRAM_out_bandwidth[MB/s] fclk[mhz] batch_size fold_input[ms] pack_input[ms]\
 copy_input_data_to_device[ms] copy_output_data_from_device[ms] unpack_output[ms]\
 unfold_output[ms]"
  # fclk: what the driver set (the model's 10 ns); the bytes: 100 frames of 14 in, 1 out
  assert_line --index 1 "100 100.0 1400.0 100.0"
}

@test "validate.py with PYNQ and dataset stand-ins: batches, top-1 accuracy" {
  local d=$BATS_TEST_TMPDIR/board
  cp -r "$D" "$d"
  cd "$d"
  py -c '
import numpy as np, sys
sys.path.insert(0, sys.argv[1])
from ref_pack import stream, tdata_bytes
x, y = np.load(sys.argv[3]), np.load(sys.argv[4])
table = {"in": np.array([list(tdata_bytes(r, *stream(sys.argv[2], "in"))) for r in x], np.uint8),
         "out": np.array([list(tdata_bytes(r, *stream(sys.argv[2], "out"))) for r in y], np.uint8)}
np.savez(sys.argv[5], **table)
labels = y.reshape(-1).astype(np.uint8)
labels[3] = (labels[3] + 1) % 16  # one wrong label: 15 of 16 right
np.savez(sys.argv[6], x=x.astype(np.float32), y=labels)
' "$P" "$F/stitched.onnx" "$F/input.npy" "$F/expected_output.npy" table.npz mnist.npz
  touch resizer.bit
  run env PYTHONPATH="$P/fake" FAKE_PYNQ_TABLE=table.npz FAKE_MNIST=mnist.npz \
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

@test "facile_like: input.npy packed by the driver, through rtlsim, unpacked = expected" {
  require_shared
  shared_driver_loop facile_like
}

@test "TFC_1W1A: driver packing, rtlsim, driver unpacking and the host nodes = expected" {
  require_shared
  shared_driver_loop TFC_1W1A
}

@test "TFC_1W2A: driver packing, rtlsim, driver unpacking and the host nodes = expected" {
  require_shared
  shared_driver_loop TFC_1W2A
}

@test "TFC_2W2A: driver packing, rtlsim, driver unpacking and the host nodes = expected" {
  require_shared
  shared_driver_loop TFC_2W2A
}

@test "unsw_nb15-mlp-w2a2: input.npy packed by the driver, through rtlsim, unpacked = expected" {
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
