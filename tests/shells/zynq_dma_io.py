# zynq_dma_io.py: the host side of the Zynq shell test, with the generated PYNQ driver's
# own packing (driver_base.AcceleratorIO), numpy only:
#
#   params DRIVER_DIR STITCHED.onnx [PORT_BITS]
#       the IODMA parameters of the design as shell assignments (I_* for idma0, O_* for
#       odma0): STREAM_BITS = the stitched port's TDATA width (s_axis_0/m_axis_0),
#       FRAME_BYTES = STREAM_BITS/8 * beats per frame (the folded shape without batch and
#       innermost dimension), INTF_BITS = max(32, gcd(FRAME_BYTES*8, PORT_BITS)) (FINN's
#       InsertIODMA width, raised to the narrowest SmartConnect endpoint, as the bitfile
#       step chooses it); FRAME_BYTES is checked against the driver's packed shape
#   pack DRIVER_DIR FRAMES SEED OUT_DIR
#       random inputs of the driver's input type and shape -> OUT_DIR/acc_in.npy and the
#       packed input buffer OUT_DIR/in.bin
#   expect DRIVER_DIR REF.npy OUT.bin
#       the output buffer the hardware must write for the outputs REF.npy
#   check DRIVER_DIR BUFFER.bin REF.npy
#       unpacks an output buffer with the driver and compares it with REF.npy
import json
import math
import sys

import numpy as np

sys.path.insert(0, sys.argv[2])
from driver import io_shape_dict  # noqa: E402
from driver_base import AcceleratorIO  # noqa: E402

mode = sys.argv[1]
if mode == "params":
    import onnx
    m = onnx.load(sys.argv[3])
    port_bits = int(sys.argv[4]) if len(sys.argv) > 4 else 64
    ports = json.loads({p.key: p.value for p in m.metadata_props}["vivado_stitch_ifnames"])
    io = AcceleratorIO(io_shape_dict, batch_size=1)
    for prefix, port, folded, packed in (
            ("I", ports["s_axis"][0][1], io.ishape_folded(), io.ishape_packed()),
            ("O", ports["m_axis"][0][1], io.oshape_folded(), io.oshape_packed())):
        frame_bytes = port // 8 * int(np.prod(folded[1:-1]))
        assert frame_bytes == int(np.prod(packed[1:])), (frame_bytes, packed)
        print("%s_STREAM_BITS=%d" % (prefix, port))
        print("%s_FRAME_BYTES=%d" % (prefix, frame_bytes))
        print("%s_INTF_BITS=%d" % (prefix, max(32, math.gcd(frame_bytes * 8, port_bits))))
elif mode == "pack":
    n, seed, out = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    io = AcceleratorIO(io_shape_dict, batch_size=n)
    np.random.seed(seed)
    x = io.random_input()
    np.save(out + "/acc_in.npy", x.astype(np.float32))
    packed = io.pack_input(io.fold_input(x))
    assert packed.dtype == np.uint8
    packed.tofile(out + "/in.bin")
elif mode == "expect":
    ref = np.load(sys.argv[3])
    io = AcceleratorIO(io_shape_dict, batch_size=ref.shape[0])
    io.pack_output(io.fold_output(ref.reshape(io.oshape_normal()))).tofile(sys.argv[4])
elif mode == "check":
    ref = np.load(sys.argv[4])
    io = AcceleratorIO(io_shape_dict, batch_size=ref.shape[0])
    buf = np.fromfile(sys.argv[3], dtype=np.uint8).reshape(io.oshape_packed())
    got = io.unfold_output(io.unpack_output(buf))
    assert got.shape == ref.shape and (got == ref).all(), "unpacked outputs differ"
    print("outputs match: %d frames" % ref.shape[0])
else:
    raise SystemExit("zynq_dma_io.py: unknown mode " + mode)
