#!/usr/bin/env python3
"""Times FINN's estimate-only build (build-dataflow, seven steps) from scratch on every
shared model and on the generated facile-like MLP, and writes the medians as JSON.

    python3 bench/estimate_build.py [--runs N] [--bin build/bin] [--out bench/results/estimate_build.json]

Wall-clock seconds of one `build-dataflow MODEL CONFIG` run into an empty output directory
(every step runs), median over N runs. The configuration is the reference notebook's
(target_fps 100, synth_clk_period_ns 200.0, estimate_reports).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

from models import bench_models, write_results

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STEPS = ["step_tidy_up", "step_streamline", "step_convert_to_hls", "step_create_dataflow_partition",
         "step_target_fps_parallelization", "step_apply_folding_config", "step_generate_estimate_reports"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "estimate_build.json"))
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="shoal-bench-")
    cfg = os.path.join(tmp, "cfg.json")
    with open(cfg, "w") as f:
        json.dump({"output_dir": "out", "target_fps": 100, "synth_clk_period_ns": 200.0,
                   "generate_outputs": ["estimate_reports"], "steps": STEPS}, f)
    models = {name: paths[0] for name, paths in bench_models(args.bin, tmp).items()}
    results = {}
    for name, model in models.items():
        times = []
        out = os.path.join(tmp, "out_" + name)
        for _ in range(args.runs):
            shutil.rmtree(out, ignore_errors=True)
            t0 = time.perf_counter()
            subprocess.run([os.path.join(args.bin, "build-dataflow"), model, cfg, "--output-dir", out],
                           check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - t0)
        results[name] = {"median_s": round(statistics.median(times), 4), "min_s": round(min(times), 4),
                         "max_s": round(max(times), 4)}
        print(name, results[name])
    write_results(args.out, {"runs": args.runs, "estimate_only_build": results})
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
