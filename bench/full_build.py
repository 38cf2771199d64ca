#!/usr/bin/env python3
"""Wall time of whole builds (build-dataflow, FINN's default step list) and what synthesis
reports, for every shared model and the generated facile-like MLP. Writes JSON.

    python3 bench/full_build.py [--bin build/bin] [--only NAME,...] [--builds a,b]
                                [--no-warm] [--out bench/results/full_build.json]

Builds, each from scratch (empty output directory, empty simulator and synthesis caches,
Verilator's run-time library not yet compiled, ccache off):
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

After ooc_xczu3eg (whose synthesis is Yosys' one run of the flattened design), its stitched
design is synthesized again as the sum of its layers (synth --layer-sum, empty synthesis
cache): "layer_sum" holds those numbers and seconds, "layer_sum_vs_whole_pct" how far they are
from the whole design's (LUT, FF), and "total_s_layer_sum" the build's time with that
synthesis in place of the whole one. Then ooc_xczu3eg_warm (unless --no-warm) is a user's
next iteration with build-dataflow --ooc-layer-sum: the same build in the same output
directory with the same caches, after one layer's PE changed (a
folding_config_file: the smallest change of PE to another divisor of MH, among the
StreamingFCLayers the one nearest the middle); "changed" says which.
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


def changed_pe(bin_dir, work):
    """A folding config that changes the PE of the middle StreamingFCLayer of the build in
    work: (config, "layer: PE a -> b")."""
    model = os.path.join(work, "out", "intermediate_models", "step_hls_ipgen.onnx")
    info = json.loads(subprocess.run([os.path.join(bin_dir, "onnx-info"), model, "--json"],
                                     check=True, capture_output=True, text=True).stdout)
    mvaus = [n for n in info["nodes"] if n["op_type"] == "StreamingFCLayer_Batch"]
    changes = []
    for i, n in enumerate(mvaus):
        mh, pe = int(n["attributes"]["MH"]), int(n["attributes"]["PE"])
        for d in range(1, mh + 1):
            if mh % d == 0 and d != pe:
                # the smallest step in PE (a factor), then the layer nearest the middle
                changes.append((max(d / pe, pe / d), abs(i - (len(mvaus) - 1) / 2), n["name"], pe, d))
    _, _, name, pe, new = min(changes)
    return {"Defaults": {}, name: {"PE": new}}, f"{name}: PE {pe} -> {new}"


def layer_sum(bin_dir, work, whole):
    """synth --layer-sum on the stitched design of the build in work (its synthesis cache,
    still empty), beside the whole design's result."""
    out = os.path.join(work, "out")
    env = dict(os.environ, SHOAL_SYNTH_CACHE=os.path.join(work, "synth-cache"))
    t0 = time.perf_counter()
    r = subprocess.run([os.path.join(bin_dir, "synth"),
                        os.path.join(out, "intermediate_models", "step_out_of_context_synthesis.onnx"),
                        "--part", "xczu3eg-sbva484-1-e", "--layer-sum",
                        "--report-dir", os.path.join(work, "layer_sum", "report"),
                        "--work-dir", os.path.join(out, "synth")],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0:
        return {"failed": r.stderr.strip().splitlines()[-1:]}, {}
    o = json.load(open(os.path.join(work, "layer_sum", "report", "ooc_synth_and_timing.json")))
    summed = {k: o[k] for k in ("LUT", "FF", "DSP", "BRAM", "fmax_mhz")}
    summed["seconds"] = round(time.perf_counter() - t0, 1)
    pct = {k: round(100 * (summed[k] - whole[k]) / whole[k], 2) for k in ("LUT", "FF")}
    return summed, pct


def measure(bin_dir, model, work, settings, folding=None, extra_args=()):
    os.makedirs(work, exist_ok=folding is not None)
    cfg = dict({"output_dir": "out", "synth_clk_period_ns": 10.0, "mvau_wwidth_max": 80},
               **settings)
    if folding is not None:
        with open(os.path.join(work, "folding.json"), "w") as f:
            json.dump(folding, f)
        cfg["folding_config_file"] = "folding.json"
    with open(os.path.join(work, "cfg.json"), "w") as f:
        json.dump(cfg, f)
    env = dict(os.environ, CCACHE_DISABLE="1", SHOAL_SIM_CACHE=os.path.join(work, "cache"),
               SHOAL_SYNTH_CACHE=os.path.join(work, "synth-cache"))
    t0 = time.perf_counter()
    r = subprocess.run([os.path.join(bin_dir, "build-dataflow"), model, "cfg.json", *extra_args], env=env,
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
    ap.add_argument("--no-warm", action="store_true", help="skip ooc_xczu3eg_warm")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "full_build.json"))
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="shoal-bench-build-")
    models = {name: paths[0] for name, paths in bench_models(args.bin, tmp).items()}
    if args.only:
        models = {n: m for n, m in models.items() if n in args.only.split(",")}
    results = {}
    for name, model in models.items():
        for build in args.builds.split(","):
            work = os.path.join(tmp, f"{name}_{build}")
            r = measure(args.bin, model, work, BUILDS[build])
            results.setdefault(name, {})[build] = r
            print(name, build, json.dumps(r), flush=True)
            if build == "ooc_xczu3eg" and "ooc" in r:
                r["layer_sum"], r["layer_sum_vs_whole_pct"] = layer_sum(args.bin, work, r["ooc"])
                if "seconds" in r["layer_sum"]:
                    r["total_s_layer_sum"] = round(
                        r["total_s"] - r["steps_s"]["step_out_of_context_synthesis"]
                        + r["layer_sum"]["seconds"], 1)
                print(name, "layer_sum", json.dumps(r["layer_sum"]),
                      json.dumps(r["layer_sum_vs_whole_pct"]), flush=True)
            if build == "ooc_xczu3eg" and not args.no_warm and "failed" not in r:
                folding, change = changed_pe(args.bin, work)
                w = measure(args.bin, model, work, BUILDS[build], folding, ["--ooc-layer-sum"])
                w["changed"] = change
                results[name]["ooc_xczu3eg_warm"] = w
                print(name, "ooc_xczu3eg_warm", json.dumps(w), flush=True)
    write_results(args.out, {"clock_ns": 10, "builds": BUILDS, "results": results})
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
