#!/usr/bin/env python3
"""Verilator build time and simulation speed of the stitched design of every shared model
(and of the generated facile-like MLP), folded at PE=SIMD=1 and at target_fps 1e6
(clock 10 ns), and the time FIFO sizing takes. Writes JSON.
The convolutional models are folded at target_fps 1000 and 10000 instead (their designs at
PE=SIMD=1 need millions of cycles per frame).

    python3 bench/rtlsim.py [--bin build/bin] [--frames N] [--only NAME,...]
                            [--out bench/results/rtlsim.json]

Per model and folding:
  stitch_s        wall time of `stitch` (FIFO sizing: two Verilator builds and runs, then
                  the stitched IP), from an empty simulator cache, ccache disabled
  build_s         Verilator build of the stitched design alone (`rtlsim --perf`, empty cache)
  cycles, sim_s   the performance run of N frames; cycles_per_s = cycles / sim_s
"""
import argparse
import os
import re
import shutil
import subprocess
import tempfile
import time

from models import bench_models, write_results

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONV_MODELS = {"cnv_w1a1", "small_cnn_w4a4"}


def run(cmd, env, cwd):
    r = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stderr}")
    return r.stderr


def measure(bin_dir, model, work, fps, frames):
    def tool(name):
        return os.path.join(bin_dir, name)
    os.makedirs(work)
    env = dict(os.environ, CCACHE_DISABLE="1", SHOAL_SIM_CACHE=os.path.join(work, "cache1"))
    tidy = subprocess.run([tool("onnx-tidy"), model], capture_output=True, check=True).stdout
    stream = subprocess.run([tool("streamline")], input=tidy, capture_output=True, check=True).stdout
    subprocess.run([tool("to-hls"), "-o", os.path.join(work, "parent.onnx")], input=stream,
                   capture_output=True, check=True)
    fold = [tool("fold"), "parent_partition_0.onnx", "--clk-ns", "10", "-o", "folded.onnx"]
    if fps:
        fold += ["--target-fps", str(fps)]
    run(fold, env, work)
    t0 = time.perf_counter()
    log = run([tool("stitch"), "folded.onnx", "-o", "stitched.onnx", "--out-dir", "st"], env, work)
    stitch_s = time.perf_counter() - t0
    bits = re.search(r"total FIFO bits (\d+); (\d+) cycles sized vs (\d+) deep", log)
    env["SHOAL_SIM_CACHE"] = os.path.join(work, "cache2")
    log = run([tool("rtlsim"), "stitched.onnx", "--perf", "--report-dir", "rep", "-n", str(frames)],
              env, work)
    build = re.search(r"built the simulator in ([0-9.e+-]+) s", log)
    sim = re.search(r"(\d+) cycles in ([0-9.e+-]+) s", log)
    cycles, sim_s = int(sim.group(1)), float(sim.group(2))
    return {"stitch_s": round(stitch_s, 2), "build_s": round(float(build.group(1)), 2),
            "frames": frames, "cycles": cycles, "sim_s": round(sim_s, 4),
            "cycles_per_s": round(cycles / sim_s), "fifo_bits": int(bits.group(1)),
            "sized_cycles": int(bits.group(2)), "deep_cycles": int(bits.group(3))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--frames", type=int, default=100)
    ap.add_argument("--only", help="comma-separated model names (default: all)")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "rtlsim.json"))
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="shoal-bench-rtlsim-")
    models = {name: paths[0] for name, paths in bench_models(args.bin, tmp).items()}
    if args.only:
        models = {n: m for n, m in models.items() if n in args.only.split(",")}
    results = {}
    for name, model in models.items():
        conv = name in CONV_MODELS
        foldings = ((("target_fps_1e3", 1000), ("target_fps_1e4", 10000)) if conv else
                    (("pe_simd_1", None), ("target_fps_1e6", 1000000)))
        for label, fps in foldings:
            r = measure(args.bin, model, os.path.join(tmp, f"{name}_{label}"), fps, args.frames)
            results.setdefault(name, {})[label] = r
            print(name, label, r, flush=True)
    write_results(args.out, {"clock_ns": 10, "rtlsim": results})
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
