#!/usr/bin/env python3
"""Files per second, phase times and peak memory of `aksguard check` on generated corpora.

    bench/files_per_second.py [--bin target/release/aksguard] [--zones 300[,1000,5000]]
                              [--seed 7] [--runs 5] [--generator ../shared/bench/gen_corpus.py]
                              [--corpus DIR]

For each corpus size: generates the corpus once (or uses --corpus), runs the release binary
--runs times with JSON output and --statistics, and reports the median wall time, files/s,
resources/s, the median time of each engine phase, and the peak resident memory of the
runs. Wall time includes process start and writing the JSON report.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)


def corpus_for(zones, seed, generator):
    path = os.path.join(tempfile.gettempdir(), f"aksguard-bench-{zones}-{seed}")
    if not os.path.exists(os.path.join(path, "expected.json")):
        if not os.path.exists(generator):
            sys.exit(f"no corpus generator at {generator}: pass --generator or --corpus")
        subprocess.run([sys.executable, generator, path, "--zones", str(zones), "--seed", str(seed)],
                       check=True, stdout=subprocess.DEVNULL)
    return path


def measure(binary, corpus, runs):
    walls, phases, summary, peak = [], {}, {}, 0
    for _ in range(runs):
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            child = subprocess.Popen([binary, "check", ".", "--format", "json", "--statistics"],
                                     cwd=corpus, stdout=out, stderr=err)
            # wait4 gives this child's own resource usage: its peak resident set, in KiB.
            _, status, usage = os.wait4(child.pid, 0)
            walls.append(time.perf_counter() - start)
            code = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read().decode(), err.read().decode()
        if code not in (0, 1):
            sys.exit(f"aksguard exited {code}: {stderr[-400:]}")
        peak = max(peak, usage.ru_maxrss)
        summary = json.loads(stdout)["summary"]
        for line in stderr.splitlines()[1:]:
            parts = line.rsplit(None, 1)
            if len(parts) == 2 and not line.startswith("total"):
                try:
                    ms = float(parts[1])
                except ValueError:
                    continue  # not a phase line (e.g. the security field counts)
                phases.setdefault(parts[0].strip(), []).append(ms)
    return statistics.median(walls), {k: statistics.median(v) for k, v in phases.items()}, summary, peak


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(root, "target", "release", "aksguard"))
    ap.add_argument("--zones", default="300")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--generator", default=os.path.join(root, "..", "shared", "bench", "gen_corpus.py"))
    ap.add_argument("--corpus")
    a = ap.parse_args()
    if not os.path.exists(a.bin):
        sys.exit(f"no binary at {a.bin}: run `cargo build --release` first")
    sizes = [None] if a.corpus else [int(z) for z in a.zones.split(",")]
    for zones in sizes:
        corpus = a.corpus or corpus_for(zones, a.seed, a.generator)
        wall, phases, summary, peak = measure(a.bin, corpus, a.runs)
        files = summary["files"]
        print(f"corpus: {corpus} ({files} files, {summary['resources']} resources, {summary['findings']} findings)")
        print(f"  median of {a.runs}: wall {wall * 1000:.1f} ms; "
              + ", ".join(f"{k} {v:.1f} ms" for k, v in phases.items()))
        print(f"  {files / wall:,.0f} files/s, {summary['resources'] / wall:,.0f} resources/s, "
              f"peak memory {peak / 1024:,.0f} MiB (wall clock, process start included)")


if __name__ == "__main__":
    main()
