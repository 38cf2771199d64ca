#!/usr/bin/env python3
"""Wall time of whole builds (build-dataflow, FINN's default step list) and what synthesis
reports, for every shared model and the generated facile-like MLP. Writes JSON.

    python3 bench/full_build.py [--bin build/bin] [--only NAME,...] [--builds a,b]
                                [--out bench/results/full_build.json]

Builds, each from scratch (empty output directory, empty simulator cache, ccache off):
  ooc_xczu3eg    the reference notebook's second configuration: target_fps 1e6, clock 10 ns,
                 xczu3eg-sbva484-1-e, stitched IP + rtlsim performance + out-of-context
                 synthesis (Yosys where Vivado is absent)
  zynq_ultra96   its third: board Ultra96, vivado_zynq, bitfile + driver + deployment package
                 (without Vivado: the Vivado project, no bitstream)
  ice40_icebreaker  board iCEBreaker (ice40_uart), PE = SIMD = 1, bitfile + driver +
                 deployment package: Yosys, nextpnr-ice40 and icepack, a real bitstream
  ooc_xczu3eg_10k  the second configuration at target_fps 10000, as issue 13 asks of
                 cnv_w1a1 (--only cnv_w1a1 --builds ooc_xczu3eg_10k)
Per build: total_s (build-dataflow's wall time), the slow steps' seconds
(time_per_step.json), and the synthesis numbers (LUT, FF, DSP, BRAM, fmax_mhz; for iCE40
the logic cells used of available and the placed-and-routed fmax). A build that fails
records its error line instead.
"""
import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time

from models import bench_models, write_results

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BUILDS = {
    "ooc_xczu3eg": {"target_fps": 1000000, "fpga_part": "xczu3eg-sbva484-1-e",
                    "generate_outputs": ["stitched_ip", "rtlsim_performance",
                                         "out_of_context_synth"]},
    "zynq_ultra96": {"target_fps": 1000000, "board": "Ultra96", "shell_flow_type": "vivado_zynq",
                     "generate_outputs": ["bitfile", "pynq_driver", "deployment_package"]},
    "ice40_icebreaker": {"board": "iCEBreaker",
                         "generate_outputs": ["bitfile", "pynq_driver", "deployment_package"]},
    "ooc_xczu3eg_10k": {"target_fps": 10000, "fpga_part": "xczu3eg-sbva484-1-e",
                        "generate_outputs": ["stitched_ip", "rtlsim_performance",
                                             "out_of_context_synth"]},
}
SLOW_STEPS = ("step_set_fifo_depths", "step_measure_rtlsim_performance",
              "step_out_of_context_synthesis", "step_synthesize_bitfile")


def measure(bin_dir, model, work, settings):
    os.makedirs(work)
    cfg = dict({"output_dir": "out", "synth_clk_period_ns": 10.0, "mvau_wwidth_max": 80},
               **settings)
    with open(os.path.join(work, "cfg.json"), "w") as f:
        json.dump(cfg, f)
    env = dict(os.environ, CCACHE_DISABLE="1", SHOAL_SIM_CACHE=os.path.join(work, "cache"))
    t0 = time.perf_counter()
    r = subprocess.run([os.path.join(bin_dir, "build-dataflow"), model, "cfg.json"], env=env,
                       cwd=work, capture_output=True, text=True)
    total = time.perf_counter() - t0
    out = os.path.join(work, "out")
    if r.returncode != 0:
        errors = [l for l in (r.stdout + r.stderr).splitlines() if "error" in l or "fail" in l]
        log = os.path.join(out, "build_dataflow.log")
        if os.path.exists(log):
            errors += [l for l in open(log).read().splitlines() if ": error:" in l]
        return {"total_s": round(total, 1), "failed": errors[-3:]}
    steps = json.load(open(os.path.join(out, "time_per_step.json")))
    result = {"total_s": round(total, 1),
              "steps_s": {s: round(steps[s], 1) for s in SLOW_STEPS if steps.get(s, 0) >= 0.05}}
    ooc = os.path.join(out, "report", "ooc_synth_and_timing.json")
    if os.path.exists(ooc):
        o = json.load(open(ooc))
        result["ooc"] = {k: o[k] for k in ("LUT", "FF", "DSP", "BRAM", "fmax_mhz")}
        result["ooc"]["tool"] = o.get("synthesis_tool", "")
    pr = os.path.join(out, "report", "post_route_timing.json")
    if os.path.exists(pr):
        p = json.load(open(pr))
        lc = p["utilization"]["ICESTORM_LC"]
        ram = p["utilization"]["ICESTORM_RAM"]
        result["ice40"] = {"logic_cells": f"{lc['used']}/{lc['available']}",
                           "ram_4k": f"{ram['used']}/{ram['available']}",
                           "dsp": p["DSP"], "fmax_mhz": round(p["fmax_mhz"], 2)}
    result["needs_vivado"] = [l for l in r.stdout.splitlines() if l.startswith("Needs Vivado")]
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--only", default="", help="comma-separated model names")
    ap.add_argument("--builds", default=",".join(BUILDS), help="comma-separated build names")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "full_build.json"))
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="shoal-bench-build-")
    models = {name: paths[0] for name, paths in bench_models(args.bin, tmp).items()}
    if args.only:
        models = {n: m for n, m in models.items() if n in args.only.split(",")}
    results = {}
    for name, model in models.items():
        for build in args.builds.split(","):
            r = measure(args.bin, model, os.path.join(tmp, f"{name}_{build}"), BUILDS[build])
            results.setdefault(name, {})[build] = r
            print(name, build, json.dumps(r), flush=True)
    write_results(args.out, {"clock_ns": 10, "builds": BUILDS, "results": results})
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
