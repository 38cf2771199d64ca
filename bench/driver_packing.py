#!/usr/bin/env python3
"""Times the generated PYNQ driver's packing and unpacking (shoal_dt.py, from
tools/pynq-driver/python) on batches of 1000 frames, and writes the medians as JSON.

    python3 bench/driver_packing.py [--runs N] [--out bench/results/driver_packing.json]
                                    [--baseline OTHER/shoal_dt.py --baseline-label NAME]

Per case: finnpy_to_packed_bytearray with the driver's flags (reverse_inner and
reverse_endian, as pack_input calls it), median and minimum wall time over N runs; for
comparison a plain byte cast of the same input (x.astype(np.uint8), a copy); the peak of
everything allocated while packing (tracemalloc, which sees numpy's buffers) against the
packed buffer's size; packed_bytearray_to_finnpy of the result (the driver's unpack_output),
its median time and peak against the float32 output's size. Every case is checked to
round-trip. --baseline times another shoal_dt.py (e.g. one from an older generated driver)
on the same inputs.

The cases: CIFAR-10 (32x32x3 UINT8, in FINN's (N, 32, 32, 3, 1) folded shape, three pixels
a beat, as uint8, int8 and float32), MNIST-like 1-bit (N, 16, 49) as uint8 and as FINN's
float32, 2-bit and 4-bit beats, the facile-like INT6 input, 3-bit beats that straddle the
64-bit words.
"""
import argparse
import importlib.util
import os
import statistics
import sys
import time
import tracemalloc

import numpy as np

from models import write_results

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools", "pynq-driver", "python"))
import shoal_dt  # noqa: E402

FRAMES = 1000
CASES = [  # name, shape, datatype, input type
    ("cifar10_finn_shape_uint8", (FRAMES, 32, 32, 3, 1), "UINT8", np.uint8),
    ("cifar10_uint8", (FRAMES, 32, 32, 3), "UINT8", np.uint8),
    ("cifar10_int8", (FRAMES, 32, 32, 3), "INT8", np.int8),
    ("cifar10_float32", (FRAMES, 32, 32, 3), "UINT8", np.float32),
    ("mnist_binary_uint8", (FRAMES, 16, 49), "BINARY", np.uint8),
    ("mnist_bipolar_float32", (FRAMES, 16, 49), "BIPOLAR", np.float32),
    ("int2_10_per_beat", (FRAMES, 64, 10), "INT2", np.int8),
    ("uint4_16_per_beat", (FRAMES, 49, 16), "UINT4", np.uint8),
    ("facile_int6", (FRAMES, 14, 1), "INT6", np.int8),
    ("uint3_64_per_beat", (FRAMES, 49, 64), "UINT3", np.uint8),
]


def random_input(shape, name, itype, rng):
    dt = shoal_dt.DataType[name]
    if name == "BIPOLAR":
        return (rng.randint(0, 2, size=shape) * 2 - 1).astype(itype)
    return rng.randint(dt.min(), dt.max() + 1, size=shape).astype(itype)


def timed(fn, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times) * 1000, 4), round(min(times) * 1000, 4)


def peak_bytes(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def load_module(path):
    spec = importlib.util.spec_from_file_location("baseline_shoal_dt", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "driver_packing.json"))
    ap.add_argument("--baseline", help="another shoal_dt.py to time on the same inputs")
    ap.add_argument("--baseline-label", default="baseline")
    args = ap.parse_args()
    baseline = load_module(args.baseline) if args.baseline else None
    rng = np.random.RandomState(0)
    results = {}
    for name, shape, dt, itype in CASES:
        x = random_input(shape, dt, itype, rng)
        pack = lambda: shoal_dt.finnpy_to_packed_bytearray(x, dt, True, True)  # noqa: E731
        packed = pack()
        unpack = lambda: shoal_dt.packed_bytearray_to_finnpy(packed, dt, shape, True, True)  # noqa: E731,E501
        if not np.array_equal(unpack(), x.astype(np.float32)):
            raise SystemExit("driver_packing: %s does not round-trip" % name)
        pack_median, pack_min = timed(pack, args.runs)
        cast_median, _ = timed(lambda: x.astype(np.uint8), args.runs)
        unpack_median, unpack_min = timed(unpack, args.runs)
        out_bytes = int(np.prod(shape)) * 4
        r = {"shape": list(shape), "datatype": dt, "input_dtype": np.dtype(itype).name,
             "input_bytes": x.nbytes, "packed_bytes": packed.nbytes,
             "pack_median_ms": pack_median, "pack_min_ms": pack_min,
             "byte_cast_median_ms": cast_median,
             "pack_over_byte_cast": round(pack_median / cast_median, 2),
             "pack_peak_bytes": peak_bytes(pack),
             "unpack_median_ms": unpack_median, "unpack_min_ms": unpack_min,
             "unpack_peak_bytes": peak_bytes(unpack)}
        r["pack_peak_over_packed"] = round(r["pack_peak_bytes"] / packed.nbytes, 2)
        r["unpack_peak_over_output"] = round(r["unpack_peak_bytes"] / out_bytes, 2)
        if baseline is not None:
            try:
                r[args.baseline_label + "_pack_median_ms"] = timed(
                    lambda: baseline.finnpy_to_packed_bytearray(x, dt, True, True),
                    max(3, args.runs // 4))[0]
                r[args.baseline_label + "_pack_peak_bytes"] = peak_bytes(
                    lambda: baseline.finnpy_to_packed_bytearray(x, dt, True, True))
            except Exception as e:  # an older driver may not handle every case
                r[args.baseline_label + "_pack_error"] = "%s: %s" % (type(e).__name__, e)
        results[name] = r
        print(name, {k: r[k] for k in ("pack_median_ms", "byte_cast_median_ms",
                                       "pack_peak_over_packed", "unpack_median_ms")})
    fields = {"runs": args.runs, "frames": FRAMES, "numpy": np.__version__,
              "python": "%d.%d" % sys.version_info[:2], "cases": results}
    if baseline is not None:
        fields["baseline"] = args.baseline_label
    write_results(args.out, fields)


if __name__ == "__main__":
    main()
