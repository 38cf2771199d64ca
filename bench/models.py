"""The models every benchmark runs on: the generated facile-like MLP (always there) and the
shared models beside the repository (where ../shared/models exists)."""
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared", "models")


def bench_models(bin_dir, tmp):
    """{name: (model.onnx, input.npy)}, generating the facile-like MLP into tmp."""
    gen = os.path.join(tmp, "facile_generated")
    subprocess.run([os.path.join(bin_dir, "onnx-mlp"), "--layers", "14,31,11,3,1", "--wdt", "INT6",
                    "--adt", "UINT6", "--idt", "INT6", "--odt", "UINT4", "-o", gen], check=True,
                   stdout=subprocess.DEVNULL)
    models = {"facile_generated": (os.path.join(gen, "model.onnx"), os.path.join(gen, "input.npy"))}
    if os.path.isdir(SHARED):
        for name in sorted(os.listdir(SHARED)):
            d = os.path.join(SHARED, name)
            onnx = [f for f in os.listdir(d) if f.endswith(".onnx")]
            if onnx:
                models[name] = (os.path.join(d, onnx[0]), os.path.join(d, "input.npy"))
    return models


def write_results(path, fields):
    """Writes {"machine": ..., **fields} as indented JSON to path."""
    import json
    import platform
    report = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                          "loadavg_1min": round(os.getloadavg()[0], 2)}}
    report.update(fields)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
