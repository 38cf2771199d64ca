#!/usr/bin/env python3
"""Times onnx-tidy, onnx-exec, streamline and to-hls on every shared model (and the generated
facile-like MLP) and writes the medians as JSON.

    python3 bench/frontend.py [--runs N] [--bin build/bin] [--out bench/results/frontend.json]

Wall-clock seconds per invocation of the real executables, median over N runs; onnx-exec
runs the whole input.npy batch of the model (16 samples for the shared models).
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time

from models import bench_models

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "frontend.json"))
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="shoal-bench-")
    models = bench_models(args.bin, tmp)
    results = {}
    for name, (model, inp) in models.items():
        tidy = os.path.join(tmp, name + ".tidy.onnx")
        out = os.path.join(tmp, name + ".out.npy")
        r = {}
        r["onnx-tidy_s"] = timed([os.path.join(args.bin, "onnx-tidy"), model, "-o", tidy], args.runs)
        r["onnx-exec_s"] = timed([os.path.join(args.bin, "onnx-exec"), model, inp, "-o", out], args.runs)
        r["onnx-exec_tidy_s"] = timed([os.path.join(args.bin, "onnx-exec"), tidy, inp, "-o", out], args.runs)
        sl = os.path.join(tmp, name + ".streamlined.onnx")
        parent = os.path.join(tmp, name + ".parent.onnx")
        r["streamline_s"] = timed([os.path.join(args.bin, "streamline"), tidy, "-o", sl], args.runs)
        r["to-hls_s"] = timed([os.path.join(args.bin, "to-hls"), sl, "-o", parent], args.runs)
        r["onnx-exec_parent_s"] = timed([os.path.join(args.bin, "onnx-exec"), parent, inp, "-o", out], args.runs)
        results[name] = {k: round(v, 4) for k, v in r.items()}
        print(name, results[name])
    report = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
              "runs": args.runs, "median_seconds": results}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
