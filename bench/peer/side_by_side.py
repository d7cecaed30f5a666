"""Runs turbojet and PyTorch side by side on the CPU, one fresh process per side per run, interleaved.

Started by bench/peer/cpu-side-by-side.sh, which has set up the Java and Python sides; standard library
only, so any python3 runs it. For each component: turbojet run 1, PyTorch run 1, turbojet run 2, ...;
each run is one child process (dev.turbojet.bench.ComponentRun or bench/peer/cpu_components.py) that
loads, warms up once, times --iters forwards and prints one JSON line. The run's figure is the median of
its forwards; the component's is the median of its runs. Peak RSS is the child's ru_maxrss, from wait4.
/proc/loadavg is read before each run. Writes <out>/cpu-side-by-side.json and each child's stderr to
<out>/logs/, and prints a markdown table.
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import shlex
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
COMPONENTS = ["unet", "vae-decode", "text-encoders"]
# The native-GEMM backend keeps the synthetic (F16) weights 16-bit and in native memory, outside the heap:
# the full UNet's are 5.1 GB, the VAE's 0.1 GB, the text encoders' 1.6 GB. The heap is capped per component
# near what the activations need (a JVM's RSS follows its heap): the UNet's at 512^2, the VAE's 134 MB each,
# the text encoders' few MB. It is committed and touched at start (-Xms = -Xmx, -XX:+AlwaysPreTouch), as a dedicated
# inference process runs: otherwise G1 hands the activations never-touched regions for several passes, each
# first touch a page fault (measured, text encoders on a 2-core Xeon: 1.67 s -> 0.92 s a pass); the peak RSS
# is about the same either way, as the passes touch the whole heap.
DEFAULT_JAVA_OPTS = "-XX:+UseG1GC -XX:+AlwaysPreTouch"
DEFAULT_JAVA_HEAP = "unet=2g,vae-decode=1100m,text-encoders=1g"
REQUIRED_JAVA_OPTS = ["--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"]


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except OSError:
        return ""


def machine():
    lscpu = {}
    for line in sh("lscpu").splitlines():
        key, _, value = line.partition(":")
        lscpu[key.strip()] = value.strip()
    flags = set(lscpu.get("Flags", "").split())
    mem = {}
    with open("/proc/meminfo") as f:
        for line in f:
            key, value = line.split(":", 1)
            mem[key] = int(value.split()[0]) * 1024
    cores = None
    if lscpu.get("Core(s) per socket", "").isdigit() and lscpu.get("Socket(s)", "").isdigit():
        cores = int(lscpu["Core(s) per socket"]) * int(lscpu["Socket(s)"])
    return {"cpu": lscpu.get("Model name", platform.processor()), "vendor": lscpu.get("Vendor ID"),
            "cpus": os.cpu_count(), "cpus_usable": len(os.sched_getaffinity(0)), "cores": cores,
            "threads_per_core": lscpu.get("Thread(s) per core"), "l3": lscpu.get("L3 cache"),
            "hypervisor": lscpu.get("Hypervisor vendor"),
            "avx2": "avx2" in flags, "fma": "fma" in flags,
            "avx512": sorted(f for f in flags if f.startswith("avx512")),
            "ram_gb": round(mem["MemTotal"] / 1e9, 1), "ram_gib": round(mem["MemTotal"] / 2**30, 1), "ram_available_gb_at_start": round(mem["MemAvailable"] / 1e9, 1),
            "kernel": platform.release()}


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def commit():
    sha = sh("git", "rev-parse", "HEAD")
    dirty = bool(sh("git", "status", "--porcelain", "--untracked-files=no"))
    return {"sha": sha, "short": sha[:7], "dirty": dirty, "branch": sh("git", "rev-parse", "--abbrev-ref", "HEAD")}


def run_child(cmd, env, log):
    """Runs cmd to the end; its JSON line, wall time and peak RSS (or the error)."""
    before = loadavg()
    t0 = time.monotonic()
    with open(log, "w") as err:
        err.write("$ " + shlex.join(cmd) + "\n")
        err.flush()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env, cwd=ROOT, text=True)
        stdout = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    out = {"loadavg_before": before, "process_wall_s": round(time.monotonic() - t0, 3),
           "peak_rss_gb": round(usage.ru_maxrss * 1024 / 1e9, 3), "log": str(log)}
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        out["error"] = f"exit status {proc.returncode}" + ("" if lines else ", no JSON line on stdout") + f"; see {log}"
        return out
    result = json.loads(lines[-1])
    out["times_s"] = result.pop("times_s")
    out["median_s"] = statistics.median(out["times_s"])
    out["child"] = result
    return out


def median_or_none(values):
    return statistics.median(values) if values else None


def main():
    p = argparse.ArgumentParser(description="turbojet vs PyTorch on the CPU, interleaved, one process per run.")
    p.add_argument("--components", default=",".join(COMPONENTS), help="comma-separated: " + ", ".join(COMPONENTS))
    p.add_argument("--runs", type=int, default=3, help="processes per side per component (default 3)")
    p.add_argument("--iters", type=int, default=3, help="timed forwards per process after one warm-up (default 3)")
    p.add_argument("--size", default="full", choices=["full", "tiny"])
    p.add_argument("--latent", type=int, default=64, help="latent side for unet and vae-decode (default 64 = 512 px)")
    p.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)), help="threads per side (default: nproc)")
    p.add_argument("--java-opts", default=DEFAULT_JAVA_OPTS, help=f"JVM options, e.g. GC (default '{DEFAULT_JAVA_OPTS}')")
    p.add_argument("--java-heap", default=DEFAULT_JAVA_HEAP,
                   help=f"-Xms and -Xmx per component, COMPONENT=SIZE,... (default '{DEFAULT_JAVA_HEAP}'); an -Xmx in --java-opts applies to the rest")
    p.add_argument("--out", help="output folder (default bench/results/cpu-<date>-<short sha>)")
    p.add_argument("--java", required=True, help="the java launcher (JDK 22+)")
    p.add_argument("--jar", default=str(ROOT / "bench/target/benchmarks.jar"))
    p.add_argument("--python", required=True, help="the interpreter with torch, transformers and diffusers")
    p.add_argument("--pythonpath", default="", help="PYTHONPATH for the PyTorch side (diffusers' source)")
    args = p.parse_args()
    components = [c.strip() for c in args.components.split(",") if c.strip()]
    unknown = [c for c in components if c not in COMPONENTS]
    if unknown or not components:
        p.error(f"--components {args.components!r}: expected some of {', '.join(COMPONENTS)}")
    if args.runs < 1 or args.iters < 1 or args.threads < 1:
        p.error("--runs, --iters and --threads must be at least 1")

    git = commit()
    out = pathlib.Path(args.out or ROOT / "bench/results" / f"cpu-{datetime.date.today().isoformat()}-{git['short']}")
    (out / "logs").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    torch_env = dict(env, PYTHONPATH=args.pythonpath) if args.pythonpath else env
    heaps = {}
    for item in filter(None, (x.strip() for x in args.java_heap.split(","))):
        name, _, size = item.partition("=")
        if name not in COMPONENTS or not size:
            p.error(f"--java-heap {item!r}: expected COMPONENT=SIZE with COMPONENT one of {', '.join(COMPONENTS)}")
        heaps[name] = size
    java_cmd = [args.java, *REQUIRED_JAVA_OPTS, *shlex.split(args.java_opts), "-cp", args.jar, "dev.turbojet.bench.ComponentRun"]

    def java_for(component):
        heap = [f"-Xms{heaps[component]}", f"-Xmx{heaps[component]}"] if component in heaps else []
        return [args.java, *REQUIRED_JAVA_OPTS, *shlex.split(args.java_opts), *heap,
                "-cp", args.jar, "dev.turbojet.bench.ComponentRun"]
    torch_cmd = [args.python, str(ROOT / "bench/peer/cpu_components.py")]
    common = ["--size", args.size, "--latent", str(args.latent), "--threads", str(args.threads), "--iters", str(args.iters)]

    java_version = subprocess.run([args.java, "-version"], capture_output=True, text=True).stderr.strip().splitlines()
    probe = subprocess.run(torch_cmd + ["--versions"], capture_output=True, text=True, env=torch_env, cwd=ROOT)
    if probe.returncode != 0:
        sys.exit("the PyTorch side does not start:\n" + probe.stderr.strip())
    torch_versions = json.loads(probe.stdout.strip().splitlines()[-1])

    report = {"what": "turbojet (CpuOps) vs PyTorch eager (diffusers, transformers) on the CPU, fp32, random weights, "
                      "one fresh process per side per run, interleaved",
              "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
              "machine": machine(), "java": {"version": java_version, "java_opts": args.java_opts,
                                             "java_heap": heaps, "command": java_cmd},
              "pytorch": dict(torch_versions, command=torch_cmd, pythonpath=args.pythonpath), "commit": git, "threads": args.threads, "size": args.size,
              "latent": args.latent, "runs": args.runs, "iters": args.iters,
              "ratio": "torch_median_s / java_median_s: above 1, turbojet is faster", "components": {}}
    failed = False
    for component in components:
        runs = {"java": [], "torch": []}
        for i in range(1, args.runs + 1):
            for side, cmd in (("java", java_for(component)), ("torch", torch_cmd)):
                print(f"[side-by-side] {component} run {i}/{args.runs}: {side} ...", file=sys.stderr, flush=True)
                r = run_child(cmd + ["--component", component] + common, env if side == "java" else torch_env,
                              out / "logs" / f"{component}-{side}-{i}.log")
                runs[side].append(r)
                if "error" in r:
                    failed = True
                    print(f"[side-by-side]   FAILED: {r['error']}", file=sys.stderr, flush=True)
                else:
                    print(f"[side-by-side]   median {r['median_s']:.3f} s of {len(r['times_s'])}, "
                          f"peak RSS {r['peak_rss_gb']:.2f} GB, load before {r['loadavg_before'][0]:.2f}",
                          file=sys.stderr, flush=True)
        row = {}
        for side in ("java", "torch"):
            ok = [r for r in runs[side] if "error" not in r]
            row[f"{side}_median_s"] = median_or_none([r["median_s"] for r in ok])
            row[f"{side}_peak_rss_gb"] = max((r["peak_rss_gb"] for r in ok), default=None)
            row[f"{side}_run_medians_s"] = [r.get("median_s") for r in runs[side]]
            row[f"{side}_loadavg_1m_before"] = [r["loadavg_before"][0] for r in runs[side]]
            row[f"{side}_runs"] = runs[side]
        j, t = row["java_median_s"], row["torch_median_s"]
        row = {"ratio": round(t / j, 3) if j and t else None, **row}
        report["components"][component] = row
        with open(out / "cpu-side-by-side.json", "w") as f:   # rewritten after each component: a partial run keeps its rows
            json.dump(report, f, indent=1)
            f.write("\n")

    print(f"\nturbojet vs PyTorch, CPU fp32, {args.size} size, {args.threads} threads, "
          f"{args.runs} runs x {args.iters} forwards, commit {git['short']}{' (dirty)' if git['dirty'] else ''}, "
          f"{report['machine']['cpu']}\n")
    print("| component | turbojet s | PyTorch s | PyTorch / turbojet | turbojet peak RSS GB | PyTorch peak RSS GB |")
    print("|---|---:|---:|---:|---:|---:|")
    fmt = lambda v, spec: "failed" if v is None else format(v, spec)  # noqa: E731
    for component, row in report["components"].items():
        print(f"| {component} | {fmt(row['java_median_s'], '.3f')} | {fmt(row['torch_median_s'], '.3f')} | "
              f"{fmt(row['ratio'], '.2f')} | {fmt(row['java_peak_rss_gb'], '.2f')} | {fmt(row['torch_peak_rss_gb'], '.2f')} |")
    print(f"\n{out / 'cpu-side-by-side.json'}")
    if failed:
        sys.exit("some runs failed; their logs are named in the JSON")


if __name__ == "__main__":
    main()
