"""The peer for turbojet's GemmBench and ConvBench: the same linear layers and 3x3 convolutions in
PyTorch, timed with CUDA events (or the wall clock on the CPU), medians as JSON.

Shapes are GemmBench's (x[M,K] W[N,K]^T + b) and ConvBench's (Cin x Cout x S, 3x3, pad 1, batch 1),
plus SDXL's attention at 512 px (SDPA, 10 heads of 64 over 4096 and 77 keys). With --size tiny the
shapes shrink so the script can be rehearsed on a CPU. Run from the repository root:

    python3 bench/peer/ops_pytorch.py --device cuda --json peer-ops.json

Whole components on the CPU (UNet, VAE decoder, text encoders), one process per run against turbojet's
own, are bench/peer/cpu-side-by-side.sh (bench/README.md, "CPU side by side").
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

GEMMS = ["4096x640x640", "1024x640x5120", "256x1280x10240", "77x2048x1280"]
CONVS = ["320x320x64", "640x640x32", "1280x1280x16", "512x512x128"]
ATTENTION = [(4096, 4096, 10, 64), (4096, 77, 10, 64), (1024, 1024, 20, 64)]


def timer(device, fn, warmup, runs):
    times = []
    for i in range(warmup + runs):
        if device == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            torch.cuda.synchronize()
            ms = start.elapsed_time(end)
        else:
            t0 = time.perf_counter()
            fn()
            ms = (time.perf_counter() - t0) * 1e3
        if i >= warmup:
            times.append(ms)
    return {"median_ms": statistics.median(times), "min_ms": min(times), "runs": len(times)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    p.add_argument("--dtype", default="fp16", choices=["fp16", "bf16", "fp32"])
    p.add_argument("--size", default="full", choices=["full", "tiny"])
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--json", help="also write the result here")
    a = p.parse_args()
    dtype = {"fp16": torch.float16, "bf16": torch.bfloat16, "fp32": torch.float32}[a.dtype]
    if a.device == "cpu" and dtype != torch.float32:
        dtype = torch.float32
    scale = 1 if a.size == "full" else 16
    warmup, runs = (a.warmup, a.runs) if a.size == "full" else (1, 3)
    dev = a.device
    torch.manual_seed(0)
    results = []
    with torch.inference_mode():
        for s in GEMMS:
            m, k, n = (max(1, int(v) // scale) for v in s.split("x"))
            x, w, b = (torch.randn(m, k, device=dev, dtype=dtype), torch.randn(n, k, device=dev, dtype=dtype),
                       torch.randn(n, device=dev, dtype=dtype))
            r = timer(dev, lambda: F.linear(x, w, b), warmup, runs)
            results.append({"op": "linear", "shape": f"{m}x{k}x{n}", "gflop": 2 * m * k * n / 1e9, **r})
        for s in CONVS:
            cin, cout, side = (max(1, int(v) // scale) for v in s.split("x"))
            x = torch.randn(1, cin, side, side, device=dev, dtype=dtype).to(memory_format=torch.channels_last)
            w = torch.randn(cout, cin, 3, 3, device=dev, dtype=dtype).to(memory_format=torch.channels_last)
            b = torch.randn(cout, device=dev, dtype=dtype)
            r = timer(dev, lambda: F.conv2d(x, w, b, padding=1), warmup, runs)
            results.append({"op": "conv3x3", "shape": f"{cin}x{cout}x{side}", "gflop": 2 * cout * side * side * cin * 9 / 1e9, **r})
        for nq, nk, heads, d in ATTENTION:
            nq, nk = max(1, nq // scale), max(1, nk // scale)
            q = torch.randn(1, heads, nq, d, device=dev, dtype=dtype)
            k = torch.randn(1, heads, nk, d, device=dev, dtype=dtype)
            v = torch.randn(1, heads, nk, d, device=dev, dtype=dtype)
            r = timer(dev, lambda: F.scaled_dot_product_attention(q, k, v), warmup, runs)
            results.append({"op": "attention", "shape": f"{nq}x{nk}x{heads}x{d}", "gflop": 4 * heads * nq * nk * d / 1e9, **r})
    for r in results:
        r["tflops"] = r["gflop"] / r["median_ms"]
    out = {"peer": "PyTorch " + ("CUDA, CUDA-event timing" if dev == "cuda" else "CPU, wall clock"),
           "torch": torch.__version__, "dtype": str(dtype).replace("torch.", ""), "size": a.size,
           "device": torch.cuda.get_device_name() if dev == "cuda" else "cpu", "results": results}
    text = json.dumps(out, indent=1)
    print(text)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
